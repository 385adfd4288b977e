#!/usr/bin/env node
// How long the compiled worker takes, from its start, to plan N open deadlines that were never
// planned (as after an upgrade or a change to the reminder policy), printed beside the raw
// PostgreSQL limit measured in the same run on the same database: the same batches (1,000 rows
// locked FOR UPDATE SKIP LOCKED, then one UPDATE … FROM unnest of their new next reminder) with
// no reminder rules computed.
//
// Usage: npm run bench:replan -- [deadlines=100000]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
const { loadConfig } = require(dist('infrastructure/config/load-config.js'));
const { runMigrations } = require(dist('infrastructure/database/migrate.js'));
const { resolvePostgres } = require(dist('infrastructure/local-services/postgres.js'));
const { resolveRedis } = require(dist('infrastructure/local-services/redis.js'));
const { createRootLogger } = require(dist('infrastructure/logging/root-logger.js'));
const { loadReminderPolicy } = require(dist('deadlines/rules/reminder-policy.js'));
const { policyFingerprint } = require(dist('reminders/reminder-scheduler.js'));

const N = Number(process.argv[2] ?? 100000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const config = loadConfig({ ...process.env, DATA_DIR: process.env.BENCH_DATA_DIR ?? '.data/bench', LOG_LEVEL: 'warn' });
const logger = createRootLogger(config, 'bench');
const postgres = await resolvePostgres(config, logger, { mayStart: true });
const redis = await resolveRedis(config, logger, { mayStart: true });
const name = `dhr_bench_${randomBytes(4).toString('hex')}`;
const urlOf = (db) => Object.assign(new URL(postgres.url), { pathname: `/${db}` }).toString();
const admin = new Client({ connectionString: urlOf('postgres') });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const work = mkdtempSync(join(tmpdir(), 'dhr-bench-'));
let worker;
let db;
try {
  await runMigrations(urlOf(name));
  db = new Client({ connectionString: urlOf(name) });
  await db.connect();
  await db.query(`INSERT INTO csps (code, name) VALUES ('BENCH', 'Bench CSP')`);
  const [{ id: cspId }] = (await db.query(`SELECT id FROM csps`)).rows;
  // One review row is enough for the clocks to hang off; the worker reads only the deadlines.
  const [{ id: reviewId }] = (await db.query(
    `INSERT INTO reviews (csp_id, reference, status, snapshot, machine_version, version, created_by, date_of_death, notified_on, police_force, police_reference, circumstances)
     VALUES ($1, 'DHR-BENCH-1', 'notified', '{}'::jsonb, 1, 1, 'bench', '2026-01-01', '2026-01-05', 'Bench Police', 'BENCH/1', 'Benchmark.') RETURNING id`,
    [cspId],
  )).rows;
  // N open IMR clocks due over the next 90 days, never planned.
  await db.query(
    `INSERT INTO deadlines (review_id, kind, subject_id, title, statutory, base_due_at, due_at, status, starts_at, due_set_at, concerns, created_at, updated_at)
     SELECT $1, 'imr_due', gen_random_uuid(), 'IMR ' || g, false, now() + (g % 90) * interval '1 day', now() + (g % 90) * interval '1 day', 'open',
            now() - interval '10 days', now() - interval '10 days', '[]'::jsonb, now() - interval '10 days', now()
       FROM generate_series(1, $2) g`,
    [reviewId, N],
  );
  // And one deadline already planned with the current policy whose reminder is owed now: the
  // dispatcher should hand it over at once, not after the planning of the rest.
  const [{ id: owedId }] = (await db.query(
    `INSERT INTO deadlines (review_id, kind, subject_id, title, statutory, base_due_at, due_at, status, starts_at, due_set_at, concerns, created_at, updated_at,
                            next_reminder_at, next_reminder_slot, reminder_plan)
     VALUES ($1, 'imr_due', gen_random_uuid(), 'Owed now', false, now() + interval '1 day', now() + interval '1 day', 'open',
             now() - interval '10 days', now() - interval '10 days', '[]'::jsonb, now() - interval '10 days', now(),
             now() - interval '1 second', 'before-1d', $2) RETURNING id`,
    [reviewId, policyFingerprint(loadReminderPolicy())],
  )).rows;
  await db.query('ANALYZE deadlines');
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: urlOf(name), REDIS_URL: redis.url, QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    SMTP_URL: 'smtp://127.0.0.1:1', DATA_DIR: work, LOG_LEVEL: 'warn',
  };
  const t0 = Date.now();
  worker = spawn(process.execPath, [dist('worker.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  let owedHandedAfter = null;
  for (;;) {
    const [{ n, handed }] = (await db.query(
      `SELECT (SELECT count(*)::int FROM deadlines WHERE reminder_plan IS NULL AND status = 'open') AS n,
              (SELECT reminder_dispatched_at IS NOT NULL OR next_reminder_slot IS DISTINCT FROM 'before-1d' FROM deadlines WHERE id = $1) AS handed`,
      [owedId],
    )).rows;
    if (handed && owedHandedAfter === null) owedHandedAfter = (Date.now() - t0) / 1000;
    if (n === 0) break;
    if (Date.now() - t0 > 1_800_000) throw new Error(`${n} still unplanned after 30 minutes`);
    await sleep(200);
  }
  const serviceSeconds = (Date.now() - t0) / 1000;
  worker.kill('SIGTERM');

  // The raw limit: the same batches and writes, no rules.
  await db.query(`UPDATE deadlines SET reminder_plan = NULL, next_reminder_at = NULL, next_reminder_slot = NULL WHERE id <> $1`, [owedId]);
  const t1 = Date.now();
  for (;;) {
    await db.query('BEGIN');
    const { rows } = await db.query(
      `SELECT id, due_at FROM deadlines WHERE status = 'open' AND reminder_plan IS NULL ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED`,
    );
    if (rows.length > 0) {
      await db.query(
        `UPDATE deadlines AS d SET next_reminder_at = v.at, next_reminder_slot = v.slot, reminder_seq = d.reminder_seq + 1, reminder_plan = 'raw',
                reminder_dispatched_at = NULL, reminder_handed_at = NULL
           FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::timestamptz[]) AS at, unnest($3::text[]) AS slot) AS v WHERE d.id = v.id`,
        [rows.map((r) => r.id), rows.map((r) => new Date(r.due_at.getTime() - 14 * 86_400_000)), rows.map(() => 'before-14d')],
      );
    }
    await db.query('COMMIT');
    if (rows.length < 1000) break;
  }
  const rawSeconds = (Date.now() - t1) / 1000;
  console.log(JSON.stringify({
    deadlines: N,
    service: { seconds: Number(serviceSeconds.toFixed(1)), what: 'compiled worker started to every open deadline planned (process start included)' },
    owedReminderHandedOver: { seconds: owedHandedAfter, what: 'a reminder already owed, handed to BullMQ (or already dealt with) this long after the worker started; null: not before the planning ended' },
    raw: { seconds: Number(rawSeconds.toFixed(1)), what: 'the same batches of row locks and UPDATE … FROM unnest, no rules' },
    ratio: Number((serviceSeconds / rawSeconds).toFixed(1)),
    cpus: cpus().length,
  }, null, 2));
} finally {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await db?.end().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
  await redis.stop?.();
  await postgres.stop?.();
}
