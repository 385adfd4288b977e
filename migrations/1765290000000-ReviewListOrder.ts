import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reviews list (GET /reviews, /cases) is ordered newest first (created_at DESC, id): without
 * an index for that order PostgreSQL sorted every review the caller may see for each page
 * (issue 16). One index for the whole list (a trusted caller, a RAG member, a member of few
 * reviews) and one for a CSP's list (a CSP lead: the access filter names their CSPs).
 */
export class ReviewListOrder1765290000000 implements MigrationInterface {
  name = 'ReviewListOrder1765290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_reviews_list_order" ON "reviews" ("created_at" DESC, "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_reviews_csp_list_order" ON "reviews" ("csp_id", "created_at" DESC, "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_reviews_csp_list_order"`);
    await queryRunner.query(`DROP INDEX "IDX_reviews_list_order"`);
  }
}
