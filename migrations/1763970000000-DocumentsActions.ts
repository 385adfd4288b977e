import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Documents, recommendations and the action plan over REST:
 * - `document_downloads`: who downloaded which version of a document, and when (every read of
 *   case material is attributable). It points at the version through (document_id, version_no)
 *   and at the document within its review through (review_id, document_id), so a download can
 *   only name a version of a document of the same review.
 * - `recommendations.withdrawn_reason`: a withdrawn recommendation is kept with its reason
 *   (the API requires one; the CHECK allows it on withdrawn recommendations only, so rows
 *   withdrawn before this migration stay valid).
 */
export class DocumentsActions1763970000000 implements MigrationInterface {
  name = 'DocumentsActions1763970000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "document_downloads" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "document_id" uuid NOT NULL,
        "version_no" integer NOT NULL,
        "downloaded_by" varchar(200) NOT NULL,
        "downloaded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_document_downloads" PRIMARY KEY ("id"),
        CONSTRAINT "FK_document_downloads_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_document_downloads_document" FOREIGN KEY ("review_id", "document_id") REFERENCES "documents"("review_id", "id"),
        CONSTRAINT "FK_document_downloads_version" FOREIGN KEY ("document_id", "version_no") REFERENCES "document_versions"("document_id", "version_no")
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_document_downloads_document" ON "document_downloads" ("review_id", "document_id", "downloaded_at")`,
    );

    await queryRunner.query(`ALTER TABLE "recommendations" ADD "withdrawn_reason" text`);
    await queryRunner.query(
      `ALTER TABLE "recommendations" ADD CONSTRAINT "CHK_recommendations_withdrawal" CHECK ("withdrawn_reason" IS NULL OR "status" = 'withdrawn')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "recommendations" DROP CONSTRAINT "CHK_recommendations_withdrawal"`);
    await queryRunner.query(`ALTER TABLE "recommendations" DROP COLUMN "withdrawn_reason"`);
    await queryRunner.query(`DROP TABLE "document_downloads"`);
  }
}
