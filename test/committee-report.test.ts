import mammoth from 'mammoth';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { sendingCurrentVersion } from './support/if-match';
import { pdfText } from './support/pdf-text';
import { startTestApp, TestClock, type TestContext } from './support/test-app';
import { answerHomeOfficeChecklist } from './support/home-office';

/** Friday 4 December 2026: the partnership has typed in its reviews of 2016 and 2017 with their real dates. */
const NOW = '2026-12-04T10:00:00Z';
const LEAD = 'lead.committee@maldon.gov.uk';
const REAL_NAME = 'Joanna Realperson';
const CHAIR_NAME = 'Liz Hanlon';

/**
 * The committee progress report (issue 15 item 2) for three Maldon reviews after the Overview and
 * Scrutiny report of 8 November 2017 (§3.1.5): DHR 1's final report presented to the board on 6
 * October 2017 (approved and sent to the Home Office since), DHR 2 with a panel meeting on 29
 * September 2017 that considered all the IMRs, DHR 3 notified on 17 April 2017 with panel
 * meetings on 19 September and 16 October 2017, the second shortly after the trial. As at 8
 * November 2017 the report must read as that committee read it, whatever has happened since.
 */
describe('committee progress report (as at a past date; JSON, DOCX, PDF; access)', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let casefile: CaseFileApi;
  const ids = {} as Record<'dhr1' | 'dhr2' | 'dhr3' | 'other', string>;
  const tokens = {} as Record<'lead' | 'rag' | 'otherLead' | 'admin' | 'chair', string>;
  const http = () => request(ctx.api.getHttpServer());
  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await sendingCurrentVersion(http().post(path).set('X-Actor', LEAD), http, path).send(body);
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const as = (who: keyof typeof tokens, path: string) => http().get(path).set('Authorization', `Bearer ${tokens[who]}`);

  async function review(cspId: string, notifiedOn: string, dateOfDeath: string): Promise<string> {
    const { id } = await post('/reviews', { cspId, dateOfDeath, notifiedOn, policeForce: 'Essex Police', policeReference: `ESX/${notifiedOn}`, circumstances: 'A death at home.' });
    return id;
  }
  const event = (id: string, body: Record<string, unknown>) => post(`/reviews/${id}/events`, body);
  async function establish(id: string, dates: { decided: string; told: string; chair: string; panel: string; tor?: string }, police: string) {
    await event(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: dates.decided });
    await event(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: dates.told });
    await post(`/reviews/${id}/appointments`, { role: 'chair', name: CHAIR_NAME, organisation: 'Independent', appointedOn: dates.chair, independenceStatement: 'No involvement with any agency in this case.' });
    await post(`/reviews/${id}/panel-members`, { name: 'DCI Representative', agencyId: police, role: 'Senior representative', joinedOn: dates.panel, noDirectCaseManagementDeclared: true });
    if (dates.tor) await event(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: dates.tor });
  }
  async function meeting(id: string, startsAt: string, imrIds: string[] = []) {
    const m = await post(`/reviews/${id}/meetings`, { startsAt, location: 'Council Offices, Maldon', agenda: 'The review' });
    await post(`/reviews/${id}/meetings/${m.id}/held`, { minutes: 'Held.', decisions: 'Continue.', imrIds });
  }

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    casefile = new CaseFileApi(ctx.api, LEAD);
    const maldon = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'MALDON', name: 'Maldon Community Safety Partnership' }).expect(201)).body.id;
    const other = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'BRAINTREE', name: 'Braintree Community Safety Partnership' }).expect(201)).body.id;
    const identities = ctx.api.get(IdentityService);
    const users = {
      lead: await identities.addUser({ email: LEAD, displayName: 'Spencer Lead', role: 'csp_lead', cspCode: 'MALDON' }),
      rag: await identities.addUser({ email: 'rag.committee@maldon.gov.uk', displayName: 'Board Member', role: 'rag_member', cspCode: 'MALDON' }),
      otherLead: await identities.addUser({ email: 'lead@braintree.gov.uk', displayName: 'Other Lead', role: 'csp_lead', cspCode: 'BRAINTREE' }),
      admin: await identities.addUser({ email: 'admin.committee@maldon.gov.uk', displayName: 'Admin', role: 'administrator' }),
      chair: await identities.addUser({ email: 'chair.committee@independent.example', displayName: 'A Chair' }),
    };
    for (const [who, user] of Object.entries(users)) tokens[who as keyof typeof tokens] = (await identities.issueToken(user.id, 'committee')).token;
    const police = await casefile.agency('Essex Police');
    const health = await casefile.agency('Mid Essex Health', 'health');

    // DHR 1: notified June 2016; the final report presented to the board on 6 October 2017;
    // approved on 20 November 2017 and sent to the Home Office on 1 December 2017 (after the committee met).
    ids.dhr1 = await review(maldon, '2016-06-10', '2016-06-05');
    await establish(ids.dhr1, { decided: '2016-07-01', told: '2016-07-05', chair: '2016-07-20', panel: '2016-07-21', tor: '2016-09-01' }, police);
    const imr1 = (await post(`/reviews/${ids.dhr1}/imrs`, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2016-09-05', dueOn: '2016-11-01' })).id;
    await post(`/reviews/${ids.dhr1}/imrs/${imr1}/receipt`, { receivedOn: '2016-10-28' });
    await meeting(ids.dhr1, '2016-12-01T10:00:00Z', [imr1]);
    await event(ids.dhr1, { type: 'BEGIN_DRAFTING', occurredAt: '2017-01-10' });
    await casefile.uploadDraft(ids.dhr1, 'overview_report');
    await casefile.uploadDraft(ids.dhr1, 'executive_summary');
    await casefile.recommendation(ids.dhr1);
    await casefile.familyEngagement(ids.dhr1, 'draft_offered', '2017-09-27');
    await event(ids.dhr1, { type: 'AGREE_REPORT', occurredAt: '2017-10-06' });
    await event(ids.dhr1, { type: 'RAG_APPROVE', approvedAt: '2017-11-20' });
    await answerHomeOfficeChecklist(ctx.api, ids.dhr1, LEAD);
    await event(ids.dhr1, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2017-12-01' });

    // DHR 2: notified January 2017; both IMRs in by July; a panel meeting on 29 September 2017 considered them.
    ids.dhr2 = await review(maldon, '2017-01-20', '2017-01-14');
    await establish(ids.dhr2, { decided: '2017-02-10', told: '2017-02-14', chair: '2017-03-01', panel: '2017-03-02', tor: '2017-04-03' }, police);
    const imr2a = (await post(`/reviews/${ids.dhr2}/imrs`, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2017-04-10', dueOn: '2017-06-30' })).id;
    const imr2b = (await post(`/reviews/${ids.dhr2}/imrs`, { agencyId: health, kind: 'imr', authorName: 'IMR Author', requestedOn: '2017-04-10', dueOn: '2017-06-30' })).id;
    await post(`/reviews/${ids.dhr2}/imrs/${imr2a}/receipt`, { receivedOn: '2017-06-20' });
    await post(`/reviews/${ids.dhr2}/imrs/${imr2b}/receipt`, { receivedOn: '2017-07-05' });
    await meeting(ids.dhr2, '2017-09-29T09:30:00+01:00', [imr2a, imr2b]);

    // DHR 3: notified 17 April 2017; held while the suspect awaited trial; panel meetings on 19
    // September and 16 October 2017, the trial having ended on 13 October; its IMR came in 2018.
    ids.dhr3 = await review(maldon, '2017-04-17', '2017-04-15');
    await post(`/reviews/${ids.dhr3}/people`, { role: 'victim', realName: REAL_NAME, pseudonym: 'Adult C' });
    await establish(ids.dhr3, { decided: '2017-05-12', told: '2017-05-15', chair: '2017-06-05', panel: '2017-06-06' }, police);
    await event(ids.dhr3, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: `Trial of the partner of ${REAL_NAME}`, occurredAt: '2017-06-20', expectedEnd: '2017-10-31' });
    await event(ids.dhr3, { type: 'RESUME', note: 'Disclosure agreed with the CPS', occurredAt: '2017-09-11' });
    await event(ids.dhr3, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2017-09-19' });
    await meeting(ids.dhr3, '2017-09-19T10:00:00+01:00');
    const trial = await casefile.criminalProceedings(ids.dhr3, 'active');
    await casefile.concludeProceedings(ids.dhr3, trial, '2017-10-13');
    await meeting(ids.dhr3, '2017-10-16T10:00:00+01:00');
    const imr3 = (await post(`/reviews/${ids.dhr3}/imrs`, { agencyId: health, kind: 'imr', authorName: 'IMR Author', requestedOn: '2017-09-25', dueOn: '2017-11-24' })).id;
    await post(`/reviews/${ids.dhr3}/imrs/${imr3}/receipt`, { receivedOn: '2018-01-15' });

    // Another partnership's review: never in Maldon's report.
    ids.other = await review(other, '2017-03-01', '2017-02-27');
  }, 120_000);
  afterAll(() => ctx?.close());

  const AS_AT = '/reports/committee?csp=MALDON&asAt=2017-11-08';

  it('reads, as at 8 November 2017, as the committee read it: each review as it stood then, not as it stands today', async () => {
    const report = (await as('lead', AS_AT).expect(200)).body;
    expect(report.asAt).toBe('2017-11-08');
    expect(report.csps).toEqual([{ code: 'MALDON', name: 'Maldon Community Safety Partnership' }]);
    const got = report.reviews.map((r: Record<string, unknown>) => ({
      reference: r.reference,
      pseudonym: r.pseudonym,
      stage: r.stageLabel,
      latestMilestone: r.latestMilestone,
      nextStep: r.nextStep,
      paragraph: r.paragraph,
    }));
    // Written by hand from the record above.
    expect(got).toEqual([
      {
        reference: 'DHR-MALDON-2016-001',
        pseudonym: null,
        stage: 'RAG sign-off',
        latestMilestone: { date: '2017-10-06', text: 'Report presented to the Responsible Authorities Group' },
        nextStep: { text: 'Obtain the Responsible Authorities Group’s sign-off of the overview report', dueDate: '2017-11-06' },
        paragraph:
          'DHR-MALDON-2016-001 was notified on 10 June 2016 and the criteria for a review were met. An independent chair was appointed on 20 July 2016. ' +
          'The IMR requested was received on 28 October 2016. A panel meeting was held on 1 December 2016. ' +
          'The final report was presented to the Responsible Authorities Group on 6 October 2017. ' +
          'The next step is to obtain the Responsible Authorities Group’s sign-off of the overview report, which was due by 6 November 2017.',
      },
      {
        reference: 'DHR-MALDON-2017-001',
        pseudonym: null,
        stage: 'Information gathering',
        latestMilestone: { date: '2017-09-29', text: 'Panel meeting held' },
        nextStep: { text: 'Consider the IMRs and begin drafting the overview report', dueDate: null },
        paragraph:
          'DHR-MALDON-2017-001 was notified on 20 January 2017 and the criteria for a review were met. An independent chair was appointed on 1 March 2017. ' +
          'Both IMRs requested have been received, the last on 5 July 2017. A panel meeting was held on 29 September 2017. ' +
          'The next step is to consider the IMRs and begin drafting the overview report.',
      },
      {
        reference: 'DHR-MALDON-2017-002',
        pseudonym: 'Adult C',
        stage: 'Information gathering',
        latestMilestone: { date: '2017-10-16', text: 'Panel meeting held' },
        nextStep: { text: 'Receive the outstanding IMR', dueDate: '2017-11-24' },
        paragraph:
          'DHR-MALDON-2017-002 was notified on 17 April 2017 and the criteria for a review were met. An independent chair was appointed on 5 June 2017. ' +
          'The review was on hold from 20 June to 11 September 2017 because of criminal proceedings. ' +
          'One IMR has been requested and none has been received yet. ' +
          'Panel meetings were held on 19 September and 16 October 2017, the second shortly after the criminal trial concluded. ' +
          'The next step is to receive the outstanding IMR, due by 24 November 2017.',
      },
    ]);
    // The key dates of the review whose stage has moved on since: then at the board, today with the Home Office.
    const dhr1 = report.reviews[0];
    expect(dhr1.keyDates.map((k: { label: string; text: string }) => [k.label, k.text])).toEqual([
      ['Notification', '10 June 2016'],
      ['Decision', '1 July 2016: Hold a review'],
      ['Chair appointed', '20 July 2016'],
      ['Panel meetings held', '1 December 2016'],
      ['IMRs received', '1 of 1: Essex Police on 28 October 2016'],
      ['Report to the Responsible Authorities Group', '6 October 2017'],
      ['Home Office submissions and QA', 'Not yet'],
      ['Publication', 'Not yet'],
    ]);
    const today = (await as('lead', '/reports/committee?csp=MALDON').expect(200)).body;
    expect(today.asAt).toBe('2026-12-04');
    expect(today.reviews[0]).toMatchObject({ reference: 'DHR-MALDON-2016-001', stage: 'home_office_qa' });
    expect(today.reviews[0].paragraph).toContain('The Responsible Authorities Group approved it on 20 November 2017. It was submitted to the Home Office on 1 December 2017 and the Quality Assurance Panel’s answer is awaited.');
    expect(today.reviews[2].keyDates.find((k: { label: string }) => k.label === 'IMRs received').text).toBe('1 of 1: Mid Essex Health on 15 January 2018');
  });

  it('pages its reviews in SQL when asked (JSON): each page the same reviews, rebuilt the same, as the whole report', async () => {
    const whole = (await as('lead', '/reports/committee?csp=MALDON').expect(200)).body;
    expect(whole).toMatchObject({ page: 1, pages: 1, total: whole.reviews.length });
    expect(whole.reviews.length).toBeGreaterThanOrEqual(3);
    const pages = [];
    for (let page = 1; page <= whole.reviews.length; page++) {
      const one = (await as('lead', `/reports/committee?csp=MALDON&page=${page}&pageSize=1`).expect(200)).body;
      expect(one).toMatchObject({ page, pages: whole.reviews.length, total: whole.reviews.length });
      pages.push(...one.reviews);
    }
    expect(pages).toEqual(whole.reviews);
    const beyond = (await as('lead', `/reports/committee?csp=MALDON&page=${whole.reviews.length + 1}&pageSize=1`).expect(200)).body;
    expect(beyond.reviews).toEqual([]);
    // A page size over 200 or not a number is refused, naming it; the DOCX is every review whatever the page.
    expect((await as('lead', '/reports/committee?csp=MALDON&pageSize=201').expect(400)).body.errors).toEqual([{ field: 'pageSize', message: 'must be from 1 to 200' }]);
    expect((await as('lead', '/reports/committee?csp=MALDON&page=first').expect(400)).body.errors).toEqual([{ field: 'page', message: 'must be a whole number' }]);
    const docx = await as('lead', '/reports/committee?csp=MALDON&format=docx&page=2&pageSize=1').buffer(true).parse(binary).expect(200);
    const word = (await mammoth.extractRawText({ buffer: docx.body as Buffer })).value;
    for (const review of whole.reviews as Array<{ reference: string }>) expect(word).toContain(review.reference);
  });

  it('gives the same headings, rows and dates as a Word document and a PDF, read back with parsers', async () => {
    const docx = await as('lead', `${AS_AT}&format=docx`).buffer(true).parse(binary).expect(200);
    expect(docx.headers['content-type']).toContain('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(docx.headers['content-disposition']).toBe('attachment; filename="committee-report-maldon-2017-11-08.docx"');
    const word = (await mammoth.extractRawText({ buffer: docx.body as Buffer })).value;
    const pdf = await as('lead', `${AS_AT}&format=pdf`).buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const paper = await pdfText(pdf.body as Buffer);
    for (const [name, text] of [
      ['docx', word],
      ['pdf', paper],
    ] as const) {
      const flat = text.replace(/\s+/g, ' ');
      expect([name, flat]).toEqual([name, expect.stringContaining('Committee progress report: domestic homicide reviews')]);
      expect(flat).toContain('Maldon Community Safety Partnership, as at 8 November 2017');
      for (const heading of ['Summary', 'Reference', 'Stage', 'Latest milestone', 'Next step', 'DHR-MALDON-2016-001', 'DHR-MALDON-2017-001', 'DHR-MALDON-2017-002 (Adult C)']) {
        expect([name, flat]).toEqual([name, expect.stringContaining(heading)]);
      }
      // Rows: the stage then, the latest milestone, the next step with its due date, the key dates.
      for (const row of [
        'RAG sign-off',
        'Report presented to the Responsible Authorities Group, 6 October 2017',
        'Receive the outstanding IMR, due by 24 November 2017',
        'Panel meetings held',
        '19 September and 16 October 2017',
        'Criminal proceedings: from 20 June 2017 to 11 September 2017',
        'IMRs received',
        '1 of 1: Essex Police on 28 October 2016',
        'Panel meetings were held on 19 September and 16 October 2017, the second shortly after the criminal trial concluded.',
      ]) {
        expect([name, flat]).toEqual([name, expect.stringContaining(row)]);
      }
      // Nothing that happened after the date, and no review of another partnership.
      expect(flat).not.toContain('20 November 2017');
      expect(flat).not.toContain('15 January 2018');
      expect(flat).not.toContain('Braintree');
      expect(flat).not.toContain(REAL_NAME);
      expect(flat).not.toContain(CHAIR_NAME);
    }
  });

  it('shows no real name anywhere: JSON, page, DOCX, PDF (a real name seeded in the people and in a hold’s detail)', async () => {
    const json = (await as('lead', AS_AT).expect(200)).text;
    const page = (await as('lead', '/committee-report?csp=MALDON&asAt-day=8&asAt-month=11&asAt-year=2017').set('Accept', 'text/html').expect(200)).text;
    const docx = (await mammoth.extractRawText({ buffer: (await as('lead', `${AS_AT}&format=docx`).buffer(true).parse(binary).expect(200)).body as Buffer })).value;
    const pdf = await pdfText((await as('lead', `${AS_AT}&format=pdf`).buffer(true).parse(binary).expect(200)).body as Buffer);
    for (const [name, text] of Object.entries({ json, page, docx, pdf })) {
      expect([name, text.includes('Adult C')]).toEqual([name, true]);
      for (const forbidden of [REAL_NAME, 'Realperson', CHAIR_NAME, 'Spencer Lead']) expect([name, forbidden, text.includes(forbidden)]).toEqual([name, forbidden, false]);
    }
  });

  it('refuses a report that would show a real name (an agency named as a person in the review is): 409 naming the review, never the name', async () => {
    const csp = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'HARWICH', name: 'Harwich Community Safety Partnership' }).expect(201)).body.id;
    const id = await review(csp, '2017-05-01', '2017-04-28');
    await post(`/reviews/${id}/people`, { role: 'family', realName: 'Tendring Smithson', pseudonym: 'Relative D' });
    const agency = await casefile.agency('Tendring Smithson Care', 'other');
    await event(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Met.', decidedAt: '2017-05-10' });
    const imr = (await post(`/reviews/${id}/imrs`, { agencyId: agency, kind: 'imr', authorName: 'IMR Author', requestedOn: '2017-06-01', dueOn: '2017-07-01' })).id;
    await post(`/reviews/${id}/imrs/${imr}/receipt`, { receivedOn: '2017-06-20' });
    const res = await http().get('/reports/committee?csp=HARWICH&asAt=2017-11-08').set('X-Actor', LEAD).expect(409);
    expect(res.body.message).toBe('DHR-HARWICH-2017-001: the report would show a real name of a person in this review (in its reference or an agency\'s name); correct the record first');
    expect(JSON.stringify(res.body)).not.toContain('Smithson');
    // Before the IMR came in nothing shown names the agency: the report is given.
    expect((await http().get('/reports/committee?csp=HARWICH&asAt=2017-05-20').set('X-Actor', LEAD).expect(200)).body.reviews).toHaveLength(1);
  });

  it('shows a RAG member only the reviews at sign-off or after, and of them nothing it could not open', async () => {
    const report = (await as('rag', AS_AT).expect(200)).body;
    // Today only DHR 1 is at sign-off or after (with the Home Office).
    expect(report.reviews.map((r: { reference: string }) => r.reference)).toEqual(['DHR-MALDON-2016-001']);
    const [dhr1] = report.reviews;
    expect(dhr1.keyDates.map((k: { label: string }) => k.label)).toEqual(['Notification', 'Decision', 'Report to the Responsible Authorities Group', 'Home Office submissions and QA', 'Publication']);
    expect(dhr1.paragraph).not.toMatch(/IMR|panel meeting|chair/i);
    expect(dhr1.pseudonym).toBeNull();
  });

  it('refuses bad input with a 400 naming the field, and callers without the role with a 403', async () => {
    const problem = async (path: string, who: keyof typeof tokens = 'lead') => {
      const res = await as(who, path);
      return [res.status, res.body.errors ?? res.body.message];
    };
    expect(await problem('/reports/committee')).toEqual([400, [{ field: 'csp', message: 'is required: one or more CSP codes, separated by commas' }]]);
    expect(await problem('/reports/committee?csp=NOWHERE')).toEqual([400, [{ field: 'csp', message: 'no CSP with the code NOWHERE' }]]);
    expect(await problem('/reports/committee?csp=MALDON,BRAINTREE')).toEqual([400, [{ field: 'csp', message: 'you hold no role in BRAINTREE that allows reports.read' }]]);
    expect(await problem('/reports/committee?csp=MALDON&asAt=2026-12-05')).toEqual([400, [{ field: 'asAt', message: 'must not be in the future' }]]);
    expect(await problem('/reports/committee?csp=MALDON&asAt=2017-02-30')).toEqual([400, [{ field: 'asAt', message: 'must be a real calendar date' }]]);
    expect(await problem('/reports/committee?csp=MALDON&format=xlsx')).toEqual([400, [{ field: 'format', message: 'must be json, docx or pdf' }]]);
    expect(await problem('/reports/committee?csp=MALDON&extra=1')).toEqual([400, [{ field: 'extra', message: 'is not a recognised field' }]]);
    expect(await problem('/reports/committee?csp=MALDON', 'chair')).toEqual([403, 'reports.read: your roles do not allow this']);
    expect(await problem('/reports/committee?csp=MALDON', 'admin')).toEqual([403, 'reports.read: your roles do not allow this']);
    // The other partnership's lead reports on theirs only.
    expect((await as('otherLead', '/reports/committee?csp=braintree&asAt=2017-11-08').expect(200)).body.reviews.map((r: { reference: string }) => r.reference)).toEqual(['DHR-BRAINTREE-2017-001']);
  });

  it('refuses a real chair of a review of that CSP (a review member with the role chair) with a 403, as it does the review’s other members', async () => {
    const identities = ctx.api.get(IdentityService);
    const token = async (email: string, displayName: string) => (await identities.issueToken((await identities.addUser({ email, displayName })).id, 'committee')).token;
    const chairEmail = 'real.chair.committee@independent.example';
    const writerEmail = 'writer.committee@independent.example';
    const chair = await token(chairEmail, 'A Real Chair');
    const writer = await token(writerEmail, 'A Report Writer');
    await http().post(`/reviews/${ids.dhr3}/members`).set('X-Actor', LEAD).send({ email: chairEmail, role: 'chair' }).expect(201);
    await http().post(`/reviews/${ids.dhr3}/members`).set('X-Actor', LEAD).send({ email: writerEmail, role: 'report_writer' }).expect(201);
    const get = (bearer: string, path: string) => http().get(path).set('Authorization', `Bearer ${bearer}`);
    // A real chair: the review is theirs to open (and another partnership's review is not).
    const theirs = (await get(chair, `/reviews/${ids.dhr3}`).expect(200)).body;
    expect(theirs).toMatchObject({ id: ids.dhr3, reference: 'DHR-MALDON-2017-002' });
    expect((await get(chair, `/reviews/${ids.other}`)).status).toBe(404);
    // Yet the committee report of its CSP is refused, in every format and as at any date.
    for (const path of ['/reports/committee?csp=MALDON', `${AS_AT}`, `${AS_AT}&format=docx`, `${AS_AT}&format=pdf`, '/reports/committee?csp=MALDON&page=1&pageSize=1']) {
      for (const [who, bearer] of [
        ['chair', chair],
        ['report writer', writer],
      ] as const) {
        const res = await get(bearer, path);
        expect([who, path, res.status, res.body.message]).toEqual([who, path, 403, 'reports.read: your roles do not allow this']);
        expect([who, path, JSON.stringify(res.body)]).toEqual([who, path, expect.not.stringContaining('DHR-MALDON')]);
      }
    }
    // The page refuses them too, and shows none of the report.
    const page = await get(chair, '/committee-report?csp=MALDON&asAt-day=8&asAt-month=11&asAt-year=2017').set('Accept', 'text/html');
    expect(page.status).toBe(403);
    expect(page.text).not.toContain('DHR-MALDON');
  });

  it('puts every report in the access log: a row per review it held, under that review', async () => {
    const dataSource = ctx.api.get(DataSource);
    const before: Array<{ n: number }> = await dataSource.query(`SELECT count(*)::int AS n FROM access_log WHERE route = '/reports/committee'`);
    await as('lead', `${AS_AT}&format=pdf`).buffer(true).parse(binary).expect(200);
    const rows: Array<{ review_id: string; actor: string; path: string; status: number; outcome: string }> = await dataSource.query(
      `SELECT review_id, actor, path, status, outcome FROM access_log WHERE route = '/reports/committee' ORDER BY id DESC LIMIT 3`,
    );
    expect(rows.map((r) => r.review_id).sort()).toEqual([ids.dhr1, ids.dhr2, ids.dhr3].sort());
    for (const row of rows) expect(row).toMatchObject({ actor: LEAD, path: `${AS_AT}&format=pdf`, status: 200, outcome: 'allowed' });
    const after: Array<{ n: number }> = await dataSource.query(`SELECT count(*)::int AS n FROM access_log WHERE route = '/reports/committee'`);
    expect(after[0].n - before[0].n).toBe(3);
    // The review's CSP lead sees it in that review's access log.
    const log = (await as('lead', `/reviews/${ids.dhr3}/access-log`).expect(200)).body;
    const entries = (log.items ?? log) as Array<{ path: string }>;
    expect(entries.some((e) => e.path === `${AS_AT}&format=pdf`)).toBe(true);
    // A report that held no review is still logged, naming none.
    await as('lead', '/reports/committee?csp=MALDON&asAt=2015-01-01').expect(200);
    const empty: Array<{ review_id: string | null }> = await dataSource.query(`SELECT review_id FROM access_log WHERE path = '/reports/committee?csp=MALDON&asAt=2015-01-01'`);
    expect(empty).toEqual([{ review_id: null }]);
  });
});

/** supertest: collect a binary body as a Buffer. */
function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
