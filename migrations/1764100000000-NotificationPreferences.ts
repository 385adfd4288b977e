import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each person's choice of immediate reminders or a daily digest (keyed by email address until
 * user accounts exist), and what the digest needs in the notifications ledger: a `queued`
 * status for a reminder held for the digest, its subject, and when the digest carried it.
 */
export class NotificationPreferences1764100000000 implements MigrationInterface {
  name = 'NotificationPreferences1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "notification_preferences" (
        "email" varchar(320) NOT NULL,
        "mode" varchar(20) NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "updated_by" varchar(200) NOT NULL,
        CONSTRAINT "PK_notification_preferences" PRIMARY KEY ("email"),
        CONSTRAINT "CHK_notification_preferences_mode" CHECK ("mode" IN ('immediate', 'daily_digest')),
        CONSTRAINT "CHK_notification_preferences_email_lower" CHECK ("email" = lower("email"))
      )`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "CHK_notifications_status"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "CHK_notifications_status" CHECK ("status" IN ('sending', 'sent', 'failed', 'queued'))`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" ADD "subject" varchar(300)`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "digest_sent_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_status_recipient" ON "notifications" ("status", "recipient")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_notifications_status_recipient"`);
    // Reminders still waiting for a digest can no longer be represented: record them as failed.
    await queryRunner.query(
      `UPDATE "notifications" SET "status" = 'failed', "last_error" = 'waiting for a daily digest when the digest feature was removed'
       WHERE "status" = 'queued'`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "digest_sent_at"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "subject"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "CHK_notifications_status"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "CHK_notifications_status" CHECK ("status" IN ('sending', 'sent', 'failed'))`,
    );
    await queryRunner.query(`DROP TABLE "notification_preferences"`);
  }
}
