#!/usr/bin/env node
// Reminder lateness (received by the SMTP server − the moment it was owed) for N reminders owed
// at one instant, sent by the compiled worker (dist/src/worker.js), printed beside the raw limit
// measured in the same run on the same machine: raw BullMQ delayed jobs due at one instant, each
// sending one email with nodemailer over a pool of the same size to the same SMTP server, at the
// same concurrency (../shared/limits/bullmq-lateness.mjs, plus the SMTP send both must make).
//
// Usage: npm run bench:reminders -- [reminders=1000]
//   QUEUE_CONCURRENCY (default 32) and SMTP_POOL_SIZE (default 5): the worker's, and the raw run's.
//   WORKERS (default 1): worker processes.
// PostgreSQL and Redis are found as the service finds them (DATABASE_URL / REDIS_URL, else the
// local ports, else embedded PostgreSQL and a redis-server from PATH).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const dist = (p) => join(ROOT, 'dist', 'src', p);
if (!existsSync(dist('worker.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Client } = require('pg');
const { Queue, Worker } = require('bullmq');
const nodemailer = require('nodemailer');
const { SMTPServer } = require('smtp-server');
const { DateTime } = require('luxon');
const { loadConfig } = require(dist('infrastructure/config/load-config.js'));
const { runMigrations } = require(dist('infrastructure/database/migrate.js'));
const { resolvePostgres } = require(dist('infrastructure/local-services/postgres.js'));
const { resolveRedis } = require(dist('infrastructure/local-services/redis.js'));
const { createRootLogger } = require(dist('infrastructure/logging/root-logger.js'));

const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.env.QUEUE_CONCURRENCY ?? 32);
const POOL = Number(process.env.SMTP_POOL_SIZE ?? 5);
const WORKERS = Number(process.env.WORKERS ?? 1);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const summary = (ms) => ({ p50: pct(ms, 50) / 1000, p99: pct(ms, 99) / 1000, max: Math.max(...ms) / 1000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One SMTP server for both runs: it notes when each message arrived and whose it is.
const arrivals = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (c) => {
      if (head.length < 4000) head += c.toString('utf8');
    });
    stream.on('end', () => {
      const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
      const run = /^X-Bench-Run:\s*(\S+)/im.exec(unfolded)?.[1] ?? (/^X-DHR-Reminder:/im.test(unfolded) ? 'service' : 'other');
      arrivals.push({ run, at: Date.now() });
      callback();
    });
  },
});
await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
const smtpUrl = `smtp://127.0.0.1:${smtp.server.address().port}`;

