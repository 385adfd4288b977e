#!/usr/bin/env node
// The cost of a request (issue 16): lifecycle transitions over HTTP at 1, 8 and 32 clients, reads
// of a review and of the /cases page, and the cold start of the compiled API, each printed beside
// the raw limit measured in the same run on the same machine, as a ratio.
//
// - Transitions: a CSP lead's API token (so the access policy runs as it does for a person)
//   places reviews on hold and resumes them (POST /reviews/:id/events with If-Match), each client
//   on reviews of its own, for SECONDS at each client count. The raw limit is what one
//   transition must write at the least (../shared/limits: lock the review, update its snapshot,
//   insert a history row and an outbox row) under pgbench at the same client count, in the same
//   database (pgbench -l gives each transaction's latency, so its p99 too). Without pgbench on
//   PATH, the same SQL is run by node-postgres clients instead (printed as such). Beside both,
//   the floor: a bare Node HTTP server doing that raw SQL for each request
//   (bare-transition-server.mjs), driven by the same clients, so the ratio can be read against
//   what HTTP and Node alone leave of raw PostgreSQL's rate on this machine. And the API's least
//   answer (GET /health: no SQL, no identity, the same middleware), for what the framework alone
//   costs a request.
// - Reads: GET /reviews/:id (the review page's API: the review, its facts and clocks) against
//   the same rows read in SQL (the review, its deadlines, its IMRs, recommendations, meetings,
//   people and documents), both at 8 and at 32 clients: of the transitions' reviews, whose
//   snapshots carry every hold of the runs, and of reviews shaped as a partnership's are early
//   in their work (made through the API before the runs); the /cases page at 32 clients.
// - Cold start: the compiled API from spawn to its first answer on /health, against a bare Node
//   HTTP server from spawn to its first answer.
// - CPU (cpuMsEach, Linux): for each transition and read run, the CPU ms a request cost the API
//   process, the PostgreSQL backends serving it and the whole machine (the clients too); for the
//   raw limit, the whole machine's (pgbench and PostgreSQL) a transaction. From these, for each
//   transition run, the rate the machine could reach if the API process cost nothing (its cores
//   over the rest of a transition's CPU): a bound the SQL the rules send sets on any API.
//
// Usage: npm run bench:transitions -- [seconds=10] [clients=1,8,32]
// BENCH_REVIEWS_PER_CLIENT (default 4): the transitions' reviews per client. With more, each
// review ends the runs with fewer holds in its snapshot (a review's holds stay in it for good).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpClient, ms, quantiles, require, ROOT, sleep, startBench } from './harness.mjs';
import { cpuOfProcess, machineBusy } from './proc-cpu.mjs';

const SECONDS = Number(process.argv[2] ?? 10);
const CLIENTS = (process.argv[3] ?? '1,8,32').split(',').map(Number);
const REVIEWS_PER_CLIENT = Number(process.env.BENCH_REVIEWS_PER_CLIENT ?? 4);
if (!Number.isInteger(REVIEWS_PER_CLIENT) || REVIEWS_PER_CLIENT < 1) throw new Error('BENCH_REVIEWS_PER_CLIENT: a whole number of reviews, 1 or more');
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const hasPgbench = spawnSync('pgbench', ['--version']).status === 0;
const { Pool } = require('pg');

