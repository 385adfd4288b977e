#!/usr/bin/env node
// The partnership's reports at N reviews (issue 15): the oversight page, the committee progress
// report and the recommendations register (each recommendation given a theme of the taxonomy): imports TEMPLATES reviews with real
// histories through the compiled command line (each cut off at a different step, so they sit at
// every stage, some on hold), copies them in SQL until there are N (each copy with its history,
// statutory clocks, IMRs, recommendations and actions), starts the compiled API, and times the
// page as a CSP lead (a real API token, so the policy narrows the SQL as it does for a person),
// printing p50/p99 beside the raw limit measured in the same run: the same four reads the page
// makes (each review as at the day, overdue clocks and completion targets, IMR lateness by
// agency, recommendations and actions by state) done straight against PostgreSQL with no
// figures, no rendering and no HTTP. The oversight figures cover the period from the first
// notification, so every generated review's events are in them.
//
// Usage: npm run bench:oversight -- [reviews=1000] [requests=30]  (npm run bench:register is the same run)
// PostgreSQL and Redis are found as the service finds them (DATABASE_URL / REDIS_URL, else the
// local ports, else embedded PostgreSQL and a redis-server from PATH).
import { cpus } from 'node:os';
import pg from 'pg';
import { generateReviews } from './generate.mjs';
import { dist, quantiles, require, startBench } from './harness.mjs';

const { oversightReadsSql } = require(dist('reports/oversight/oversight.service.js'));

const N = Number(process.argv[2] ?? 1000);
const REQUESTS = Number(process.argv[3] ?? 30);
const TEMPLATES = Math.min(N, Number(process.env.TEMPLATES ?? 60));

