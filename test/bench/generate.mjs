// N reviews for the benchmarks of the pages that grow with the installation: TEMPLATES reviews
// with real histories imported through the compiled command line (each cut off at a different
// step, so they sit at every stage, some on hold), copied in SQL until there are N (each copy
// with its history, statutory clocks, IMRs, recommendations and actions, a reference of its own).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** `n` reviews in the bench's database (see above); how long the import and the copies took, seconds. */
export async function generateReviews(bench, N, templates) {
  const { db, work } = bench;
  const file = join(work, 'reviews.json');
  writeFileSync(file, JSON.stringify({
    format: 'dhr-import/1',
    agencies: [{ name: 'Bench Police', kind: 'police' }, { name: 'Bench Health', kind: 'health' }, { name: 'Bench Council', kind: 'local_authority' }],
    reviews: Array.from({ length: templates }, (_, i) => review(i)),
  }));
  const t0 = Date.now();
  bench.cli('import', file, '--actor', 'bench@example.org');
  const importSeconds = (Date.now() - t0) / 1000;

  // Copies of the templates until there are N reviews: each copy's rows get new ids (and its
  // actions their copied recommendation), its history its own sequence of rows.
  const t1 = Date.now();
  const copies = Math.ceil(N / templates) - 1;
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
  return { importSeconds, copySeconds };
}
