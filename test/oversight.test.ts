import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { sendingCurrentVersion } from './support/if-match';
import { startTestApp, TestClock, type TestContext } from './support/test-app';
import { answerHomeOfficeChecklist } from './support/home-office';

/** Friday 4 December 2026. */
const NOW = '2026-12-04T10:00:00Z';
const LEAD = 'lead.oversight@maldon.gov.uk';
const REAL_NAME = 'Joanna Realperson';

/**
 * The oversight figures (issue 15 item 1) for a county team leading two partnerships (Maldon and
 * Braintree), checked against figures worked out by hand from the dates below (and, for the
 * clocks and stages, against SQL of our own over the tables), gross and net of holds; as at a
 * past date; for a RAG member; the CSV and XLSX read back; bad input; the access log.
 */
describe('oversight figures (API, CSV, XLSX, access)', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let casefile: CaseFileApi;
  let db: DataSource;
  const ids = {} as Record<'a' | 'b' | 'c' | 'd' | 'other', string>;
  const tokens = {} as Record<'county' | 'lead' | 'rag' | 'otherLead' | 'nobody', string>;
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
  const table = (report: { tables: Array<{ key: string; rows: unknown[][] }> }, key: string) => report.tables.find((t) => t.key === key)!.rows;

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    db = ctx.api.get(DataSource);
    casefile = new CaseFileApi(ctx.api, LEAD);
    const csp = async (code: string, name: string) => (await http().post('/csps').set('X-Actor', 'admin').send({ code, name }).expect(201)).body.id as string;
    const maldon = await csp('MALDON', 'Maldon Community Safety Partnership');
    const braintree = await csp('BRAINTREE', 'Braintree Community Safety Partnership');
    const colchester = await csp('COLCHESTER', 'Colchester Community Safety Partnership');
    const identities = ctx.api.get(IdentityService);
    const county = await identities.addUser({ email: 'county@essex.gov.uk', displayName: 'County Team', role: 'csp_lead', cspCode: 'MALDON' });
    await identities.addUser({ email: 'county@essex.gov.uk', displayName: 'County Team', role: 'csp_lead', cspCode: 'BRAINTREE' });
    const users = {
      county,
      lead: await identities.addUser({ email: 'lead2.oversight@maldon.gov.uk', displayName: 'Maldon Lead', role: 'csp_lead', cspCode: 'MALDON' }),
      rag: await identities.addUser({ email: 'rag.oversight@maldon.gov.uk', displayName: 'Board Member', role: 'rag_member', cspCode: 'MALDON' }),
      otherLead: await identities.addUser({ email: 'lead@colchester.gov.uk', displayName: 'Other Lead', role: 'csp_lead', cspCode: 'COLCHESTER' }),
      nobody: await identities.addUser({ email: 'chair.oversight@independent.example', displayName: 'A Chair' }),
    };
    for (const [who, user] of Object.entries(users)) tokens[who as keyof typeof tokens] = (await identities.issueToken(user.id, 'oversight')).token;
    const police = await casefile.agency('Essex Police');
    const health = await casefile.agency('Mid Essex Health', 'health');

    // A (Maldon): notified 5 January, decided 20 January (15 days); two IMRs due 2 March: police's
    // 7 days late, health's early; on hold 10 March to 9 April (30 days); submitted 1 July.
    ids.a = await review(maldon, '2026-01-05');
    await post(`/reviews/${ids.a}/people`, { role: 'victim', realName: REAL_NAME, pseudonym: 'Adult A' });
    await event(ids.a, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-01-20' });
    await event(ids.a, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-22' });
    await post(`/reviews/${ids.a}/appointments`, { role: 'chair', name: 'Independent Chair', organisation: 'Independent', appointedOn: '2026-01-26', independenceStatement: 'No involvement.' });
    await post(`/reviews/${ids.a}/panel-members`, { name: 'DCI Representative', agencyId: police, role: 'Senior representative', joinedOn: '2026-01-27', noDirectCaseManagementDeclared: true });
    await event(ids.a, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-01' });
    const imrPolice = (await post(`/reviews/${ids.a}/imrs`, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-02-02', dueOn: '2026-03-02' })).id;
    const imrHealth = (await post(`/reviews/${ids.a}/imrs`, { agencyId: health, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-02-02', dueOn: '2026-03-02' })).id;
    await post(`/reviews/${ids.a}/imrs/${imrPolice}/receipt`, { receivedOn: '2026-03-09' });
    await post(`/reviews/${ids.a}/imrs/${imrHealth}/receipt`, { receivedOn: '2026-02-27' });
    await event(ids.a, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial pending', occurredAt: '2026-03-10', expectedEnd: '2026-05-01' });
    await event(ids.a, { type: 'RESUME', note: 'Disclosure agreed', occurredAt: '2026-04-09' });
    const meeting = (await post(`/reviews/${ids.a}/meetings`, { startsAt: '2026-04-20T10:00:00+01:00', location: 'Council Offices', agenda: 'IMRs' })).id;
    await post(`/reviews/${ids.a}/meetings/${meeting}/held`, { minutes: 'Held.', decisions: 'Draft.', imrIds: [imrPolice, imrHealth] });
    await event(ids.a, { type: 'BEGIN_DRAFTING', occurredAt: '2026-05-01' });
    await casefile.uploadDraft(ids.a, 'overview_report');
    await casefile.uploadDraft(ids.a, 'executive_summary');
    const rec1 = await casefile.recommendation(ids.a);
    const rec2 = await casefile.recommendation(ids.a, 'Health should ask about abuse');
    const rec3 = await casefile.recommendation(ids.a, 'Housing should share tenancy concerns');
    await casefile.familyEngagement(ids.a, 'draft_offered', '2026-06-01');
    await event(ids.a, { type: 'AGREE_REPORT', occurredAt: '2026-06-10' });
    await event(ids.a, { type: 'RAG_APPROVE', approvedAt: '2026-06-20' });
    await answerHomeOfficeChecklist(ctx.api, ids.a);
    await event(ids.a, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-07-01' });
    // Actions: one open (target 31 March 2027), one complete, one whose target (30 November 2026) has passed.
    await casefile.action(ids.a, rec1);
    const done = await casefile.action(ids.a, rec2);
    await casefile.completeAction(ids.a, rec2, done);
    await post(`/reviews/${ids.a}/recommendations/${rec3}/actions`, { description: 'Tenancy protocol', owner: 'Housing', targetDate: '2026-11-30' });

    // B (Maldon): notified 2 February, decided 10 March (36 days: not within a month); the Home
    // Office never told; on hold for an inquest since 1 November.
    ids.b = await review(maldon, '2026-02-02');
    await event(ids.b, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-03-10' });
    await event(ids.b, { type: 'PLACE_ON_HOLD', reason: 'inquest', detail: 'Inquest opened', occurredAt: '2026-11-01', expectedEnd: '2027-02-01' });

    // C (Maldon): notified 20 November, no decision yet (due 20 December).
    ids.c = await review(maldon, '2026-11-20');

    // D (Braintree): notified 1 March, decided 20 March (19 days); police IMR due 1 May, still outstanding.
    ids.d = await review(braintree, '2026-03-01');
    await event(ids.d, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-03-20' });
    await event(ids.d, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-03-23' });
    await post(`/reviews/${ids.d}/imrs`, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-03-25', dueOn: '2026-05-01' });

    // Another partnership's review: never in these figures.
    ids.other = await review(colchester, '2026-04-01');
    await event(ids.other, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-04-02' });
    // Three IMRs due in June: with the Home Office notification (due 2 May), three clocks sooner than its completion target (2 October).
    const housing = await casefile.agency('Colchester Housing', 'local_authority');
    for (const [agencyId, dueOn] of [[police, '2026-06-01'], [health, '2026-06-02'], [housing, '2026-06-03']]) {
      await post(`/reviews/${ids.other}/imrs`, { agencyId, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-04-10', dueOn });
    }
  }, 180_000);
  afterAll(() => ctx?.close());

  it('gives the county team both partnerships together, equal to the figures worked out by hand, gross and net of holds', async () => {
    const report = (await as('county', '/reports/oversight?csp=MALDON,BRAINTREE').expect(200)).body;
    expect([report.asAt, report.from, report.to, report.reviews]).toEqual(['2026-12-04', '2025-12-04', '2026-12-04', 4]);

    // Stages: our own SQL over the reviews' current status (as at today).
    const stages: Array<{ status: string; n: number }> = await db.query(
      `SELECT status, count(*)::int AS n FROM reviews WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [[ids.a, ids.b, ids.c, ids.d]],
    );
    const byStage = Object.fromEntries(table(report, 'stages').map((r) => [r[0], r[1]]));
    expect(Object.values(byStage).reduce((s: number, n) => s + (n as number), 0)).toBe(4);
    expect(Object.keys(byStage)).toHaveLength(stages.length);
    expect(table(report, 'stages').map((r) => r[2]).reduce((s: number, n) => s + (n as number), 0)).toBe(1);

    expect(table(report, 'holds')).toEqual([['DHR-MALDON-2026-002', 'Establishing the review', 'Inquest', { date: '2026-11-01' }, 33]]);

    // Overdue statutory clocks: our own SQL over the deadlines (due before today, not closed).
    const overdue: Array<{ reference: string; kind: string; due: string }> = await db.query(
      `SELECT r.reference, d.kind, to_char(d.due_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS due
         FROM deadlines d JOIN reviews r ON r.id = d.review_id
        WHERE d.statutory AND r.id = ANY($1::uuid[]) AND d.status IN ('open', 'paused', 'missed')
          AND d.due_at < '2026-12-04T00:00:00Z' AND (d.closed_at IS NULL OR d.closed_at >= '2026-12-05T00:00:00Z')
        ORDER BY r.reference, d.kind`,
      [[ids.a, ids.b, ids.c, ids.d]],
    );
    const got = table(report, 'overdue').map((r) => [r[0], (r[2] as { date: string }).date]).sort();
    expect(got).toEqual(overdue.map((o) => [o.reference, o.due]).sort());
    // By hand: B's Home Office notification (due 10 April) and completion target (10 September); D's completion target (20 September).
    expect(got).toEqual([
      ['DHR-BRAINTREE-2026-001', '2026-09-20'],
      ['DHR-MALDON-2026-002', '2026-04-10'],
      ['DHR-MALDON-2026-002', '2026-09-10'],
    ]);
    expect(table(report, 'late')).toEqual([
      ['DHR-MALDON-2026-002', 'Establishing the review', { date: '2026-09-10' }, 85],
      ['DHR-BRAINTREE-2026-001', 'Establishing the review', { date: '2026-09-20' }, 75],
    ]);

    // Notification to decision: 15 (A), 36 (B), 19 (D) days. Decision to submission (A only):
    // 20 January to 1 July is 162 days, less the 30 on hold is 132.
    expect(table(report, 'timings')).toEqual([
      ['Notification to decision', 3, 19, 17, 27.5, 15, 36],
      ['Decision to submission (gross)', 1, 162, 162, 162, 162, 162],
      ['Decision to submission (net of holds)', 1, 132, 132, 132, 132, 132],
    ]);
    // A decided within a month, D too; B not (its month ended 2 March). A submitted by its target (20 July).
    expect(table(report, 'targets')).toEqual([
      ['Decisions within a month of the notification', 3, 2, 66.7],
      ['Reviews submitted within the completion target', 1, 1, 100],
    ]);
    // IMRs: police's 7 days late (A) and D's outstanding since 1 May (217 days); health's on time.
    expect(table(report, 'imrs')).toEqual([
      ['Essex Police', 2, 0, 0, 2, 112, 217],
      ['Mid Essex Health', 1, 1, 100, 0, null, null],
    ]);
    expect(table(report, 'actions')).toEqual([
      ['Recommendations', 1, 1, 1],
      ['Actions', 1, 1, 1],
    ]);
    expect(table(report, 'qa')).toEqual([[1, 1]]);
    expect(report.headline).toEqual({ onHold: 1, overdueStatutoryClocks: 3, lateAgainstTarget: 2, decisionsWithinMonthPercent: 66.7, completedWithinTargetPercent: 100 });
    expect(JSON.stringify(report)).not.toContain('Realperson');
  });

  it('one partnership alone, and as at a past date: each review as it stood then', async () => {
    const braintree = (await as('county', '/reports/oversight?csp=BRAINTREE').expect(200)).body;
    expect(braintree.reviews).toBe(1);
    expect(table(braintree, 'imrs')).toEqual([['Essex Police', 1, 0, 0, 1, 217, 217]]);

    // 1 April 2026: A on hold (since 10 March, 22 days); C not yet notified; nothing submitted; no actions.
    const past = (await as('county', '/reports/oversight?csp=MALDON&asAt=2026-04-01').expect(200)).body;
    expect(past.reviews).toBe(2);
    // A had its terms of reference agreed (1 February) and was held; B decided (10 March); today both have moved on or been held since.
    expect(table(past, 'stages')).toEqual([
      ['Establishing the review', 1, 0],
      ['Information gathering', 1, 1],
    ]);
    expect(table(past, 'holds').map((r: unknown[]) => [r[0], r[2], r[3], r[4]])).toEqual([['DHR-MALDON-2026-001', 'Criminal proceedings', { date: '2026-03-10' }, 22]]);
    expect(table(past, 'qa')).toEqual([]);
    expect(table(past, 'timings')[0]).toEqual(['Notification to decision', 2, 25.5, 20.3, 30.8, 15, 36]);
    expect(table(past, 'timings')[1]).toEqual(['Decision to submission (gross)', 0, null, null, null, null, null]);
    expect(table(past, 'actions')).toEqual([
      ['Recommendations', 0, 0, 0],
      ['Actions', 0, 0, 0],
    ]);
    // A period that ends before a decision leaves it out of the timings.
    const early = (await as('county', '/reports/oversight?csp=MALDON&from=2026-01-01&to=2026-02-28').expect(200)).body;
    expect(table(early, 'timings')[0]).toEqual(['Notification to decision', 1, 15, 15, 15, 15, 15]);
  });

  it('a RAG member sees only the reviews at sign-off or after', async () => {
    const report = (await as('rag', '/reports/oversight?csp=MALDON').expect(200)).body;
    expect(report.reviews).toBe(1);
    expect(table(report, 'holds')).toEqual([]);
    expect(table(report, 'timings')[0]).toEqual(['Notification to decision', 1, 15, 15, 15, 15, 15]);
  });

  it('refuses bad input with a 400 naming the field, and callers without the action', async () => {
    const problem = async (who: keyof typeof tokens, query: string) => (await as(who, `/reports/oversight?${query}`).expect(400)).body.errors;
    expect(await problem('county', 'csp=NOWHERE')).toEqual([{ field: 'csp', message: 'no CSP with the code NOWHERE' }]);
    expect(await problem('county', 'csp=MALDON,COLCHESTER')).toEqual([{ field: 'csp', message: 'you hold no role in COLCHESTER that allows reports.read' }]);
    expect(await problem('county', 'csp=MALDON&from=2026-06-01&to=2026-05-01')).toEqual([{ field: 'from', message: 'must be on or before the end of the period (to)' }]);
    expect(await problem('county', 'csp=MALDON&asAt=2026-12-05')).toEqual([{ field: 'asAt', message: 'must not be in the future' }]);
    expect(await problem('county', 'csp=MALDON&asAt=2026-06-01&to=2026-07-01')).toEqual([{ field: 'to', message: 'must not be after the "as at" date' }]);
    expect((await problem('county', 'csp=MALDON&asAt=2026-13-01')).map((p: { field: string }) => p.field)).toContain('asAt');
    expect(await problem('county', 'csp=MALDON&format=csv')).toEqual([expect.objectContaining({ field: 'table' })]);
    expect(await problem('county', '')).toEqual([expect.objectContaining({ field: 'csp' })]);
    await as('otherLead', '/reports/oversight?csp=MALDON').expect(400);
    // Someone who is neither a CSP lead nor a RAG member anywhere (a chair): refused by the policy.
    await as('nobody', '/reports/oversight?csp=MALDON').expect(403);
  });

  it('downloads each table as CSV and every table as XLSX: the right headings, rows and dates, no real name', async () => {
    const csv = await as('county', '/reports/oversight?csp=MALDON,BRAINTREE&format=csv&table=late').expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="oversight-maldon-braintree-2026-12-04-late.csv"');
    expect(csv.text).toBe('Review,Stage,Completion target,Days late\r\nDHR-MALDON-2026-002,Establishing the review,2026-09-10,85\r\nDHR-BRAINTREE-2026-001,Establishing the review,2026-09-20,75\r\n');

    const res = await as('county', '/reports/oversight?csp=MALDON,BRAINTREE&format=xlsx')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as never);
    expect(book.worksheets.map((s) => s.name)).toEqual([
      'About',
      'Reviews by stage',
      'Reviews on hold',
      'Overdue statutory clocks',
      'Reviews late against the completion target',
      'Time taken, in calendar days',
      'Decisions and completions on time',
      'IMR lateness by agency',
      'Recommendations and actions',
      'Home Office QA rounds per review',
    ].map((n) => n.slice(0, 31)));
    const values = (name: string) => {
      const rows: unknown[][] = [];
      book.getWorksheet(name.slice(0, 31))!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      return rows;
    };
    expect(values('About')).toEqual([
      ['Oversight figures'],
      ['Partnerships', 'Maldon Community Safety Partnership, Braintree Community Safety Partnership'],
      ['As at', new Date('2026-12-04T00:00:00Z')],
      ['Period from', new Date('2025-12-04T00:00:00Z')],
      ['Period to', new Date('2026-12-04T00:00:00Z')],
      ['Reviews', 4],
    ]);
    expect(values('Reviews on hold')).toEqual([
      ['Review', 'Stage', 'Reason', 'On hold since', 'Days on hold'],
      ['DHR-MALDON-2026-002', 'Establishing the review', 'Inquest', new Date('2026-11-01T00:00:00Z'), 33],
    ]);
    expect(book.getWorksheet('Reviews on hold')!.getCell('D2').numFmt).toBe('d mmmm yyyy');
    expect(values('Time taken, in calendar days')[3]).toEqual(['Decision to submission (net of holds)', 1, 132, 132, 132, 132, 132]);
    expect(values('IMR lateness by agency')).toEqual([
      ['Agency', 'IMRs due', 'On time', 'Per cent on time', 'Late', 'Median days late', 'Most days late'],
      ['Essex Police', 2, 0, 0, 2, 112, 217],
      ['Mid Essex Health', 1, 1, 100, 0],
    ]);
    const everything = JSON.stringify(book.worksheets.map((s) => s.getSheetValues()));
    expect(everything).not.toContain('Realperson');
    expect(everything).not.toContain('Joanna');
  });

  it('puts every request for the figures in the access log, naming no review', async () => {
    await as('lead', '/reports/oversight?csp=MALDON&format=csv&table=qa').expect(200);
    const rows: Array<{ actor: string; route: string; path: string; review_id: string | null; status: number }> = await db.query(
      `SELECT actor, route, path, review_id, status FROM access_log WHERE actor = 'lead2.oversight@maldon.gov.uk' ORDER BY at DESC, id DESC LIMIT 1`,
    );
    expect(rows).toEqual([{ actor: 'lead2.oversight@maldon.gov.uk', route: '/reports/oversight', path: '/reports/oversight?csp=MALDON&format=csv&table=qa', review_id: null, status: 200 }]);
  });

  it('the reviews list shows the completion target even when three sooner deadlines are open', async () => {
    const page = await as('otherLead', '/cases').set('Accept', 'text/html').expect(200);
    const row = page.text.slice(page.text.indexOf('DHR-COLCHESTER-2026-001'));
    const cell = row.slice(0, row.indexOf('</tr>'));
    expect(cell.match(/<li>/g)).toHaveLength(4);
    expect(cell).toContain('due 2 May 2026');
    expect(cell).toContain('due 2 June 2026');
    expect(cell).not.toContain('due 3 June 2026');
    expect(cell).toContain('Review completed and sent to the Home Office, due 2 October 2026');
  });

  it('counts recommendations and actions as at an earlier day from when they were added', async () => {
    // A's three recommendations and their actions were recorded today (4 December). Two weeks on,
    // as at 10 December they count as they do today; as at 3 December none had been added.
    clock.set('2026-12-18T12:00:00Z');
    try {
      const later = (await as('county', '/reports/oversight?csp=MALDON&asAt=2026-12-10').expect(200)).body;
      expect(table(later, 'actions')).toEqual([
        ['Recommendations', 1, 1, 1],
        ['Actions', 1, 1, 1],
      ]);
      const before = (await as('county', '/reports/oversight?csp=MALDON&asAt=2026-12-03').expect(200)).body;
      expect(table(before, 'actions')).toEqual([
        ['Recommendations', 0, 0, 0],
        ['Actions', 0, 0, 0],
      ]);
    } finally {
      clock.set(NOW);
    }
  });

  it('the page shows a long table’s first 50 rows; its CSV has them all', async () => {
    const harlow = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'HARLOW', name: 'Harlow Community Safety Partnership' }).expect(201)).body.id;
    const identities = ctx.api.get(IdentityService);
    const lead = await identities.addUser({ email: 'lead@harlow.gov.uk', displayName: 'Harlow Lead', role: 'csp_lead', cspCode: 'HARLOW' });
    const token = (await identities.issueToken(lead.id, 'oversight')).token;
    // 51 reviews notified in January, none decided: 51 overdue decisions.
    for (let i = 1; i <= 51; i++) await review(harlow, `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`);
    const page = await http().get('/oversight?csp=HARLOW').set('Authorization', `Bearer ${token}`).set('Accept', 'text/html').expect(200);
    const section = page.text.slice(page.text.indexOf('id="section-overdue"'), page.text.indexOf('id="section-late"'));
    expect(section.match(/<tr class="govuk-table__row">/g)).toHaveLength(1 + 50);
    expect(section).toContain('The first 50 of 51; the CSV has them all.');
    const csv = await http().get('/reports/oversight?csp=HARLOW&format=csv&table=overdue').set('Authorization', `Bearer ${token}`).expect(200);
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(1 + 51);
  });
});
