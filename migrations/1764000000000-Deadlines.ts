import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deadlines (the source of truth for every clock), their pause ledger, the outbox through
 * which reminders reach BullMQ only after a commit, and the record of every notification sent
 * (its idempotency key makes a duplicated job harmless).
 */
export class Deadlines1764000000000 implements MigrationInterface {
  name = 'Deadlines1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "deadlines" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "kind" varchar(40) NOT NULL,
        "subject_id" uuid NOT NULL,
        "title" varchar(300) NOT NULL,
        "statutory" boolean NOT NULL,
        "base_due_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "due_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "status" varchar(10) NOT NULL,
        "closed_at" TIMESTAMP WITH TIME ZONE,
        "concerns" jsonb NOT NULL DEFAULT '[]',
        "held_days" integer NOT NULL DEFAULT 0,
        "version" integer NOT NULL DEFAULT 1,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_deadlines" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_deadlines_subject" UNIQUE ("review_id", "kind", "subject_id"),
        CONSTRAINT "CHK_deadlines_status" CHECK ("status" IN ('open', 'paused', 'met', 'missed', 'waived', 'cancelled')),
        CONSTRAINT "FK_deadlines_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_deadlines_status_due" ON "deadlines" ("status", "due_at")`);
    await queryRunner.query(`
      CREATE TABLE "deadline_pauses" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "deadline_id" uuid NOT NULL,
        "paused_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "resumed_at" TIMESTAMP WITH TIME ZONE,
        "reason" varchar(40) NOT NULL,
        CONSTRAINT "PK_deadline_pauses" PRIMARY KEY ("id"),
        CONSTRAINT "FK_deadline_pauses_deadline" FOREIGN KEY ("deadline_id") REFERENCES "deadlines"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_deadline_pauses_deadline" ON "deadline_pauses" ("deadline_id")`);
    await queryRunner.query(`
      CREATE TABLE "outbox" (
        "id" bigserial NOT NULL,
        "topic" varchar(60) NOT NULL,
        "payload" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "processed_at" TIMESTAMP WITH TIME ZONE,
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        CONSTRAINT "PK_outbox" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_pending" ON "outbox" ("processed_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "notifications" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "idempotency_key" varchar(300) NOT NULL,
        "review_id" uuid NOT NULL,
        "deadline_id" uuid,
        "slot" varchar(40) NOT NULL,
        "recipient" varchar(320) NOT NULL,
        "status" varchar(10) NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "message_id" varchar(300),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "sent_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_notifications" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_notifications_idempotency_key" UNIQUE ("idempotency_key"),
        CONSTRAINT "CHK_notifications_status" CHECK ("status" IN ('sending', 'sent', 'failed')),
        CONSTRAINT "FK_notifications_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_notifications_deadline" FOREIGN KEY ("deadline_id") REFERENCES "deadlines"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_review" ON "notifications" ("review_id", "created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notifications"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP TABLE "deadline_pauses"`);
    await queryRunner.query(`DROP TABLE "deadlines"`);
  }
}