const config = loadConfig({ ...process.env, DATA_DIR: process.env.BENCH_DATA_DIR ?? '.data/bench', LOG_LEVEL: 'warn' });
const logger = createRootLogger(config, 'bench');
const postgres = await resolvePostgres(config, logger, { mayStart: true });
const redis = await resolveRedis(config, logger, { mayStart: true });
const name = `dhr_bench_${randomBytes(4).toString('hex')}`;
const prefix = `bench${randomBytes(4).toString('hex')}`;
const urlOf = (db) => Object.assign(new URL(postgres.url), { pathname: `/${db}` }).toString();
const admin = new Client({ connectionString: urlOf('postgres') });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const work = mkdtempSync(join(tmpdir(), 'dhr-bench-'));
const workers = [];
let db;
try {
  await runMigrations(urlOf(name));
  db = new Client({ connectionString: urlOf(name) });
  await db.connect();
  await db.query(`INSERT INTO csps (code, name) VALUES ('BENCH', 'Bench CSP')`);
  // One review, through the command line, for the clocks to belong to.
  const file = join(work, 'review.json');
  writeFileSync(file, JSON.stringify({ format: 'dhr-import/1', reviews: [{ key: 'bench', csp: 'BENCH', notification: { dateOfDeath: '2026-01-01', notifiedOn: '2026-01-05', policeForce: 'Bench Police', policeReference: 'BENCH/1', circumstances: 'A fictional review for the benchmark.' } }] }));
  const imported = spawnSync(process.execPath, [dist('cli/index.js'), 'import', file, '--actor', 'bench@example.org'], {
    cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: urlOf(name), LOG_LEVEL: 'warn' }, encoding: 'utf8',
  });
  if (imported.status !== 0) throw new Error(`import: ${imported.stderr}`);
  const [{ id: reviewId }] = (await db.query(`SELECT id FROM reviews LIMIT 1`)).rows;

  // A policy whose send time is the next London minute at least 45 s away: every clock below,
  // due the next day, owes its "due in 1 day" reminder at that instant.
  const at = DateTime.now().setZone('Europe/London').plus({ seconds: 45 }).startOf('minute').plus({ minutes: 1 });
  const policy = JSON.parse(readFileSync(join(ROOT, 'config', 'reminder-policy.json'), 'utf8'));
  policy.sendAt = at.toFormat('HH:mm');
  const policyFile = join(work, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(policy));
  await db.query(
    `INSERT INTO deadlines (review_id, kind, subject_id, title, statutory, base_due_at, due_at, status, starts_at, due_set_at, concerns, created_at, updated_at)
     SELECT $1, 'imr_due', gen_random_uuid(), 'IMR from Agency ' || g, false, $2, $2, 'open', now() - interval '10 days', now() - interval '10 days',
            jsonb_build_array(jsonb_build_object('name', 'Author ' || g, 'email', 'author' || g || '@bench.example', 'role', 'owner')),
            now() - interval '10 days', now()
       FROM generate_series(1, $3) g`,
    [reviewId, at.plus({ days: 1 }).toJSDate(), N],
  );
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: urlOf(name), REDIS_URL: redis.url, QUEUE_PREFIX: prefix,
    SMTP_URL: smtpUrl, REMINDER_POLICY_FILE: policyFile, QUEUE_CONCURRENCY: String(CONCURRENCY), SMTP_POOL_SIZE: String(POOL),
    DATA_DIR: work, LOG_LEVEL: 'warn', REMINDER_DISPATCH_MS: process.env.REMINDER_DISPATCH_MS ?? '500',
  };
  for (let w = 0; w < WORKERS; w++) workers.push(spawn(process.execPath, [dist('worker.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }));
  const due = at.toMillis();
  const waitUntil = async (run, n, deadline) => {
    while (arrivals.filter((a) => a.run === run).length < n) {
      if (Date.now() > deadline) throw new Error(`${run}: ${arrivals.filter((a) => a.run === run).length} of ${n} arrived`);
      await sleep(100);
    }
  };
  await waitUntil('service', N, due + 1_800_000);
  const service = arrivals.filter((a) => a.run === 'service').map((a) => a.at - due);
  for (const w of workers) w.kill('SIGTERM');

  // The raw limit: BullMQ delayed jobs due at one instant, each one email over the same pool size.
  const connection = { url: redis.url, maxRetriesPerRequest: null };
  const rawPrefix = `${prefix}raw`;
  const queue = new Queue('raw', { connection, prefix: rawPrefix });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.server.address().port, secure: false, ignoreTLS: true, pool: true, maxConnections: POOL, maxMessages: 1000 });
  const rawDue = Date.now() + 10_000;
  const worker = new Worker('raw', async (job) => {
    await transport.sendMail({ from: 'bench@localhost', to: `r${job.data.i}@bench.example`, subject: 'Raw', text: 'Raw BullMQ plus SMTP.', headers: { 'X-Bench-Run': 'raw' } });
  }, { connection, prefix: rawPrefix, concurrency: CONCURRENCY });
  for (let i = 0; i < N; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ name: 'remind', data: { i: i + k }, opts: { delay: rawDue - Date.now(), removeOnComplete: true } })));
  }
  await waitUntil('raw', N, rawDue + 1_800_000);
  const raw = arrivals.filter((a) => a.run === 'raw').map((a) => a.at - rawDue);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  transport.close();

  const s = summary(service);
  const r = summary(raw);
  console.log(JSON.stringify({
    reminders: N,
    workers: WORKERS,
    concurrency: CONCURRENCY,
    smtpPool: POOL,
    lateness: {
      service: { seconds: s, what: 'compiled worker: plan in PostgreSQL, dispatch, claim, render, send, record' },
      raw: { seconds: r, what: 'BullMQ delayed jobs + one nodemailer send each, same pool and concurrency' },
    },
    ratioP50: Number((s.p50 / r.p50).toFixed(2)),
    ratioP99: Number((s.p99 / r.p99).toFixed(2)),
    cpus: cpus().length,
  }, null, 2));
} finally {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await db?.end().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
  smtp.close();
  await redis.stop?.();
  await postgres.stop?.();
}
