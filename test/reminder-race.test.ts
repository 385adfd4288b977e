import { Job, Queue } from 'bullmq';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import type { ReminderJobData } from '../src/reminders/reminder-scheduler';
import { SendReminderJob } from '../src/reminders/send-reminder.job';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, TestContext } from './support/test-app';

const LEAD_EMAIL = 'lead.race@maldon.gov.uk';
/** Monday 2 March 2026, 09:00:05 London (GMT): the on-day reminder of a clock due today is owed now. */
const NOW = '2026-03-02T09:00:05Z';
const ON_DAY_AT = '2026-03-02T09:00:00.000Z';
const ROUNDS = 40;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A reminder racing the event that closes its clock, for real: PostgreSQL, Redis, the worker's
 * SendReminderJob and a real SMTP server. The clock is the Home Office notification (due today,
 * its on-day reminder owed now); the event is NOTIFY_HOME_OFFICE over the API, which closes it.
 *
 * The invariant: no reminder is claimed for a clock an already-committed event has closed. It
 * is observed from inside PostgreSQL by two deferred triggers this test installs in its own
 * database: one runs as each notification's claim commits and records the deadline's committed
 * status at that moment (it must still be open, at the job's due time); the other records when
 * the closing event commits (every claim must be older than that). The SMTP conversation is
 * after the claim's commit, so an email may arrive after the close; what must never happen is
 * an email whose claim was made after the close.
 *
 * The queue is paused: only the handler the test calls sends, at the moment the test chooses.
 */
describe('a reminder racing the event that closes its clock (real PostgreSQL, Redis, SMTP)', () => {
  const clock = new TestClock(new Date(NOW));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let holdSmtp: Promise<void> | null = null;
  let smtpHeld: (() => void) | null = null;
  let ctx: TestContext;
  let queue: Queue;
  let db: DataSource;
  let handler: SendReminderJob;
  let api: ReturnType<typeof reviewApi>;
  let cspId: string;

  beforeAll(async () => {
    smtp = await startSmtpSink({
      beforeAccept: async () => {
        if (!holdSmtp) return;
        smtpHeld?.();
        await holdSmtp;
      },
    });
    ctx = await startTestApp({ worker: true, clock, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://dhr.maldon.gov.uk' } });
    queue = new Queue('reminders', { connection: { url: ctx.config.redis.url! }, prefix: ctx.config.queue.prefix });
    await queue.pause();
    db = ctx.api.get(DataSource);
    handler = ctx.worker!.get(SendReminderJob);
    api = reviewApi(ctx.api);
    cspId = (await api.createCsp('MALDON')).id;
    await ctx.api.get(IdentityService).addUser({ email: LEAD_EMAIL, displayName: 'Lead Race', role: 'csp_lead', cspCode: 'MALDON' });
    // As the database's owner (the application's pooled connections run as dhr_app, which may
    // not create objects); the owner's default privileges let dhr_app write these tables.
    const owner = new Client({ connectionString: ctx.database.url });
    await owner.connect();
    await owner.query(`
      CREATE TABLE race_claims (
        notification_id uuid, deadline_id uuid, idempotency_key text, claimed_at timestamptz,
        deadline_status text, deadline_due_at timestamptz, committing_at timestamptz);
      CREATE FUNCTION race_claim_committing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- VOLATILE: this query takes a fresh snapshot, so it sees what is committed now.
        INSERT INTO race_claims
          SELECT NEW.id, NEW.deadline_id, NEW.idempotency_key, NEW.created_at, d.status, d.due_at, clock_timestamp()
            FROM deadlines d WHERE d.id = NEW.deadline_id;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER race_claim_committing AFTER INSERT ON notifications
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION race_claim_committing();
      CREATE TABLE race_closes (deadline_id uuid, status text, committing_at timestamptz);
      CREATE FUNCTION race_close_committing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO race_closes VALUES (NEW.id, NEW.status, clock_timestamp());
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER race_close_committing AFTER UPDATE ON deadlines
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (OLD.status = 'open' AND NEW.status <> 'open') EXECUTE FUNCTION race_close_committing();
    `);
    await owner.end();
  });
  afterAll(async () => {
    await queue.resume();
    await queue.close();
    await ctx.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.received.length = 0;
    clock.set(NOW);
  });

  /** A review decided a month ago: its Home Office notification is due today at 17:00. */
  async function reviewDueToTellTheHomeOffice() {
    const { id, reference } = await api.openReview(cspId, { dateOfDeath: '2026-01-20', notifiedOn: '2026-01-22' });
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2026-02-02' });
    const clocks = (await api.get(id)).clocks as Array<{ id: string; kind: string; dueAt: string; status: string }>;
    const ho = clocks.find((c) => c.kind === 'home_office_notification')!;
    expect(ho).toMatchObject({ status: 'open', dueAt: '2026-03-02T17:00:00.000Z' });
    const data: ReminderJobData = { deadlineId: ho.id, slot: 'on-day', dueAt: ho.dueAt, at: ON_DAY_AT };
    return { id, reference, deadlineId: ho.id, data };
  }

  /** The worker's handler, called as BullMQ calls it. */
  const send = (data: ReminderJobData) => handler.handle({ data } as Job<ReminderJobData>);
  const notifyHomeOffice = (id: string) => api.event(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-03-02' });
  const mailFor = (reference: string) => smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`));

  async function claimsOf(deadlineIds: string[]) {
    return (await db.query(
      `SELECT c.deadline_id AS "deadlineId", c.idempotency_key AS key, c.deadline_status AS "status",
              c.deadline_due_at AS "dueAt", c.claimed_at AS "claimedAt", c.committing_at AS "committingAt",
              x.committing_at AS "closeCommittingAt"
         FROM race_claims c LEFT JOIN race_closes x ON x.deadline_id = c.deadline_id
        WHERE c.deadline_id = ANY($1::uuid[])`,
      [deadlineIds],
    )) as Array<{ deadlineId: string; key: string; status: string; dueAt: Date; claimedAt: Date; committingAt: Date; closeCommittingAt: Date | null }>;
  }

  it(`${ROUNDS} rounds of the send job against NOTIFY_HOME_OFFICE: no claim after the close, no email for a claim made after it`, async () => {
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await reviewDueToTellTheHomeOffice());
    // When the handler starts, relative to the event's request (ms): before it, during it, after it.
    const offsets = [-5, 0, 2, 4, 6, 8, 10, 13, 16, 20, 25, 30, 40, 55];
    const outcomes: Array<{ sent: number; skipped?: string }> = [];
    for (const [i, round] of rounds.entries()) {
      const offset = offsets[i % offsets.length];
      const event = (async () => {
        if (offset < 0) await sleep(-offset);
        const res = await notifyHomeOffice(round.id);
        expect(res.status).toBe(200);
      })();
      const reminder = (async () => {
        if (offset > 0) await sleep(offset);
        return send(round.data);
      })();
      const [, outcome] = await Promise.all([event, reminder]);
      outcomes.push(outcome);
    }
    const ids = rounds.map((r) => r.deadlineId);
    const sentRounds = outcomes.filter((o) => o.sent > 0).length;
    await smtp.waitFor(sentRounds);
    await sleep(300); // anything more would have arrived by now

    // Every clock was closed by its event.
    const statuses = await db.query(`SELECT status FROM deadlines WHERE id = ANY($1::uuid[])`, [ids]);
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(ids.map(() => 'met'));
    const closes = await db.query(`SELECT deadline_id FROM race_closes WHERE deadline_id = ANY($1::uuid[])`, [ids]);
    expect(closes).toHaveLength(ROUNDS);

    // The invariant: each claim committed while its clock was still open at the job's due
    // time, and was made before the closing event committed.
    const claims = await claimsOf(ids);
    const late = claims.filter(
      (c) => c.status !== 'open' || c.dueAt.toISOString() !== '2026-03-02T17:00:00.000Z' || !c.closeCommittingAt || c.claimedAt >= c.closeCommittingAt || c.committingAt >= c.closeCommittingAt,
    );
    expect({ claimsAfterTheClose: late.length, of: claims.length, examples: late.slice(0, 3) }).toEqual({ claimsAfterTheClose: 0, of: claims.length, examples: [] });

    // Each email is one of those claims; each round sent at most one (one CSP lead), and a
    // round the event won sent nothing.
    const keys = new Set(claims.map((c) => c.key));
    for (const mail of smtp.received) expect(keys.has(mail.headers.get('x-dhr-reminder') as string)).toBe(true);
    expect(smtp.received).toHaveLength(sentRounds);
    for (const [i, round] of rounds.entries()) {
      expect(mailFor(round.reference)).toHaveLength(outcomes[i].sent);
      if (outcomes[i].sent === 0) expect(outcomes[i]).toEqual({ sent: 0, skipped: 'stale' });
    }
    // Both orders happened: some reminders went before the event, some events came first.
    expect(sentRounds + outcomes.filter((o) => o.skipped === 'stale').length).toBe(ROUNDS);
    expect(sentRounds).toBeGreaterThan(0);
    expect(sentRounds).toBeLessThan(ROUNDS);
  }, 120_000);

  it('an event holding the review lock with the clock closed: the send job waits for it, then sends nothing', async () => {
    const { reference, id, deadlineId, data } = await reviewDueToTellTheHomeOffice();
    // What an event does, held open by the test: the review row FOR UPDATE (lockReview), the
    // clock closed in the same transaction.
    const event = new Client({ connectionString: ctx.database.url });
    await event.connect();
    try {
      await event.query('BEGIN');
      await event.query('SELECT 1 FROM reviews WHERE id = $1 FOR UPDATE', [id]);
      await event.query(`UPDATE deadlines SET status = 'met', closed_at = $2 WHERE id = $1`, [deadlineId, NOW]);
      let settled = false;
      const sending = send(data).finally(() => (settled = true));
      await sleep(500);
      expect(settled).toBe(false); // it waits for the event's transaction
      await event.query('COMMIT');
      expect(await sending).toEqual({ sent: 0, skipped: 'stale' });
    } finally {
      await event.end();
    }
    await sleep(300);
    expect(await db.query(`SELECT id FROM notifications WHERE deadline_id = $1`, [deadlineId])).toEqual([]);
    expect(mailFor(reference)).toHaveLength(0);
  });

  it('the same event rolled back: the send job then sends the reminder', async () => {
    const { reference, id, deadlineId, data } = await reviewDueToTellTheHomeOffice();
    const event = new Client({ connectionString: ctx.database.url });
    await event.connect();
    try {
      await event.query('BEGIN');
      await event.query('SELECT 1 FROM reviews WHERE id = $1 FOR UPDATE', [id]);
      await event.query(`UPDATE deadlines SET status = 'met', closed_at = $2 WHERE id = $1`, [deadlineId, NOW]);
      const sending = send(data);
      await sleep(200);
      await event.query('ROLLBACK');
      expect(await sending).toEqual({ sent: 1 });
    } finally {
      await event.end();
    }
    expect(await smtp.waitFor(1)).toHaveLength(1);
    expect(mailFor(reference)).toHaveLength(1);
    expect((mailFor(reference)[0].to as { text: string }).text).toBe(LEAD_EMAIL);
  });

  it('reminders of one review do not wait for each other (FOR SHARE does not conflict with FOR SHARE)', async () => {
    const { reference, id, data } = await reviewDueToTellTheHomeOffice();
    const other = new Client({ connectionString: ctx.database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM reviews WHERE id = $1 FOR SHARE', [id]);
      const outcome = await Promise.race([send(data), sleep(5000).then(() => 'blocked' as const)]);
      expect(outcome).toEqual({ sent: 1 });
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect(await smtp.waitFor(1)).toHaveLength(1);
    expect(mailFor(reference)).toHaveLength(1);
  });

  it('the SMTP conversation is outside the transaction: an event is not held up by a slow mail server', async () => {
    const { reference, id, deadlineId, data } = await reviewDueToTellTheHomeOffice();
    let release!: () => void;
    const inSmtp = new Promise<void>((resolve) => (smtpHeld = resolve));
    holdSmtp = new Promise<void>((resolve) => (release = resolve));
    try {
      const sending = send(data);
      await inSmtp; // the claim has committed; the server holds its answer to the message
      const res = await Promise.race([notifyHomeOffice(id), sleep(5000).then(() => null)]);
      expect(res?.status).toBe(200);
      expect((await db.query(`SELECT status FROM deadlines WHERE id = $1`, [deadlineId]))[0].status).toBe('met');
      holdSmtp = null;
      release();
      expect(await sending).toEqual({ sent: 1 });
    } finally {
      holdSmtp = null;
      smtpHeld = null;
      release?.();
    }
    expect(mailFor(reference)).toHaveLength(1);
    const [claim] = await claimsOf([deadlineId]);
    expect(claim).toMatchObject({ status: 'open' });
    expect(claim.committingAt < claim.closeCommittingAt!).toBe(true);
  });
});
