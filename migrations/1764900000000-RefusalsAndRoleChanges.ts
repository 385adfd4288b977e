import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, items 1 and 3.
 *
 * `access_log` also holds refused requests (every 4xx) and failed sign-ins: `outcome`
 * ('allowed' or 'refused'), `reason` (why it was refused: the error's message, or for a
 * sign-in the real reason, never shown to the caller) and `attempted_email` (the email a failed
 * sign-in named). `review_id` is now empty for a request that names no review (or names one that
 * does not exist). The table's grants are table-wide, so the new columns are append-only for
 * dhr_app like the old ones (only INSERT and SELECT).
 *
 * `user_role_changes`: every grant and revocation of a user's role (who changed it, whose role,
 * which role and CSP, grant or revoke, the reason, when); append-only like the history.
 */
export class RefusalsAndRoleChanges1764900000000 implements MigrationInterface {
  name = 'RefusalsAndRoleChanges1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "access_log" ALTER COLUMN "review_id" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "access_log" ADD "outcome" varchar(10) NOT NULL DEFAULT 'allowed' CONSTRAINT "CHK_access_log_outcome" CHECK ("outcome" IN ('allowed', 'refused'))`,
    );
    await queryRunner.query(`ALTER TABLE "access_log" ADD "reason" varchar(500)`);
    await queryRunner.query(`ALTER TABLE "access_log" ADD "attempted_email" varchar(320)`);
    // Earlier rows with a 4xx (a web form answered with its problems) were refusals too.
    await queryRunner.query(`ALTER TABLE "access_log" DISABLE TRIGGER "access_log_append_only"`);
    await queryRunner.query(`UPDATE "access_log" SET "outcome" = 'refused' WHERE "status" >= 400`);
    await queryRunner.query(`ALTER TABLE "access_log" ENABLE TRIGGER "access_log_append_only"`);
    await queryRunner.query(`CREATE INDEX "IDX_access_log_refused_at" ON "access_log" ("at") WHERE "outcome" = 'refused'`);

    await queryRunner.query(`
      CREATE TABLE "user_role_changes" (
        "id" bigserial NOT NULL,
        "user_id" uuid NOT NULL,
        "role" varchar(30) NOT NULL,
        "csp_id" uuid,
        "change" varchar(10) NOT NULL,
        "grant_id" uuid,
        "reason" varchar(1000) NOT NULL,
        "changed_by" varchar(320) NOT NULL,
        "changed_by_user_id" uuid,
        "at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_user_role_changes" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_user_role_changes_change" CHECK ("change" IN ('grant', 'revoke')),
        CONSTRAINT "CHK_user_role_changes_reason" CHECK (length(btrim("reason")) > 0),
        CONSTRAINT "FK_user_role_changes_user" FOREIGN KEY ("user_id") REFERENCES "users"("id"),
        CONSTRAINT "FK_user_role_changes_csp" FOREIGN KEY ("csp_id") REFERENCES "csps"("id"),
        CONSTRAINT "FK_user_role_changes_changed_by" FOREIGN KEY ("changed_by_user_id") REFERENCES "users"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_user_role_changes_user_at" ON "user_role_changes" ("user_id", "at")`);
    await queryRunner.query(`
      CREATE TRIGGER "user_role_changes_append_only" BEFORE UPDATE OR DELETE ON "user_role_changes"
      FOR EACH ROW EXECUTE FUNCTION "refuse_change_to_history"()`);
    await queryRunner.query(`
      CREATE TRIGGER "user_role_changes_no_truncate" BEFORE TRUNCATE ON "user_role_changes"
      FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_to_history"()`);
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "user_role_changes" FROM "dhr_app"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_role_changes"`);
    await queryRunner.query(`DROP INDEX "IDX_access_log_refused_at"`);
    for (const column of ['attempted_email', 'reason', 'outcome']) await queryRunner.query(`ALTER TABLE "access_log" DROP COLUMN "${column}"`);
    // Rows without a review cannot go back under NOT NULL (nor be deleted: append-only).
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM "access_log" WHERE "review_id" IS NULL) THEN
          ALTER TABLE "access_log" ALTER COLUMN "review_id" SET NOT NULL;
        END IF;
      END $$`);
  }
}