const bench = await startBench();
const { db } = bench;
try {
  const { importSeconds, copySeconds } = await generateReviews(bench, N, TEMPLATES);
  const [{ reviews }] = (await db.query(`SELECT count(*)::int AS reviews FROM reviews`)).rows;
  const stages = Object.fromEntries((await db.query(`SELECT status, count(*)::int AS n FROM reviews GROUP BY status ORDER BY status`)).rows.map((r) => [r.status, r.n]));

  // A CSP lead with an API token.
  const token = bench.userWithToken('lead@bench.example', 'csp_lead', '--csp', 'BENCH');
  const { base } = await bench.startApi();
  const time = async (path, accept) => {
    const s = process.hrtime.bigint();
    const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 500)}`);
    return process.hrtime.bigint() - s;
  };
  // A request that fails is reported in the figures (its error), not the end of the run.
  const measure = async (path, accept) => {
    try {
      for (let i = 0; i < 3; i++) await time(path, accept);
      const t = [];
      for (let i = 0; i < REQUESTS; i++) t.push(await time(path, accept));
      return quantiles(t);
    } catch (error) {
      return { p50: null, p99: null, error: String(error.message ?? error).slice(0, 300) };
    }
  };
  // The period from the first notification, so that every review's stages, decisions, IMRs and
  // submissions are in the figures (the page's default, the last twelve months, holds none of
  // the generated reviews' events).
  const [{ first }] = (await db.query(`SELECT to_char(min(notified_on), 'YYYY-MM-DD') AS first FROM reviews`)).rows;
  const page = await measure(`/oversight?csp=BENCH&from=${first}`, 'text/html');
  const json = await measure(`/reports/oversight?csp=BENCH&from=${first}`, 'application/json');
  // As at a past day (recommendations and actions dated from the review's history).
  const pastDay = new Date(Date.parse(`${first}T00:00:00Z`) + (Date.now() - Date.parse(`${first}T00:00:00Z`)) / 2).toISOString().slice(0, 10);
  const pagePast = await measure(`/oversight?csp=BENCH&from=${first}&asAt=${pastDay}`, 'text/html');
  // The committee progress report of the same reviews, as at today (each review rebuilt from its history).
  // The page shows 50 reviews at a time (each rebuilt); the JSON the same page; the whole report (every review rebuilt).
  const committeePage = await measure('/committee-report?csp=BENCH', 'text/html');
  const committeeJson = await measure('/reports/committee?csp=BENCH&page=1', 'application/json');
  // The whole report holds at most REPORT_MAX_REVIEWS (the API here has the default, 1,000): measured up to that.
  const committeeWhole = N <= 1000 ? await measure('/reports/committee?csp=BENCH', 'application/json') : null;
  // The recommendations register: its page, JSON, a full-text search and the CSV of every row.
  const register = {
    page: await measure('/register?csp=BENCH', 'text/html'),
    api: await measure('/reports/register?csp=BENCH', 'application/json'),
    search: await measure('/reports/register?csp=BENCH&q=protocol%20-nothing&status=open', 'application/json'),
    csv: await measure('/reports/register?csp=BENCH&format=csv', 'text/csv'),
  };

  // The raw limit: the page's four reads (the service's own SQL), straight to PostgreSQL, no
  // figures: each review as at the day, the overdue clocks and completion targets, IMR lateness
  // by agency, recommendations and actions by state.
  const raw = [];
  // The page makes its four reads on four connections at once; so does the raw limit.
  const pool = new pg.Pool({ connectionString: bench.url, max: 4 });
  const today = new Date().toISOString().slice(0, 10);
  // Each read with the parameters it names: the day, and the period's start for the IMRs.
  const rawClient = (q) => pool.query(q, q.includes('$2') ? [today, first] : [today]);
  // Over the BENCH reviews as at today, for the same period as the page's.
  const sql = oversightReadsSql(`r.csp_id = (SELECT id FROM csps WHERE code = 'BENCH') AND r.notified_on <= $1::date`, {
    asAt: '$1::date',
    from: '$2::date',
    to: '$1::date',
    currentVersion: 'r.machine_version',
    past: false,
  });
  const reads = [sql.reviews, sql.clocks, sql.imrs, sql.states];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const s = process.hrtime.bigint();
    // As the page: the four reads side by side.
    await Promise.all(reads.map((q) => rawClient(q)));
    if (i >= 3) raw.push(process.hrtime.bigint() - s);
  }
  await pool.end();
  const rawFig = quantiles(raw);
  // The committee report's raw limit: the count, the page's 50 reviews, their whole histories, people, chairs, meetings and IMRs, no rebuilding.
  const committeeCount = `SELECT count(*) FROM reviews r JOIN csps c ON c.id = r.csp_id WHERE c.code = 'BENCH' AND r.notified_on <= current_date`;
  const committeePageRead = `SELECT r.id, r.reference, r.notified_on, r.snapshot, r.machine_version FROM reviews r JOIN csps c ON c.id = r.csp_id
    WHERE c.code = 'BENCH' AND r.notified_on <= current_date ORDER BY r.notified_on, r.reference, r.id LIMIT 50`;
  const committeeReads = [
    `SELECT review_id, sequence, type, payload, occurred_at FROM review_events WHERE review_id = ANY($1::uuid[]) ORDER BY review_id, sequence`,
    `SELECT review_id, role, pseudonym, real_name FROM people WHERE review_id = ANY($1::uuid[])`,
    `SELECT review_id, appointed_on FROM appointments WHERE review_id = ANY($1::uuid[]) AND role = 'chair'`,
    `SELECT review_id, id, starts_at, status FROM panel_meetings WHERE review_id = ANY($1::uuid[])`,
    `SELECT i.review_id, a.name, i.requested_on, i.due_on, i.received_on FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = ANY($1::uuid[])`,
  ];
  const rawCommittee = [];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const s = process.hrtime.bigint();
    await db.query(committeeCount);
    const ids = (await db.query(committeePageRead)).rows.map((r) => r.id);
    for (const q of committeeReads) await db.query(q, [ids]);
    if (i >= 3) rawCommittee.push(process.hrtime.bigint() - s);
  }
  const rawCommitteeFig = quantiles(rawCommittee);
  // The register's raw limit: its count and first page, straight to PostgreSQL, one client.
  const from = `FROM recommendations x JOIN reviews r ON r.id = x.review_id JOIN csps c ON c.id = r.csp_id
    LEFT JOIN actions a ON a.review_id = x.review_id AND a.recommendation_id = x.id
    WHERE c.code = 'BENCH' AND x.status <> 'withdrawn'`;
  const registerReads = [
    `SELECT count(*) ${from}`,
    `SELECT c.code, r.id, r.reference, x.number, x.text, x.level, x.addressee, x.addressee_kind, x.theme, x.status, a.description, a.owner, a.target_date, a.completed_on, a.status
       ${from} ORDER BY c.code, r.reference, x.number, a.created_at NULLS FIRST, a.id LIMIT 50`,
  ];
  const rawRegister = [];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const s = process.hrtime.bigint();
    for (const q of registerReads) await db.query(q);
    if (i >= 3) rawRegister.push(process.hrtime.bigint() - s);
  }
  const rawRegisterFig = quantiles(rawRegister);
  const [{ rows: registerRows }] = (await db.query(`SELECT count(*)::int AS rows ${from}`)).rows;
  console.log(JSON.stringify({
    reviews,
    stages,
    setup: { importedTemplates: TEMPLATES, importSeconds, copySeconds },
    requests: REQUESTS,
    page: { ...page, what: 'GET /oversight as a CSP lead (HTML, charts and tables), ms' },
    api: { ...json, what: 'GET /reports/oversight (JSON, every row of every table), ms' },
    pagePast: { ...pagePast, asAt: pastDay, what: 'GET /oversight as at a past day, ms' },
    period: { from: first, to: 'today' },
    rawLimit: { ...rawFig, what: 'the same four reads straight to PostgreSQL (on four connections at once, as the page), ms' },
    ratio: { p50: Number((page.p50 / rawFig.p50).toFixed(1)), p99: Number((page.p99 / rawFig.p99).toFixed(1)) },
    committee: {
      page: { ...committeePage, what: 'GET /committee-report as a CSP lead (HTML, the first 50 reviews), ms' },
      api: { ...committeeJson, what: 'GET /reports/committee?page=1 (JSON, the first 50 reviews), ms' },
      whole: committeeWhole ? { ...committeeWhole, what: 'GET /reports/committee (JSON, every review rebuilt; measured up to REPORT_MAX_REVIEWS, 1,000), ms' } : null,
      rawLimit: { ...rawCommitteeFig, what: 'its reads straight to PostgreSQL (the count, the 50 reviews, their histories, people, chairs, meetings, IMRs), ms' },
      ratio: { p50: Number((committeePage.p50 / rawCommitteeFig.p50).toFixed(1)), p99: Number((committeePage.p99 / rawCommitteeFig.p99).toFixed(1)) },
    },
    register: {
      rows: registerRows,
      page: { ...register.page, what: 'GET /register as a CSP lead (HTML, first 50 rows), ms' },
      api: { ...register.api, what: 'GET /reports/register (JSON, first 50 rows), ms' },
      search: { ...register.search, what: 'GET /reports/register?q=protocol -nothing&status=open (full text), ms' },
      csv: { ...register.csv, what: 'GET /reports/register?format=csv (every row), ms' },
      rawLimit: { ...rawRegisterFig, what: 'the count and the first page straight to PostgreSQL (one client), ms' },
      ratio: { p50: Number((register.page.p50 / rawRegisterFig.p50).toFixed(1)), p99: Number((register.page.p99 / rawRegisterFig.p99).toFixed(1)) },
    },
    cpus: cpus().length,
  }, null, 2));
} finally {
  await bench.done();
}
