import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { addDays, DeadlineKind, loadReminderPolicy, londonDateOf, reminderSchedule, type ReminderPolicy } from '../../src/deadlines/rules';
import { policyFingerprint } from '../../src/reminders/reminder-scheduler';
import { appLoginUrl, createTestDatabase, TestDatabase, uniqueQueuePrefix } from '../support/databases';
import { runEntryPoint, RunningProcess, waitForLog } from '../support/processes';
import {
  FaultRow,
  freePort,
  printTable,
  sleep,
  startCountingSmtp,
  startOutageProxy,
  startRedisServer,
  tally,
  until,
} from './fault-rig';

/**
 * The fault suite: the compiled API and worker (dist/src/main.js, dist/src/worker.js) as
 * separate processes, against a real SMTP server in this process, a redis-server of the suite's
 * own (flushed, killed and replaced by an empty one here) and PostgreSQL behind a proxy that can
 * go away and come back (every connection cut, new ones refused, as when the server stops).
 * Each fault prints due, received, duplicates and lost; every row must be 0 lost, 0 duplicates.
 *
 * Retry waits are made short by configuration, at 1/600 of production's (REMINDER_RETRY_FIRST_MS
 * 30 s → 50 ms, REMINDER_RETRY_MAX_MS 30 min → 3 s), so "SMTP away for 2 hours" is 12 s here and
 * goes through the same number of retries as two hours would.
 *
 * Run alone: `npm run test:faults` (it is also part of `npm test`).
 */
const SCALE = 600;
const policy = loadReminderPolicy();

