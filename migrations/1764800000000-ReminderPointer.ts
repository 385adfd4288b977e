import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reminders are planned in PostgreSQL, not as delayed jobs in Redis (issue 12).
 *
 * Each open deadline carries its next reminder: `next_reminder_at` (when it is owed) and
 * `next_reminder_slot`, with `reminder_seq` (bumped each time the pointer is set, so the job of
 * one plan is told from another's) and `reminder_plan` (the reminder policy it was planned
 * with: a changed policy re-plans it). A dispatcher hands owed reminders to BullMQ and stamps
 * `reminder_dispatched_at` (the last hand-over; `reminder_handed_at` keeps the first, so readiness
 * can tell how long it has been owed); the send job moves the pointer on when it has finished. A reminder
 * dispatched but not finished within the lease is handed over again (a no-op while Redis still
 * has the job; the job again if Redis lost it). So Redis only ever holds what is being sent now.
 *
 * `outbox.relayed_at`: a meeting invitation handed to BullMQ is `processed_at` only when sent;
 * one relayed but not sent within the lease is relayed again (Redis may have lost it).
 */
export class ReminderPointer1764800000000 implements MigrationInterface {
  name = 'ReminderPointer1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "next_reminder_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "next_reminder_slot" varchar(40)`);
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "reminder_seq" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "reminder_plan" varchar(64)`);
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "reminder_dispatched_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "reminder_handed_at" timestamptz`);
    await queryRunner.query(
      `CREATE INDEX "IDX_deadlines_next_reminder" ON "deadlines" ("next_reminder_at") WHERE "next_reminder_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_deadlines_open_plan" ON "deadlines" ("reminder_plan") WHERE "status" = 'open'`,
    );
    await queryRunner.query(`ALTER TABLE "outbox" ADD "relayed_at" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox" DROP COLUMN "relayed_at"`);
    await queryRunner.query(`DROP INDEX "IDX_deadlines_open_plan"`);
    await queryRunner.query(`DROP INDEX "IDX_deadlines_next_reminder"`);
    for (const column of ['reminder_handed_at', 'reminder_dispatched_at', 'reminder_plan', 'reminder_seq', 'next_reminder_slot', 'next_reminder_at']) {
      await queryRunner.query(`ALTER TABLE "deadlines" DROP COLUMN "${column}"`);
    }
  }
}
