import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recommendations register (issue 15 item 5): each recommendation carries a theme from the
 * taxonomy (config/taxonomy/) and the kind of its addressee (a local agency, the partnership, a
 * government department); both empty on recommendations recorded before. The register's
 * full-text search uses PostgreSQL's own, over these GIN expression indexes (the queries use
 * the same expressions). Each review can be coded with the taxonomy (review_codings: the codes
 * and the taxonomy version they come from; one row a review, versioned for If-Match).
 */
export class RecommendationsRegister1765350000000 implements MigrationInterface {
  name = 'RecommendationsRegister1765350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "recommendations" ADD "theme" varchar(60)`);
    await queryRunner.query(
      `ALTER TABLE "recommendations" ADD "addressee_kind" varchar(30)
         CONSTRAINT "CHK_recommendations_addressee_kind" CHECK ("addressee_kind" IN ('agency', 'partnership', 'government_department'))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_recommendations_search" ON "recommendations" USING gin (to_tsvector('english', "text" || ' ' || "addressee"))`);
    await queryRunner.query(`CREATE INDEX "IDX_actions_search" ON "actions" USING gin (to_tsvector('english', "description" || ' ' || "owner"))`);
    await queryRunner.query(`
      CREATE TABLE "review_codings" (
        "review_id" uuid NOT NULL,
        "taxonomy_version" varchar(20) NOT NULL,
        "codes" jsonb NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_by" varchar(200) NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_review_codings" PRIMARY KEY ("review_id"),
        CONSTRAINT "FK_review_codings_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "review_codings"`);
    await queryRunner.query(`DROP INDEX "IDX_actions_search"`);
    await queryRunner.query(`DROP INDEX "IDX_recommendations_search"`);
    await queryRunner.query(`ALTER TABLE "recommendations" DROP COLUMN "addressee_kind"`);
    await queryRunner.query(`ALTER TABLE "recommendations" DROP COLUMN "theme"`);
  }
}
