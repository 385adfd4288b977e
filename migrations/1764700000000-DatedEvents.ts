import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events carry the date they happened, apart from when they were recorded.
 *
 * - `review_events.occurred_at` now means when the thing happened (a decision dated 2017 is
 *   stored with its 2017 date); the new `recorded_at` is when, and `actor` by whom, it was
 *   entered. Existing rows were entered as they happened, so both are the same for them.
 *   `origin` says how the entry came: typed in (`recorded`), brought in by an import
 *   (`imported`) or a correction of an earlier entry (`correction`).
 * - `deadlines.starts_at`: when the clock started (the notification, the decision, the day an
 *   IMR was requested...), so elapsed time counts from the real date, not from when the row was
 *   written. `due_set_at`: when the current due time was set, so a clock that was already
 *   overdue when it came into being (an import, a back-dated event, a correction) is known as
 *   such and sends no back-log of reminders.
 * - `deadlines.status` may be `not_computed` (with `status_reason`): a due date that needs data
 *   the service does not have (bank holidays of a year outside the calendar) is shown as such,
 *   never silently missing.
 */
export class DatedEvents1764700000000 implements MigrationInterface {
  name = 'DatedEvents1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "review_events" ADD "recorded_at" timestamptz`);
    await queryRunner.query(
      `ALTER TABLE "review_events" ADD "origin" varchar(12) NOT NULL DEFAULT 'recorded'
         CONSTRAINT "CHK_review_events_origin" CHECK ("origin" IN ('recorded', 'imported', 'correction'))`,
    );
    // The history is append-only; only this migration, as the owner, fills the new column in.
    await queryRunner.query(`ALTER TABLE "review_events" DISABLE TRIGGER "review_events_append_only"`);
    await queryRunner.query(`UPDATE "review_events" SET "recorded_at" = "occurred_at"`);
    await queryRunner.query(`ALTER TABLE "review_events" ENABLE TRIGGER "review_events_append_only"`);
    await queryRunner.query(`ALTER TABLE "review_events" ALTER "recorded_at" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "review_events" ALTER "recorded_at" SET DEFAULT now()`);

    await queryRunner.query(`ALTER TABLE "deadlines" ADD "starts_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "due_set_at" timestamptz`);
    await queryRunner.query(`UPDATE "deadlines" SET "starts_at" = "created_at", "due_set_at" = "created_at"`);
    await queryRunner.query(`ALTER TABLE "deadlines" ALTER "starts_at" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "deadlines" ALTER "due_set_at" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "deadlines" ADD "status_reason" text`);
    await queryRunner.query(`ALTER TABLE "deadlines" ALTER "status" TYPE varchar(16)`);
    await queryRunner.query(`ALTER TABLE "deadlines" DROP CONSTRAINT "CHK_deadlines_status"`);
    await queryRunner.query(
      `ALTER TABLE "deadlines" ADD CONSTRAINT "CHK_deadlines_status"
         CHECK ("status" IN ('open', 'paused', 'met', 'missed', 'waived', 'cancelled', 'not_computed'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "deadlines" WHERE "status" = 'not_computed'`);
    await queryRunner.query(`ALTER TABLE "deadlines" DROP CONSTRAINT "CHK_deadlines_status"`);
    await queryRunner.query(
      `ALTER TABLE "deadlines" ADD CONSTRAINT "CHK_deadlines_status"
         CHECK ("status" IN ('open', 'paused', 'met', 'missed', 'waived', 'cancelled'))`,
    );
    await queryRunner.query(`ALTER TABLE "deadlines" ALTER "status" TYPE varchar(10)`);
    await queryRunner.query(`ALTER TABLE "deadlines" DROP COLUMN "status_reason"`);
    await queryRunner.query(`ALTER TABLE "deadlines" DROP COLUMN "due_set_at"`);
    await queryRunner.query(`ALTER TABLE "deadlines" DROP COLUMN "starts_at"`);
    await queryRunner.query(`ALTER TABLE "review_events" DROP COLUMN "origin"`);
    await queryRunner.query(`ALTER TABLE "review_events" DROP COLUMN "recorded_at"`);
  }
}
