import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * My work at any caseload (issue 16): each review keeps the soonest date any task on it can be
 * due (`next_work_on`): its soonest running clock, outstanding IMR, scheduled meeting or open
 * action, a London date; null when none has a date. Kept by DeadlineClocks.sync with every write,
 * filled here for the reviews already stored, with the same rule. My work reads reviews in that
 * order, a few at a time, and stops once no later review can hold a sooner task
 * (src/work/tasks.service.ts). A CSP lead's or a RAG member's tasks on a review of their CSP
 * (not of its team) are only its lifecycle steps, due by their clocks: `next_lead_on` and
 * `next_rag_on` keep the soonest running clock of a dated step of that role the review's stage
 * handles, so their reviews are read in that order. The notices on My work read the history by
 * type and time; the running clocks are indexed soonest first.
 */
/** The rule in SQL, for the review `alias` (a test checks the kept column against it). */
export const NEXT_WORK_ON_SQL = (alias: string) => `LEAST(
  (SELECT min(("due_at" AT TIME ZONE 'Europe/London')::date) FROM "deadlines" d WHERE d."review_id" = ${alias}."id" AND d."status" IN ('open', 'paused')),
  (SELECT min("due_on") FROM "imrs" i WHERE i."review_id" = ${alias}."id" AND i."received_on" IS NULL
      AND NOT (i."waived_reason" IS NOT NULL AND btrim(i."waived_reason") <> '')),
  (SELECT min(("starts_at" AT TIME ZONE 'Europe/London')::date) FROM "panel_meetings" m WHERE m."review_id" = ${alias}."id" AND m."status" = 'scheduled'),
  (SELECT min("target_date") FROM "actions" a WHERE a."review_id" = ${alias}."id" AND a."status" <> 'complete'))`;

/**
 * The dated steps of a CSP lead and of a RAG member, by the stage that handles them and the
 * clocks that date them, as the statechart and WORK_EVENTS stood when this migration was written
 * (DeadlineClocks.sync reads them off the live statechart from then on).
 */
const LEAD_STEP_CLOCKS = `(VALUES ('notified', 'decision_due'), ('not_proceeding', 'home_office_notification'), ('establishing', 'home_office_notification'),
  ('drafting', 'completion_target'), ('rag_sign_off', 'qa_resubmission'), ('rag_sign_off', 'completion_target'))`;
const RAG_STEP_CLOCKS = `(VALUES ('rag_sign_off', 'rag_sign_off'))`;

/** The soonest running clock of the review `alias` that dates a step of the role (`steps`: its VALUES). */
export const NEXT_STEP_ON_SQL = (alias: string, role: 'lead' | 'rag') => `(SELECT min(("due_at" AT TIME ZONE 'Europe/London')::date)
  FROM "deadlines" d JOIN ${role === 'lead' ? LEAD_STEP_CLOCKS : RAG_STEP_CLOCKS} AS s(stage, kind) ON s.kind = d."kind"
 WHERE d."review_id" = ${alias}."id" AND d."status" IN ('open', 'paused') AND s.stage = ${alias}."status")`;

export class NextWorkOn1765360000000 implements MigrationInterface {
  name = 'NextWorkOn1765360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reviews" ADD "next_work_on" date, ADD "next_lead_on" date, ADD "next_rag_on" date`);
    await queryRunner.query(
      `UPDATE "reviews" r SET "next_work_on" = ${NEXT_WORK_ON_SQL('r')}, "next_lead_on" = ${NEXT_STEP_ON_SQL('r', 'lead')}, "next_rag_on" = ${NEXT_STEP_ON_SQL('r', 'rag')}`,
    );
    // My work's order (next_work_on, then reference by code unit), overall and per CSP.
    await queryRunner.query(`CREATE INDEX "IDX_reviews_next_work" ON "reviews" ("next_work_on", "reference" COLLATE "C", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_reviews_csp_next_work" ON "reviews" ("csp_id", "next_work_on", "reference" COLLATE "C", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_reviews_csp_next_lead" ON "reviews" ("csp_id", "next_lead_on", "reference" COLLATE "C", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_reviews_csp_next_rag" ON "reviews" ("csp_id", "next_rag_on", "reference" COLLATE "C", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_review_events_type_recorded" ON "review_events" ("type", "recorded_at")`);
    // The running clocks soonest first (GET /deadlines, My work's others' deadlines): an index in
    // that order, so a page reads its rows and stops, where (status, due_at) sorted them all.
    await queryRunner.query(`CREATE INDEX "IDX_deadlines_running_due" ON "deadlines" ("due_at", "id") WHERE "status" IN ('open', 'paused')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_deadlines_running_due"`);
    await queryRunner.query(`DROP INDEX "IDX_review_events_type_recorded"`);
    await queryRunner.query(`DROP INDEX "IDX_reviews_csp_next_rag"`);
    await queryRunner.query(`DROP INDEX "IDX_reviews_csp_next_lead"`);
    await queryRunner.query(`DROP INDEX "IDX_reviews_csp_next_work"`);
    await queryRunner.query(`DROP INDEX "IDX_reviews_next_work"`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP COLUMN "next_rag_on", DROP COLUMN "next_lead_on", DROP COLUMN "next_work_on"`);
  }
}
