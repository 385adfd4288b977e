import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Home Office quality assurance rounds (issue 15 item 4): each round's letter kept as a document
 * of the review, and the changes the letter asks for, each marked done with its date and a note.
 */
export class QaRounds1765380000000 implements MigrationInterface {
  name = 'QaRounds1765380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "qa_letters" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "round" integer NOT NULL,
        "document_id" uuid NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_qa_letters" PRIMARY KEY ("id"),
        CONSTRAINT "FK_qa_letters_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_qa_letters_document" FOREIGN KEY ("review_id", "document_id") REFERENCES "documents"("review_id", "id"),
        CONSTRAINT "CHK_qa_letters_round" CHECK ("round" >= 1)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_qa_letters_round" ON "qa_letters" ("review_id", "round")`);
    await queryRunner.query(`
      CREATE TABLE "qa_changes" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "round" integer NOT NULL,
        "number" integer NOT NULL,
        "text" text NOT NULL,
        "done_on" date,
        "done_note" text,
        "done_by" varchar(200),
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_qa_changes" PRIMARY KEY ("id"),
        CONSTRAINT "FK_qa_changes_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_qa_changes_round" CHECK ("round" >= 1 AND "number" >= 1),
        CONSTRAINT "CHK_qa_changes_done" CHECK (("done_on" IS NULL) = ("done_by" IS NULL))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_qa_changes_number" ON "qa_changes" ("review_id", "round", "number")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "qa_changes"`);
    await queryRunner.query(`DROP TABLE "qa_letters"`);
  }
}
