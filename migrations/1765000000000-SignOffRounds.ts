import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board's sign-off clock closes as `returned` when the board sends the report back (issue
 * 14): it answered, but nothing was signed off, and the next round is a clock of its own. A
 * sign-off clock already closed as met or missed by a return (closed at the return's time) is
 * shown as what it was.
 */
export class SignOffRounds1765000000000 implements MigrationInterface {
  name = 'SignOffRounds1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deadlines" DROP CONSTRAINT "CHK_deadlines_status"`);
    await queryRunner.query(
      `ALTER TABLE "deadlines" ADD CONSTRAINT "CHK_deadlines_status"
         CHECK ("status" IN ('open', 'paused', 'met', 'missed', 'waived', 'cancelled', 'returned', 'not_computed'))`,
    );
    await queryRunner.query(
      `UPDATE "deadlines" d SET "status" = 'returned'
         WHERE d."kind" = 'rag_sign_off' AND d."status" IN ('met', 'missed')
           AND EXISTS (SELECT 1 FROM "review_events" e
                       WHERE e."review_id" = d."review_id" AND e."type" = 'RAG_RETURN' AND e."occurred_at" = d."closed_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "deadlines" SET "status" = 'met' WHERE "status" = 'returned'`);
    await queryRunner.query(`ALTER TABLE "deadlines" DROP CONSTRAINT "CHK_deadlines_status"`);
    await queryRunner.query(
      `ALTER TABLE "deadlines" ADD CONSTRAINT "CHK_deadlines_status"
         CHECK ("status" IN ('open', 'paused', 'met', 'missed', 'waived', 'cancelled', 'not_computed'))`,
    );
  }
}
