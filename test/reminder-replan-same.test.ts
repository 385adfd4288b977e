import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ReminderScheduler, type ReminderJobData } from '../src/reminders/reminder-scheduler';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { startTestApp, TestClock, TestContext } from './support/test-app';

/** Monday 2 March 2026, 10:00 London: an IMR due on 10 February arrives 20 days overdue. */
const NOW = '2026-03-02T10:00:00Z';

/**
 * A change to a deadline that leaves its next reminder as it was (another write to the review
 * syncing the same clock) does not hand BullMQ a second job for that reminder: a second job
 * could send it again while the first was in its SMTP conversation (seen once in CI: the same
 * overdue notice twice, in reminder-backdated.test.ts). A change that moves the reminder (the
 * IMR extended) still plans it afresh. The queue is paused, so the jobs stay to be counted.
 */
describe('a change that leaves the next reminder as it was hands over no second job (real PostgreSQL, Redis)', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let queue: Queue;
  let db: DataSource;
  let scheduler: ReminderScheduler;

  beforeAll(async () => {
    ctx = await startTestApp({ worker: true, clock });
    queue = new Queue('reminders', { connection: { url: ctx.config.redis.url! }, prefix: ctx.config.queue.prefix });
    await queue.pause();
    db = ctx.api.get(DataSource);
    scheduler = ctx.worker!.get(ReminderScheduler);
  });
  afterAll(async () => {
    await queue.close();
    await ctx.close();
  });

  const jobsOf = async (deadlineId: string) =>
    (await queue.getJobs(['waiting', 'paused', 'delayed', 'active', 'prioritized'])).filter((j) => (j.data as ReminderJobData).deadlineId === deadlineId);
  const planOf = async (deadlineId: string) =>
    (await db.query(`SELECT reminder_seq AS seq, next_reminder_slot AS slot FROM deadlines WHERE id = $1`, [deadlineId]))[0] as { seq: number; slot: string };

  it('keeps the handed-over job when nothing about the reminder changed, and plans afresh when the due date moves', async () => {
    const api = reviewApi(ctx.api);
    const casefile = new CaseFileApi(ctx.api);
    const cspId = (await api.createCsp('MALDON')).id;
    const { id } = await api.openReview(cspId, { dateOfDeath: '2025-03-01', notifiedOn: '2025-03-03' });
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2025-03-20' });
    const agency = await casefile.agency('Essex Police');
    const imr = await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/imrs`)
      .set('X-Actor', 'chair')
      .send({ agencyId: agency, kind: 'imr', authorName: 'IMR Author', requestedOn: '2025-05-01', dueOn: '2026-02-10' })
      .expect(201);
    const deadlineId = (await api.get(id)).clocks.find((c: { kind: string; subjectId: string }) => c.kind === 'imr_due' && c.subjectId === imr.body.id).id as string;

    await scheduler.reconcileAll();
    const first = await planOf(deadlineId);
    expect(first.slot).toBe('overdue-20d');
    expect((await jobsOf(deadlineId)).map((j) => (j.data as ReminderJobData).seq)).toEqual([first.seq]);

    // The same clock synced again (as any later write to the review may): nothing changed.
    await db.query(`INSERT INTO outbox (topic, payload) VALUES ('reminders.sync', jsonb_build_object('deadlineId', $1::text, 'previousDueAt', NULL))`, [deadlineId]);
    await scheduler.reconcileAll();
    expect(await planOf(deadlineId)).toEqual(first);
    expect((await jobsOf(deadlineId)).map((j) => (j.data as ReminderJobData).seq)).toEqual([first.seq]);

    // Extended to a date still past: the due time moved, so the reminder is planned afresh.
    clock.set('2026-03-21T10:00:00Z'); // the helper grants it on 20 March
    await casefile.extendImr(id, imr.body.id, '2026-03-10', 'Author on leave');
    await scheduler.reconcileAll();
    const moved = await planOf(deadlineId);
    expect(moved.seq).toBeGreaterThan(first.seq);
  });
});
