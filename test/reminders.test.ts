import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ReminderJobData, ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { IdentityService } from '../src/identity/identity.service';
import { CLAIM_LEASE_MS } from '../src/reminders/notification-ledger';
import { reminderKey, SendReminderJob } from '../src/reminders/send-reminder.job';
import { CaseFileApi } from './support/casefile-api';
import { sendingCurrentVersion } from './support/if-match';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, TestContext } from './support/test-app';

const CHAIR_EMAIL = 'chair@independent-reviews.example';
const OWNER_EMAIL = 'safeguarding.lead@essex.police.uk';

/**
 * Reminders end to end: real PostgreSQL, real Redis (BullMQ), the real worker, and a real SMTP
 * server that receives and checks each message. Time is a test clock: moving it on and
 * reconciling makes due reminders run at once, as after a restart.
 */
describe('IMR reminders by email (real Redis and SMTP)', () => {
  const clock = new TestClock(new Date('2026-02-15T10:00:00Z'));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let ctx: TestContext;
  let scheduler: ReminderScheduler;
  let queue: Queue;
  let api: ReturnType<typeof reviewApi>;
  let casefile: CaseFileApi;
  let cspId: string;
  let agencyId: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    ctx = await startTestApp({ worker: true, clock, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://dhr.maldon.gov.uk' } });
    scheduler = ctx.worker!.get(ReminderScheduler);
    queue = new Queue('reminders', { connection: { url: ctx.config.redis.url! }, prefix: ctx.config.queue.prefix });
    api = reviewApi(ctx.api);
    casefile = new CaseFileApi(ctx.api);
    cspId = (await api.createCsp('MALDON')).id;
    agencyId = await casefile.agency('Essex Police');
  });
  afterAll(async () => {
    await queue.close();
    await ctx.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.received.length = 0;
    clock.set('2026-02-15T10:00:00Z');
  });

  /** What the worker's loops do every half second and every ten minutes, done now. */
  async function tick() {
    await scheduler.reconcileAll();
  }

  /** The deadline's next reminder, as planned in PostgreSQL. */
  async function nextOf(deadlineId: string): Promise<{ slot: string | null; at: string | null; seq: number }> {
    const [row] = await ctx.api.get(DataSource).query(
      `SELECT next_reminder_slot AS slot, next_reminder_at AS at, reminder_seq AS seq FROM deadlines WHERE id = $1`,
      [deadlineId],
    );
    return { slot: row.slot, at: row.at ? new Date(row.at).toISOString() : null, seq: row.seq };
  }

  /** Every job Redis holds for this deadline, in any state. */
  async function jobsOf(deadlineId: string) {
    const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed', 'prioritized']);
    return jobs.filter((j) => (j.data as ReminderJobData).deadlineId === deadlineId);
  }

  async function reviewWithImr(dueOn: string) {
    const { id, reference } = await api.openReview(cspId);
    const http = request(ctx.api.getHttpServer());
    await http
      .post(`/reviews/${id}/appointments`)
      .set('X-Actor', 'lead')
      .send({ role: 'chair', name: 'Independent Chair', organisation: 'Chairs Ltd', email: CHAIR_EMAIL, appointedOn: '2026-02-01' })
      .expect(201);
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/panel-members`)
      .set('X-Actor', 'lead')
      .send({ name: 'DCI Panel Member', agencyId, role: 'Safeguarding lead', email: OWNER_EMAIL, joinedOn: '2026-02-02', noDirectCaseManagementDeclared: true })
      .expect(201);
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/people`)
      .set('X-Actor', 'lead')
      .send({ role: 'victim', realName: 'Joanna Realname', pseudonym: 'Adult A' })
      .expect(201);
    const imr = await casefile.commissionImr(id, agencyId, dueOn);
    const deadline = (await api.get(id)).clocks.find((c: { kind: string; subjectId: string }) => c.kind === 'imr_due' && c.subjectId === imr);
    await tick();
    return { id, reference, imr, deadlineId: deadline.id as string, dueAt: deadline.dueAt as string };
  }

  /** Other reviews' clocks run too (the reconciler covers every review): look at this one's IMR mail. */
  const imrMail = (reference: string) => smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`) && m.subject.includes('IMR from Essex Police'));
  async function waitForImrMail(reference: string, count: number) {
    const deadline = Date.now() + 15000;
    while (imrMail(reference).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return imrMail(reference);
  }

  it('sends the IMR reminders at each offset (14, 7, 1 days, on the day), once each, to the agency owner, with pseudonyms only', async () => {
    const { reference, deadlineId, dueAt } = await reviewWithImr('2026-03-24');
    expect(dueAt).toBe('2026-03-24T17:00:00.000Z');
    // The next reminder is planned in PostgreSQL; Redis holds nothing about it until it is owed.
    expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-14d', at: '2026-03-10T09:00:00.000Z' });
    expect(await jobsOf(deadlineId)).toEqual([]);
    expect(imrMail(reference)).toHaveLength(0);

    const steps: Array<[string, RegExp]> = [
      ['2026-03-10T09:00:01Z', /due in 14 days/],
      ['2026-03-17T09:00:01Z', /due in 7 days/],
      ['2026-03-23T09:00:01Z', /due in 1 day/],
      ['2026-03-24T09:00:01Z', /due today/],
    ];
    for (const [now, subject] of steps) {
      clock.set(now);
      await tick();
      const mails = await waitForImrMail(reference, 1);
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect((mail.to as { text: string }).text).toBe(OWNER_EMAIL);
      expect(mail.subject).toContain(`[${reference}]`);
      expect(mail.subject).toMatch(subject);
      expect(mail.text).toContain('Adult A');
      expect(`${mail.text}${mail.html}`).not.toMatch(/Realname/i);
      expect(mail.html).toContain('https://dhr.maldon.gov.uk/cases/');
      smtp.received.length = 0;
      // A second reconcile at the same moment sends nothing more.
      await tick();
      await new Promise((r) => setTimeout(r, 300));
      expect(imrMail(reference)).toHaveLength(0);
    }
    const listed = (await request(ctx.api.getHttpServer()).get(`/reviews/${(await ctx.api.get(DataSource).query('SELECT review_id FROM deadlines WHERE id = $1', [deadlineId]))[0].review_id}/notifications`).expect(200)).body;
    const ledger = listed
      .filter((n: { deadlineId: string }) => n.deadlineId === deadlineId)
      .reverse()
      .map((n: { slot: string; status: string }) => ({ slot: n.slot, status: n.status }));
    expect(ledger).toEqual([
      { slot: 'before-14d', status: 'sent' },
      { slot: 'before-7d', status: 'sent' },
      { slot: 'before-1d', status: 'sent' },
      { slot: 'on-day', status: 'sent' },
    ]);
  });

  it('moves the reminders when the due date moves, and stops them when the IMR is received', async () => {
    const { id, reference, imr, deadlineId, dueAt } = await reviewWithImr('2026-03-24');
    clock.set('2026-03-20T10:00:00Z');
    smtp.received.length = 0;
    await casefile.extendImr(id, imr, '2026-04-14', 'Author on leave');
    await tick();
    const moved = (await api.get(id)).clocks.find((c: { id: string }) => c.id === deadlineId);
    expect(moved.dueAt).toBe('2026-04-14T16:00:00.000Z'); // 17:00 BST
    expect(dueAt).toBe('2026-03-24T17:00:00.000Z');
    // 14 April's 14-day reminder (31 March) is next; nothing is owed about 24 March any more.
    expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-14d', at: '2026-03-31T08:00:00.000Z' });

    clock.set('2026-04-02T10:00:00Z');
    await casefile.receiveImr(id, imr, '2026-04-02');
    await tick();
    expect(await nextOf(deadlineId)).toMatchObject({ slot: null, at: null });
    smtp.received.length = 0;
    clock.set('2026-05-01T10:00:00Z');
    await tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(imrMail(reference)).toHaveLength(0);
  });

  it('moving a due date does not send again, late, what fell before the move', async () => {
    const { id, reference, imr, deadlineId } = await reviewWithImr('2026-03-24');
    // Friday 20 March 10:00: the 7-day reminder of the old due date went on the 17th. Extended
    // to Thursday 26 March, whose own 7-day slot (19 March) passed before the extension existed.
    clock.set('2026-03-20T10:00:00Z');
    smtp.received.length = 0;
    await casefile.extendImr(id, imr, '2026-03-26', 'Author on leave');
    await tick();
    await new Promise((r) => setTimeout(r, 500));
    expect(imrMail(reference)).toEqual([]);
    // The next one is the new due date's 1-day reminder, on its day.
    clock.set('2026-03-25T09:30:00Z');
    await tick();
    const until = Date.now() + 10_000;
    while (imrMail(reference).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(imrMail(reference).map((m) => m.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/due in 1 day \(Thu 26 March 2026\)$/)]));
    const slots = (await ctx.api.get(DataSource).query(`SELECT DISTINCT slot FROM notifications WHERE deadline_id = $1 ORDER BY slot`, [deadlineId])).map((r: { slot: string }) => r.slot);
    expect(slots).toEqual(['before-1d']);
  });

  it('a hold removes the reminders, and resuming schedules them for the shifted due date', async () => {
    const { id, deadlineId } = await reviewWithImr('2026-03-24');
    await api.accept(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed' });
    await tick();
    expect(await nextOf(deadlineId)).toMatchObject({ slot: null, at: null });
    clock.set('2026-02-25T10:00:00Z');
    await api.accept(id, { type: 'RESUME' });
    await tick();
    const shifted = (await api.get(id)).clocks.find((c: { id: string }) => c.id === deadlineId);
    expect(shifted).toMatchObject({ status: 'open', heldDays: 10, dueDate: '2026-04-03' });
    expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-14d', at: '2026-03-20T09:00:00.000Z' });
  });

  it('after Redis loses every key, every reminder still goes: future ones never lived there, one being sent is handed over again after the lease', async () => {
    const { reference, deadlineId } = await reviewWithImr('2026-03-24');
    const redis = new IORedis(ctx.config.redis.url!);
    const wipe = async () => {
      const keys = await redis.keys(`${ctx.config.queue.prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    };
    try {
      await wipe();
      clock.set('2026-03-10T09:00:01Z');
      await tick();
      expect((await waitForImrMail(reference, 1)).map((m) => m.subject)).toEqual([expect.stringMatching(/due in 14 days/)]);
      // The 7-day reminder is handed to BullMQ, and Redis loses it before it runs (here: the
      // hand-over is recorded, as the dispatcher does, and the job never reaches Redis).
      // (Once the 14-day job has moved the deadline on, which it does a moment after the mail
      // arrives; stamped before the clock moves, so the worker's own loop does not hand it over first.)
      const movedOn = Date.now() + 5000;
      while ((await nextOf(deadlineId)).slot !== 'before-7d' && Date.now() < movedOn) await new Promise((r) => setTimeout(r, 50));
      expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-7d' });
      await ctx.api.get(DataSource).query(`UPDATE deadlines SET reminder_dispatched_at = $2 WHERE id = $1`, [deadlineId, '2026-03-17T09:00:01Z']);
      clock.set('2026-03-17T09:00:01Z');
      await wipe();
      await tick();
      await new Promise((r) => setTimeout(r, 500));
      expect(imrMail(reference)).toHaveLength(1);
      // Within the lease nothing is handed over twice; after it, the job comes back and is sent.
      clock.set(new Date(clock.now().getTime() + ctx.config.reminders.leaseMs + 1000).toISOString());
      await tick();
      expect((await waitForImrMail(reference, 2)).map((m) => m.subject)).toEqual([expect.stringMatching(/due in 14 days/), expect.stringMatching(/due in 7 days/)]);
      // The job moves the deadline on once it has finished (a moment after the mail arrives).
      const until = Date.now() + 5000;
      while ((await nextOf(deadlineId)).slot !== 'before-1d' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-1d' });
    } finally {
      redis.disconnect();
    }
  });

  it('a reminder job delivered twice emails once (the send ledger)', async () => {
    const { reference, deadlineId } = await reviewWithImr('2026-03-24');
    const rows = await ctx.api.get(DataSource).query(`SELECT count(*)::int AS n FROM notifications WHERE deadline_id = $1`, [deadlineId]);
    expect(rows[0].n).toBe(0);
    clock.set('2026-03-10T09:00:01Z');
    await tick();
    expect(await waitForImrMail(reference, 1)).toHaveLength(1);
    // The same job delivered again (at-least-once) finds the key already sent.
    const [job] = (await jobsOf(deadlineId)).filter((j) => (j.data as ReminderJobData).slot === 'before-14d');
    expect(job).toBeDefined();
    expect(await ctx.worker!.get(SendReminderJob).handle(job)).toEqual({ sent: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(imrMail(reference)).toHaveLength(1);
  });

  it('a reminder another worker is sending is left to it; the job looks again later, and sends it once that claim has lapsed', async () => {
    const { reference, deadlineId, dueAt } = await reviewWithImr('2026-03-24');
    const db = ctx.api.get(DataSource);
    const key = reminderKey(deadlineId, 'before-14d', dueAt, OWNER_EMAIL);
    // A worker on another machine has claimed the reminder and is in its SMTP conversation.
    await db.query(
      `INSERT INTO notifications (idempotency_key, review_id, deadline_id, slot, recipient, status, attempts, claimed_at, claimed_by)
       SELECT $1, review_id, id, 'before-14d', $2, 'sending', 1, clock_timestamp(), 'worker-2.example|4242|a-start' FROM deadlines WHERE id = $3`,
      [key, OWNER_EMAIL, deadlineId],
    );
    clock.set('2026-03-10T09:00:01Z');
    await tick();
    const until = Date.now() + 10000;
    let [job] = (await jobsOf(deadlineId)).filter((j) => (j.data as ReminderJobData).slot === 'before-14d');
    while (!job?.failedReason && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      [job] = (await jobsOf(deadlineId)).filter((j) => (j.data as ReminderJobData).slot === 'before-14d');
    }
    // The job ran, found the key held, sent nothing, and waits to be tried again; the deadline
    // stays on this reminder.
    expect(job.failedReason).toMatch(/being sent by another worker/);
    expect(await job.isDelayed()).toBe(true);
    expect(imrMail(reference)).toHaveLength(0);
    expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-14d' });
    const [row] = await db.query(`SELECT status, attempts FROM notifications WHERE idempotency_key = $1`, [key]);
    expect(row).toEqual({ status: 'sending', attempts: 1 });
    // That worker never answers again: once its claim has lapsed, the retry sends it.
    await db.query(`UPDATE notifications SET claimed_at = clock_timestamp() - $2 * interval '1 millisecond' WHERE idempotency_key = $1`, [key, CLAIM_LEASE_MS + 1000]);
    await job.remove();
    expect(await ctx.worker!.get(SendReminderJob).handle(job)).toEqual({ sent: 1 });
    expect(await waitForImrMail(reference, 1)).toHaveLength(1);
    expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-7d' });
  });

  it('a refused email is recorded as failed with the reason, visible in the API', async () => {
    const { id, reference, deadlineId } = await reviewWithImr('2026-03-24');
    smtp.reject(true);
    try {
      clock.set('2026-03-10T09:00:01Z');
      await tick();
      const deadline = Date.now() + 15000;
      let failed: Array<{ deadlineId: string; status: string; lastError: string; recipient: string }> = [];
      while (failed.length === 0 && Date.now() < deadline) {
        const all = (await request(ctx.api.getHttpServer()).get(`/reviews/${id}/notifications`).expect(200)).body;
        failed = all.filter((n: { deadlineId: string; status: string }) => n.deadlineId === deadlineId && n.status === 'failed');
        if (failed.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(failed).toEqual([expect.objectContaining({ recipient: OWNER_EMAIL, status: 'failed', lastError: expect.stringMatching(/550/), attempts: 1 })]);
      expect(imrMail(reference)).toHaveLength(0);
      // A refusal (5xx) is final: the reminder is not handed over again; the plan moves on to the next one.
      smtp.reject(false);
      await tick();
      expect(await nextOf(deadlineId)).toMatchObject({ slot: 'before-7d' });
      await new Promise((r) => setTimeout(r, 1500));
      const after = (await request(ctx.api.getHttpServer()).get(`/reviews/${id}/notifications`).expect(200)).body.filter((n: { deadlineId: string }) => n.deadlineId === deadlineId);
      expect(after).toEqual([expect.objectContaining({ status: 'failed', attempts: 1 })]);
      expect(imrMail(reference)).toHaveLength(0);
    } finally {
      smtp.reject(false);
    }
  });

  it('panel meetings send calendar invitations to the chair and panel, with an update when moved and a cancellation', async () => {
    const { id, reference } = await reviewWithImr('2026-03-24');
    const meetingMail = () => smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`) && /panel meeting/i.test(m.subject));
    const calendarOf = (m: (typeof smtp.received)[number]) =>
      m.attachments.find((a) => a.contentType.startsWith('text/calendar'))?.content.toString() ?? '';
    async function waitForMeetingMail(count: number) {
      const until = Date.now() + 15000;
      while (meetingMail().length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return meetingMail();
    }
    const http = () => request(ctx.api.getHttpServer());
    const meeting = (
      await http().post(`/reviews/${id}/meetings`).set('X-Actor', 'chair').send({ startsAt: '2026-03-20T10:00:00Z', location: 'Council Offices, Maldon' }).expect(201)
    ).body;
    await tick();
    const invitations = await waitForMeetingMail(2);
    expect(invitations.map((m) => (m.to as { text: string }).text).sort()).toEqual([CHAIR_EMAIL, OWNER_EMAIL].sort());
    for (const m of invitations) {
      expect(calendarOf(m)).toMatch(/METHOD:REQUEST/);
      expect(calendarOf(m)).toMatch(/SEQUENCE:0/);
      expect(calendarOf(m)).toContain(`UID:${meeting.id}@dhr-engine`);
      expect(calendarOf(m)).toContain('DTSTART:20260320T100000Z');
    }
    smtp.received.length = 0;
    await sendingCurrentVersion(http().patch(`/reviews/${id}/meetings/${meeting.id}`).set('X-Actor', 'chair'), http, `/reviews/${id}/meetings/${meeting.id}`).send({ startsAt: '2026-03-27T10:00:00Z' }).expect(200);
    await tick();
    const updates = await waitForMeetingMail(2);
    expect(updates.every((m) => /SEQUENCE:1/.test(calendarOf(m)) && /DTSTART:20260327T100000Z/.test(calendarOf(m)))).toBe(true);
    expect(updates[0].subject).toMatch(/Updated: panel meeting/);
    smtp.received.length = 0;
    await sendingCurrentVersion(http().post(`/reviews/${id}/meetings/${meeting.id}/cancel`).set('X-Actor', 'chair'), http, `/reviews/${id}/meetings/${meeting.id}/cancel`).send({ reason: 'Chair unwell' }).expect(200);
    await tick();
    const cancellations = await waitForMeetingMail(2);
    expect(cancellations.every((m) => /METHOD:CANCEL/.test(calendarOf(m)) && /STATUS:CANCELLED/.test(calendarOf(m)))).toBe(true);
    await tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(meetingMail()).toHaveLength(2);
  });

  it('a meeting moved into the past (its date corrected after it took place) sends no update, reminder or papers chase', async () => {
    const { id, reference } = await reviewWithImr('2026-03-24');
    const http = () => request(ctx.api.getHttpServer());
    const meetingMail = () => smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`) && /meeting|papers/i.test(m.subject));
    const meeting = (
      await http().post(`/reviews/${id}/meetings`).set('X-Actor', 'chair').send({ startsAt: '2026-03-20T10:00:00Z', location: 'Council Offices, Maldon' }).expect(201)
    ).body;
    await tick();
    // The invitations of the meeting as first scheduled (to the chair and the panel member).
    const until = Date.now() + 15000;
    while (meetingMail().length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(meetingMail()).toHaveLength(2);
    smtp.received.length = 0;
    // The clock reads 15 February: the meeting in fact took place on the 12th.
    await sendingCurrentVersion(http().patch(`/reviews/${id}/meetings/${meeting.id}`).set('X-Actor', 'chair'), http, `/reviews/${id}/meetings/${meeting.id}`).send({ startsAt: '2026-02-12T10:00:00Z' }).expect(200);
    await tick();
    clock.set('2026-02-16T10:00:00Z');
    await tick();
    await new Promise((r) => setTimeout(r, 1500));
    expect(meetingMail().map((m) => m.subject)).toEqual([]);
  });

  it('a meeting recorded after it took place (its start already past) sends no invitation, reminder or papers chase to anyone', async () => {
    const { id, reference } = await reviewWithImr('2026-03-24');
    const http = () => request(ctx.api.getHttpServer());
    smtp.received.length = 0;
    // The clock reads 15 February 10:00; the meeting was on the 10th and the chair records it now.
    const meeting = (
      await http().post(`/reviews/${id}/meetings`).set('X-Actor', 'chair').send({ startsAt: '2026-02-10T10:00:00Z', location: 'Council Offices, Maldon' }).expect(201)
    ).body;
    const [outbox] = await ctx.api.get(DataSource).query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'meetingId' = $1`, [meeting.id]);
    await tick();
    clock.set('2026-02-16T10:00:00Z');
    await tick();
    await new Promise((r) => setTimeout(r, 1500));
    const aboutIt = smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`) && /meeting|papers/i.test(m.subject));
    expect(aboutIt.map((m) => m.subject)).toEqual([]);
    expect(outbox.n).toBe(0);
    const sent = await ctx.api.get(DataSource).query(`SELECT slot FROM notifications WHERE review_id = $1 AND slot LIKE 'invitation%'`, [id]);
    expect(sent).toEqual([]);
  });

  it('escalates an overdue decision to the CSP’s leads (users with that role), not to the chair', async () => {
    const identities = ctx.api.get(IdentityService);
    await identities.addUser({ email: 'lead.one@maldon.gov.uk', displayName: 'Lead One', role: 'csp_lead', cspCode: 'MALDON' });
    const disabled = await identities.addUser({ email: 'lead.gone@maldon.gov.uk', displayName: 'Lead Gone', role: 'csp_lead', cspCode: 'MALDON' });
    await ctx.api.get(DataSource).query('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);
    const { reference } = await reviewWithImr('2026-06-30');
    // Notified 2026-01-14 (the helper's default): the decision was due a month later; 14 days
    // overdue it escalates to the CSP lead.
    clock.set('2026-03-20T10:00:00Z');
    smtp.received.length = 0;
    await tick();
    const escalated = () => smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`) && /escalated to you/.test(m.text ?? ''));
    const until = Date.now() + 15000;
    while (escalated().length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(escalated().map((m) => (m.to as { text: string }).text)).toEqual(['lead.one@maldon.gov.uk']);
  });

  it('reminds the agency’s IMR authors too, escalates first to the agency’s panel member, then to the chair', async () => {
    const identities = ctx.api.get(IdentityService);
    await identities.addUser({ email: 'imr.author@essex.police.uk', displayName: 'IMR Author' });
    const { id, reference } = await reviewWithImr('2026-03-24');
    // The IMR author for this agency is a member of the review (the set-up's panel member is the police's senior representative).
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/members`)
      .set('X-Actor', 'lead')
      .send({ email: 'imr.author@essex.police.uk', role: 'imr_author', agencyId })
      .expect(201);
    await tick();
    const to = (mails: Array<{ to?: unknown }>) => mails.map((m) => (m.to as { text: string }).text).sort();
    const escalated = () => imrMail(reference).filter((m) => /escalated to you/.test(m.text ?? ''));

    clock.set('2026-03-17T09:00:01Z');
    await tick();
    expect(to(await waitForImrMail(reference, 2))).toEqual(['imr.author@essex.police.uk', OWNER_EMAIL].sort());

    // Seven days overdue: the escalation goes to the agency's senior representative on the
    // panel (and, as every reminder of the IMR, to its owners), not yet to the chair.
    smtp.received.length = 0;
    clock.set('2026-03-31T09:00:01Z');
    await tick();
    let until = Date.now() + 15000;
    while (escalated().length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(to(escalated())).toEqual(['imr.author@essex.police.uk', OWNER_EMAIL].sort());

    // Fourteen days overdue: to the chair.
    smtp.received.length = 0;
    clock.set('2026-04-07T09:00:01Z');
    await tick();
    until = Date.now() + 15000;
    while (!escalated().some((m) => (m.to as { text: string }).text === CHAIR_EMAIL) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(to(escalated())).toContain(CHAIR_EMAIL);

    // The IMR author finds it among their own deadlines.
    const mine = (await request(ctx.api.getHttpServer()).get(`/deadlines?owner=imr.author@essex.police.uk&reviewId=${id}`).set('X-Actor', 'lead').expect(200)).body as Array<{
      kind: string;
    }>;
    expect(mine.map((d) => d.kind)).toEqual(['imr_due']);
  });
});
