import mammoth from 'mammoth';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { pdfText } from './support/pdf-text';
import { reviewApi } from './support/review-api';
import { reviewReadyToAgree } from './support/scenarios';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

/** Friday 4 December 2026: the paper is drawn up today. */
const NOW = '2026-12-04T10:00:00Z';
const LEAD = 'lead.board@maldon.gov.uk';
const RAG = 'rag.board@maldon.gov.uk';
const CHAIR = 'chair.board@independent.example';
const PANEL = 'panel.board@essex.police.uk';
const REAL_NAME = 'Joanna Realperson';
const RELATIVE = 'Tendring Smithson';

/**
 * The board paper (issue 15 item 3) for a review driven through the API to RAG sign-off: two IMRs
 * received and one waived, a hold for the criminal trial, a panel meeting, family involvement,
 * two recommendations with their actions. Read back as JSON, DOCX (mammoth) and PDF (pdf-parse).
 */
describe('board paper (one review at sign-off; JSON, DOCX, PDF; access)', () => {
  const clock = new TestClock(new Date('2026-06-04T10:00:00Z'));
  let ctx: TestContext;
  let id: string;
  let drafting: string;
  let foreign: string;
  let panelAgency: string;
  const tokens = {} as Record<'lead' | 'rag' | 'chair' | 'panel' | 'otherLead' | 'admin', string>;
  const http = () => request(ctx.api.getHttpServer());
  const as = (who: keyof typeof tokens, path: string) => http().get(path).set('Authorization', `Bearer ${tokens[who]}`);
  const file = (who: keyof typeof tokens, path: string) => as(who, path).buffer(true).parse(binary);

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    const api = reviewApi(ctx.api, 'setup.lead@test.invalid');
    const maldon = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'MALDON', name: 'Maldon Community Safety Partnership' }).expect(201)).body.id;
    const braintree = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'BRAINTREE', name: 'Braintree Community Safety Partnership' }).expect(201)).body.id;
    const lead = new CaseFileApi(ctx.api, 'setup.lead@test.invalid');
    const police = await lead.agency('Essex Police');
    const health = await lead.agency('Mid Essex Health', 'health');
    const council = await lead.agency('Maldon District Council', 'local_authority');
    panelAgency = police;

    // Notified 5 January 2026 … drafting from 15 April 2026, both IMRs received on 20 March (test/support/scenarios.ts).
    const review = await reviewReadyToAgree(ctx.api, maldon, [police, health]);
    id = review.id;
    const post = async (path: string, body: Record<string, unknown>) => {
      const res = await api.versioned().post(path).set('X-Actor', 'setup.lead@test.invalid').send(body);
      if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    await post(`/reviews/${id}/people`, { role: 'victim', realName: REAL_NAME, pseudonym: 'Adult A' });
    await post(`/reviews/${id}/people`, { role: 'family', realName: RELATIVE, pseudonym: 'Relative B' });
    // The council's short report, waived on 4 June 2026 (today, as the clock stands).
    const waived = (await post(`/reviews/${id}/imrs`, { agencyId: council, kind: 'short_report', authorName: 'IMR Author', requestedOn: '2026-02-10', dueOn: '2026-03-24' })).id;
    await post(`/reviews/${id}/imrs/${waived}/waiver`, { reason: 'No contact with either party in the scope period' });
    // Held while the partner awaited trial (the detail names the victim: never shown).
    await api.accept(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: `Trial of the partner of ${REAL_NAME}`, occurredAt: '2026-04-20', expectedEnd: '2026-05-31' });
    await api.accept(id, { type: 'RESUME', note: 'Verdict given', occurredAt: '2026-05-11' });
    await post(`/reviews/${id}/family-engagements`, { kind: 'advocacy_offered', occurredOn: '2026-02-12', advocateOrganisation: 'aafda', contactName: RELATIVE, notes: `Spoke to ${RELATIVE}` });
    await post(`/reviews/${id}/family-engagements`, { kind: 'consent', occurredOn: '2026-02-20', consentGiven: true, preferredContribution: 'meeting_in_person', contactName: RELATIVE });
    // Recommendations: the scenario's agreed one (1), and a national one (2); their actions.
    const [{ id: first }]: Array<{ id: string }> = (await http().get(`/reviews/${id}/recommendations`).set('X-Actor', 'setup.lead@test.invalid').expect(200)).body;
    const chair = new CaseFileApi(ctx.api, 'setup.chair@test.invalid');
    const second = await chair.recommendation(id, 'The Home Office should publish guidance on coercive control in older couples');
    await post(`/reviews/${id}/recommendations/${first}/actions`, { description: 'Update the information sharing protocol', owner: 'Essex Police', targetDate: '2027-03-31' });
    await post(`/reviews/${id}/recommendations/${second}/actions`, { description: 'Write to the Home Office with the findings', owner: 'Maldon CSP', targetDate: '2027-01-15' });
    clock.set(NOW);
    await api.accept(id, { type: 'AGREE_REPORT', occurredAt: '2026-06-05' });

    drafting = (await reviewReadyToAgree(ctx.api, maldon, [police])).id;
    foreign = (await reviewReadyToAgree(ctx.api, braintree, [police])).id;
    await reviewApi(ctx.api, 'setup.lead@test.invalid').accept(foreign, { type: 'AGREE_REPORT', occurredAt: '2026-06-05' });

    const identities = ctx.api.get(IdentityService);
    const users = {
      lead: await identities.addUser({ email: LEAD, displayName: 'Spencer Lead', role: 'csp_lead', cspCode: 'MALDON' }),
      rag: await identities.addUser({ email: RAG, displayName: 'Board Member', role: 'rag_member', cspCode: 'MALDON' }),
      chair: await identities.addUser({ email: CHAIR, displayName: 'A Chair' }),
      panel: await identities.addUser({ email: PANEL, displayName: 'A Panel Member' }),
      otherLead: await identities.addUser({ email: 'lead.board@braintree.gov.uk', displayName: 'Other Lead', role: 'csp_lead', cspCode: 'BRAINTREE' }),
      admin: await identities.addUser({ email: 'admin.board@maldon.gov.uk', displayName: 'Admin', role: 'administrator' }),
    };
    for (const [who, user] of Object.entries(users)) tokens[who as keyof typeof tokens] = (await identities.issueToken(user.id, 'board')).token;
    await http().post(`/reviews/${id}/members`).set('X-Actor', 'setup.lead@test.invalid').send({ email: CHAIR, role: 'chair' }).expect(201);
    await http().post(`/reviews/${id}/members`).set('X-Actor', 'setup.lead@test.invalid').send({ email: PANEL, role: 'panel_member', agencyId: police }).expect(201);
  }, 180_000);
  afterAll(() => ctx?.close());

  const paperOf = (who: keyof typeof tokens) => as(who, `/reviews/${id}/board-paper`);
  /** Another review of the CSP driven to sign-off (the police's IMR received), the clock as it stands. */
  const reviewAtSignOffToday = async (cspId: string) => {
    const review = await reviewReadyToAgree(ctx.api, cspId, [panelAgency]);
    await reviewApi(ctx.api, 'setup.lead@test.invalid').accept(review.id, { type: 'AGREE_REPORT', occurredAt: '2026-06-05' });
    return review;
  };

  it('gives the CSP lead the whole paper as JSON: chronology, panel, IMRs, family, holds, recommendations and the action plan', async () => {
    const paper = (await paperOf('lead').expect(200)).body;
    expect(paper).toMatchObject({
      reference: 'DHR-MALDON-2026-001',
      csp: { code: 'MALDON', name: 'Maldon Community Safety Partnership' },
      boardName: 'Responsible Authorities Group',
      preparedOn: '2026-12-04',
      stage: 'rag_sign_off',
      stageLabel: 'RAG sign-off',
      pseudonym: { shown: true, value: 'Adult A' },
    });
    // Written by hand from the set-up above and test/support/scenarios.ts.
    expect(paper.chronology).toEqual({
      notShown: [],
      entries: [
        { date: '2026-01-05', event: 'Notified to the partnership' },
        { date: '2026-01-28', event: 'Decision: hold a review' },
        { date: '2026-01-29', event: 'Home Office told of the decision' },
        { date: '2026-02-01', event: 'Independent chair appointed' },
        { date: '2026-02-10', event: 'IMR requested from Essex Police' },
        { date: '2026-02-10', event: 'IMR requested from Mid Essex Health' },
        { date: '2026-02-10', event: 'Short report requested from Maldon District Council' },
        { date: '2026-02-20', event: 'Terms of reference agreed' },
        { date: '2026-03-20', event: 'IMR received from Essex Police' },
        { date: '2026-03-20', event: 'IMR received from Mid Essex Health' },
        { date: '2026-04-01', event: 'Panel meeting held' },
        { date: '2026-04-15', event: 'Drafting of the overview report began' },
        { date: '2026-04-20', event: 'Put on hold (criminal proceedings)' },
        { date: '2026-05-11', event: 'Resumed after the hold' },
        { date: '2026-06-04', event: 'Short report from Maldon District Council waived' },
        { date: '2026-06-05', event: 'Overview report agreed by the panel and presented to the Responsible Authorities Group' },
      ],
    });
    expect(paper.appointments).toEqual({
      shown: true,
      rows: [{ role: 'Independent chair', organisation: 'Independent Reviews Ltd', appointedOn: '2026-02-01', endedOn: null, independenceDeclaredOn: expect.stringMatching(/^2026-/) }],
    });
    expect(paper.panel.shown).toBe(true);
    expect(paper.panel.rows.map((p: { agency: string; role: string; joinedOn: string; declaredOn: string | null }) => [p.agency, p.role, p.joinedOn, p.declaredOn !== null])).toEqual([
      ['Essex Police', 'Senior representative', '2026-02-02', true],
      ['Mid Essex Health', 'Senior representative', '2026-02-02', true],
    ]);
    expect(paper.imrs).toEqual({
      shown: true,
      rows: [
        { agency: 'Essex Police', kind: 'Individual management review (IMR)', requestedOn: '2026-02-10', dueOn: '2026-03-24', extensions: 0, receivedOn: '2026-03-20', waived: null },
        { agency: 'Mid Essex Health', kind: 'Individual management review (IMR)', requestedOn: '2026-02-10', dueOn: '2026-03-24', extensions: 0, receivedOn: '2026-03-20', waived: null },
        {
          agency: 'Maldon District Council',
          kind: 'Short report',
          requestedOn: '2026-02-10',
          dueOn: '2026-03-24',
          extensions: 0,
          receivedOn: null,
          waived: { on: '2026-06-04', reason: 'No contact with either party in the scope period' },
        },
      ],
    });
    expect(paper.family).toEqual({
      shown: true,
      rows: [
        { date: '2026-02-12', entry: 'Specialist advocacy offered', detail: 'AAFDA (Advocacy After Fatal Domestic Abuse)' },
        { date: '2026-02-20', entry: 'Consent to take part', detail: 'Consent given; Prefers: meeting in person' },
        { date: '2026-06-01', entry: 'Draft report offered', detail: '' },
      ],
    });
    expect(paper.holds).toEqual([{ reason: 'criminal_proceedings', reasonLabel: 'Criminal proceedings', from: '2026-04-20', to: '2026-05-11', expectedEnd: '2026-05-31' }]);
    expect(paper.recommendations).toEqual({
      shown: true,
      rows: [
        { number: 1, text: 'Agencies should share risk information at MARAC', level: 'Multi-agency', addressee: 'Maldon CSP', status: 'Agreed' },
        { number: 2, text: 'The Home Office should publish guidance on coercive control in older couples', level: 'Multi-agency', addressee: 'Maldon CSP', status: 'Agreed' },
      ],
    });
    expect(paper.actionPlan).toEqual({
      shown: true,
      rows: [
        { recommendation: 1, action: 'Update the information sharing protocol', leadAgency: 'Essex Police', targetDate: '2027-03-31', status: 'Not started', completedOn: null },
        { recommendation: 2, action: 'Write to the Home Office with the findings', leadAgency: 'Maldon CSP', targetDate: '2027-01-15', status: 'Not started', completedOn: null },
      ],
    });
  });

  it('reads back from DOCX (mammoth) and PDF (pdf-parse) with the same headings, rows and dates, and no real name', async () => {
    const docx = await file('lead', `/reviews/${id}/board-paper?format=docx`).expect(200);
    expect(docx.headers['content-type']).toContain('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(docx.headers['content-disposition']).toBe('attachment; filename="board-paper-dhr-maldon-2026-001.docx"');
    const pdf = await file('lead', `/reviews/${id}/board-paper?format=pdf`).expect(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.headers['content-disposition']).toBe('attachment; filename="board-paper-dhr-maldon-2026-001.pdf"');
    const texts = {
      docx: (await mammoth.extractRawText({ buffer: docx.body as Buffer })).value,
      pdf: await pdfText(pdf.body as Buffer),
    };
    for (const [name, text] of Object.entries(texts)) {
      const flat = text.replace(/\s+/g, ' ');
      const has = (s: string) => expect([name, s, flat.includes(s)]).toEqual([name, s, true]);
      for (const heading of [
        'Board paper: DHR-MALDON-2026-001',
        'For the Responsible Authorities Group of Maldon Community Safety Partnership. Prepared on 4 December 2026.',
        'Summary',
        'Process chronology',
        'The panel',
        'Independent chair and report writer',
        'Panel members',
        'Individual management reviews (IMRs)',
        'Family involvement',
        'Holds',
        'Recommendations',
        'Action plan',
      ]) {
        has(heading);
      }
      for (const row of [
        'Adult A',
        '5 January 2026',
        'Notified to the partnership',
        '28 January 2026',
        'Decision: hold a review',
        'Home Office told of the decision',
        'Terms of reference agreed',
        'Panel meeting held',
        'Put on hold (criminal proceedings)',
        'Overview report agreed by the panel and presented to the Responsible Authorities Group',
        'Independent Reviews Ltd',
        'Senior representative',
        'Received on 20 March 2026',
        'Waived on 4 June 2026: No contact with either party in the scope period',
        'Specialist advocacy offered',
        'Consent given; Prefers: meeting in person',
        'Criminal proceedings',
        '20 April 2026',
        '11 May 2026',
        'Agencies should share risk information at MARAC',
        'Update the information sharing protocol',
        'Essex Police',
        '31 March 2027',
        '15 January 2027',
        'Not started',
      ]) {
        has(row);
      }
      // Dates in words, never ISO; no real name (the victim's and a relative's, seeded in the people, a hold's detail and the family log), no staff names.
      expect([name, flat.match(/\d{4}-\d{2}-\d{2}/g)]).toEqual([name, null]);
      for (const forbidden of [REAL_NAME, 'Realperson', RELATIVE, 'Smithson', `Rep ${panelAgency.slice(0, 6)}`, 'IMR Author', 'Spencer Lead']) {
        expect([name, forbidden, flat.includes(forbidden)]).toEqual([name, forbidden, false]);
      }
      expect([name, flat.includes('Not shown')]).toEqual([name, false]);
    }
    const json = (await paperOf('lead').expect(200)).text;
    for (const forbidden of [REAL_NAME, RELATIVE, 'Smithson']) expect([forbidden, json.includes(forbidden)]).toEqual([forbidden, false]);
  });

  it('gives a RAG member of the CSP the paper at sign-off, with what it may not open "Not shown"', async () => {
    const paper = (await paperOf('rag').expect(200)).body;
    expect(paper.reference).toBe('DHR-MALDON-2026-001');
    for (const part of ['pseudonym', 'appointments', 'panel', 'imrs', 'family']) expect([part, paper[part]]).toEqual([part, { shown: false }]);
    expect(paper.recommendations.shown).toBe(true);
    expect(paper.actionPlan.rows).toHaveLength(2);
    expect(paper.holds).toHaveLength(1);
    // The chronology keeps the review's own dated history, without the case file's parts it may not read.
    expect(paper.chronology.notShown).toEqual(['appointments', 'IMRs', 'panel meetings']);
    expect(paper.chronology.entries.map((e: { event: string }) => e.event).join('|')).not.toMatch(/IMR|Short report|Panel meeting|chair appointed/);
    expect(paper.chronology.entries).toContainEqual({ date: '2026-04-20', event: 'Put on hold (criminal proceedings)' });
    const pdf = (await pdfText((await file('rag', `/reviews/${id}/board-paper?format=pdf`).expect(200)).body as Buffer)).replace(/\s+/g, ' ');
    expect(pdf).toContain('Victim (pseudonym) Not shown');
    expect(pdf).toContain('Individual management reviews (IMRs) Not shown');
    expect(pdf).toContain('Family involvement Not shown');
    expect(pdf).toContain('Not shown: appointments, IMRs, panel meetings (your role may not read them).');
    expect(pdf).toContain('Update the information sharing protocol');
    for (const hidden of ['Adult A', 'Mid Essex Health', 'Independent Reviews Ltd', 'Specialist advocacy offered']) expect([hidden, pdf.includes(hidden)]).toEqual([hidden, false]);
    const docx = (await mammoth.extractRawText({ buffer: (await file('rag', `/reviews/${id}/board-paper?format=docx`).expect(200)).body as Buffer })).value;
    expect(docx).toMatch(/Panel members\s+Not shown/);
  });

  it('gives the review’s chair the paper; refuses a panel member (403), and hides the review from those off it (404)', async () => {
    expect((await paperOf('chair').expect(200)).body.imrs.shown).toBe(true);
    expect((await paperOf('panel').expect(403)).body.message).toBe('boardPaper.read: your roles on this review (panel member) do not allow this');
    for (const who of ['otherLead', 'admin'] as const) expect([who, (await paperOf(who)).status, (await paperOf(who)).body.message]).toEqual([who, 404, 'No review with this id']);
    // The other partnership's review: its lead reads it, Maldon's lead does not see it.
    await as('otherLead', `/reviews/${foreign}/board-paper`).expect(200);
    expect((await as('lead', `/reviews/${foreign}/board-paper`).expect(404)).body.message).toBe('No review with this id');
    expect((await as('lead', '/reviews/00000000-0000-4000-8000-000000000000/board-paper').expect(404)).body.message).toBe('No review with this id');
  });

  it('is not offered before sign-off: 409 for the lead, and the review is hidden from the RAG (404)', async () => {
    const res = await as('lead', `/reviews/${drafting}/board-paper?format=pdf`).expect(409);
    expect(res.body.message).toBe('The board paper is offered once the report is with the Responsible Authorities Group for sign-off, or later; this review is at the stage Drafting the report');
    expect(res.headers['content-type']).toContain('application/json');
    expect((await as('rag', `/reviews/${drafting}/board-paper`).expect(404)).body.message).toBe('No review with this id');
  });

  it('refuses a format it does not make with a 400 naming the field', async () => {
    expect((await paperOf('lead').query({ format: 'xlsx' }).expect(400)).body.errors).toEqual([{ field: 'format', message: 'must be json, docx or pdf' }]);
    expect((await as('lead', `/reviews/${id}/board-paper?extra=1`).expect(400)).body.errors).toEqual([{ field: 'extra', message: 'is not a recognised field' }]);
  });

  it('writes one access-log row per read, under the review, naming the caller', async () => {
    const dataSource = ctx.api.get(DataSource);
    const count = async () =>
      ((await dataSource.query(`SELECT count(*)::int AS n FROM access_log WHERE review_id = $1 AND route = '/reviews/:id/board-paper' AND outcome = 'allowed'`, [id])) as Array<{ n: number }>)[0].n;
    const before = await count();
    await file('rag', `/reviews/${id}/board-paper?format=docx`).expect(200);
    expect((await count()) - before).toBe(1);
    const [row] = await dataSource.query(
      `SELECT actor, method, path, status, outcome FROM access_log WHERE review_id = $1 AND route = '/reviews/:id/board-paper' ORDER BY id DESC LIMIT 1`,
      [id],
    );
    expect(row).toEqual({ actor: RAG, method: 'GET', path: `/reviews/${id}/board-paper?format=docx`, status: 200, outcome: 'allowed' });
    // The review's CSP lead sees it in the review's access log.
    const log = (await as('lead', `/reviews/${id}/access-log`).expect(200)).body;
    const entries = (log.items ?? log) as Array<{ actor: string; path: string }>;
    expect(entries.some((e) => e.actor === RAG && e.path === `/reviews/${id}/board-paper?format=docx`)).toBe(true);
  });

  it('links "Download the board paper (DOCX / PDF)" from the sign-off page for those who may read it, from sign-off on', async () => {
    const link = (html: string) => [html.includes(`href="/reviews/${id}/board-paper?format=docx"`), html.includes(`href="/reviews/${id}/board-paper?format=pdf"`)];
    for (const who of ['lead', 'rag', 'chair'] as const) {
      const html = (await as(who, `/cases/${id}/sign-off`).set('Accept', 'text/html').expect(200)).text;
      expect([who, ...link(html)]).toEqual([who, true, true]);
      expect(html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')).toContain('Download the board paper (DOCX board paper / PDF board paper)');
    }
    // A panel member reads the sign-off page but not the paper; before sign-off it is not offered.
    expect(link((await as('panel', `/cases/${id}/sign-off`).set('Accept', 'text/html').expect(200)).text)).toEqual([false, false]);
    expect((await as('lead', `/cases/${drafting}/sign-off`).set('Accept', 'text/html').expect(200)).text).not.toContain('board-paper');
  });

  it('refuses a paper that would show a real name (in the text of a recommendation): 409 naming the review, never the name', async () => {
    const res = await http()
      .post(`/reviews/${drafting}/recommendations`)
      .set('X-Actor', 'setup.chair@test.invalid')
      .send({ text: `Learn from the death of ${REAL_NAME}`, level: 'single_agency', addressee: 'Essex Police' });
    expect(res.status).toBe(201);
    await http().post(`/reviews/${drafting}/people`).set('X-Actor', 'setup.lead@test.invalid').send({ role: 'victim', realName: REAL_NAME, pseudonym: 'Adult D' }).expect(201);
    await reviewApi(ctx.api, 'setup.lead@test.invalid').accept(drafting, { type: 'AGREE_REPORT', occurredAt: '2026-06-05' });
    const refused = await as('lead', `/reviews/${drafting}/board-paper?format=docx`).expect(409);
    expect(refused.body.message).toBe(
      "DHR-MALDON-2026-002: the board paper would show a real name of a person in this review (in an agency's name or the text of a record); correct the record first",
    );
    expect(JSON.stringify(refused.body)).not.toContain('Realperson');
  });

  it('names the report writer by role and organisation with the day of their declaration, gives an IMR’s requested and due dates with its extensions, and never shows family notes or names; dates in words', async () => {
    const WRITER = 'Wendy Penwright';
    const CONTACT = 'Maureen Neighbourly';
    const ADVOCATE = 'Priya Advocatename';
    const NOTE = 'Prefers calls after six, at the house on Orchard Row';
    const setupLead = 'setup.lead@test.invalid';
    const [{ csp_id: maldon }]: Array<{ csp_id: string }> = await ctx.api.get(DataSource).query(`SELECT csp_id FROM reviews WHERE id = $1`, [id]);
    const health = await new CaseFileApi(ctx.api, setupLead).agency('Mid Essex Health', 'health');
    // A review of its own at sign-off (the chair appointed and declared today, 4 December 2026), so the paper above is unchanged.
    const review = (await reviewAtSignOffToday(maldon)).id;
    const versioned = reviewApi(ctx.api, setupLead).versioned();
    const post = async (path: string, body: Record<string, unknown>) => {
      const res = await versioned.post(path).set('X-Actor', setupLead).send(body);
      if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const writer = await post(`/reviews/${review}/appointments`, { role: 'report_writer', name: WRITER, organisation: 'Safer Futures Consulting', appointedOn: '2026-03-02' });
    await post(`/reviews/${review}/appointments/${writer.id}/independence-declaration`, { statement: 'No involvement with any agency in this case.', declaredAt: '2026-03-05T10:00:00Z' });
    const imr = (await post(`/reviews/${review}/imrs`, { agencyId: health, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-02-10', dueOn: '2026-03-24' })).id;
    await post(`/reviews/${review}/imrs/${imr}/extensions`, { newDueOn: '2026-04-30', reason: 'Author on leave', grantedOn: '2026-03-20' });
    await post(`/reviews/${review}/imrs/${imr}/extensions`, { newDueOn: '2026-05-29', reason: 'Records still being retrieved', grantedOn: '2026-04-28' });
    await post(`/reviews/${review}/family-engagements`, { kind: 'advocate_appointed', occurredOn: '2026-02-14', advocateOrganisation: 'aafda', advocateName: ADVOCATE, contactName: CONTACT, notes: NOTE });
    await post(`/reviews/${review}/family-engagements`, { kind: 'meeting', occurredOn: '2026-03-03', contactName: CONTACT, notes: NOTE, preferredContribution: 'in_writing' });

    const paper = (await as('lead', `/reviews/${review}/board-paper`).expect(200)).body;
    expect(paper.appointments).toEqual({
      shown: true,
      rows: [
        { role: 'Independent chair', organisation: 'Independent Reviews Ltd', appointedOn: '2026-02-01', endedOn: null, independenceDeclaredOn: '2026-12-04' },
        { role: 'Report writer', organisation: 'Safer Futures Consulting', appointedOn: '2026-03-02', endedOn: null, independenceDeclaredOn: '2026-03-05' },
      ],
    });
    expect(paper.imrs.rows).toEqual([
      { agency: 'Essex Police', kind: 'Individual management review (IMR)', requestedOn: '2026-02-10', dueOn: '2026-03-24', extensions: 0, receivedOn: '2026-03-20', waived: null },
      { agency: 'Mid Essex Health', kind: 'Individual management review (IMR)', requestedOn: '2026-02-10', dueOn: '2026-05-29', extensions: 2, receivedOn: null, waived: null },
    ]);
    // Kinds, dates, advocacy, preferred contribution: labels only.
    expect(paper.family.rows).toEqual([
      { date: '2026-02-14', entry: 'Advocate appointed', detail: 'AAFDA (Advocacy After Fatal Domestic Abuse)' },
      { date: '2026-03-03', entry: 'Meeting with the family', detail: 'Prefers: in writing' },
      { date: '2026-06-01', entry: 'Draft report offered', detail: '' },
    ]);

    const docx = (await mammoth.extractRawText({ buffer: (await file('lead', `/reviews/${review}/board-paper?format=docx`).expect(200)).body as Buffer })).value;
    const pdf = await pdfText((await file('lead', `/reviews/${review}/board-paper?format=pdf`).expect(200)).body as Buffer);
    for (const [name, text] of Object.entries({ docx, pdf })) {
      const flat = text.replace(/\s+/g, ' ');
      const has = (s: string) => expect([name, s, flat.includes(s)]).toEqual([name, s, true]);
      has('Independent chair Independent Reviews Ltd 1 February 2026 Declared on 4 December 2026');
      has('Report writer Safer Futures Consulting 2 March 2026 Declared on 5 March 2026');
      has('Mid Essex Health Individual management review (IMR) 10 February 2026 29 May 2026 (extended 2 times) Outstanding');
      has('Essex Police Individual management review (IMR) 10 February 2026 24 March 2026 Received on 20 March 2026');
      has('14 February 2026 Advocate appointed AAFDA (Advocacy After Fatal Domestic Abuse)');
      has('3 March 2026 Meeting with the family Prefers: in writing');
      expect([name, flat.match(/\d{4}-\d{2}-\d{2}/g)]).toEqual([name, null]);
      for (const never of [WRITER, 'Penwright', CONTACT, 'Neighbourly', ADVOCATE, 'Advocatename', NOTE, 'Orchard Row', 'Independent Chair', 'Author on leave']) {
        expect([name, never, flat.includes(never)]).toEqual([name, never, false]);
      }
    }
    const json = JSON.stringify(paper);
    for (const never of [WRITER, CONTACT, ADVOCATE, NOTE, 'Orchard Row']) expect([never, json.includes(never)]).toEqual([never, false]);

    // A RAG member: the chronology says, in the DOCX too, what it leaves out.
    const rag = (await as('rag', `/reviews/${review}/board-paper`).expect(200)).body;
    expect(rag.chronology.notShown).toEqual(['appointments', 'IMRs', 'panel meetings']);
    expect(rag.chronology.entries.map((e: { event: string }) => e.event).join('|')).not.toMatch(/appointed|IMR|Panel meeting/);
    const ragDocx = (await mammoth.extractRawText({ buffer: (await file('rag', `/reviews/${review}/board-paper?format=docx`).expect(200)).body as Buffer })).value.replace(/\s+/g, ' ');
    expect(ragDocx).toContain('Process chronology');
    expect(ragDocx).toContain('Not shown: appointments, IMRs, panel meetings (your role may not read them).');
    expect(ragDocx).toMatch(/Independent chair and report writer Not shown/);
    for (const hidden of ['Safer Futures Consulting', 'extended', 'Advocate appointed']) expect([hidden, ragDocx.includes(hidden)]).toEqual([hidden, false]);
  });
});

/** supertest: collect a binary body as a Buffer. */
function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
