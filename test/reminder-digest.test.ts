import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { SendDigestsJob } from '../src/reminders/send-digests.job';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, TestContext } from './support/test-app';
import { setupApi } from './web/support/setup-api';

const CHAIR_EMAIL = 'chair@independent-reviews.example';
const OWNER_EMAIL = 'safeguarding.lead@essex.police.uk';

/**
 * Daily digests end to end: real PostgreSQL, Redis, worker and SMTP server, time from a test
 * clock. The IMR's owner chooses a daily digest; reminders for them are held, then sent as one
 * email a day; escalations still arrive at once.
 */
describe('reminders as a daily digest (real Redis and SMTP)', () => {
  const clock = new TestClock(new Date('2026-02-15T10:00:00Z'));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let ctx: TestContext;
  let scheduler: ReminderScheduler;
  let digests: SendDigestsJob;
  let db: DataSource;
  let api: ReturnType<typeof reviewApi>;
  let casefile: CaseFileApi;
  let cspId: string;
  let agencyId: string;
  const http = () => request(ctx.api.getHttpServer());

  beforeAll(async () => {
    smtp = await startSmtpSink();
    ctx = await startTestApp({ worker: true, clock, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://dhr.maldon.gov.uk' } });
    scheduler = ctx.worker!.get(ReminderScheduler);
    digests = ctx.worker!.get(SendDigestsJob);
    db = ctx.api.get(DataSource);
    api = reviewApi(ctx.api);
    casefile = new CaseFileApi(ctx.api);
    cspId = (await api.createCsp('MALDON')).id;
    agencyId = await casefile.agency('Essex Police');
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.stop();
  });

  async function tick() {
    await scheduler.relayOutbox();
    await scheduler.reconcileAll();
  }

  async function reviewWithImr(dueOn: string) {
    const { id, reference } = await api.openReview(cspId);
    await http()
      .post(`/reviews/${id}/appointments`)
      .set('X-Actor', 'lead')
      .send({ role: 'chair', name: 'Independent Chair', organisation: 'Chairs Ltd', email: CHAIR_EMAIL, appointedOn: '2026-02-01' })
      .expect(201);
    await http()
      .post(`/reviews/${id}/panel-members`)
      .set('X-Actor', 'lead')
      .send({ name: 'DCI Panel Member', agencyId, role: 'Safeguarding lead', email: OWNER_EMAIL, joinedOn: '2026-02-02', noDirectCaseManagementDeclared: true })
      .expect(201);
    await http().post(`/reviews/${id}/people`).set('X-Actor', 'lead').send({ role: 'victim', realName: 'Joanna Realname', pseudonym: 'Adult A' }).expect(201);
    const imr = await casefile.commissionImr(id, agencyId, dueOn);
    const deadline = (await api.get(id)).clocks.find((c: { kind: string; subjectId: string }) => c.kind === 'imr_due' && c.subjectId === imr);
    await tick();
    return { id, reference, imr, deadlineId: deadline.id as string };
  }

  /** The send ledger of one deadline for one address, oldest first. */
  async function ledger(deadlineId: string, recipient = OWNER_EMAIL) {
    return db.query(
      `SELECT slot, status, subject, message_id AS "messageId", digest_sent_at AS "digestSentAt"
         FROM notifications WHERE deadline_id = $1 AND lower(recipient) = $2 ORDER BY created_at, slot`,
      [deadlineId, recipient],
    ) as Promise<Array<{ slot: string; status: string; subject: string | null; messageId: string | null; digestSentAt: Date | null }>>;
  }

  /** Waits until the worker has dealt with the reminder jobs: `count` rows for the owner. */
  async function waitForLedger(deadlineId: string, count: number) {
    const until = Date.now() + 15000;
    let rows = await ledger(deadlineId);
    while (rows.length < count && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await ledger(deadlineId);
    }
    return rows;
  }

  const toOwner = () => smtp.received.filter((m) => (m.to as { text: string }).text === OWNER_EMAIL);
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('the worker registers the digest as a BullMQ job scheduler at 09:30 Europe/London', async () => {
    const queue = new Queue('reminders', { connection: { url: ctx.config.redis.url! }, prefix: ctx.config.queue.prefix });
    try {
      expect(await queue.getJobScheduler('send-digests')).toMatchObject({ name: 'send-digests', pattern: '30 9 * * *', tz: 'Europe/London' });
    } finally {
      await queue.close();
    }
  });

  it('validates the preference API: a bad email or mode is a 400 naming the field; no choice is immediate', async () => {
    const unknown = await http().get('/notification-preferences/nobody%40example.org').expect(200);
    expect(unknown.body).toEqual({ email: 'nobody@example.org', mode: 'immediate' });

    const badEmail = await http().get('/notification-preferences/not-an-email').expect(400);
    expect(badEmail.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    const badPutEmail = await http().put('/notification-preferences/not-an-email').set('X-Actor', 'someone').send({ mode: 'daily_digest' }).expect(400);
    expect(badPutEmail.body.errors.map((e: { field: string }) => e.field)).toEqual(['email']);

    const badMode = await http().put(`/notification-preferences/${OWNER_EMAIL}`).set('X-Actor', 'someone').send({ mode: 'weekly' }).expect(400);
    expect(badMode.body.errors).toEqual([{ field: 'mode', message: 'must be one of immediate, daily_digest' }]);
    const noMode = await http().put(`/notification-preferences/${OWNER_EMAIL}`).set('X-Actor', 'someone').send({}).expect(400);
    expect(noMode.body.errors.map((e: { field: string }) => e.field)).toEqual(['mode']);
    const extra = await http().put(`/notification-preferences/${OWNER_EMAIL}`).set('X-Actor', 'someone').send({ mode: 'immediate', frequency: 'daily' }).expect(400);
    expect(extra.body.errors).toEqual([{ field: 'frequency', message: 'is not a recognised field' }]);
    await http().put(`/notification-preferences/${OWNER_EMAIL}`).set('X-Actor', '').send({ mode: 'daily_digest' }).expect(401);

    // None of those wrote anything.
    expect(await db.query(`SELECT * FROM notification_preferences`)).toEqual([]);
  });

  it('holds the owner\'s reminders at two offsets, sends one digest listing both, and a re-run sends nothing', async () => {
    // Chosen with the address in another case: stored and matched lower-case.
    const set = await http()
      .put(`/notification-preferences/${encodeURIComponent('Safeguarding.Lead@Essex.Police.UK')}`)
      .set('X-Actor', 'safeguarding.lead@essex.police.uk')
      .send({ mode: 'daily_digest' })
      .expect(200);
    expect(set.body).toEqual({ email: OWNER_EMAIL, mode: 'daily_digest' });
    expect((await http().get(`/notification-preferences/${OWNER_EMAIL}`).expect(200)).body).toEqual({ email: OWNER_EMAIL, mode: 'daily_digest' });
    expect(await db.query(`SELECT email, mode, updated_by AS "updatedBy" FROM notification_preferences`)).toEqual([
      { email: OWNER_EMAIL, mode: 'daily_digest', updatedBy: 'safeguarding.lead@essex.police.uk' },
    ]);

    const { id, reference, deadlineId } = await reviewWithImr('2026-03-24');
    smtp.received.length = 0;
    clock.set('2026-03-10T09:00:01Z'); // 14 days before
    await tick();
    expect(await waitForLedger(deadlineId, 1)).toEqual([expect.objectContaining({ slot: 'before-14d', status: 'queued' })]);
    clock.set('2026-03-17T09:00:01Z'); // 7 days before
    await tick();
    const held = await waitForLedger(deadlineId, 2);
    expect(held.map((r) => [r.slot, r.status])).toEqual([
      ['before-14d', 'queued'],
      ['before-7d', 'queued'],
    ]);
    expect(held[1].subject).toBe(`[${reference}] IMR from Essex Police due in 7 days (Tue 24 March 2026)`);
    await settle();
    expect(toOwner()).toHaveLength(0);
    // The API shows them as queued.
    const listed = (await http().get(`/reviews/${id}/notifications`).expect(200)).body;
    expect(listed.filter((n: { deadlineId: string }) => n.deadlineId === deadlineId).map((n: { status: string }) => n.status)).toEqual(['queued', 'queued']);

    // 08:00 UK time the next morning: the digest.
    clock.set('2026-03-18T08:00:00Z');
    expect(await digests.handle()).toEqual({ digests: 1, items: 2, dropped: 0, alreadySent: 0 });
    const [digest, ...more] = toOwner();
    expect(more).toHaveLength(0);
    expect(digest.subject).toBe('DHR daily reminders for Wed 18 March 2026: 1 item');
    expect(digest.text).toContain('Dear DCI Panel Member,');
    expect(digest.text).toContain(`1. ${reference}: IMR from Essex Police (individual management review)`);
    expect(digest.text).toContain('People (pseudonyms): Adult A');
    expect(digest.text).toContain('Due: Tuesday 24 March 2026 at 17:00 (UK time) (in 6 days)');
    expect(digest.text).toContain('Reminders: 14 days before; 7 days before');
    // A panel member's link goes to the review's IMR tracker (not to the upload page, which is the IMR author's).
    expect(digest.html).toContain(`https://dhr.maldon.gov.uk/cases/${id}/imrs"`);
    expect(digest.html).not.toContain('/submit');
    expect(`${digest.subject}${digest.text}${digest.html}`).not.toMatch(/Realname|Joanna/i);
    expect(digest.headers.get('x-dhr-digest')).toBe(`digest|${OWNER_EMAIL}|2026-03-18`);
    const sent = await ledger(deadlineId);
    expect(sent.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(sent.every((r) => r.digestSentAt?.toISOString() === '2026-03-18T08:00:00.000Z' && r.messageId)).toBe(true);

    // The same job again (a retry, a second worker, a restart): nothing more.
    expect(await digests.handle()).toEqual({ digests: 0, items: 0, dropped: 0, alreadySent: 0 });
    await settle();
    expect(toOwner()).toHaveLength(1);
  });

  it('sends at most one digest a day: what is queued after it waits for the next morning', async () => {
    clock.set('2026-03-18T08:30:00Z');
    const second = await reviewWithImr('2026-04-01');
    smtp.received.length = 0;
    clock.set('2026-03-18T09:00:01Z'); // 14 days before the second IMR, after today's digest
    await tick();
    expect(await waitForLedger(second.deadlineId, 1)).toEqual([expect.objectContaining({ slot: 'before-14d', status: 'queued' })]);
    expect(await digests.handle()).toEqual({ digests: 0, items: 0, dropped: 0, alreadySent: 1 });
    await settle();
    expect(toOwner()).toHaveLength(0);

    clock.set('2026-03-19T08:00:00Z');
    expect(await digests.handle()).toEqual({ digests: 1, items: 1, dropped: 0, alreadySent: 0 });
    const [digest] = toOwner();
    expect(digest.subject).toBe('DHR daily reminders for Thu 19 March 2026: 1 item');
    expect(digest.text).toContain(`1. ${second.reference}: IMR from Essex Police`);
    expect(digest.text).toContain('Reminders: 14 days before');
  });

  it('drops a queued reminder whose deadline was met before the digest: settled, no email', async () => {
    clock.set('2026-03-19T10:00:00Z');
    const { id, imr, deadlineId } = await reviewWithImr('2026-04-03');
    smtp.received.length = 0;
    clock.set('2026-03-20T09:00:01Z'); // 14 days before
    await tick();
    expect(await waitForLedger(deadlineId, 1)).toEqual([expect.objectContaining({ slot: 'before-14d', status: 'queued' })]);
    clock.set('2026-03-20T12:00:00Z');
    await casefile.receiveImr(id, imr, '2026-03-20');
    await tick();

    clock.set('2026-03-21T08:00:00Z');
    expect(await digests.handle()).toEqual({ digests: 0, items: 0, dropped: 1, alreadySent: 0 });
    await settle();
    expect(toOwner()).toHaveLength(0);
    expect(await ledger(deadlineId)).toEqual([
      expect.objectContaining({ slot: 'before-14d', status: 'sent', messageId: null, digestSentAt: new Date('2026-03-21T08:00:00Z') }),
    ]);
  });

  it('an escalation still arrives at once, to the owner who chose the digest (the agency’s senior representative)', async () => {
    clock.set('2026-03-21T10:00:00Z');
    const { reference, deadlineId } = await reviewWithImr('2026-03-23');
    smtp.received.length = 0;
    // 7 days overdue (Monday 30 March, 09:00 BST): the escalation, and the overdue reminder of
    // the day before that a system catching up still owes.
    clock.set('2026-03-30T08:00:01Z');
    await tick();
    const escalations = () => smtp.received.filter((m) => m.subject === `[${reference}] Escalation: IMR from Essex Police is 7 days overdue (due Mon 23 March 2026)`);
    const until = Date.now() + 15000;
    while (escalations().length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    // The 7-day escalation of an IMR is the agency's (its panel member); the chair's comes at 14 days.
    expect(escalations().map((m) => (m.to as { text: string }).text)).toEqual([OWNER_EMAIL]);
    const owner = await waitForLedger(deadlineId, 2);
    expect(owner.map((r) => [r.slot, r.status])).toEqual(
      expect.arrayContaining([
        ['escalate-7d', 'sent'],
        ['overdue-6d', 'queued'],
      ]),
    );
    await settle();
    // Nothing else for the owner: the ordinary overdue reminder waits for the digest.
    expect(toOwner().map((m) => m.subject)).toEqual([`[${reference}] Escalation: IMR from Essex Police is 7 days overdue (due Mon 23 March 2026)`]);
  });

  it("an IMR author's digest links straight to the page that uploads their agency's IMR, as their single reminder does", async () => {
    const AUTHOR = 'imr.author@essex.police.uk';
    clock.set('2026-03-31T10:00:00Z');
    await setupApi(ctx.api).user(AUTHOR, 'Dr Amira Bello', 'a long enough test password');
    await http().put(`/notification-preferences/${encodeURIComponent(AUTHOR)}`).set('X-Actor', AUTHOR).send({ mode: 'daily_digest' }).expect(200);
    const { id, imr, deadlineId } = await reviewWithImr('2026-04-30');
    await http().post(`/reviews/${id}/members`).set('X-Actor', 'lead').send({ email: AUTHOR, role: 'imr_author', agencyId }).expect(201);
    await tick();
    smtp.received.length = 0;
    clock.set('2026-04-16T08:00:01Z'); // 14 days before
    await tick();
    const until = Date.now() + 15000;
    const queued = () => db.query(`SELECT 1 FROM notifications WHERE deadline_id = $1 AND lower(recipient) = $2 AND status = 'queued'`, [deadlineId, AUTHOR]);
    while ((await queued()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    clock.set('2026-04-17T08:00:00Z');
    await digests.handle();
    const [digest] = smtp.received.filter((m) => (m.to as { text: string }).text === AUTHOR);
    expect(digest?.subject).toBe('DHR daily reminders for Fri 17 April 2026: 1 item');
    expect(digest.html).toContain(`https://dhr.maldon.gov.uk/cases/${id}/imrs/${imr}/submit`);
    expect(digest.text).toContain(`https://dhr.maldon.gov.uk/cases/${id}/imrs/${imr}/submit`);
  });
});
