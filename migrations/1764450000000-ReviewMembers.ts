import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-review roles (chair, report writer, panel member or IMR author for an agency), and the
 * link from a document to the IMR it belongs to (an IMR author sees only their agency's).
 */
export class ReviewMembers1764450000000 implements MigrationInterface {
  name = 'ReviewMembers1764450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "review_members" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "role" varchar(30) NOT NULL,
        "agency_id" uuid,
        "added_by" varchar(320) NOT NULL,
        "added_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "ended_by" varchar(320),
        "ended_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_review_members" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_review_members_role" CHECK ("role" IN ('chair', 'report_writer', 'panel_member', 'imr_author')),
        CONSTRAINT "CHK_review_members_agency" CHECK (("role" IN ('panel_member', 'imr_author')) = ("agency_id" IS NOT NULL)),
        CONSTRAINT "FK_review_members_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_review_members_user" FOREIGN KEY ("user_id") REFERENCES "users"("id"),
        CONSTRAINT "FK_review_members_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_review_members_user" ON "review_members" ("user_id")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_review_members_active" ON "review_members" ("review_id", "user_id", "role", (coalesce("agency_id", '00000000-0000-0000-0000-000000000000'::uuid))) WHERE "ended_at" IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE "documents" ADD "imr_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "documents" ADD CONSTRAINT "FK_documents_imr" FOREIGN KEY ("review_id", "imr_id") REFERENCES "imrs"("review_id", "id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "documents" DROP CONSTRAINT "FK_documents_imr"`);
    await queryRunner.query(`ALTER TABLE "documents" DROP COLUMN "imr_id"`);
    await queryRunner.query(`DROP TABLE "review_members"`);
  }
}
