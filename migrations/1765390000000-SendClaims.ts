import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who claimed a notification for sending, and when (src/reminders/notification-ledger.ts). A key
 * left `sending` was re-claimed by any job that came to it, so a second job for the same key
 * (a re-plan while the first was in its SMTP conversation) sent it again. A claim now holds the
 * key until its lease lapses, or until its claimant is known to be dead (a process on the same
 * machine that has ended). Claims already stored have no claimant: they are treated as lapsed.
 */
export class SendClaims1765390000000 implements MigrationInterface {
  name = 'SendClaims1765390000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" ADD "claimed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "claimed_by" varchar(300)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "claimed_by"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "claimed_at"`);
  }
}
