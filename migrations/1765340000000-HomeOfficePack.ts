import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Home Office submission pack (issue 15 item 4). The action plan's usual layout needs each
 * recommendation's scope (local, regional or national: national where the recommendation was
 * already national, else local) and each action's milestones. Before submission the CSP lead
 * answers a checklist (each item confirmed or flagged, with a note); each submission keeps the
 * pack it sent (its SHA-256, and the zip itself).
 */
export class HomeOfficePack1765340000000 implements MigrationInterface {
  name = 'HomeOfficePack1765340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "recommendations" ADD "scope" varchar(20) NOT NULL DEFAULT 'local'`);
    await queryRunner.query(`UPDATE "recommendations" SET "scope" = 'national' WHERE "level" = 'national'`);
    await queryRunner.query(`ALTER TABLE "recommendations" ADD CONSTRAINT "CHK_recommendations_scope" CHECK ("scope" IN ('local', 'regional', 'national'))`);
    await queryRunner.query(`ALTER TABLE "actions" ADD "milestones" text`);
    await queryRunner.query(`
      CREATE TABLE "home_office_checklist_answers" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "item" varchar(64) NOT NULL,
        "checklist_version" varchar(40) NOT NULL,
        "answer" varchar(12) NOT NULL,
        "note" text,
        "answered_by" varchar(200) NOT NULL,
        "answered_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_home_office_checklist_answers" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_home_office_checklist_answers_item" UNIQUE ("review_id", "item"),
        CONSTRAINT "FK_home_office_checklist_answers_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_home_office_checklist_answers_answer" CHECK ("answer" IN ('confirmed', 'flagged')),
        CONSTRAINT "CHK_home_office_checklist_answers_flag_note" CHECK ("answer" <> 'flagged' OR "note" IS NOT NULL)
      )`);
    await queryRunner.query(`
      CREATE TABLE "home_office_packs" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "round" integer NOT NULL,
        "sha256" char(64) NOT NULL,
        "size_bytes" integer NOT NULL,
        "file_name" varchar(255) NOT NULL,
        "content" bytea NOT NULL,
        "sent_by" varchar(200) NOT NULL,
        "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_home_office_packs" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_home_office_packs_round" UNIQUE ("review_id", "round"),
        CONSTRAINT "FK_home_office_packs_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_home_office_packs_sha256" CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
        CONSTRAINT "CHK_home_office_packs_round" CHECK ("round" >= 1)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "home_office_packs"`);
    await queryRunner.query(`DROP TABLE "home_office_checklist_answers"`);
    await queryRunner.query(`ALTER TABLE "actions" DROP COLUMN "milestones"`);
    await queryRunner.query(`ALTER TABLE "recommendations" DROP CONSTRAINT "CHK_recommendations_scope"`);
    await queryRunner.query(`ALTER TABLE "recommendations" DROP COLUMN "scope"`);
  }
}
