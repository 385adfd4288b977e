import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { CLAIM_LEASE_MS, claimantEnded, NotificationLedger } from '../src/reminders/notification-ledger';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestContext } from './support/test-app';

/**
 * The send ledger's claims: a key being sent by one job is not sent by another that comes to it
 * meanwhile (a re-plan made a second job while the first was in its SMTP conversation), and a
 * claim whose claimant died is taken over: at once when it ran on this machine, after the lease
 * when it ran elsewhere. Real PostgreSQL and a real SMTP server that can hold a message
 * mid-conversation.
 */
describe('send ledger claims', () => {
  let ctx: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let db: DataSource;
  let ledger: NotificationLedger;
  let reviewId: string;
  let hold: Promise<void> | null = null;
  let reachedHold: (() => void) | null = null;

  beforeAll(async () => {
    smtp = await startSmtpSink({
      beforeAccept: async () => {
        reachedHold?.();
        if (hold) await hold;
      },
    });
    ctx = await startTestApp({ worker: true, env: { SMTP_URL: smtp.url } });
    db = ctx.api.get(DataSource);
    ledger = ctx.worker!.get(NotificationLedger);
    const api = reviewApi(ctx.api);
    reviewId = (await api.openReview((await api.createCsp('CLAIMS')).id)).id;
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.received.length = 0;
  });

  const entry = (key: string) => ({ key, reviewId, deadlineId: null, slot: 'test', recipient: 'member@example.org' });
  const mail = (key: string) => ({ to: 'member@example.org', subject: `Claims ${key}`, text: 'x', html: '<p>x</p>', headers: { 'X-DHR-Reminder': key } });
  const receivedOf = (key: string) => smtp.received.filter((m) => m.headers.get('x-dhr-reminder') === key);
  const rowOf = async (key: string) =>
    (await db.query(`SELECT status, attempts, claimed_by AS "claimedBy" FROM notifications WHERE idempotency_key = $1`, [key]))[0] as {
      status: string;
      attempts: number;
      claimedBy: string | null;
    };
  /** A row as a claimant would have left it mid-send, claimed `ageMs` ago. */
  const leftSending = (key: string, claimedBy: string, ageMs = 0) =>
    db.query(
      `INSERT INTO notifications (idempotency_key, review_id, slot, recipient, status, attempts, claimed_at, claimed_by)
       VALUES ($1, $2, 'test', 'member@example.org', 'sending', 1, clock_timestamp() - $3 * interval '1 millisecond', $4)`,
      [key, reviewId, ageMs, claimedBy],
    );
  /** The pid of a process that has just ended on this machine. */
  async function endedPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => child.on('exit', resolve));
    return child.pid!;
  }

  it('a second send of a key whose first send is mid-conversation is held, not sent; the key arrives once', async () => {
    const key = `claims|concurrent|${Date.now()}`;
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (reachedHold = resolve));
    try {
      const first = ledger.sendOnce(entry(key), mail(key));
      await reached; // the first conversation has sent its message and waits for the answer
      expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'held' });
      expect(await rowOf(key)).toMatchObject({ status: 'sending', attempts: 1 });
      release();
      expect(await first).toEqual({ outcome: 'sent' });
    } finally {
      hold = null;
      reachedHold = null;
      release?.();
    }
    await new Promise((r) => setTimeout(r, 300)); // a second copy would have arrived by now
    expect(receivedOf(key)).toHaveLength(1);
    expect(await rowOf(key)).toMatchObject({ status: 'sent', attempts: 1 });
    // And once sent, the key is settled for good.
    expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'already_sent' });
  });

  it('a claim left by a process on this machine that has ended is taken over at once', async () => {
    const key = `claims|ended-here|${Date.now()}`;
    await leftSending(key, `${hostname()}|${await endedPid()}|an-ended-start`);
    expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'sent' });
    expect(receivedOf(key)).toHaveLength(1);
    expect(await rowOf(key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a claim by a process on another machine holds the key until its lease lapses, then is taken over', async () => {
    const key = `claims|elsewhere|${Date.now()}`;
    await leftSending(key, 'worker-2.example|4242|a-start', CLAIM_LEASE_MS - 10_000);
    expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'held' });
    expect(receivedOf(key)).toHaveLength(0);
    expect(await rowOf(key)).toMatchObject({ status: 'sending', attempts: 1, claimedBy: 'worker-2.example|4242|a-start' });
    await db.query(`UPDATE notifications SET claimed_at = clock_timestamp() - $2 * interval '1 millisecond' WHERE idempotency_key = $1`, [key, CLAIM_LEASE_MS + 1000]);
    expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'sent' });
    expect(receivedOf(key)).toHaveLength(1);
    expect(await rowOf(key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a claim taken over while its first claimant was away is not sent by that claimant too', async () => {
    const key = `claims|taken-over|${Date.now()}`;
    const claimed = await db.transaction((manager) => ledger.claim(manager, entry(key)));
    expect(claimed).toMatchObject({ key, attempts: 1 });
    // The claim lapses before its conversation starts (a worker stalled for longer than the
    // lease), and another claimant takes the key over.
    await db.query(`UPDATE notifications SET claimed_at = clock_timestamp() - $2 * interval '1 millisecond', claimed_by = 'worker-2.example|4242|a-start', attempts = 2 WHERE idempotency_key = $1`, [
      key,
      CLAIM_LEASE_MS + 1000,
    ]);
    expect(typeof claimed === 'object' && (await ledger.deliver(claimed, mail(key)))).toEqual({ outcome: 'already_sent' });
    expect(receivedOf(key)).toHaveLength(0);
    expect(await rowOf(key)).toMatchObject({ status: 'sending', attempts: 2, claimedBy: 'worker-2.example|4242|a-start' });
  });

  it('a claim this process abandoned before its conversation (PostgreSQL away, say) is taken over at once by its next job, and only that job sends', async () => {
    const key = `claims|abandoned|${Date.now()}`;
    const abandoned = await db.transaction((manager) => ledger.claim(manager, entry(key)));
    expect(abandoned).toMatchObject({ key, attempts: 1 });
    // The job stopped there; BullMQ runs it again in this process, well within the lease.
    expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'sent' });
    expect(await rowOf(key)).toMatchObject({ status: 'sent', attempts: 2 });
    // Had the first job gone on after all, its conversation would not start.
    expect(typeof abandoned === 'object' && (await ledger.deliver(abandoned, mail(key)))).toEqual({ outcome: 'already_sent' });
    expect(receivedOf(key)).toHaveLength(1);
  });

  it('a failed send is tried again by one claimant at a time, and stays failed, with its reason, meanwhile', async () => {
    const key = `claims|failed|${Date.now()}`;
    await db.query(
      `INSERT INTO notifications (idempotency_key, review_id, slot, recipient, status, attempts, last_error, claimed_at, claimed_by)
       VALUES ($1, $2, 'test', 'member@example.org', 'failed', 1, '451 try later', NULL, NULL)`,
      [key, reviewId],
    );
    // Another machine's worker takes it up again (its claim is live)...
    const [[other]] = await db.query(`UPDATE notifications SET attempts = 2, claimed_at = clock_timestamp(), claimed_by = 'worker-2.example|4242|a-start' WHERE idempotency_key = $1 RETURNING status`, [key]);
    expect(other).toEqual({ status: 'failed' });
    // ...so neither an immediate send nor the recipient's digest may take it meanwhile.
    expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'held' });
    expect(await db.transaction((manager) => ledger.holdForDigest(manager, entry(key), 'Claims'))).toBe('held');
    expect(await rowOf(key)).toMatchObject({ status: 'failed', attempts: 2 });
    // Its conversation failed again: the claim ended with it, and the next job sends it.
    await db.query(`UPDATE notifications SET claimed_at = NULL WHERE idempotency_key = $1`, [key]);
    expect(await ledger.sendOnce(entry(key), mail(key))).toEqual({ outcome: 'sent' });
    expect(await rowOf(key)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(receivedOf(key)).toHaveLength(1);
  });

  it('a key another live claimant is sending is not taken into a digest; one a dead claimant left is', async () => {
    const held = `claims|digest-held|${Date.now()}`;
    await leftSending(held, 'worker-2.example|4242|a-start');
    expect(await db.transaction((manager) => ledger.holdForDigest(manager, entry(held), 'Claims'))).toBe('held');
    expect(await rowOf(held)).toMatchObject({ status: 'sending' });
    const left = `claims|digest-left|${Date.now()}`;
    await leftSending(left, `${hostname()}|${await endedPid()}|an-ended-start`);
    expect(await db.transaction((manager) => ledger.holdForDigest(manager, entry(left), 'Claims'))).toBe('queued');
    expect(await rowOf(left)).toMatchObject({ status: 'queued', claimedBy: null });
  });

  it('knows a claimant dead only on this machine: an ended pid, or this pid under another start', async () => {
    const self = `${hostname()}|${process.pid}|this-start`;
    expect(claimantEnded(`${hostname()}|${process.pid}|this-start`, self)).toBe(false);
    expect(claimantEnded(`${hostname()}|${process.pid}|an-earlier-start`, self)).toBe(true);
    expect(claimantEnded(`${hostname()}|${await endedPid()}|x`, self)).toBe(true);
    expect(claimantEnded(`${hostname()}|${process.ppid}|x`, self)).toBe(false);
    expect(claimantEnded(`worker-2.example|${await endedPid()}|x`, self)).toBe(false);
    expect(claimantEnded('not a claimant', self)).toBe(false);
    expect(claimantEnded(null, self)).toBe(true);
  });
});
