import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agencies send their own reports (issue 14 item 5): an IMR author uploads their agency's IMR
 * (or short report) and its chronology through the service. Each upload is a submission, which
 * the chair confirms (the IMR is then received) or sends back with comments.
 */
export class ImrSubmissions1765200000000 implements MigrationInterface {
  name = 'ImrSubmissions1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "imr_submissions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "imr_id" uuid NOT NULL,
        "report_document_id" uuid NOT NULL,
        "report_version" integer NOT NULL,
        "chronology_document_id" uuid,
        "chronology_version" integer,
        "submitted_by" varchar(200) NOT NULL,
        "submitted_by_name" varchar(200) NOT NULL,
        "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "outcome" varchar(20) NOT NULL,
        "decided_by" varchar(200),
        "decided_by_name" varchar(200),
        "decided_at" TIMESTAMP WITH TIME ZONE,
        "comments" text,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_imr_submissions" PRIMARY KEY ("id"),
        CONSTRAINT "FK_imr_submissions_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_imr_submissions_imr" FOREIGN KEY ("review_id", "imr_id") REFERENCES "imrs"("review_id", "id"),
        CONSTRAINT "FK_imr_submissions_report" FOREIGN KEY ("review_id", "report_document_id") REFERENCES "documents"("review_id", "id"),
        CONSTRAINT "FK_imr_submissions_chronology" FOREIGN KEY ("review_id", "chronology_document_id") REFERENCES "documents"("review_id", "id"),
        CONSTRAINT "CHK_imr_submissions_outcome" CHECK ("outcome" IN ('awaiting', 'received', 'sent_back', 'replaced')),
        CONSTRAINT "CHK_imr_submissions_sent_back_comments" CHECK ("outcome" <> 'sent_back' OR "comments" IS NOT NULL),
        CONSTRAINT "CHK_imr_submissions_chronology_version" CHECK (("chronology_document_id" IS NULL) = ("chronology_version" IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_imr_submissions_imr" ON "imr_submissions" ("review_id", "imr_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "imr_submissions"`);
  }
}