// ../shared/limits/pg-transition-setup.sql and pg-transition.sql, in tables of their own.
const LIMIT_SETUP = `DROP TABLE IF EXISTS lim_reviews, lim_events, lim_outbox;
CREATE TABLE lim_reviews (id int PRIMARY KEY, status text NOT NULL, snapshot jsonb NOT NULL, version int NOT NULL);
CREATE TABLE lim_events (id bigserial PRIMARY KEY, review_id int NOT NULL REFERENCES lim_reviews(id), type text NOT NULL,
  payload jsonb NOT NULL, actor text NOT NULL, at timestamptz NOT NULL DEFAULT now(), from_status text, to_status text);
CREATE INDEX ON lim_events (review_id, id);
CREATE TABLE lim_outbox (id bigserial PRIMARY KEY, topic text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz);
INSERT INTO lim_reviews SELECT g, 'drafting', '{"value":"drafting","context":{"n":0}}'::jsonb, 0 FROM generate_series(1, 10000) g;`;
const LIMIT_TRANSITION = [
  'BEGIN',
  'SELECT version FROM lim_reviews WHERE id = :id FOR UPDATE',
  `UPDATE lim_reviews SET snapshot = jsonb_set(snapshot, '{context,n}', to_jsonb(version + 1)), status = 'drafting', version = version + 1 WHERE id = :id`,
  `INSERT INTO lim_events (review_id, type, payload, actor, from_status, to_status) VALUES (:id, 'RECORD_IMR_RECEIPT', '{"imr":"x"}', 'bench', 'drafting', 'drafting')`,
  `INSERT INTO lim_outbox (topic, payload) VALUES ('reminders.reschedule', '{"deadline":"x"}')`,
  'COMMIT',
];
// The rows GET /reviews/:id reads, straight from PostgreSQL (`:n` picks a review of the run
// from the table of ids `ids`).
const limitRead = (ids) => [
  `SELECT r.* FROM reviews r JOIN ${ids} b ON b.id = r.id WHERE b.n = :n`,
  `SELECT d.* FROM deadlines d JOIN ${ids} b ON b.id = d.review_id WHERE b.n = :n`,
  ...['imrs', 'recommendations', 'panel_meetings', 'people', 'documents'].map((t) => `SELECT x.id FROM ${t} x JOIN ${ids} b ON b.id = x.review_id WHERE b.n = :n`),
];
// Reviews as a partnership's are early in their work (read beside the transitions' reviews,
// whose snapshots carry every hold and resume of the runs: a hundred or more each).
const SHAPED_REVIEWS = 32;

// Where the CPU goes (Linux, PostgreSQL on this machine; null elsewhere): proc-cpu.mjs.
const sum = (values) => (values.some((v) => v === null) ? null : values.reduce((a, b) => a + b, 0));
/** CPU ms a unit of work, from two readings and the units done between them. */
const perUnit = (before, after, units) => (before === null || after === null || units === 0 ? null : Number(((1000 * (after - before)) / units).toFixed(2)));

