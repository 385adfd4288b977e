import request from 'supertest';
import { DataSource } from 'typeorm';
import { ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, TestContext } from './support/test-app';
import { testPort } from './support/ports';

const OWNER_EMAIL = 'imr.author@essex.police.uk';

/**
 * A reminder SMTP cannot take is retried, at a growing interval, for as long as it is owed;
 * readiness (the worker's and the API's) says when reminders are not flowing; the worker's
 * metrics say how many are owed, failed and sent. Real PostgreSQL, Redis, SMTP and worker;
 * retry waits made short by configuration (REMINDER_RETRY_FIRST_MS), time by a test clock.
 */
describe('reminders SMTP cannot take', () => {
  const clock = new TestClock(new Date('2026-02-15T10:00:00Z'));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let ctx: TestContext;
  let healthPort: number;
  let scheduler: ReminderScheduler;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    healthPort = await testPort();
    ctx = await startTestApp({
      worker: true,
      clock,
      env: {
        SMTP_URL: smtp.url,
        REMINDER_RETRY_FIRST_MS: '100',
        REMINDER_RETRY_MAX_MS: '400',
        REMINDER_STALLED_AFTER_MS: '600000',
        WORKER_HEALTH_PORT: String(healthPort),
        REMINDER_DISPATCH_MS: '100',
      },
    });
    scheduler = ctx.worker!.get(ReminderScheduler);
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.stop();
  });

  const worker = (path: string) => fetch(`http://127.0.0.1:${healthPort}${path}`);

  async function reviewWithImr(dueOn: string) {
    const api = reviewApi(ctx.api);
    const casefile = new CaseFileApi(ctx.api);
    const { id, reference } = await api.openReview((await api.createCsp()).id);
    const agencyId = await casefile.agency('Essex Police');
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/panel-members`)
      .set('X-Actor', 'lead')
      .send({ name: 'Panel Member', agencyId, role: 'Safeguarding lead', email: OWNER_EMAIL, joinedOn: '2026-02-02', noDirectCaseManagementDeclared: true })
      .expect(201);
    const imr = await casefile.commissionImr(id, agencyId, dueOn);
    const deadline = (await api.get(id)).clocks.find((c: { kind: string; subjectId: string }) => c.kind === 'imr_due' && c.subjectId === imr);
    await scheduler.reconcileAll();
    return { id, reference, deadlineId: deadline.id as string };
  }

  const ledger = async (deadlineId: string) =>
    (await ctx.api.get(DataSource).query(
      `SELECT slot, status, attempts, last_error AS "lastError" FROM notifications WHERE deadline_id = $1 ORDER BY created_at`,
      [deadlineId],
    )) as Array<{ slot: string; status: string; attempts: number; lastError: string | null }>;

  async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('retries while the reminder is owed, is visible as failed meanwhile, and is sent once SMTP takes mail again', async () => {
    const { id, reference, deadlineId } = await reviewWithImr('2026-03-24');
    const readyAnswer = await worker('/health/ready');
    expect({ status: readyAnswer.status, body: await readyAnswer.json() }).toEqual({
      status: 200,
      body: { status: 'ready', failing: {}, checks: { database: { status: 'up' }, redis: { status: 'up' }, reminders: { status: 'up' } } },
    });
    smtp.refuse(451);
    clock.set('2026-03-10T09:00:01Z');
    const retried = await until('retries', () => ledger(deadlineId), (rows) => rows.length === 1 && rows[0].attempts >= 4);
    // Not given up on: still being retried (6 attempts used to be the end), and visible with the reason.
    expect(retried[0]).toMatchObject({ slot: 'before-14d', status: 'failed', lastError: expect.stringMatching(/451/) });
    const listed = (await request(ctx.api.getHttpServer()).get(`/reviews/${id}/notifications`).expect(200)).body;
    expect(listed).toEqual([expect.objectContaining({ deadlineId, status: 'failed', lastError: expect.stringMatching(/451/) })]);

    // Owed and unfinished for longer than REMINDER_STALLED_AFTER_MS: both readiness checks say so.
    clock.set('2026-03-10T09:15:00Z');
    const stalled = await worker('/health/ready');
    expect({ status: stalled.status, body: await stalled.json() }).toMatchObject({
      status: 503,
      body: {
        failing: { reminders: expect.stringMatching(/reminders are not flowing: 1 owed/) },
        checks: { database: { status: 'up' }, redis: { status: 'up' }, reminders: { status: 'down', error: expect.stringMatching(/reminders are not flowing/) } },
      },
    });
    const api = (await request(ctx.api.getHttpServer()).get('/health/ready').expect(200)).body;
    expect(api).toMatchObject({ status: 'ready', degraded: ['reminders'], reminders: { status: 'stalled', owed: 1 } });
    await request(ctx.api.getHttpServer()).get('/health/reminders').expect(503);
    const metrics = await (await worker('/metrics')).text();
    expect(metrics).toMatch(/^dhr_reminders_owed 1$/m);
    expect(metrics).toMatch(/^dhr_notifications_failed 1$/m);
    expect(metrics).toMatch(/^dhr_email_failures_total\{permanent="false"\} [1-9]/m);
    // The oldest owed reminder's wait (owed since 09:00, by the service's clock), the outbox
    // relayed, and BullMQ's jobs by queue and state.
    expect(metrics).toMatch(/^dhr_reminders_oldest_owed_seconds (89\d|900)$/m);
    expect(metrics).toMatch(/^dhr_outbox_pending 0$/m);
    expect(metrics).toMatch(/^dhr_outbox_oldest_seconds 0$/m);
    expect(metrics).toMatch(/^dhr_queue_jobs\{queue="reminders",state="completed"\} [1-9]/m);
    expect(metrics).toMatch(/^dhr_reminders_dispatched_total [1-9]/m);

    // The CSP lead sees it on the review's page, with the server's answer.
    const page = (await request(ctx.api.getHttpServer()).get(`/cases/${id}`).set('X-Actor', 'lead').expect(200)).text;
    expect(page).toContain('Reminder emails not delivered');
    expect(page).toContain(OWNER_EMAIL);
    expect(page).toMatch(/451[^<]*Try again later/);
    expect(page).toMatch(/<td class="govuk-table__cell">Yes<\/td>/);

    smtp.refuse(null);
    const sent = await until('sent', () => ledger(deadlineId), (rows) => rows[0]?.status === 'sent');
    expect(sent).toEqual([expect.objectContaining({ slot: 'before-14d', status: 'sent', lastError: null })]);
    expect(smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`))).toHaveLength(1);
    await until('flowing', () => worker('/health/ready').then((r) => r.status), (s) => s === 200);
    await request(ctx.api.getHttpServer()).get('/health/reminders').expect(200);
    const after = await (await worker('/metrics')).text();
    expect(after).toMatch(/^dhr_emails_sent_total\{kind="reminder"\} [1-9]/m);
    // Nothing owed any more; the one reminder sent, late by the wait since 09:00 by the service's clock.
    expect(after).toMatch(/^dhr_reminders_owed 0$/m);
    expect(after).toMatch(/^dhr_notifications_failed 0$/m);
    expect(after).toMatch(/^dhr_reminder_lateness_seconds_count 1$/m);
    const lateness = Number(/^dhr_reminder_lateness_seconds_sum (\S+)$/m.exec(after)![1]);
    expect(lateness).toBeGreaterThanOrEqual(900);
    expect(lateness).toBeLessThan(3600);
  });

  it('stops retrying once the reminder is no longer owed (the next one is due), and leaves the failure on record', async () => {
    clock.set('2026-02-15T10:00:00Z');
    const { id, reference, deadlineId } = await reviewWithImr('2026-03-24');
    smtp.refuse(451);
    try {
      clock.set('2026-03-10T09:00:01Z');
      await until('retries', () => ledger(deadlineId), (rows) => rows.length === 1 && rows[0].attempts >= 2);
      // A week on, the 7-day reminder is owed: the 14-day one is not sent late, and the 7-day one is tried.
      clock.set('2026-03-17T09:00:01Z');
      const rows = await until('the 7-day reminder tried', () => ledger(deadlineId), (r) => r.some((n) => n.slot === 'before-7d'));
      expect(rows.find((n) => n.slot === 'before-14d')).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/451/) });
      smtp.refuse(null);
      await until('7-day sent', () => ledger(deadlineId), (r) => r.some((n) => n.slot === 'before-7d' && n.status === 'sent'));
      await new Promise((r) => setTimeout(r, 500));
      const subjects = smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`)).map((m) => m.subject);
      expect(subjects).toEqual([expect.stringMatching(/due in 7 days/)]);
      expect((await ledger(deadlineId)).find((n) => n.slot === 'before-14d')).toMatchObject({ status: 'failed' });
      // Still on record on the review's page, no longer being tried.
      const page = (await request(ctx.api.getHttpServer()).get(`/cases/${id}`).set('X-Actor', 'lead').expect(200)).text;
      expect(page).toMatch(/No: no longer due/);
    } finally {
      smtp.refuse(null);
    }
  });
});
