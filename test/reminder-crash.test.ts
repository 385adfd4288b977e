import request from 'supertest';
import { DataSource } from 'typeorm';
import { londonDateOf, addDays } from '../src/deadlines/rules';
import { CaseFileApi } from './support/casefile-api';
import { uniqueQueuePrefix } from './support/databases';
import { runEntryPoint, RunningProcess, waitForLog } from './support/processes';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestContext } from './support/test-app';

/**
 * The compiled worker, killed with SIGKILL in the middle of an SMTP conversation (after the
 * message data, before the server's answer), then started again: every reminder arrives
 * exactly once.
 */
describe('worker killed mid-send', () => {
  let ctx: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let holdFirst = true;
  let releaseHeld: (() => void) | null = null;
  let heldOnce: () => void;
  const firstHeld = new Promise<void>((resolve) => (heldOnce = resolve));
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink({
      beforeAccept: async () => {
        if (!holdFirst) return;
        holdFirst = false;
        heldOnce();
        // Hold the answer until the test has killed the worker, then refuse it (nobody hears).
        await new Promise<void>((resolve) => (releaseHeld = resolve));
        throw Object.assign(new Error('client gone'), { responseCode: 451 });
      },
    });
    ctx = await startTestApp();
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    releaseHeld?.();
    await ctx.close();
    await smtp.stop();
  });

  it('sends every reminder exactly once after a SIGKILL and a restart', async () => {
    const api = reviewApi(ctx.api);
    const casefile = new CaseFileApi(ctx.api);
    const today = londonDateOf(new Date());
    const { id } = await api.openReview((await api.createCsp('BASILDON')).id, { dateOfDeath: addDays(today, -40), notifiedOn: addDays(today, -20) });
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/appointments`)
      .set('X-Actor', 'lead')
      .send({ role: 'chair', name: 'Chair', organisation: 'Chairs Ltd', email: 'chair@example.org', appointedOn: addDays(today, -15) })
      .expect(201);
    const agency = await casefile.agency('Essex Police');
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/panel-members`)
      .set('X-Actor', 'lead')
      .send({ name: 'Rep', agencyId: agency, role: 'Lead', email: 'rep@essex.police.uk', joinedOn: addDays(today, -15), noDirectCaseManagementDeclared: true })
      .expect(201);
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/imrs`)
      .set('X-Actor', 'chair')
      .send({ agencyId: agency, kind: 'imr', requestedOn: addDays(today, -12), dueOn: addDays(today, -2) })
      .expect(201);

    const env = {
      DATABASE_URL: ctx.database.url,
      REDIS_URL: ctx.config.redis.url!,
      QUEUE_PREFIX: uniqueQueuePrefix(),
      SMTP_URL: smtp.url,
      QUEUE_LOCK_MS: '1500',
      // One job at a time, so the kill lands in one known conversation (see the note on
      // Message-IDs in send-reminder.job.ts for the window between accept and commit).
      QUEUE_CONCURRENCY: '1',
      LOG_LEVEL: 'info',
    };
    // Overdue reminders are owed at once: the first send is held mid-conversation and killed.
    const first = runEntryPoint('worker.js', env);
    workers.push(first);
    await firstHeld;
    first.child.kill('SIGKILL');
    await first.exited;
    releaseHeld!();
    const db = ctx.api.get(DataSource);
    const before = await db.query(`SELECT status FROM notifications WHERE review_id = $1`, [id]);
    expect(before.map((n: { status: string }) => n.status)).toContain('sending');
    expect(smtp.received).toHaveLength(0);

    const second = runEntryPoint('worker.js', env);
    workers.push(second);
    await waitForLog(second, (l) => l.msg === 'worker started', 30000);
    const deadline = Date.now() + 30000;
    let pending = 1;
    while (pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      [{ pending }] = await db.query(
        `SELECT count(*) FILTER (WHERE status <> 'sent')::int AS pending FROM notifications WHERE review_id = $1`,
        [id],
      );
    }
    await new Promise((r) => setTimeout(r, 1000)); // anything duplicated would arrive by now
    const sent = await db.query(`SELECT idempotency_key AS key FROM notifications WHERE review_id = $1 AND status = 'sent'`, [id]);
    const keys = smtp.received.map((m) => m.headers.get('x-dhr-reminder') as string).sort();
    expect(sent.length).toBeGreaterThan(0);
    expect(keys).toEqual(sent.map((s: { key: string }) => s.key).sort());
    expect(new Set(keys).size).toBe(keys.length);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90000);
});