const bench = await startBench();
const { db } = bench;
const rounded = (x) => Number(x.toFixed(x < 10 ? 2 : 0));
try {
  const token = bench.userWithToken('lead@bench.example', 'csp_lead', '--csp', 'BENCH');
  const [{ id: cspId }] = (await db.query(`SELECT id FROM csps WHERE code = 'BENCH'`)).rows;
  await db.query(LIMIT_SETUP);

  // Cold start: the API three times (the first also serves the run), a bare Node server three times.
  const starts = [];
  for (let i = 0; i < 2; i++) {
    const api = await bench.startApi();
    starts.push(api.startMs);
    await api.stop();
  }
  const api = await bench.startApi();
  starts.push(api.startMs);
  const bare = [];
  for (let i = 0; i < 3; i++) bare.push(await bareStart());
  const { base } = api;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' };
  const client = httpClient();
  const call = async (method, path, body, extra = {}) => {
    const { status, text } = await client.send(method, `${base}${path}`, { ...headers, ...extra }, body && JSON.stringify(body));
    if (status >= 300) throw new Error(`${method} ${path}: ${status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };

  // The reviews: opened and decided through the API, so each has its history and clocks.
  const max = Math.max(...CLIENTS);
  const reviews = [];
  for (let i = 0; i < max * REVIEWS_PER_CLIENT; i++) {
    const opened = await call('POST', '/reviews', {
      cspId, dateOfDeath: daysAgo(20), notifiedOn: daysAgo(15), policeForce: 'Bench Police', policeReference: `BENCH/${i}`, circumstances: 'A fictional review for the benchmark.',
    });
    const decided = await call('POST', `/reviews/${opened.id}/events`, { type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: today }, { 'If-Match': `"${opened.version}"` });
    reviews.push({ id: opened.id, version: decided.version, held: false });
  }
  // The shaped reviews: a chair appointed, the victim and the perpetrator recorded, three
  // agencies on the panel, each commissioned an IMR, a panel meeting scheduled, and one hold and
  // resume, all through the API as a CSP lead.
  const agencies = [];
  for (const name of ['Bench Police', 'Bench Health', 'Bench Housing']) agencies.push((await call('POST', '/agencies', { name, kind: name === 'Bench Police' ? 'police' : 'other' })).id);
  const shaped = [];
  for (let i = 0; i < SHAPED_REVIEWS; i++) {
    const opened = await call('POST', '/reviews', {
      cspId, dateOfDeath: daysAgo(60), notifiedOn: daysAgo(50), policeForce: 'Bench Police', policeReference: `SHAPED/${i}`, circumstances: 'A fictional review for the benchmark.',
    });
    let { version } = await call('POST', `/reviews/${opened.id}/events`, { type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: daysAgo(45) }, { 'If-Match': `"${opened.version}"` });
    await call('POST', `/reviews/${opened.id}/appointments`, { role: 'chair', name: 'Bench Chair', organisation: 'Chairs Ltd', email: 'chair@bench.example', appointedOn: daysAgo(44) });
    await call('POST', `/reviews/${opened.id}/people`, { role: 'victim', realName: 'Real Name A', pseudonym: 'Adult A' });
    await call('POST', `/reviews/${opened.id}/people`, { role: 'perpetrator', realName: 'Real Name B', pseudonym: 'Adult B', legalStatus: 'charged' });
    for (const [k, agencyId] of agencies.entries()) {
      await call('POST', `/reviews/${opened.id}/panel-members`, { name: `Member ${k}`, agencyId, role: 'Safeguarding lead', email: `member${k}@bench.example`, joinedOn: daysAgo(43), noDirectCaseManagementDeclared: true });
      await call('POST', `/reviews/${opened.id}/imrs`, { agencyId, kind: 'imr', authorName: `Author ${k}`, requestedOn: daysAgo(40), dueOn: daysAgo(-20) });
    }
    await call('POST', `/reviews/${opened.id}/meetings`, { startsAt: new Date(Date.now() + 14 * 86_400_000).toISOString(), location: 'Council Offices', agenda: 'Consider the IMRs' });
    ({ version } = await call('POST', `/reviews/${opened.id}/events`, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial pending.', expectedEnd: '2099-01-01' }, { 'If-Match': `"${(await call('GET', `/reviews/${opened.id}`)).version}"` }));
    await call('POST', `/reviews/${opened.id}/events`, { type: 'RESUME', note: 'Trial ended.' }, { 'If-Match': `"${version}"` });
    shaped.push({ id: opened.id });
  }
  await db.query(`CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM reviews WHERE id = ANY($1::uuid[])`, [reviews.map((r) => r.id)]);
  await db.query(`CREATE TABLE shaped_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM reviews WHERE id = ANY($1::uuid[])`, [shaped.map((r) => r.id)]);
  await db.query('ANALYZE');

  /** One hold or resume of a review, as a person's client sends it. */
  const transition = async (r) => {
    const body = r.held ? { type: 'RESUME', note: 'Trial ended.' } : { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial pending.', expectedEnd: '2099-01-01' };
    const view = await call('POST', `/reviews/${r.id}/events`, body, { 'If-Match': `"${r.version}"` });
    r.version = view.version;
    r.held = !r.held;
  };
  const read = (r) => call('GET', `/reviews/${r.id}`);
  const casesPage = async () => {
    const { status } = await client.send('GET', `${base}/cases`, { Authorization: `Bearer ${token}`, Accept: 'text/html' });
    if (status !== 200) throw new Error(`/cases: ${status}`);
  };

  /** `clients` loops doing `work` for `seconds`: per second and p50/p99 of each. */
  const drive = async (clients, seconds, work, pool = reviews) => {
    const times = [];
    const until = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: clients }, async (_, k) => {
      const mine = pool.filter((_, i) => i % clients === k);
      for (let i = 0; Date.now() < until; i++) {
        const s = process.hrtime.bigint();
        await work(mine[i % mine.length]);
        times.push(process.hrtime.bigint() - s);
      }
    }));
    return { perSecond: rounded(times.length / seconds), ...quantiles(times), count: times.length };
  };
  // The API's connections' backends (its pool), for their CPU.
  const apiBackends = async () => (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid);
  /** `drive`, with the CPU it cost: of the API process, of PostgreSQL's backends serving it, and of the whole machine (the clients too), in ms a request. */
  const measured = async (clients, seconds, work, pool = reviews) => {
    // The pool closes idle connections, so backends may start during the run: each backend there
    // at the end counts from the start, or from nothing if it started since.
    const started = new Map((await apiBackends()).map((pid) => [pid, cpuOfProcess(pid)]));
    const before = { api: cpuOfProcess(api.proc.pid), machine: machineBusy() };
    const { count, ...result } = await drive(clients, seconds, work, pool);
    const after = { api: cpuOfProcess(api.proc.pid), machine: machineBusy() };
    const ended = await apiBackends();
    const postgres = sum(ended.map((pid) => {
      const now = cpuOfProcess(pid);
      return now === null ? null : now - (started.get(pid) ?? 0);
    }));
    return {
      ...result,
      cpuMsEach: { api: perUnit(before.api, after.api, count), postgres: perUnit(0, postgres, count), machine: perUnit(before.machine, after.machine, count) },
    };
  };

  // The floor: the raw transition behind a bare Node HTTP server, with the service's pool size.
  const floorPort = await freePort();
  const floorServer = spawn(process.execPath, [join(ROOT, 'test', 'bench', 'bare-transition-server.mjs')], {
    env: { PATH: process.env.PATH, PORT: String(floorPort), DATABASE_URL: bench.url, POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '10' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const floorBase = `http://127.0.0.1:${floorPort}`;
  for (let i = 0; !(await client.send('GET', floorBase).then(() => true, () => false)); i++) {
    if (i > 2000 || floorServer.exitCode !== null) throw new Error('the bare transition server did not start');
    await sleep(5);
  }
  const bareTransition = async () => {
    const { status, text } = await client.send('POST', floorBase, { 'Content-Type': 'application/json' }, JSON.stringify({ id: 1 + Math.floor(Math.random() * 10000) }));
    if (status !== 200) throw new Error(`bare transition: ${status} ${text}`);
  };
  // The API's least answer: GET /health (no SQL, no identity) through the same middleware.
  const health = async () => {
    const { status } = await client.send('GET', `${base}/health`, { Accept: 'application/json' });
    if (status !== 200) throw new Error(`/health: ${status}`);
  };
  const percent = (part, whole) => `${Math.round((100 * part) / whole)}%`;

  await drive(Math.min(8, max), 2, transition); // warm-up (no more clients than the reviews allow)
  await drive(Math.min(8, max), 1, bareTransition);
  const transitions = [];
  try {
    for (const c of CLIENTS) {
      const service = await measured(c, SECONDS, transition);
      const floorBefore = { server: cpuOfProcess(floorServer.pid), machine: machineBusy() };
      const { count: floorCount, ...floor } = await drive(c, SECONDS, bareTransition);
      floor.cpuMsEach = { server: perUnit(floorBefore.server, cpuOfProcess(floorServer.pid), floorCount), machine: perUnit(floorBefore.machine, machineBusy(), floorCount) };
      const leastAnswer = await measured(c, SECONDS, health);
      const raw = await rawLimit(c, SECONDS, LIMIT_TRANSITION, 'id', 10000);
      // The rest of the run's work a transition made the machine do (its PostgreSQL backends,
      // Redis, the kernel, the clients), as if the API process itself cost nothing: what that
      // alone leaves of the machine's cores bounds the rate any API could reach on this SQL. Only
      // with at least a client a core: fewer wait on each other's answers, not on the CPU.
      const { api: apiMs, machine: machineMs } = service.cpuMsEach;
      const apiFree = c < cpus().length || apiMs === null || machineMs === null || machineMs <= apiMs ? null : rounded((cpus().length * 1000) / (machineMs - apiMs));
      transitions.push({
        clients: c, service, raw, ratio: percent(service.perSecond, raw.perSecond),
        ifTheApiCostNothing: apiFree === null ? null : { perSecond: apiFree, ratio: percent(apiFree, raw.perSecond) },
        bareNodeFloor: { ...floor, ratio: percent(floor.perSecond, raw.perSecond) },
        apiLeastAnswer: leastAnswer,
      });
    }
  } finally {
    floorServer.kill();
  }
  const reads = [];
  for (const c of [8, 32].filter((c) => c <= max)) {
    const service = await measured(c, SECONDS, read);
    const raw = await rawLimit(c, SECONDS, limitRead('bench_ids'), 'n', reviews.length);
    reads.push({ clients: c, service, raw, ratio: `${Math.round((100 * service.perSecond) / raw.perSecond)}%` });
  }
  const shapedReads = [];
  for (const c of [8, 32].filter((c) => c <= max)) {
    const service = await measured(c, SECONDS, read, shaped);
    const raw = await rawLimit(c, SECONDS, limitRead('shaped_ids'), 'n', shaped.length);
    shapedReads.push({ clients: c, service, raw, ratio: `${Math.round((100 * service.perSecond) / raw.perSecond)}%` });
  }
  const cases = await drive(Math.min(32, max), SECONDS, casesPage);
  client.close();
  const [{ commits }] = (await db.query(`SELECT xact_commit::bigint AS commits FROM pg_stat_database WHERE datname = current_database()`)).rows;

  console.log(JSON.stringify({
    seconds: SECONDS,
    reviews: reviews.length,
    rawLimitBy: hasPgbench ? 'pgbench' : 'node-postgres clients (pgbench not on PATH)',
    transitions: { what: 'PLACE_ON_HOLD / RESUME over HTTP as a CSP lead, beside ../shared/limits pg-transition under the same clients; per second and ms; cpuMsEach: CPU ms a transition of the API process, of the PostgreSQL backends serving it, and of the whole machine (clients included; for the raw limit, pgbench and PostgreSQL)', runs: transitions, bareNodeFloor: 'the same raw SQL behind a bare Node HTTP server (bare-transition-server.mjs), the same clients: what HTTP and Node alone leave of the raw rate', apiLeastAnswer: 'GET /health (no SQL, no identity) from the API, the same clients: what its framework and middleware cost a request', ifTheApiCostNothing: 'the machine\'s cores over the CPU a transition cost it less the API process\'s own (its PostgreSQL backends, Redis, the kernel, the clients): a bound on the rate of any API sending this SQL, and its ratio to raw (with a client a core or more; null with fewer, whose rate the answers\' latency sets)' },
    reviewRead: { what: 'GET /reviews/:id of the transitions\' reviews (each held and resumed a hundred times or more by the runs above) beside the same rows read in SQL; per second and ms', runs: reads },
    shapedReviewRead: { what: `GET /reviews/:id of ${SHAPED_REVIEWS} reviews early in their work (a chair, two people, three panel members and IMRs, a meeting, one hold) beside the same rows read in SQL; per second and ms`, runs: shapedReads },
    casesPage: { what: 'GET /cases (HTML) as a CSP lead', clients: Math.min(32, max), ...cases },
    coldStart: { what: 'spawn to first answer on /health, ms', api: starts, bareNodeHttp: bare },
    databaseCommits: Number(commits),
    cpus: cpus().length,
  }, null, 2));
} finally {
  await bench.done();
}

/** The raw SQL under pgbench (or node-postgres clients): per second and p50/p99 of each transaction. */
async function rawLimit(clients, seconds, statements, variable, range) {
  const before = machineBusy();
  const result = await rawRun(clients, seconds, statements, variable, range);
  const { count, ...figures } = result;
  return { ...figures, cpuMsEach: { machine: perUnit(before, machineBusy(), count) } };
}

async function rawRun(clients, seconds, statements, variable, range) {
  if (hasPgbench) {
    const dir = mkdtempSync(join(tmpdir(), 'dhr-pgbench-'));
    try {
      const script = join(dir, 'script.sql');
      writeFileSync(script, [`\\set ${variable} random(1, ${range})`, ...statements.map((s) => `${s};`)].join('\n'));
      const run = spawnSync('pgbench', ['-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-l', '--log-prefix', join(dir, 'log'), '-f', script, bench.url], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`pgbench: ${run.stderr}`);
      const times = readdirSync(dir).filter((f) => f.startsWith('log')).flatMap((f) =>
        readFileSync(join(dir, f), 'utf8').trim().split('\n').map((line) => BigInt(line.split(' ')[2]) * 1000n));
      return { perSecond: rounded(times.length / seconds), ...quantiles(times), count: times.length };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const pool = new Pool({ connectionString: bench.url, max: clients });
  const times = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    const client = await pool.connect();
    try {
      while (Date.now() < until) {
        const value = 1 + Math.floor(Math.random() * range);
        const s = process.hrtime.bigint();
        for (const sql of statements) await client.query(sql.replaceAll(`:${variable}`, String(value)));
        times.push(process.hrtime.bigint() - s);
      }
    } finally {
      client.release();
    }
  }));
  await pool.end();
  return { perSecond: rounded(times.length / seconds), ...quantiles(times), count: times.length };
}

/** A bare Node HTTP server from spawn to its first answer, ms. */
async function bareStart() {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const proc = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) break;
      if (i > 2000) throw new Error('the bare server did not start');
      await sleep(5);
    }
    return ms(process.hrtime.bigint() - started);
  } finally {
    proc.kill();
  }
}
