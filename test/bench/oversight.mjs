#!/usr/bin/env node
// The partnership's reports at N reviews (issue 15): the oversight page, the committee progress
// report and the recommendations register (each recommendation given a theme of the taxonomy): imports TEMPLATES reviews with real
// histories through the compiled command line (each cut off at a different step, so they sit at
// every stage, some on hold), copies them in SQL until there are N (each copy with its history,
// statutory clocks, IMRs, recommendations and actions), starts the compiled API, and times the
// page as a CSP lead (a real API token, so the policy narrows the SQL as it does for a person),
// printing p50/p99 beside the raw limit measured in the same run: the same five reads the page
// makes (reviews with their snapshots, clocks, IMRs, recommendations, actions) done straight
// against PostgreSQL with no figures, no rendering and no HTTP.
//
// Usage: npm run bench:oversight -- [reviews=1000] [requests=30]  (npm run bench:register is the same run)
// PostgreSQL and Redis are found as the service finds them (DATABASE_URL / REDIS_URL, else the
// local ports, else embedded PostgreSQL and a redis-server from PATH).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { quantiles, startBench } from './harness.mjs';

const N = Number(process.argv[2] ?? 1000);
const REQUESTS = Number(process.argv[3] ?? 30);
const TEMPLATES = Math.min(N, Number(process.env.TEMPLATES ?? 60));
const day = (start, days) => new Date(Date.parse(`${start}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A review's story cut off after `cut` steps (so the templates sit at every stage); every fourth held. */
function review(i) {
  const n = `${2016 + (i % 8)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`;
  const d = (k) => day(n, k);
  const ev = (fields) => ({ step: 'event', ...fields });
  const agencies = ['Bench Police', 'Bench Health', 'Bench Council'];
  const steps = [
    { step: 'person', role: 'victim', pseudonym: 'Adult A', realName: `Victim ${i}` },
    ev({ type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: d(14 + (i % 30)) }),
    ev({ type: 'NOTIFY_HOME_OFFICE', sentAt: d(50) }),
    { step: 'appointment', role: 'chair', name: `Chair ${i % 20}`, organisation: 'Independent', appointedOn: d(55), independenceStatement: 'No involvement.' },
    ...agencies.map((agency, k) => ({ step: 'panelMember', agency, name: `Rep ${k}`, role: 'Senior representative', joinedOn: d(56), noDirectCaseManagementDeclared: true })),
    ev({ type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: d(60) }),
    ...(i % 4 === 0 ? [ev({ type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial pending', occurredAt: d(61), expectedEnd: d(150) }), ev({ type: 'RESUME', note: 'Trial ended', occurredAt: d(61 + (i % 90)) })] : []),
    ...agencies.flatMap((agency, k) => [
      { step: 'imr', ref: `imr${k}`, agency, kind: 'imr', authorName: `Author ${k}`, requestedOn: d(62), dueOn: d(100) },
      { step: 'imrReceived', imr: `imr${k}`, receivedOn: d(90 + ((i + k * 7) % 30)) },
    ]),
    { step: 'meeting', ref: 'm1', startsAt: `${d(160)}T10:00:00Z`, location: 'Council Offices', agenda: 'Consider the IMRs' },
    { step: 'meetingHeld', meeting: 'm1', minutes: 'IMRs considered.', decisions: 'Draft the report.', imrs: ['imr0', 'imr1', 'imr2'] },
    { step: 'recommendation', ref: 'r1', text: 'Share risk information at MARAC.', level: 'multi_agency', addressee: 'Bench CSP', agreed: true },
    { step: 'action', ref: 'a1', recommendation: 'r1', description: 'Refresh the protocol.', owner: 'Bench CSP', targetDate: d(400) },
    ev({ type: 'BEGIN_DRAFTING', occurredAt: d(165) }),
    { step: 'document', kind: 'overview_report', title: 'Overview report', filename: 'overview.pdf', mimeType: 'application/pdf', contentBase64: PDF },
    { step: 'document', kind: 'executive_summary', title: 'Executive summary', filename: 'summary.pdf', mimeType: 'application/pdf', contentBase64: PDF },
    { step: 'family', kind: 'draft_offered', occurredOn: d(170) },
    ev({ type: 'AGREE_REPORT', occurredAt: d(180) }),
    ev({ type: 'RAG_APPROVE', approvedAt: d(200), comments: 'Approved.' }),
    ev({ type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: d(205 + (i % 60)) }),
  ];
  const cut = Math.max(1, steps.length - (i % 7) * 4);
  return {
    key: `bench-${i}`,
    csp: 'BENCH',
    notification: { dateOfDeath: d(-3), notifiedOn: n, policeForce: 'Bench Police', policeReference: `BENCH/${i}`, circumstances: 'A fictional review for the benchmark.' },
    steps: steps.slice(0, cut),
  };
}
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1').toString('base64');

const bench = await startBench();
const { db, work } = bench;
try {
  const file = join(work, 'reviews.json');
  writeFileSync(file, JSON.stringify({
    format: 'dhr-import/1',
    agencies: [{ name: 'Bench Police', kind: 'police' }, { name: 'Bench Health', kind: 'health' }, { name: 'Bench Council', kind: 'local_authority' }],
    reviews: Array.from({ length: TEMPLATES }, (_, i) => review(i)),
  }));
  const t0 = Date.now();
  bench.cli('import', file, '--actor', 'bench@example.org');
  const importSeconds = (Date.now() - t0) / 1000;

  // Copies of the templates until there are N reviews: each copy's rows get new ids (and its
  // actions their copied recommendation), its history its own sequence of rows.
  const t1 = Date.now();
  const copies = Math.ceil(N / TEMPLATES) - 1;
  if (copies > 0) {
    await db.query(`CREATE TEMP TABLE map AS
      SELECT r.id AS old_id, gen_random_uuid() AS new_id, c AS copy FROM reviews r CROSS JOIN generate_series(1, ${copies}) c`);
    await db.query(`DELETE FROM map WHERE (copy, old_id) IN (SELECT copy, old_id FROM (SELECT copy, old_id, row_number() OVER (ORDER BY copy, old_id) AS rn FROM map) z
      WHERE rn > ${N} - (SELECT count(*) FROM reviews))`);
    const copyTable = async (table, extra = '') => {
      await db.query(`CREATE TEMP TABLE t AS SELECT x.*, m.new_id AS m_new, m.copy AS m_copy FROM ${table} x JOIN map m ON m.old_id = x.${table === 'reviews' ? 'id' : 'review_id'}`);
      if (table === 'reviews') await db.query(`UPDATE t SET id = m_new, reference = reference || '-C' || m_copy`);
      else await db.query(`UPDATE t SET review_id = m_new ${extra}`);
      await db.query(`ALTER TABLE t DROP COLUMN m_new, DROP COLUMN m_copy`);
      await db.query(`INSERT INTO ${table} SELECT * FROM t`);
      await db.query(`DROP TABLE t`);
    };
    await copyTable('reviews');
    await copyTable('review_events', `, id = nextval(pg_get_serial_sequence('review_events', 'id'))`);
    await copyTable('deadlines', ', id = gen_random_uuid()');
    await copyTable('imrs', ', id = gen_random_uuid()');
    await db.query(`CREATE TEMP TABLE recmap AS SELECT x.id AS old_id, gen_random_uuid() AS new_id, m.new_id AS review_new FROM recommendations x JOIN map m ON m.old_id = x.review_id`);
    const rcols = (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'recommendations' AND table_schema = current_schema() ORDER BY ordinal_position`)).rows.map((r) => r.column_name);
    const rsel = rcols.map((c) => (c === 'id' ? 'rm.new_id' : c === 'review_id' ? 'rm.review_new' : `x."${c}"`)).join(', ');
    await db.query(`INSERT INTO recommendations SELECT ${rsel} FROM recommendations x JOIN recmap rm ON rm.old_id = x.id`);
    const acols = (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'actions' AND table_schema = current_schema() ORDER BY ordinal_position`)).rows.map((r) => r.column_name);
    const asel = acols.map((c) => (c === 'id' ? 'gen_random_uuid()' : c === 'review_id' ? 'rm.review_new' : c === 'recommendation_id' ? 'rm.new_id' : `x."${c}"`)).join(', ');
    await db.query(`INSERT INTO actions SELECT ${asel} FROM actions x JOIN recmap rm ON rm.old_id = x.recommendation_id`);
  }
  // Each recommendation a theme of the taxonomy and a kind of addressee, as the register expects.
  await db.query(`UPDATE recommendations SET theme = (ARRAY['technology_systems', 'risk_identification', 'training', 'policy', 'multi_agency_working', 'record_keeping', 'awareness_raising'])[1 + abs(hashtext(id::text)) % 7],
                  addressee_kind = 'partnership'`);
  await db.query('ANALYZE');
  const copySeconds = (Date.now() - t1) / 1000;
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
  const measure = async (path, accept) => {
    for (let i = 0; i < 3; i++) await time(path, accept);
    const t = [];
    for (let i = 0; i < REQUESTS; i++) t.push(await time(path, accept));
    return quantiles(t);
  };
  const page = await measure('/oversight?csp=BENCH', 'text/html');
  const json = await measure('/reports/oversight?csp=BENCH', 'application/json');
  // The committee progress report of the same reviews, as at today (each review rebuilt from its history).
  const committeePage = await measure('/committee-report?csp=BENCH', 'text/html');
  const committeeJson = await measure('/reports/committee?csp=BENCH', 'application/json');
  // The recommendations register: its page, JSON, a full-text search and the CSV of every row.
  const register = {
    page: await measure('/register?csp=BENCH', 'text/html'),
    api: await measure('/reports/register?csp=BENCH', 'application/json'),
    search: await measure('/reports/register?csp=BENCH&q=protocol%20-nothing&status=open', 'application/json'),
    csv: await measure('/reports/register?csp=BENCH&format=csv', 'text/csv'),
  };

  // The raw limit: the page's five reads, straight to PostgreSQL, one client, no figures.
  const raw = [];
  const reads = [
    `SELECT r.id, r.reference, r.notified_on, r.snapshot, r.machine_version FROM reviews r JOIN csps c ON c.id = r.csp_id WHERE c.code = 'BENCH' AND r.notified_on <= current_date`,
    `SELECT review_id, kind, due_at, starts_at, closed_at, status FROM deadlines WHERE statutory AND review_id = ANY($1::uuid[])`,
    `SELECT i.review_id, a.name, i.due_on, i.received_on, i.requested_on FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = ANY($1::uuid[])`,
    `SELECT review_id, id, created_at, status FROM recommendations WHERE review_id = ANY($1::uuid[])`,
    `SELECT review_id, recommendation_id, created_at, target_date, completed_on FROM actions WHERE review_id = ANY($1::uuid[])`,
  ];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const s = process.hrtime.bigint();
    const ids = (await db.query(reads[0])).rows.map((r) => r.id);
    for (const q of reads.slice(1)) await db.query(q, [ids]);
    if (i >= 3) raw.push(process.hrtime.bigint() - s);
  }
  const rawFig = quantiles(raw);
  // The committee report's raw limit: the reviews, their whole histories, people, chairs, meetings and IMRs, no rebuilding.
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
    const ids = (await db.query(reads[0])).rows.map((r) => r.id);
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
    api: { ...json, what: 'GET /reports/oversight (JSON), ms' },
    rawLimit: { ...rawFig, what: 'the same five reads straight to PostgreSQL (one client), ms' },
    ratio: { p50: Number((page.p50 / rawFig.p50).toFixed(1)), p99: Number((page.p99 / rawFig.p99).toFixed(1)) },
    committee: {
      page: { ...committeePage, what: 'GET /committee-report as a CSP lead (HTML), ms' },
      api: { ...committeeJson, what: 'GET /reports/committee (JSON), ms' },
      rawLimit: { ...rawCommitteeFig, what: 'its reads straight to PostgreSQL (reviews, histories, people, chairs, meetings, IMRs), ms' },
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