describe('reminders under faults (compiled API and worker, real SMTP, own Redis)', () => {
  const rows: FaultRow[] = [];
  let db: TestDatabase;
  let direct: Client;
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let pg: Awaited<ReturnType<typeof startOutageProxy>>;
  let smtp: Awaited<ReturnType<typeof startCountingSmtp>>;
  let dataDir: string;
  let prefix: string;
  const processes: RunningProcess[] = [];
  let worker: RunningProcess | null = null;
  let apiPort: number;
  let api: RunningProcess;
  let reviewId: string;

  const env = (extra: Record<string, string> = {}) => ({
    APP_ENV: 'test',
    TRUST_ACTOR_HEADER: 'true',
    DATABASE_URL: pg.url,
    // The login the test set-up made (its password is in the suite's DATA_DIR, not this one's):
    // a server that checks passwords (the embedded PostgreSQL) would refuse a new one.
    APP_DATABASE_URL: appLoginUrl(pg.url),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    SMTP_URL: smtp.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    QUEUE_LOCK_MS: '2000',
    QUEUE_CONCURRENCY: '8',
    SMTP_POOL_SIZE: '5',
    REMINDER_DISPATCH_MS: '200',
    REMINDER_LEASE_MS: '3000',
    REMINDER_RETRY_FIRST_MS: String(30_000 / SCALE),
    REMINDER_RETRY_MAX_MS: String(1_800_000 / SCALE),
    RATE_LIMIT_PER_MINUTE: '100000',
    ...extra,
  });

  async function startWorker(extra: Record<string, string> = {}): Promise<RunningProcess> {
    const w = runEntryPoint('worker.js', env(extra));
    processes.push(w);
    await waitForLog(w, (l) => l.msg === 'worker started', 30_000);
    return w;
  }

  async function startApi(port: number): Promise<RunningProcess> {
    const a = runEntryPoint('main.js', env({ PORT: String(port) }));
    processes.push(a);
    await until(`API on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200, 30_000, 200);
    return a;
  }

  async function stop(p: RunningProcess | null, signal: NodeJS.Signals = 'SIGTERM') {
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill(signal);
    await p.exited;
  }

  async function call(port: number, method: string, path: string, body: unknown, actor: string, headers: Record<string, string> = {}) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Actor': actor, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => null)) as Record<string, unknown> & { id: string };
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** A review opened through the API; the seeded clocks of a fault hang off it. */
  async function openReview(port: number, tag: string) {
    const csp = await call(port, 'POST', '/csps', { code: `F${tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}${Math.floor(Math.random() * 1e6)}`.slice(0, 30), name: `Fault ${tag} CSP` }, 'admin');
    const today = londonDateOf(new Date());
    const review = await call(
      port,
      'POST',
      '/reviews',
      {
        cspId: csp.id,
        dateOfDeath: addDays(today, -30),
        notifiedOn: addDays(today, -20),
        policeForce: 'Essex Police',
        policeReference: `F/${tag}`,
        circumstances: 'Fault suite review.',
      },
      'csp.lead@fault.example',
    );
    return review.id;
  }

  /**
   * `n` open IMR clocks, each with one owner, due in two days and made ten days ago, so each
   * owes exactly one reminder now (the latest passed one); the outbox tells the worker.
   */
  async function seed(tag: string, n: number, dueInDays = 2): Promise<void> {
    const { rows: made } = await direct.query(
      `INSERT INTO deadlines (review_id, kind, subject_id, title, statutory, base_due_at, due_at, status, starts_at, due_set_at, concerns, created_at, updated_at)
       SELECT $1, 'imr_due', gen_random_uuid(), 'IMR from Agency ' || g, false,
              date_trunc('second', now()) + make_interval(days => $4), date_trunc('second', now()) + make_interval(days => $4), 'open',
              now() - interval '10 days', now() - interval '10 days',
              jsonb_build_array(jsonb_build_object('name', 'Author ' || g, 'email', 'author' || g || '.' || $2 || '@fault.example', 'role', 'owner')),
              now() - interval '10 days', now()
         FROM generate_series(1, $3) g RETURNING id`,
      [reviewId, tag, n, dueInDays],
    );
    await direct.query(
      `INSERT INTO outbox (topic, payload) SELECT 'reminders.sync', jsonb_build_object('deadlineId', id, 'previousDueAt', NULL) FROM unnest($1::uuid[]) AS id`,
      [made.map((r: { id: string }) => r.id)],
    );
  }

  /** The reminder keys owed now by every open clock whose owners' addresses carry `tag`. */
  async function dueKeys(tag: string, p: ReminderPolicy = policy, at = new Date()): Promise<string[]> {
    const { rows: clocks } = await direct.query(
      `SELECT id, kind, due_at AS "dueAt", due_set_at AS "dueSetAt", created_at AS "createdAt", concerns FROM deadlines
        WHERE status = 'open' AND concerns::text LIKE $1`,
      [`%.${tag}@%`],
    );
    const keys: string[] = [];
    for (const c of clocks as Array<{ id: string; kind: DeadlineKind; dueAt: Date; dueSetAt: Date; createdAt: Date; concerns: Array<{ email: string; role: string }> }>) {
      const dueAt = c.dueAt.toISOString();
      const owed = reminderSchedule(p, { kind: c.kind, dueAt, dueSetAt: c.dueSetAt, moved: c.dueSetAt > c.createdAt }, at).filter((r) => r.late);
      for (const r of owed) for (const person of c.concerns.filter((x) => x.role === 'owner' && x.email)) keys.push(`${c.id}|${r.slot}|${dueAt}|${person.email.toLowerCase()}`);
    }
    return keys;
  }

  const receivedKeys = (tag: string) => smtp.received.filter((m) => m.key?.includes(`.${tag}@`)).map((m) => m.key!);
  const receivedOf = (tag: string) => smtp.received.filter((m) => m.key?.includes(`.${tag}@`)).map((m) => ({ key: m.key!, confirmed: m.confirmed, at: m.at }));

  /** Kills a worker and reads, the moment it is dead, which sends it had heard SMTP accept: its journal and the ledger. */
  async function kill(p: RunningProcess): Promise<{ at: number; heard: Set<string> }> {
    await stop(p, 'SIGKILL');
    const at = Date.now();
    const heard = new Set<string>();
    const dir = join(dataDir, 'sent-journal');
    if (existsSync(dir)) {
      for (const name of readdirSync(dir)) {
        // A starting worker removes an ended process's journal once it has recorded its keys as
        // sent, which the read of the notifications below then finds.
        let text: string;
        try {
          text = readFileSync(join(dir, name), 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw error;
        }
        for (const line of text.split('\n')) {
          try {
            heard.add((JSON.parse(line) as { key: string }).key);
          } catch {
            // a line cut short
          }
        }
      }
    }
    const { rows: sent } = await direct.query(`SELECT idempotency_key AS key FROM notifications WHERE status = 'sent'`);
    for (const r of sent as Array<{ key: string }>) heard.add(r.key);
    return { at, heard };
  }

  async function waitAll(tag: string, due: string[], ms: number) {
    const want = new Set(due);
    await until(`${tag}: all ${want.size} due received`, () => new Set(receivedKeys(tag).filter((k) => want.has(k))).size >= want.size, ms, 200).catch(() => undefined);
    await sleep(2000); // anything sent twice arrives by now
  }

  /** A fault's clocks are closed when it is done, so later faults see only their own. */
  async function retire(tag: string) {
    await direct.query(`UPDATE deadlines SET status = 'met', next_reminder_at = NULL WHERE concerns::text LIKE $1`, [`%.${tag}@%`]);
  }

  function record(row: FaultRow) {
    rows.push(row);
    expect({ fault: row.fault, lost: row.lost, duplicates: row.duplicates }).toEqual({ fault: row.fault, lost: 0, duplicates: 0 });
    expect(row.due).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    direct = new Client({ connectionString: db.url });
    await direct.connect();
    redis = await startRedisServer();
    pg = await startOutageProxy(db.url);
    smtp = await startCountingSmtp();
    dataDir = mkdtempSync(join(tmpdir(), 'dhr-faults-'));
    prefix = uniqueQueuePrefix();
    apiPort = await freePort();
    api = await startApi(apiPort);
    reviewId = await openReview(apiPort, 'seed');
    worker = await startWorker();
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) await stop(p, 'SIGKILL');
    await redis?.kill();
    await pg?.down();
    await smtp?.down();
    await direct?.end();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (process.env.FAULT_LOGS) {
      for (const p of processes) {
        // eslint-disable-next-line no-console
        console.log(`${p.child.spawnargs.slice(-1)[0]} ${p.child.pid}:\n${p.logs.filter((l) => Number(l.level) >= 40).slice(-40).map((l) => `${l.msg} ${JSON.stringify(l.err ?? '')}`).join('\n')}\n${p.stderr().slice(-2000)}`);
      }
    }
    // eslint-disable-next-line no-console
    console.log(`Reminder faults (retry waits at 1/${SCALE} of production's):\n${printTable(rows)}`);
  }, 60_000);

  it('worker SIGKILL mid-burst, then a new worker', async () => {
    smtp.setDelay(5);
    await seed('kill', 400);
    await until('a quarter sent', () => receivedKeys('kill').length >= 100, 60_000);
    const killed = await kill(worker!);
    worker = await startWorker();
    const due = await dueKeys('kill');
    await waitAll('kill', due, 60_000);
    record(tally('worker SIGKILL mid-burst (400)', due, receivedOf('kill'), undefined, killed));
    await retire('kill');
  }, 150_000);

  it.each([
    ['2 minutes', 'smtp2m', 120_000],
    ['2 hours', 'smtp2h', 7_200_000],
  ])('SMTP down for %s (scaled), then back', async (label, tag, outageMs) => {
    smtp.setDelay(0);
    await smtp.down();
    await seed(tag, 100);
    await until('the worker tried and failed', async () => {
      const { rows: r } = await direct.query(`SELECT count(*)::int AS n FROM notifications WHERE status = 'failed' AND recipient LIKE $1`, [`%.${tag}@%`]);
      return r[0].n > 0;
    }, 30_000);
    await sleep(outageMs / SCALE);
    await smtp.up();
    const due = await dueKeys(tag);
    await waitAll(tag, due, 60_000);
    const { rows: a } = await direct.query(`SELECT max(attempts)::int AS n FROM notifications WHERE recipient LIKE $1`, [`%.${tag}@%`]);
    record(tally(`SMTP down for ${label} (100)`, due, receivedOf(tag), `up to ${a[0].n} attempts each`));
    await retire(tag);
  }, 150_000);

  it('Redis flushed while the worker runs', async () => {
    smtp.setDelay(20);
    await seed('flush', 300);
    await until('a sixth sent', () => receivedKeys('flush').length >= 50, 60_000);
    await redis.flushAll();
    const flushedAt = Date.now();
    // The worker's schedulers (daily digests, the nightly purge) are put back without a restart:
    // watched from the moment of the flush.
    const queue = new Queue('reminders', { connection: { url: redis.url }, prefix });
    const back = (async () => {
      while (!(await queue.getJobScheduler('send-digests').catch(() => undefined))) {
        if (Date.now() - flushedAt > 60_000) return Infinity;
        await sleep(250);
      }
      return Date.now() - flushedAt;
    })();
    const due = await dueKeys('flush');
    await waitAll('flush', due, 60_000);
    const backMs = await back;
    await queue.close();
    record(tally('Redis flushed mid-burst (300)', due, receivedOf('flush'), `schedulers back ${(backMs / 1000).toFixed(1)} s after the flush`));
    expect(backMs).toBeLessThan(20_000);
    await retire('flush');
  }, 150_000);

  it('Redis replaced by an empty one', async () => {
    smtp.setDelay(20);
    await seed('swap', 300);
    await until('a sixth sent', () => receivedKeys('swap').length >= 50, 60_000);
    await redis.kill();
    redis = await startRedisServer(redis.port);
    const due = await dueKeys('swap');
    await waitAll('swap', due, 60_000);
    record(tally('Redis replaced by an empty one mid-burst (300)', due, receivedOf('swap')));
    await retire('swap');
  }, 150_000);

  it('PostgreSQL away for 8 s mid-send', async () => {
    smtp.setDelay(20);
    await seed('pgdown', 300);
    await until('a sixth sent', () => receivedKeys('pgdown').length >= 50, 60_000);
    await pg.down();
    await sleep(8000);
    await pg.up();
    const due = await dueKeys('pgdown');
    await waitAll('pgdown', due, 90_000);
    record(tally('PostgreSQL away 8 s mid-send (300)', due, receivedOf('pgdown')));
    await retire('pgdown');
  }, 180_000);

  it('a meeting moved: the update goes, the reminders already sent do not go again', async () => {
    smtp.setDelay(0);
    const id = await openReview(apiPort, 'meet');
    const today = londonDateOf(new Date());
    const people = ['chair.meet@fault.example', 'panel.meet@fault.example'];
    await call(apiPort, 'POST', `/reviews/${id}/appointments`, { role: 'chair', name: 'Chair', organisation: 'Chairs Ltd', email: people[0], appointedOn: addDays(today, -15) }, 'lead');
    const agency = await call(apiPort, 'POST', '/agencies', { name: `Fault Police ${Math.floor(Math.random() * 1e6)}`, kind: 'police' }, 'admin');
    await call(apiPort, 'POST', `/reviews/${id}/panel-members`, { name: 'Rep', agencyId: agency.id, role: 'Lead', email: people[1], joinedOn: addDays(today, -15), noDirectCaseManagementDeclared: true }, 'lead');
    const startsAt = DateTime.now().plus({ days: 2 }).startOf('minute').toUTC().toISO()!;
    const meeting = await call(apiPort, 'POST', `/reviews/${id}/meetings`, { startsAt, location: 'Council Offices' }, 'chair');
    const forMeeting = () => smtp.received.filter((m) => people.includes(m.to) && /panel meeting/i.test(m.subject));
    const reminders = () => forMeeting().filter((m) => m.key && !/Papers for/.test(m.subject));
    const invitations = () => forMeeting().filter((m) => !m.key);
    await until('invitations and reminders', () => invitations().length >= 2 && reminders().length >= 2, 30_000);
    const moved = DateTime.fromISO(startsAt).plus({ days: 1 }).toUTC().toISO()!;
    const read = await call(apiPort, 'GET', `/reviews/${id}/meetings/${meeting.id}`, undefined, 'chair');
    await call(apiPort, 'PATCH', `/reviews/${id}/meetings/${meeting.id}`, { startsAt: moved }, 'chair', { 'If-Match': `"${read.version}"` });
    await until('updates', () => invitations().filter((m) => /^\[.*\] Updated/.test(m.subject)).length >= 2, 30_000);
    await sleep(3000);
    // One reminder per person for this meeting, whatever its due time; one invitation and one update each.
    const identity = (m: (typeof smtp.received)[number]) => (m.key ? `reminder|${m.key.split('|')[1]}|${m.to}` : `${/Updated/.test(m.subject) ? 'update' : 'invitation'}|${m.to}`);
    const due = people.flatMap((p) => [`invitation|${p}`, `update|${p}`, `reminder|${reminders()[0]?.key?.split('|')[1]}|${p}`]);
    const counted = [...reminders(), ...invitations()];
    record(tally('a meeting moved (2 people)', due, counted.map((m) => ({ key: identity(m), confirmed: m.confirmed })), `${reminders().length} reminders, ${invitations().length} invitations and updates`));
  }, 90_000);

  it('a policy change re-plans every pending reminder when the worker starts', async () => {
    // 200 clocks due in 20 days: under the shipped policy the next reminder is 14 days before.
    await seed('policy', 200, 20);
    const planned = async () =>
      (await direct.query(`SELECT reminder_plan AS plan, next_reminder_slot AS slot FROM deadlines WHERE status = 'open' AND concerns::text LIKE '%.policy@%'`)).rows as Array<{ plan: string; slot: string }>;
    await until('planned under the shipped policy', async () => (await planned()).every((r) => r.plan === policyFingerprint(policy) && r.slot === 'before-14d'), 30_000);
    await stop(worker);
    // The new policy also reminds 25 days before: that reminder has passed, so it is owed now.
    const changed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'config', 'reminder-policy.json'), 'utf8'));
    changed.kinds.imr_due.beforeDays = [25, 14, 7, 1];
    const file = join(dataDir, 'changed-policy.json');
    writeFileSync(file, JSON.stringify(changed));
    const newPolicy = loadReminderPolicy(file);
    const started = Date.now();
    worker = await startWorker({ REMINDER_POLICY_FILE: file });
    await until('re-planned', async () => (await planned()).every((r) => r.plan === policyFingerprint(newPolicy)), 30_000);
    const replanMs = Date.now() - started;
    const due = await dueKeys('policy', newPolicy);
    await waitAll('policy', due, 60_000);
    const stale = (await planned()).filter((r) => r.plan !== policyFingerprint(newPolicy)).length;
    record(tally('a policy change, worker restarted (200)', due, receivedOf('policy'), `re-planned within ${Math.round(replanMs / 1000)} s of the start; ${stale} left on the old plan`));
    expect(stale).toBe(0);
    await retire('policy');
    await stop(worker);
    worker = await startWorker();
  }, 150_000);

  it('a deadline created just before its send time gets one reminder, not two', async () => {
    // A policy whose send time is the next London minute at least 20 s away; the clock is made now, due tomorrow.
    const at = DateTime.now().setZone('Europe/London').plus({ seconds: 20 }).startOf('minute').plus({ minutes: 1 });
    const changed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'config', 'reminder-policy.json'), 'utf8'));
    changed.sendAt = at.toFormat('HH:mm');
    const file = join(dataDir, 'send-soon-policy.json');
    writeFileSync(file, JSON.stringify(changed));
    await stop(worker);
    worker = await startWorker({ REMINDER_POLICY_FILE: file });
    const { rows: made } = await direct.query(
      `INSERT INTO deadlines (review_id, kind, subject_id, title, statutory, base_due_at, due_at, status, starts_at, due_set_at, concerns, created_at, updated_at)
       VALUES ($1, 'imr_due', gen_random_uuid(), 'IMR from Agency S', false, $2, $2, 'open', now(), now(),
               jsonb_build_array(jsonb_build_object('name', 'Author', 'email', 'author.soon@fault.example', 'role', 'owner')), now(), now())
       RETURNING id`,
      [reviewId, at.plus({ days: 1 }).set({ hour: 17, minute: 0 }).toJSDate()],
    );
    await direct.query(`INSERT INTO outbox (topic, payload) VALUES ('reminders.sync', jsonb_build_object('deadlineId', $1::text, 'previousDueAt', NULL))`, [made[0].id]);
    await until('its send time has passed', () => Date.now() > at.toMillis() + 5000, 120_000, 500);
    const got = receivedKeys('soon');
    record(tally('a deadline created just before its send time (1)', got.length > 0 ? [got[0]] : ['(nothing arrived)'], receivedOf('soon'), got.map((k) => k.split('|')[1]).join(', ')));
    expect(got).toEqual([expect.stringContaining('|before-1d|')]);
    await retire('soon');
    await stop(worker);
    worker = await startWorker();
  }, 180_000);

  it('two API processes and two workers, one of each killed mid-burst', async () => {
    smtp.setDelay(10);
    const secondApiPort = await freePort();
    const secondApi = await startApi(secondApiPort);
    const secondWorker = await startWorker();
    await seed('pair', 300);
    const today = londonDateOf(new Date());
    // Meanwhile reviews are opened and IMRs commissioned through both APIs (each IMR owes one reminder now).
    const agency = await call(apiPort, 'POST', '/agencies', { name: `Pair Police ${Math.floor(Math.random() * 1e6)}`, kind: 'police' }, 'admin');
    const viaApi = async (port: number, i: number) => {
      const id = await openReview(port, `pair${i}`);
      await call(port, 'POST', `/reviews/${id}/panel-members`, { name: `Rep ${i}`, agencyId: agency.id, role: 'Lead', email: `rep${i}.pair@fault.example`, joinedOn: addDays(today, -15), noDirectCaseManagementDeclared: true }, 'lead');
      await call(port, 'POST', `/reviews/${id}/imrs`, { agencyId: agency.id, kind: 'imr', requestedOn: addDays(today, -10), dueOn: addDays(today, 2) }, 'chair');
    };
    const writes = Array.from({ length: 24 }, (_, i) => viaApi(i % 2 === 0 ? apiPort : secondApiPort, i).catch(() => undefined));
    await until('a third sent', () => receivedKeys('pair').length >= 100, 60_000);
    const killed = await kill(worker!);
    await stop(api, 'SIGKILL');
    await Promise.all(writes);
    const due = await dueKeys('pair');
    await waitAll('pair', due, 90_000);
    record(tally('2 APIs + 2 workers, one of each SIGKILLed mid-burst (300 + via the APIs)', due, receivedOf('pair'), undefined, killed));
    await retire('pair');
    worker = secondWorker;
    api = secondApi;
    apiPort = secondApiPort;
  }, 180_000);
});
