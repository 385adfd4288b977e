import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { answerHomeOfficeChecklist } from './support/home-office';
import { sendingCurrentVersion } from './support/if-match';
import { startTestApp, TestClock, type TestContext } from './support/test-app';
import * as taxonomyModule from '../src/reports/register/taxonomy';

/** Friday 4 December 2026. */
const NOW = '2026-12-04T10:00:00Z';
const TODAY = '2026-12-04';
const LEAD = 'lead.register@maldon.gov.uk';
const REAL_NAME = 'Joanna Realperson';

interface Made {
  reference: string;
  number: number;
  theme: string | null;
  addressee: string;
  kind: string | null;
  text: string;
  action: string | null;
  target: string | null;
  completed: string | null;
}

/**
 * The recommendations register (issue 15 item 5): reviews in two partnerships led by one county
 * team, and a third partnership's; every filter and the search give exactly the rows worked out
 * here from what the fixture recorded; a RAG member sees only reviews at sign-off or after; the
 * CSV and XLSX read back; no real name; the access log holds one row per review shown.
 */
describe('recommendations register (API, CSV, XLSX, access)', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let casefile: CaseFileApi;
  let db: DataSource;
  const ids = {} as Record<'a' | 'b' | 'c' | 'other', string>;
  const tokens = {} as Record<'county' | 'rag' | 'otherLead' | 'nobody', string>;
  const made: Made[] = [];
  const http = () => request(ctx.api.getHttpServer());
  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await sendingCurrentVersion(http().post(path).set('X-Actor', LEAD), http, path).send(body);
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const as = (who: keyof typeof tokens, path: string) => http().get(path).set('Authorization', `Bearer ${tokens[who]}`);
  const event = (id: string, body: Record<string, unknown>) => post(`/reviews/${id}/events`, body);
  async function review(cspId: string, notifiedOn: string): Promise<string> {
    return (await post('/reviews', { cspId, dateOfDeath: notifiedOn, notifiedOn, policeForce: 'Essex Police', policeReference: `ESX/${notifiedOn}`, circumstances: 'A death at home.' })).id;
  }
  async function reference(id: string): Promise<string> {
    return (await http().get(`/reviews/${id}`).set('X-Actor', LEAD).expect(200)).body.reference;
  }
  async function recommendation(id: string, r: { text: string; level: string; addressee: string; addresseeKind?: string; theme?: string }, actions: Array<{ description: string; owner: string; targetDate: string; completedOn?: string }>) {
    const rec = await post(`/reviews/${id}/recommendations`, r);
    await post(`/reviews/${id}/recommendations/${rec.id}/agree`, {});
    const ref = await reference(id);
    const base = { reference: ref, number: rec.number, theme: r.theme ?? null, addressee: r.addressee, kind: r.addresseeKind ?? null, text: r.text };
    if (actions.length === 0) made.push({ ...base, action: null, target: null, completed: null });
    for (const a of actions) {
      const action = await post(`/reviews/${id}/recommendations/${rec.id}/actions`, { description: a.description, owner: a.owner, targetDate: a.targetDate });
      if (a.completedOn) await post(`/reviews/${id}/recommendations/${rec.id}/actions/${action.id}/complete`, { completedOn: a.completedOn, evidence: 'Done and audited.' });
      made.push({ ...base, action: a.description, target: a.targetDate, completed: a.completedOn ?? null });
    }
    return rec.id as string;
  }
  /** The status worked out here: complete, overdue (target before today), else open; no action: open. */
  const statusOf = (m: Made) => (m.action === null ? 'open' : m.completed ? 'complete' : m.target! < TODAY ? 'overdue' : 'open');
  const key = (m: { reference: string; number: number; action: string | null }) => `${m.reference} ${m.number} ${m.action ?? '-'}`;
  const expected = (keep: (m: Made) => boolean, references?: string[]) =>
    made
      .filter((m) => (references ? references.includes(m.reference) : true))
      .filter(keep)
      .map(key)
      .sort();
  const got = async (query: string, who: keyof typeof tokens = 'county') => {
    const body = (await as(who, `/reports/register?csp=MALDON,BRAINTREE&pageSize=200&${query}`).expect(200)).body;
    return (body.rows as Array<{ reference: string; number: number; action: string | null }>).map(key).sort();
  };
  let visibleRefs: string[];

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    db = ctx.api.get(DataSource);
    casefile = new CaseFileApi(ctx.api, LEAD);
    const csp = async (code: string, name: string) => (await http().post('/csps').set('X-Actor', 'admin').send({ code, name }).expect(201)).body.id as string;
    const maldon = await csp('MALDON', 'Maldon Community Safety Partnership');
    const braintree = await csp('BRAINTREE', 'Braintree Community Safety Partnership');
    const colchester = await csp('COLCHESTER', 'Colchester Community Safety Partnership');
    const identities = ctx.api.get(IdentityService);
    const county = await identities.addUser({ email: 'county.register@essex.gov.uk', displayName: 'County Team', role: 'csp_lead', cspCode: 'MALDON' });
    await identities.addUser({ email: 'county.register@essex.gov.uk', displayName: 'County Team', role: 'csp_lead', cspCode: 'BRAINTREE' });
    const users = {
      county,
      rag: await identities.addUser({ email: 'rag.register@maldon.gov.uk', displayName: 'Board Member', role: 'rag_member', cspCode: 'MALDON' }),
      otherLead: await identities.addUser({ email: 'lead.register@colchester.gov.uk', displayName: 'Other Lead', role: 'csp_lead', cspCode: 'COLCHESTER' }),
      nobody: await identities.addUser({ email: 'chair.register@independent.example', displayName: 'A Chair' }),
    };
    for (const [who, user] of Object.entries(users)) tokens[who as keyof typeof tokens] = (await identities.issueToken(user.id, 'register')).token;
    const police = await casefile.agency('Essex Police');

    // A (Maldon): taken to the Home Office; three recommendations, their actions open, complete and overdue.
    ids.a = await review(maldon, '2026-01-05');
    await post(`/reviews/${ids.a}/people`, { role: 'victim', realName: REAL_NAME, pseudonym: 'Adult A' });
    await event(ids.a, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-01-20' });
    await event(ids.a, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-22' });
    await post(`/reviews/${ids.a}/appointments`, { role: 'chair', name: 'Independent Chair', organisation: 'Independent', appointedOn: '2026-01-26', independenceStatement: 'No involvement.' });
    await post(`/reviews/${ids.a}/panel-members`, { name: 'DCI Representative', agencyId: police, role: 'Senior representative', joinedOn: '2026-01-27', noDirectCaseManagementDeclared: true });
    await event(ids.a, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-01' });
    const imr = (await post(`/reviews/${ids.a}/imrs`, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-02-02', dueOn: '2026-03-02' })).id;
    await post(`/reviews/${ids.a}/imrs/${imr}/receipt`, { receivedOn: '2026-02-27' });
    const meeting = (await post(`/reviews/${ids.a}/meetings`, { startsAt: '2026-04-20T10:00:00+01:00', location: 'Council Offices', agenda: 'IMRs' })).id;
    await post(`/reviews/${ids.a}/meetings/${meeting}/held`, { minutes: 'Held.', decisions: 'Draft.', imrIds: [imr] });
    await event(ids.a, { type: 'BEGIN_DRAFTING', occurredAt: '2026-05-01' });
    await casefile.uploadDraft(ids.a, 'overview_report');
    await casefile.uploadDraft(ids.a, 'executive_summary');
    const a1 = await post(`/reviews/${ids.a}/recommendations`, { text: 'Agencies should share risk information at MARAC', level: 'multi_agency', addressee: 'Maldon CSP', addresseeKind: 'partnership', theme: 'multi_agency_working' });
    await post(`/reviews/${ids.a}/recommendations/${a1.id}/agree`, {});
    const a2 = await post(`/reviews/${ids.a}/recommendations`, { text: 'Health should ask every patient about abuse', level: 'single_agency', addressee: 'Mid Essex Health', addresseeKind: 'agency', theme: 'risk_identification' });
    await post(`/reviews/${ids.a}/recommendations/${a2.id}/agree`, {});
    const a3 = await post(`/reviews/${ids.a}/recommendations`, { text: 'Housing should record tenancy concerns', level: 'single_agency', addressee: 'Maldon Housing', addresseeKind: 'agency', theme: 'record_keeping' });
    await post(`/reviews/${ids.a}/recommendations/${a3.id}/agree`, {});
    await casefile.familyEngagement(ids.a, 'draft_offered', '2026-06-01');
    await event(ids.a, { type: 'AGREE_REPORT', occurredAt: '2026-06-10' });
    await event(ids.a, { type: 'RAG_APPROVE', approvedAt: '2026-06-20' });
    await answerHomeOfficeChecklist(ctx.api, ids.a, LEAD);
    await event(ids.a, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-07-01' });
    const refA = await reference(ids.a);
    const addAction = async (recId: string, m: Omit<Made, 'action' | 'target' | 'completed'>, a: { description: string; owner: string; targetDate: string; completedOn?: string }) => {
      const action = await post(`/reviews/${ids.a}/recommendations/${recId}/actions`, { description: a.description, owner: a.owner, targetDate: a.targetDate });
      if (a.completedOn) await post(`/reviews/${ids.a}/recommendations/${recId}/actions/${action.id}/complete`, { completedOn: a.completedOn, evidence: 'Done and audited.' });
      made.push({ ...m, action: a.description, target: a.targetDate, completed: a.completedOn ?? null });
    };
    await addAction(a1.id, { reference: refA, number: 1, theme: 'multi_agency_working', addressee: 'Maldon CSP', kind: 'partnership', text: '' }, { description: 'Update the information sharing protocol', owner: 'Essex Police', targetDate: '2027-03-31' });
    await addAction(a2.id, { reference: refA, number: 2, theme: 'risk_identification', addressee: 'Mid Essex Health', kind: 'agency', text: '' }, { description: 'Routine enquiry in every clinic', owner: 'Mid Essex Health', targetDate: '2026-10-31', completedOn: '2026-10-20' });
    await addAction(a3.id, { reference: refA, number: 3, theme: 'record_keeping', addressee: 'Maldon Housing', kind: 'agency', text: '' }, { description: 'Tenancy records protocol', owner: 'Maldon Housing', targetDate: '2026-11-30' });

    // B (Maldon): decided, still early; one national recommendation to a department, no action yet.
    ids.b = await review(maldon, '2026-02-02');
    await event(ids.b, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-03-10' });
    await recommendation(ids.b, { text: 'The Home Office should publish guidance on economic abuse', level: 'national', addressee: 'Home Office', addresseeKind: 'government_department', theme: 'policy' }, []);

    // C (Braintree): training for the police, one action overdue and one open; a withdrawn recommendation.
    ids.c = await review(braintree, '2026-03-01');
    await event(ids.c, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-03-20' });
    await recommendation(ids.c, { text: 'Police should train officers to recognise coercive control', level: 'single_agency', addressee: 'Essex Police', addresseeKind: 'agency', theme: 'training' }, [
      { description: 'Deliver coercive control training to response officers', owner: 'Essex Police', targetDate: '2026-10-01' },
      { description: 'Audit attendance at the training', owner: 'Essex Police', targetDate: '2027-01-31' },
    ]);
    const withdrawn = await post(`/reviews/${ids.c}/recommendations`, { text: 'A recommendation later merged', level: 'single_agency', addressee: 'Essex Police' });
    await post(`/reviews/${ids.c}/recommendations/${withdrawn.id}/withdraw`, { reason: 'Merged into 1' });
    // Recorded without a theme or a kind (as before the register): shown, "not recorded".
    await recommendation(ids.c, { text: 'Agencies should raise awareness of stalking', level: 'multi_agency', addressee: 'Braintree CSP' }, []);

    // Another partnership's review: never in this register.
    ids.other = await review(colchester, '2026-04-01');
    await recommendation(ids.other, { text: 'Colchester should train its staff about coercive control', level: 'single_agency', addressee: 'Essex Police', addresseeKind: 'agency', theme: 'training' }, []);
    made.splice(made.findIndex((m) => m.text.startsWith('Colchester')), 1);
    visibleRefs = [refA, await reference(ids.b), await reference(ids.c)];
  }, 180_000);
  afterAll(() => ctx?.close());

  it('holds every recommendation and action of both partnerships, but withdrawn ones, in order, with the status worked out here', async () => {
    const body = (await as('county', '/reports/register?csp=MALDON,BRAINTREE').expect(200)).body;
    expect(body.total).toBe(made.length);
    expect(made).toHaveLength(7);
    expect(body.rows.map(key).sort()).toEqual(expected(() => true, visibleRefs));
    for (const row of body.rows) {
      const m = made.find((x) => key(x) === key(row))!;
      expect([row.reference, row.status, row.theme, row.addressee, row.addresseeKind, row.targetDate, row.completedOn]).toEqual([m.reference, statusOf(m), m.theme, m.addressee, m.kind, m.target, m.completed]);
    }
    expect(body.rows.map((r: { recommendation: string }) => r.recommendation)).not.toContain('A recommendation later merged');
    expect(JSON.stringify(body)).not.toContain('Colchester should');
    expect(JSON.stringify(body)).not.toContain('Realperson');
    expect(body.taxonomyVersion).toBe('1');
  });

  it('each filter gives exactly the rows worked out here', async () => {
    expect(await got('theme=training')).toEqual(expected((m) => m.theme === 'training'));
    expect(await got('theme=policy')).toEqual(expected((m) => m.theme === 'policy'));
    expect(await got('addressee=government_department')).toEqual(expected((m) => m.kind === 'government_department'));
    expect(await got('addressee=partnership')).toEqual(expected((m) => m.kind === 'partnership'));
    expect(await got('addressee=mid%20essex%20health')).toEqual(expected((m) => m.addressee === 'Mid Essex Health'));
    for (const status of ['open', 'overdue', 'complete']) expect(await got(`status=${status}`)).toEqual(expected((m) => statusOf(m) === status));
    expect(await got('overdue=true')).toEqual(expected((m) => statusOf(m) === 'overdue'));
    expect(await got('overdue=false')).toEqual(expected((m) => statusOf(m) !== 'overdue'));
    expect(await got('overdue=true&theme=training')).toEqual(expected((m) => statusOf(m) === 'overdue' && m.theme === 'training'));
    expect((await got('overdue=true')).length).toBe(2);
  });

  it('searches the recommendations and actions with PostgreSQL full text (stems, phrases, exclusions)', async () => {
    const refC = visibleRefs[2];
    // "training" finds "train" in C's recommendation (both its actions) and nothing in Maldon.
    expect(await got('q=training')).toEqual(expected((m) => m.reference === refC && m.theme === 'training'));
    // An action's words find that action's row only.
    expect(await got('q=tenancy%20records')).toEqual([`${visibleRefs[0]} 3 Tenancy records protocol`]);
    expect(await got('q=%22economic%20abuse%22')).toEqual([`${visibleRefs[1]} 1 -`]);
    expect(await got('q=training%20-audit')).toEqual([`${refC} 1 Deliver coercive control training to response officers`, `${refC} 1 Audit attendance at the training`].sort());
    expect(await got('q=nothingmatcheshere')).toEqual([]);
  });

  it('pages in SQL with a bounded page size', async () => {
    const first = (await as('county', '/reports/register?csp=MALDON,BRAINTREE&pageSize=3').expect(200)).body;
    const third = (await as('county', '/reports/register?csp=MALDON,BRAINTREE&pageSize=3&page=3').expect(200)).body;
    expect([first.total, first.pages, first.rows.length, third.rows.length]).toEqual([7, 3, 3, 1]);
    const all = (await as('county', '/reports/register?csp=MALDON,BRAINTREE&pageSize=200').expect(200)).body.rows.map(key);
    expect(first.rows.map(key)).toEqual(all.slice(0, 3));
    expect(third.rows.map(key)).toEqual(all.slice(6));
    expect((await as('county', '/reports/register?csp=MALDON&pageSize=201').expect(400)).body.errors).toEqual([{ field: 'pageSize', message: 'must be from 1 to 200' }]);
  });

  it('a RAG member sees only the reviews at sign-off or after', async () => {
    const body = (await as('rag', '/reports/register?csp=MALDON').expect(200)).body;
    expect(body.rows.map(key).sort()).toEqual(expected(() => true, [visibleRefs[0]]));
    expect(JSON.stringify(body)).not.toContain('economic abuse');
  });

  it('refuses bad input with a 400 naming the field, another partnership with a 400 naming csp, and those without the action', async () => {
    const problem = async (query: string, who: keyof typeof tokens = 'county') => (await as(who, `/reports/register?${query}`).expect(400)).body.errors;
    expect(await problem('csp=MALDON,COLCHESTER')).toEqual([{ field: 'csp', message: 'you hold no role in COLCHESTER that allows reports.read' }]);
    expect(await problem('csp=MALDON', 'otherLead')).toEqual([{ field: 'csp', message: 'you hold no role in MALDON that allows reports.read' }]);
    expect(await problem('csp=NOWHERE')).toEqual([{ field: 'csp', message: 'no CSP with the code NOWHERE' }]);
    expect(await problem('csp=MALDON&theme=astrology')).toEqual([{ field: 'theme', message: 'is not a recommendation theme of taxonomy version 1: astrology' }]);
    expect(await problem('csp=MALDON&status=late')).toEqual([{ field: 'status', message: 'must be open, overdue or complete' }]);
    expect(await problem('csp=MALDON&overdue=maybe')).toEqual([{ field: 'overdue', message: 'must be true or false' }]);
    expect(await problem('csp=MALDON&page=0')).toEqual([{ field: 'page', message: 'must be from 1 to 100000' }]);
    expect(await problem('csp=MALDON&format=pdf')).toEqual([{ field: 'format', message: 'must be json, csv or xlsx' }]);
    expect(await problem('')).toEqual([expect.objectContaining({ field: 'csp' })]);
    await as('nobody', '/reports/register?csp=MALDON').expect(403);
  });

  it('a recommendation’s theme must be one of the taxonomy (400 naming theme), and its addressee kind one of three', async () => {
    const bad = await http().post(`/reviews/${ids.b}/recommendations`).set('X-Actor', LEAD).send({ text: 'Something specific', level: 'single_agency', addressee: 'Essex Police', theme: 'astrology' }).expect(400);
    expect(bad.body.errors).toEqual([{ field: 'theme', message: 'is not a recommendation theme of taxonomy version 1: astrology' }]);
    const kind = await http().post(`/reviews/${ids.b}/recommendations`).set('X-Actor', LEAD).send({ text: 'Something specific', level: 'single_agency', addressee: 'Essex Police', addresseeKind: 'council' }).expect(400);
    expect(kind.body.errors).toEqual([{ field: 'addresseeKind', message: 'must be one of agency, partnership, government_department' }]);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM recommendations WHERE review_id = $1`, [ids.b]);
    expect(n).toBe(1);
  });

  it('exports every matching row as CSV and XLSX that read back with the right rows, no real name', async () => {
    const csv = await as('county', '/reports/register?csp=MALDON,BRAINTREE&status=overdue&format=csv').expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="recommendations-register-maldon-braintree-2026-12-04.csv"');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Partnership,Review,Recommendation,Recommendation text,Level,Addressee,Addressee kind,Theme,Action,Owner,Target date,Completed on,Status,' +
        'Relationship (review),Vulnerabilities (review),Themes (review),Family involvement (review),Review coded with taxonomy version',
    );
    // Neither review is coded yet: its coding's cells are empty.
    expect(lines.slice(1)).toEqual([
      `BRAINTREE,${visibleRefs[2]},1,Police should train officers to recognise coercive control,Single agency,Essex Police,A local agency,Training,Deliver coercive control training to response officers,Essex Police,2026-10-01,,Overdue,,,,,`,
      `MALDON,${visibleRefs[0]},3,Housing should record tenancy concerns,Single agency,Maldon Housing,A local agency,Record keeping,Tenancy records protocol,Maldon Housing,2026-11-30,,Overdue,,,,,`,
    ]);

    const res = await as('county', '/reports/register?csp=MALDON,BRAINTREE&format=xlsx&pageSize=2')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as never);
    expect(book.worksheets.map((s) => s.name)).toEqual(['About', 'Recommendations register']);
    const values = (name: string) => {
      const rows: unknown[][] = [];
      book.getWorksheet(name)!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      return rows;
    };
    expect(values('About')).toEqual([
      ['Recommendations register'],
      ['Partnerships', 'Maldon Community Safety Partnership, Braintree Community Safety Partnership'],
      ['As at', new Date('2026-12-04T00:00:00Z')],
      ['Filters', 'none'],
      ['Taxonomy version', '1'],
      ['Rows', 7],
    ]);
    const rows = values('Recommendations register');
    // Every row (the export is not paged), each with the review's reference and its dates as dates.
    expect(rows).toHaveLength(1 + 7);
    expect(rows.slice(1).map((r) => `${r[1]} ${r[2]} ${r[8] ?? '-'}`).sort()).toEqual(expected(() => true, visibleRefs));
    const complete = rows.find((r) => r[8] === 'Routine enquiry in every clinic')!;
    expect([complete[10], complete[11], complete[12]]).toEqual([new Date('2026-10-31T00:00:00Z'), new Date('2026-10-20T00:00:00Z'), 'Complete']);
    const everything = JSON.stringify(book.worksheets.map((s) => s.getSheetValues())) + csv.text;
    expect(everything).not.toContain('Realperson');
    expect(everything).not.toContain('Joanna');
  });

  it('puts each read and export in the access log, one row per review shown', async () => {
    const since = new Date();
    await as('county', '/reports/register?csp=MALDON,BRAINTREE&theme=training').expect(200);
    await as('county', '/reports/register?csp=MALDON,BRAINTREE&format=csv').expect(200);
    await as('county', '/reports/register?csp=MALDON&q=nothingmatcheshere').expect(200);
    const rows: Array<{ path: string; review_id: string | null }> = await db.query(
      `SELECT path, review_id FROM access_log WHERE actor = 'county.register@essex.gov.uk' AND route = '/reports/register' AND at >= $1 ORDER BY id`,
      [clock.now() < since ? clock.now() : since],
    );
    const of = (path: string) => rows.filter((r) => r.path === path).map((r) => r.review_id).sort();
    expect(of('/reports/register?csp=MALDON,BRAINTREE&theme=training')).toEqual([ids.c]);
    expect(of('/reports/register?csp=MALDON,BRAINTREE&format=csv')).toEqual([ids.a, ids.b, ids.c].sort());
    expect(of('/reports/register?csp=MALDON&q=nothingmatcheshere')).toEqual([null]);
  });

  it('codes a review with the taxonomy and its version: round trip, 400 naming the field for an unknown code, If-Match, the history', async () => {
    const path = `/reviews/${ids.c}/coding`;
    await http().get(path).set('X-Actor', LEAD).expect(404);
    const codes = { relationshipCategory: 'intimate_partner', vulnerabilities: ['mental_health', 'substance_misuse'], themes: ['coercive_control', 'separation'], familyInvolvement: ['contributed', 'received_draft'] };
    const first = await http().put(path).set('X-Actor', LEAD).send(codes).expect(200);
    expect(first.body).toMatchObject({ ...codes, taxonomyVersion: '1', version: 1 });
    expect(first.body.labels.relationshipCategory).toEqual({ code: 'intimate_partner', label: 'Intimate partner (current)' });
    expect((await http().get(path).set('X-Actor', LEAD).expect(200)).body).toMatchObject({ ...codes, taxonomyVersion: '1', version: 1 });
    const [stored] = await db.query(`SELECT taxonomy_version, codes FROM review_codings WHERE review_id = $1`, [ids.c]);
    expect(stored).toEqual({ taxonomy_version: '1', codes });

    // Unknown codes: 400 naming each field, and nothing written.
    const bad = await http().put(path).set('X-Actor', LEAD).set('If-Match', '"1"').send({ ...codes, relationshipCategory: 'neighbour', themes: ['coercive_control', 'astrology'] }).expect(400);
    expect(bad.body.errors).toEqual([
      { field: 'relationshipCategory', message: 'is not a relationship category of taxonomy version 1: neighbour' },
      { field: 'themes.1', message: 'is not a theme of taxonomy version 1: astrology' },
    ]);
    expect((await http().put(path).set('X-Actor', LEAD).set('If-Match', '"1"').send({ ...codes, colour: 'red' }).expect(400)).body.errors).toEqual([{ field: 'colour', message: 'is not a recognised field' }]);

    // A change needs the version read: none 428, an old one 412; the right one applies and is in the history.
    const changed = { ...codes, themes: ['coercive_control'] };
    await http().put(path).set('X-Actor', LEAD).send(changed).expect(428);
    await http().put(path).set('X-Actor', LEAD).set('If-Match', '"7"').send(changed).expect(412);
    expect((await http().put(path).set('X-Actor', LEAD).set('If-Match', '"1"').send(changed).expect(200)).body).toMatchObject({ themes: ['coercive_control'], version: 2 });
    const history: Array<{ payload: { codes: { themes: string[] }; previous?: { codes: { themes: string[] } } } }> = await db.query(
      `SELECT payload FROM review_events WHERE review_id = $1 AND type = 'REVIEW_CODED' ORDER BY sequence`,
      [ids.c],
    );
    expect(history.map((h) => [h.payload.codes.themes, h.payload.previous?.codes.themes ?? null])).toEqual([
      [['coercive_control', 'separation'], null],
      [['coercive_control'], ['coercive_control', 'separation']],
    ]);
    // Only the CSP lead and the chair code a review: a RAG member who reads the review (A, past sign-off) may not; its CSP lead may.
    await http().put(`/reviews/${ids.a}/coding`).set('Authorization', `Bearer ${tokens.rag}`).send(codes).expect(403);
    await http().put(`/reviews/${ids.a}/coding`).set('Authorization', `Bearer ${tokens.county}`).send(codes).expect(200);
  });

  it('filters by the review’s coding (relationship, vulnerability, review theme) and exports each row with it', async () => {
    // Coded by the test before: A (intimate partner; coercive control, separation) and C (intimate partner; coercive control only).
    const [refA, , refC] = visibleRefs;
    expect(await got('relationship=intimate_partner')).toEqual(expected(() => true, [refA, refC]));
    expect(await got('reviewTheme=separation')).toEqual(expected(() => true, [refA]));
    expect(await got('reviewTheme=coercive_control&theme=training')).toEqual(expected((m) => m.theme === 'training', [refC]));
    expect(await got('vulnerability=mental_health&status=complete')).toEqual(expected((m) => statusOf(m) === 'complete', [refA, refC]));
    expect(await got('relationship=familial_other')).toEqual([]);
    const bad = await as('county', '/reports/register?csp=MALDON,BRAINTREE&relationship=neighbour&vulnerability=luck').expect(400);
    expect(bad.body.errors).toEqual([
      { field: 'relationship', message: 'is not a relationship category of taxonomy version 1: neighbour' },
      { field: 'vulnerability', message: 'is not a vulnerability of taxonomy version 1: luck' },
    ]);

    const csv = await as('county', '/reports/register?csp=MALDON,BRAINTREE&reviewTheme=separation&status=overdue&format=csv').expect(200);
    expect(csv.text.trimEnd().split('\r\n').slice(1)).toEqual([
      `MALDON,${refA},3,Housing should record tenancy concerns,Single agency,Maldon Housing,A local agency,Record keeping,Tenancy records protocol,Maldon Housing,2026-11-30,,Overdue,` +
        'Intimate partner (current),Mental ill health; Alcohol or drug misuse,Coercive and controlling behaviour; Separation or the ending of the relationship,' +
        'The family contributed to the review; Received the draft report,1',
    ]);
    const json = (await as('county', '/reports/register?csp=MALDON,BRAINTREE&reviewTheme=separation&status=overdue').expect(200)).body;
    expect(json.filters).toEqual({ reviewTheme: 'separation', status: 'overdue' });
    expect(json.rows[0].coding).toEqual({
      taxonomyVersion: '1',
      relationship: 'Intimate partner (current)',
      vulnerabilities: ['Mental ill health', 'Alcohol or drug misuse'],
      themes: ['Coercive and controlling behaviour', 'Separation or the ending of the relationship'],
      familyInvolvement: ['The family contributed to the review', 'Received the draft report'],
    });
  });

  it('the coding form on the review: sends its version, names the field for an unknown code, refuses an empty form', async () => {
    const path = `/cases/${ids.b}/coding`;
    const form = (fields: Record<string, string | string[]>) => http().post(path).set('X-Actor', LEAD).set('Accept', 'text/html').type('form').send(fields);
    const page = await http().get(path).set('X-Actor', LEAD).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('taxonomy version 1');
    expect(page.text).not.toContain('name="version"');
    expect((await form({})).status).toBe(400);
    const bad = await form({ relationshipCategory: 'intimate_partner', themes: ['coercive_control', 'astrology'] });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Themes: is not a theme of taxonomy version 1: astrology');
    expect((await form({ relationshipCategory: 'familial_parricide', themes: ['coercive_control', 'separation'], familyInvolvement: 'contributed' })).status).toBe(303);
    expect((await http().get(`/reviews/${ids.b}/coding`).set('X-Actor', LEAD).expect(200)).body).toMatchObject({
      taxonomyVersion: '1',
      relationshipCategory: 'familial_parricide',
      vulnerabilities: [],
      themes: ['coercive_control', 'separation'],
      familyInvolvement: ['contributed'],
      version: 1,
    });
    const again = await http().get(path).set('X-Actor', LEAD).set('Accept', 'text/html').expect(200);
    expect(again.text).toContain('name="version" value="1"');
    // A form rendered from an older version is refused (412), not applied.
    expect((await form({ relationshipCategory: 'intimate_partner', version: '0' })).status).toBe(412);
    expect((await http().get(`/reviews/${ids.b}/coding`).set('X-Actor', LEAD).expect(200)).body.relationshipCategory).toBe('familial_parricide');
  });

  it('the recommendation form takes a theme and a kind of addressee from the taxonomy', async () => {
    const form = await http().get(`/cases/${ids.c}/recommendations/new`).set('X-Actor', LEAD).set('Accept', 'text/html').expect(200);
    expect(form.text).toContain('<option value="awareness_raising">Awareness raising</option>');
    const fields = { text: 'Agencies should publicise the stalking helpline', level: 'multi_agency', addressee: 'Braintree CSP', addresseeKind: 'partnership', theme: 'awareness_raising' };
    const bad = await http().post(`/cases/${ids.c}/recommendations`).set('X-Actor', LEAD).set('Accept', 'text/html').type('form').send({ ...fields, theme: 'astrology' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('is not a recommendation theme of taxonomy version 1: astrology');
    await http().post(`/cases/${ids.c}/recommendations`).set('X-Actor', LEAD).set('Accept', 'text/html').type('form').send(fields).expect(303);
    const [row] = await db.query(`SELECT theme, addressee_kind FROM recommendations WHERE review_id = $1 AND text = $2`, [ids.c, fields.text]);
    expect(row).toEqual({ theme: 'awareness_raising', addressee_kind: 'partnership' });
    // Left out of the fixture's rows: withdrawn again so the other tests' counts stand.
    const [{ id }] = await db.query(`SELECT id FROM recommendations WHERE review_id = $1 AND text = $2`, [ids.c, fields.text]);
    await post(`/reviews/${ids.c}/recommendations/${id}/withdraw`, { reason: 'Only for the form test' });
  });

  it('the page: filters as a GET form, the rows, the downloads, a 400 naming the field', async () => {
    const page = await as('county', '/register?theme=training').set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('Recommendations register');
    expect(page.text).toContain('href="/register"');
    expect(page.text).toContain('Deliver coercive control training to response officers');
    expect(page.text).not.toContain('Tenancy records protocol');
    expect(page.text).toContain('1 October 2026');
    expect(page.text).toContain('href="/reports/register?csp=BRAINTREE%2CMALDON&amp;theme=training&amp;format=csv"');
    // A recommendation recorded without a theme: "Not recorded".
    const all = await as('county', '/register').set('Accept', 'text/html').expect(200);
    const stalking = all.text.slice(all.text.indexOf('Agencies should raise awareness of stalking'));
    expect(stalking.slice(0, stalking.indexOf('</tr>'))).toContain('Not recorded');
    const bad = await as('county', '/register?theme=astrology').set('Accept', 'text/html').expect(400);
    expect(bad.text).toContain('Theme: is not a recommendation theme of taxonomy version 1: astrology');
  });

  // The tests below each use a partnership of their own (the trusted X-Actor caller), so the rows
  // and counts of the tests above are untouched.

  it('checks every row against the real names of the people in its review: a name in a recommendation’s or an action’s text refuses the register (409 naming the review, never the name) in JSON, CSV and XLSX', async () => {
    const NAME = 'Marion Quellington';
    const tendring = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'TENDRING', name: 'Tendring Community Safety Partnership' }).expect(201)).body.id;
    const id = await review(tendring, '2026-05-04');
    const ref = await reference(id);
    await post(`/reviews/${id}/people`, { role: 'victim', realName: NAME, pseudonym: 'Adult M' });
    const clean = await post(`/reviews/${id}/recommendations`, { text: 'Agencies should share risk information', level: 'multi_agency', addressee: 'Tendring CSP', addresseeKind: 'partnership', theme: 'multi_agency_working' });
    await post(`/reviews/${id}/recommendations/${clean.id}/agree`, {});
    const register = (query = '') => http().get(`/reports/register?csp=TENDRING${query}`).set('X-Actor', LEAD);
    // Without the name in any row, the review's rows are given.
    expect((await register().expect(200)).body.rows.map((r: { reference: string; recommendation: string }) => [r.reference, r.recommendation])).toEqual([[ref, 'Agencies should share risk information']]);

    const message = `${ref}: the report would show a real name of a person in this review (in its reference or an agency's name); correct the record first`;
    const refused = async (what: string) => {
      for (const query of ['', '&format=csv', '&format=xlsx', '&theme=multi_agency_working']) {
        const res = await register(query);
        expect([what, query, res.status, res.body.message]).toEqual([what, query, 409, message]);
        for (const part of NAME.toLowerCase().split(' ')) expect([what, query, res.text.toLowerCase().includes(part)]).toEqual([what, query, false]);
      }
    };
    // The real name in a recommendation's text.
    const named = await post(`/reviews/${id}/recommendations`, { text: `Agencies should learn from what happened to ${NAME}`, level: 'multi_agency', addressee: 'Tendring CSP', addresseeKind: 'partnership', theme: 'multi_agency_working' });
    await post(`/reviews/${id}/recommendations/${named.id}/agree`, {});
    await refused('recommendation text');
    // Withdrawn, it is shown nowhere: the register is given again.
    await post(`/reviews/${id}/recommendations/${named.id}/withdraw`, { reason: 'Named a person' });
    expect((await register().expect(200)).body.rows).toHaveLength(1);
    // The real name (in other letter case, a line break between its words) in an action's
    // description: each text is checked as written, not as JSON writes it ("marion\\nQUELLINGTON").
    await post(`/reviews/${id}/recommendations/${clean.id}/actions`, { description: 'Brief staff on the case of marion\nQUELLINGTON', owner: 'Essex Police', targetDate: '2027-02-01' });
    await refused('action description');
  });

  it('shows each review’s coding in the words of the taxonomy version it was coded with, and that version; new coding uses the newest and is stored with it', async () => {
    const v1 = taxonomyModule.taxonomyVersions().get('1')!;
    expect(v1.relationshipCategories.find((e) => e.code === 'intimate_partner')!.label).toBe('Intimate partner (current)');
    // A later version (as a v2.json would be): the same codes, one in new words.
    const v2: taxonomyModule.Taxonomy = {
      ...v1,
      version: '2',
      relationshipCategories: v1.relationshipCategories.map((e) => (e.code === 'intimate_partner' ? { ...e, label: 'Intimate partner (new wording of v2)' } : e)),
    };
    const witham = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'WITHAM', name: 'Witham Community Safety Partnership' }).expect(201)).body.id;
    const made: Record<'old' | 'new', string> = { old: '', new: '' };
    for (const which of ['old', 'new'] as const) {
      made[which] = await review(witham, which === 'old' ? '2026-05-11' : '2026-05-12');
      const rec = await post(`/reviews/${made[which]}/recommendations`, { text: `Agencies should act (${which})`, level: 'multi_agency', addressee: 'Witham CSP', addresseeKind: 'partnership', theme: 'policy' });
      await post(`/reviews/${made[which]}/recommendations/${rec.id}/agree`, {});
    }
    const codes = { relationshipCategory: 'intimate_partner', vulnerabilities: [], themes: ['coercive_control'], familyInvolvement: [] };
    // Coded while version 1 is the newest.
    await http().put(`/reviews/${made.old}/coding`).set('X-Actor', LEAD).send(codes).expect(200);
    const versions = jest.spyOn(taxonomyModule, 'taxonomyVersions').mockReturnValue(new Map([['1', v1], ['2', v2]]));
    const current = jest.spyOn(taxonomyModule, 'currentTaxonomy').mockReturnValue(v2);
    try {
      // Coded once version 2 is the newest: stored with version 2.
      expect((await http().put(`/reviews/${made.new}/coding`).set('X-Actor', LEAD).send(codes).expect(200)).body).toMatchObject({ taxonomyVersion: '2' });
      const stored: Array<{ review_id: string; taxonomy_version: string }> = await db.query(`SELECT review_id, taxonomy_version FROM review_codings WHERE review_id = ANY($1::uuid[])`, [[made.old, made.new]]);
      expect(Object.fromEntries(stored.map((r) => [r.review_id, r.taxonomy_version]))).toEqual({ [made.old]: '1', [made.new]: '2' });
      // Each review's coding keeps its version and that version's words.
      const body = (await http().get('/reports/register?csp=WITHAM').set('X-Actor', LEAD).expect(200)).body;
      expect(body.taxonomyVersion).toBe('2');
      const coding = (id: string) => body.rows.find((r: { reviewId: string }) => r.reviewId === id).coding;
      expect(coding(made.old)).toEqual({ taxonomyVersion: '1', relationship: 'Intimate partner (current)', vulnerabilities: [], themes: ['Coercive and controlling behaviour'], familyInvolvement: [] });
      expect(coding(made.new)).toEqual({ taxonomyVersion: '2', relationship: 'Intimate partner (new wording of v2)', vulnerabilities: [], themes: ['Coercive and controlling behaviour'], familyInvolvement: [] });
      expect((await http().get(`/reviews/${made.old}/coding`).set('X-Actor', LEAD).expect(200)).body).toMatchObject({ taxonomyVersion: '1', labels: { relationshipCategory: { code: 'intimate_partner', label: 'Intimate partner (current)' } } });
      // The CSV: the relationship in its version's words, and the version in the last column.
      const csv = (await http().get('/reports/register?csp=WITHAM&format=csv').set('X-Actor', LEAD).expect(200)).text.trimEnd().split('\r\n').slice(1);
      const cells = (line: string) => line.split(',');
      expect(csv.map((line) => [cells(line)[3], cells(line)[13], cells(line)[cells(line).length - 1]]).sort()).toEqual([
        ['Agencies should act (new)', 'Intimate partner (new wording of v2)', '2'],
        ['Agencies should act (old)', 'Intimate partner (current)', '1'],
      ]);
    } finally {
      versions.mockRestore();
      current.mockRestore();
    }
  });

  it('pages of 50 rows by default, up to 200 when asked; over 200 is a 400 naming pageSize; the exports hold every row', async () => {
    const halstead = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'HALSTEAD', name: 'Halstead Community Safety Partnership' }).expect(201)).body.id;
    const id = await review(halstead, '2026-05-18');
    const rec = await post(`/reviews/${id}/recommendations`, { text: 'Agencies should review their training', level: 'multi_agency', addressee: 'Halstead CSP', addresseeKind: 'partnership', theme: 'training' });
    await post(`/reviews/${id}/recommendations/${rec.id}/agree`, {});
    // 201 actions under it: 201 rows.
    await db.query(
      `INSERT INTO actions (review_id, recommendation_id, description, owner, status, target_date, created_by)
       SELECT $1, $2, 'Paged action ' || lpad(n::text, 3, '0'), 'Essex Police', 'not_started', '2027-06-30', 'test' FROM generate_series(1, 201) n`,
      [id, rec.id],
    );
    const everyAction = Array.from({ length: 201 }, (_, i) => `Paged action ${String(i + 1).padStart(3, '0')}`);
    const page = async (query: string) => (await http().get(`/reports/register?csp=HALSTEAD${query}`).set('X-Actor', LEAD).expect(200)).body;
    const actions = (body: { rows: Array<{ action: string }> }) => body.rows.map((r) => r.action);

    const byDefault = await page('');
    expect([byDefault.total, byDefault.page, byDefault.pageSize, byDefault.pages, byDefault.rows.length]).toEqual([201, 1, 50, 5, 50]);
    const pagesOf50 = [actions(byDefault)];
    for (let n = 2; n <= 5; n++) pagesOf50.push(actions(await page(`&page=${n}`)));
    expect(pagesOf50.map((p) => p.length)).toEqual([50, 50, 50, 50, 1]);
    expect(pagesOf50.flat().sort()).toEqual(everyAction);

    const biggest = await page('&pageSize=200');
    expect([biggest.total, biggest.pageSize, biggest.pages, biggest.rows.length]).toEqual([201, 200, 2, 200]);
    const last = await page('&pageSize=200&page=2');
    expect([...actions(biggest), ...actions(last)].sort()).toEqual(everyAction);

    for (const size of ['201', '0', '1000']) {
      const res = await http().get(`/reports/register?csp=HALSTEAD&pageSize=${size}`).set('X-Actor', LEAD).expect(400);
      expect([size, res.body.errors]).toEqual([size, [{ field: 'pageSize', message: 'must be from 1 to 200' }]]);
    }
    // The CSV is every matching row, whatever the page size.
    const csv = (await http().get('/reports/register?csp=HALSTEAD&format=csv&pageSize=10').set('X-Actor', LEAD).expect(200)).text.trimEnd().split('\r\n');
    expect(csv).toHaveLength(1 + 201);
    // The page shows 50 at a time too.
    const html = await http().get('/register?csp=HALSTEAD').set('X-Actor', LEAD).set('Accept', 'text/html').expect(200);
    expect(html.text).toContain('Recommendations and actions, page 1 of 5');
    expect(everyAction.filter((a) => html.text.includes(a))).toHaveLength(50);
  });
});
