#!/usr/bin/env node
// Imports N reviews with full histories (notification to publication and the action plan: about
// 45 steps each) through the compiled command line, `npm run cli -- import`, into a fresh
// database, and prints the time beside the raw PostgreSQL limit measured in the same run: the
// minimum work of one lifecycle transition (../shared/limits/pg-transition.sql: lock the
// review, update its snapshot, insert a history row and an outbox row), done once for every
// history entry the import wrote, from as many clients as the import has reviews in flight
// (CONCURRENCY, default 4, the command line's default).
//
// Usage: npm run bench:import -- [reviews=1000]   (or npm run build && node test/bench/import-benchmark.mjs N)
// PostgreSQL is found as the service finds it (DATABASE_URL, else 127.0.0.1:5432, else embedded).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const dist = (p) => join(ROOT, 'dist', 'src', p);
if (!existsSync(dist('cli/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Client } = require('pg');
const { loadConfig } = require(dist('infrastructure/config/load-config.js'));
const { runMigrations } = require(dist('infrastructure/database/migrate.js'));
const { resolvePostgres } = require(dist('infrastructure/local-services/postgres.js'));
const { createRootLogger } = require(dist('infrastructure/logging/root-logger.js'));

const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1').toString('base64');

/** YYYY-MM-DD, `days` after `start`. */
const day = (start, days) => new Date(Date.parse(`${start}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** One review's whole story, from the police notification to the action plan, on real dates. */
function review(i) {
  const n = `${2016 + (i % 8)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`;
  const d = (k) => day(n, k);
  const ev = (fields) => ({ step: 'event', ...fields });
  const agencies = ['Bench Police', 'Bench Health', 'Bench Council'];
  const steps = [
    { step: 'person', role: 'victim', pseudonym: 'Adult A', realName: `Victim ${i}`, age: 30 + (i % 50) },
    { step: 'person', role: 'perpetrator', pseudonym: 'Adult B', realName: `Perpetrator ${i}`, legalStatus: 'convicted' },
    ev({ type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: d(14) }),
    ev({ type: 'NOTIFY_HOME_OFFICE', sentAt: d(16) }),
    { step: 'appointment', role: 'chair', name: `Chair ${i % 20}`, organisation: 'Independent', appointedOn: d(25), independenceStatement: 'No involvement.' },
    ...agencies.map((agency, k) => ({ step: 'panelMember', agency, name: `Rep ${k}`, role: 'Senior representative', joinedOn: d(27), noDirectCaseManagementDeclared: true })),
    ev({ type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: d(40) }),
    ...agencies.flatMap((agency, k) => [
      { step: 'imr', ref: `imr${k}`, agency, kind: 'imr', authorName: `Author ${k}`, requestedOn: d(42), dueOn: d(100) },
      ...(k === 1 ? [{ step: 'imrExtended', imr: `imr${k}`, newDueOn: d(130), reason: 'Records held elsewhere', grantedOn: d(95) }] : []),
      { step: 'imrReceived', imr: `imr${k}`, receivedOn: d(98 + k * 10) },
      { step: 'imrQualityChecked', imr: `imr${k}`, checkedOn: d(120 + k * 5) },
      { step: 'imrSignedOff', imr: `imr${k}`, signedOffBy: 'Head of Safeguarding', signedOffOn: d(135 + k) },
    ]),
    { step: 'meeting', ref: 'm1', startsAt: `${d(140)}T10:00:00Z`, location: 'Council Offices', agenda: 'Consider the IMRs' },
    { step: 'meetingHeld', meeting: 'm1', minutes: 'IMRs considered.', decisions: 'Draft the report.', imrs: ['imr0', 'imr1', 'imr2'] },
    { step: 'recommendation', ref: 'r1', text: 'Share risk information at MARAC.', level: 'multi_agency', addressee: 'Bench CSP', agreed: true },
    { step: 'recommendation', ref: 'r2', text: 'Ask about domestic abuse at injury consultations.', level: 'single_agency', addressee: 'Bench Health', agreed: true },
    { step: 'action', ref: 'a1', recommendation: 'r1', description: 'Refresh the protocol.', owner: 'Bench CSP', targetDate: d(400) },
    { step: 'action', ref: 'a2', recommendation: 'r2', description: 'Update the template.', owner: 'Bench Health', targetDate: d(400) },
    ev({ type: 'BEGIN_DRAFTING', occurredAt: d(145) }),
    { step: 'document', kind: 'overview_report', title: 'Overview report', filename: 'overview.pdf', mimeType: 'application/pdf', contentBase64: PDF },
    { step: 'document', kind: 'executive_summary', title: 'Executive summary', filename: 'summary.pdf', mimeType: 'application/pdf', contentBase64: PDF },
    { step: 'family', kind: 'draft_offered', occurredOn: d(170) },
    ev({ type: 'AGREE_REPORT', occurredAt: d(180) }),
    ev({ type: 'RAG_APPROVE', approvedAt: d(200), comments: 'Approved.' }),
    ev({ type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: d(205) }),
    ev({ type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: d(280) }),
    { step: 'publication', pseudonyms: ['Adult A', 'Adult B'], redactionLog: 'Names and addresses replaced.' },
    { step: 'anonymisationConfirmed', confirmedBy: 'Community Safety Manager' },
    { step: 'family', kind: 'told_of_publication', occurredOn: d(290) },
    ev({ type: 'PUBLISH', publishedAt: d(300), url: `https://example.org/dhr/${i}` }),
    { step: 'actionCompleted', action: 'a1', completedOn: d(350), evidence: 'Protocol v2 published.' },
  ];
  return {
    key: `bench-${i}`,
    csp: 'BENCH',
    notification: { dateOfDeath: d(-3), notifiedOn: n, policeForce: 'Bench Police', policeReference: `BENCH/${i}`, circumstances: 'A fictional review for the benchmark.' },
    steps,
  };
}

const config = loadConfig({ ...process.env, DATA_DIR: process.env.BENCH_DATA_DIR ?? '.data/bench', LOG_LEVEL: 'warn' });
const postgres = await resolvePostgres(config, createRootLogger(config, 'bench'), { mayStart: true });
const name = `dhr_bench_${randomBytes(4).toString('hex')}`;
const server = new URL(postgres.url);
const urlOf = (db) => Object.assign(new URL(server), { pathname: `/${db}` }).toString();
const admin = new Client({ connectionString: urlOf('postgres') });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const work = mkdtempSync(join(tmpdir(), 'dhr-bench-'));
let db;
try {
  await runMigrations(urlOf(name));
  db = new Client({ connectionString: urlOf(name) });
  db.on('error', () => undefined);
  await db.connect();
  await db.query(`INSERT INTO csps (code, name) VALUES ('BENCH', 'Bench CSP')`);
  const file = join(work, 'reviews.json');
  writeFileSync(file, JSON.stringify({
    format: 'dhr-import/1',
    agencies: [{ name: 'Bench Police', kind: 'police' }, { name: 'Bench Health', kind: 'health' }, { name: 'Bench Council', kind: 'local_authority' }],
    reviews: Array.from({ length: N }, (_, i) => review(i)),
  }));

  const t0 = process.hrtime.bigint();
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const run = spawnSync(process.execPath, [...nodeArgs, dist('cli/index.js'), 'import', file, '--actor', 'bench@example.org', '--concurrency', String(CONCURRENCY)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: urlOf(name), LOG_LEVEL: 'warn' },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const importSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (run.status !== 0) {
    console.error(run.stderr || run.stdout.slice(0, 4000));
    throw new Error(`import exited ${run.status}`);
  }
  if (process.env.BENCH_SHOW_STDERR) process.stderr.write(run.stderr);
  const report = JSON.parse(run.stdout);
  if (report.created !== N) throw new Error(`expected ${N} created, the report says ${report.created}`);
  const stages = report.reviews.reduce((m, r) => ((m[r.stage] = (m[r.stage] ?? 0) + 1), m), {});
  const [{ entries }] = (await db.query(`SELECT count(*)::int AS entries FROM review_events`)).rows;

  // The raw limit, same database server, same run: one minimal transition per history entry.
  await db.query(`CREATE TABLE lim_reviews (id int PRIMARY KEY, status text NOT NULL, snapshot jsonb NOT NULL, version int NOT NULL);
    CREATE TABLE lim_events (id bigserial PRIMARY KEY, review_id int NOT NULL REFERENCES lim_reviews(id), type text NOT NULL,
      payload jsonb NOT NULL, actor text NOT NULL, at timestamptz NOT NULL DEFAULT now(), from_status text, to_status text);
    CREATE INDEX ON lim_events (review_id, id);
    CREATE TABLE lim_outbox (id bigserial PRIMARY KEY, topic text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz);
    INSERT INTO lim_reviews SELECT g, 'drafting', '{"value":"drafting","context":{"n":0}}'::jsonb, 0 FROM generate_series(1, ${N}) g;`);
  const clients = await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    const c = new Client({ connectionString: urlOf(name) });
    await c.connect();
    return c;
  }));
  let k = 0;
  const t1 = process.hrtime.bigint();
  await Promise.all(clients.map(async (c) => {
    while (k < entries) {
      const id = 1 + (k++ % N);
      await c.query('BEGIN');
      await c.query('SELECT version FROM lim_reviews WHERE id = $1 FOR UPDATE', [id]);
      await c.query(`UPDATE lim_reviews SET snapshot = jsonb_set(snapshot, '{context,n}', to_jsonb(version + 1)), status = 'drafting', version = version + 1 WHERE id = $1`, [id]);
      await c.query(`INSERT INTO lim_events (review_id, type, payload, actor, from_status, to_status) VALUES ($1, 'RECORD_IMR_RECEIPT', '{"imr":"x"}', 'bench', 'drafting', 'drafting')`, [id]);
      await c.query(`INSERT INTO lim_outbox (topic, payload) VALUES ('reminders.reschedule', '{"deadline":"x"}')`);
      await c.query('COMMIT');
    }
  }));
  const rawSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  await Promise.all(clients.map((c) => c.end()));
  console.log(JSON.stringify({
    reviews: N,
    stepsPerReview: review(0).steps.length,
    historyEntries: entries,
    stages,
    importSeconds: Number(importSeconds.toFixed(1)),
    msPerReview: Number(((importSeconds * 1000) / N).toFixed(1)),
    concurrency: CONCURRENCY,
    rawLimit: { transitions: entries, seconds: Number(rawSeconds.toFixed(1)), what: `lock + snapshot update + history row + outbox row, ${CONCURRENCY} clients` },
    ratio: Number((importSeconds / rawSeconds).toFixed(1)),
    cpus: (await import('node:os')).cpus().length,
  }, null, 2));
} finally {
  await db?.end().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
  await postgres.stop?.();
}
