import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * Scoping and parallel proceedings in Debian's Chromium, each person signed in through the
 * sign-in page: the CSP lead records agencies' scoping responses (an empty form first), meets
 * an agency that already answered, corrects a response (after a conflicting correction by the
 * chair), and records that an agency secured its records; then records criminal proceedings,
 * corrects their key dates (after a conflicting change) and records that they concluded. A
 * panel member reads the scoping page but is offered no forms and has no Proceedings tab; a
 * report writer reads the proceedings but is offered no forms; the forms' addresses are
 * refused to both. Each outcome is checked on the page and through the JSON API (the records,
 * who made them, the review's history). axe-core runs on every page visited.
 */

const NOW = '2026-03-16T10:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'community.safety@colchester.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const PANEL = 'panel.member@essex.police.uk';
const WRITER = 'report.writer@independent-reviews.example';

jest.setTimeout(180_000);

interface ScopingResponse {
  id: string;
  agencyId: string;
  hadContact: boolean;
  summary: string | null;
  respondedOn: string;
  version: number;
  createdBy: string;
}
interface RecordsSecured {
  agencyId: string;
  confirmedOn: string;
  confirmedBy: string;
  createdBy: string;
}
interface Proceeding {
  id: string;
  type: string;
  status: string;
  statusChangedOn: string | null;
  description: string | null;
  keyDates: Array<{ label: string; date: string }>;
  blocksPublication: boolean;
  version: number;
  createdBy: string;
}
interface HistoryRow {
  type: string;
  actor: string;
  payload: Record<string, unknown>;
}

describe('scoping and parallel proceedings (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;
  let agencies: Record<string, string>;

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = await api.post('/csps', 'administrator', { code: 'COLCHESTER', name: 'Colchester Community Safety Partnership' });
    agencies = await api.agencies([
      ['Essex Police', 'police'],
      ['Colchester City Council', 'local_authority'],
      ['East Suffolk and North Essex NHS Foundation Trust', 'health'],
    ] as const);
    await api.user(LEAD, 'Priya Shah', PASSWORD, 'csp_lead', 'COLCHESTER');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(PANEL, 'Pat Morgan', PASSWORD);
    await api.user(WRITER, 'Robin Hale', PASSWORD);
    // A review just notified: scoping is the CSP's first step.
    reviewId = (
      await api.post('/reviews', LEAD, {
        cspId: csp.id,
        dateOfDeath: '2026-01-30',
        notifiedOn: '2026-02-02',
        policeForce: 'Essex Police',
        policeReference: 'ESX/2026/0117',
        circumstances: 'Death at home; partner arrested on suspicion of murder.',
      })
    ).id;
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: WRITER, role: 'report_writer' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: PANEL, role: 'panel_member', agencyId: agencies['Essex Police'] });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  const signIn = (email: string) => signInAs(browser, baseURL, email);
  const textOf = (locator: Locator) => locator.first().innerText();
  const tabs = (page: Page) => page.getByRole('navigation', { name: 'Review pages' });
  const banner = (page: Page) => textOf(page.locator('.govuk-notification-banner'));
  const responses = async () => (await api.get(`/reviews/${reviewId}/scoping-responses`, LEAD)) as ScopingResponse[];
  const recordsSecured = async () => (await api.get(`/reviews/${reviewId}/records-secured`, LEAD)) as RecordsSecured[];
  const proceedings = async () => (await api.get(`/reviews/${reviewId}/proceedings`, LEAD)) as Proceeding[];
  const history = async () => (await api.get(`/reviews/${reviewId}/history`, LEAD)) as HistoryRow[];
  const responseOf = async (agency: string) => (await responses()).find((r) => r.agencyId === agencies[agency])!;

  it('the CSP lead records scoping responses (errors first), corrects one after a conflicting correction, and records records secured', async () => {
    const { context, page, problems } = await signIn(LEAD);
    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Scoping' }).click();
    await page.waitForURL(`**/cases/${reviewId}/scoping`);
    await visible(page.getByText('No agency’s response has been recorded yet.'));
    await visible(page.getByText('No agency has confirmed its records are secured yet.'));
    await checks.check(page, problems, 'scoping (nothing yet)');

    // An empty form: the summary names each field and links to it; nothing is written.
    await page.getByRole('button', { name: 'Record a scoping response' }).click();
    await page.waitForURL(`**/cases/${reviewId}/scoping/responses/new`);
    await checks.check(page, problems, 'record a scoping response');
    await page.getByRole('button', { name: 'Record the response' }).click();
    expect(await errorSummary(page)).toEqual(['Select the agency', 'Select whether the agency had contact', 'Enter the date of the response']);
    const links = page.locator('.govuk-error-summary a');
    expect(await Promise.all([0, 1, 2].map((i) => links.nth(i).getAttribute('href')))).toEqual(['#agencyId', '#hadContact', '#respondedOn-day']);
    await checks.check(page, problems, 'record a scoping response (errors)');
    expect(await responses()).toEqual([]);

    await page.getByLabel('Agency', { exact: true }).selectOption({ label: 'Essex Police' });
    await page.getByLabel('Yes, it had contact').check();
    await fillDate(page, 'Date of the response', 10, 2, 2026);
    await page.getByLabel('Summary of the contact (optional)').fill('Two call-outs to the address in 2025; Adult B arrested once.');
    await page.getByRole('button', { name: 'Record the response' }).click();
    await page.waitForURL(/\/scoping\?done=SCOPING_RESPONSE_RECORDED$/);
    expect(await banner(page)).toContain('Scoping response recorded');
    const responsesTable = page.getByRole('table', { name: 'Scoping responses by agency' });
    const police = responsesTable.getByRole('row', { name: /Essex Police/ });
    expect(await textOf(police)).toContain('10 February 2026');
    expect(await textOf(police)).toContain('Had contact');
    expect(await textOf(police)).toContain('Two call-outs to the address in 2025; Adult B arrested once.');

    // A second agency; a date in the future is the service's to refuse.
    await page.getByRole('button', { name: 'Record a scoping response' }).click();
    await page.getByLabel('Agency', { exact: true }).selectOption({ label: 'Colchester City Council' });
    await page.getByLabel('No contact').check();
    await fillDate(page, 'Date of the response', 17, 3, 2026);
    await page.getByRole('button', { name: 'Record the response' }).click();
    expect(await errorSummary(page)).toEqual(['Date of the response must not be in the future']);
    expect(await page.getByLabel('No contact').isChecked()).toBe(true);
    await fillDate(page, 'Date of the response', 12, 2, 2026);
    await page.getByRole('button', { name: 'Record the response' }).click();
    await page.waitForURL(/\/scoping\?done=SCOPING_RESPONSE_RECORDED$/);
    expect(await textOf(responsesTable.getByRole('row', { name: /Colchester City Council/ }))).toContain('No contact');
    await visible(page.getByText('2 agencies have responded: 1 had contact, 1 had none.'));

    // An agency answers once: a second response is refused, with the way to correct the first.
    await page.getByRole('button', { name: 'Record a scoping response' }).click();
    await page.getByLabel('Agency', { exact: true }).selectOption({ label: 'Essex Police' });
    await page.getByLabel('No contact').check();
    await fillDate(page, 'Date of the response', 11, 2, 2026);
    await page.getByRole('button', { name: 'Record the response' }).click();
    expect(await errorSummary(page)).toEqual(['Essex Police already responded to scoping on 10 February 2026', 'Correct that response instead']);
    const policeResponse = await responseOf('Essex Police');
    expect(await page.getByRole('link', { name: 'Correct that response instead' }).getAttribute('href')).toBe(
      `/cases/${reviewId}/scoping/responses/${policeResponse.id}/correct`,
    );
    await checks.check(page, problems, 'record a scoping response (already answered)');
    expect((await responses()).map((r) => [r.agencyId, r.hadContact, r.respondedOn, r.createdBy])).toEqual([
      [agencies['Essex Police'], true, '2026-02-10', LEAD],
      [agencies['Colchester City Council'], false, '2026-02-12', LEAD],
    ]);

    // A correction, with the form open while the chair corrects the same response.
    await page.goto(`/cases/${reviewId}/scoping`);
    await page.getByRole('link', { name: 'Correct the response from Colchester City Council' }).click();
    const council = await responseOf('Colchester City Council');
    await page.waitForURL(`**/scoping/responses/${council.id}/correct`);
    expect(await page.getByLabel('No contact').isChecked()).toBe(true);
    const respondedOn = page.getByRole('group', { name: 'Date of the response' });
    expect([await respondedOn.getByLabel('Day').inputValue(), await respondedOn.getByLabel('Month').inputValue(), await respondedOn.getByLabel('Year').inputValue()]).toEqual(['12', '2', '2026']);
    await checks.check(page, problems, 'correct a scoping response');
    const byChair = await request(ctx.api.getHttpServer())
      .patch(`/reviews/${reviewId}/scoping-responses/${council.id}`)
      .set('X-Actor', CHAIR)
      .set('If-Match', `"${council.version}"`)
      .send({ summary: 'Letter of 12 February: no record of the people named.' });
    expect(byChair.status).toBe(200);
    await page.getByLabel('Yes, it had contact').check();
    await page.getByLabel('Summary of the contact (optional)').fill('Housing officers visited the address in March 2025.');
    await page.getByRole('button', { name: 'Save the correction' }).click();
    expect((await textOf(page.locator('.govuk-error-summary__title'))).trim()).toBe('This scoping response changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain(`Scoping response corrected by Chris Rowe`);
    await checks.check(page, problems, 'correct a scoping response (conflict)');
    // Nothing of the stale form was saved; the form now shows the response as it is.
    expect(await responseOf('Colchester City Council')).toMatchObject({ hadContact: false, summary: 'Letter of 12 February: no record of the people named.' });
    expect(await page.getByLabel('Summary of the contact (optional)').inputValue()).toBe('Letter of 12 February: no record of the people named.');
    expect(await page.getByLabel('No contact').isChecked()).toBe(true);

    await page.getByLabel('Yes, it had contact').check();
    await page.getByLabel('Summary of the contact (optional)').fill('Housing officers visited the address in March 2025.');
    await page.getByRole('button', { name: 'Save the correction' }).click();
    await page.waitForURL(/\/scoping\?done=SCOPING_RESPONSE_CORRECTED$/);
    expect(await banner(page)).toContain('Scoping response corrected');
    const councilRow = responsesTable.getByRole('row', { name: /Colchester City Council/ });
    expect(await textOf(councilRow)).toContain('Had contact');
    expect(await textOf(councilRow)).toContain('Housing officers visited the address in March 2025.');
    expect(await responseOf('Colchester City Council')).toMatchObject({
      hadContact: true,
      summary: 'Housing officers visited the address in March 2025.',
      respondedOn: '2026-02-12',
      createdBy: LEAD,
    });

    // Records secured: an empty form first, then the police's confirmation.
    await page.getByRole('button', { name: 'Record that an agency secured its records' }).click();
    await page.waitForURL(`**/cases/${reviewId}/scoping/records-secured/new`);
    await page.getByRole('button', { name: 'Record the confirmation' }).click();
    expect(await errorSummary(page)).toEqual(['Select the agency', 'Enter the date the agency confirmed it', 'Enter who at the agency confirmed it']);
    await checks.check(page, problems, 'record records secured (errors)');
    expect(await recordsSecured()).toEqual([]);
    await page.getByLabel('Agency', { exact: true }).selectOption({ label: 'Essex Police' });
    await fillDate(page, 'Date the agency confirmed it', 13, 2, 2026);
    await page.getByLabel('Who at the agency confirmed it').fill('DI Sam Patel, Public Protection Unit');
    await page.getByRole('button', { name: 'Record the confirmation' }).click();
    await page.waitForURL(/\/scoping\?done=RECORDS_SECURED$/);
    expect(await banner(page)).toContain('Records secured confirmation recorded');
    const secured = page.getByRole('table', { name: 'Records secured, by agency' }).getByRole('row', { name: /Essex Police/ });
    expect(await textOf(secured)).toContain('13 February 2026');
    expect(await textOf(secured)).toContain('DI Sam Patel, Public Protection Unit');
    await visible(page.getByText('Responded, but not yet confirmed their records are secured: Colchester City Council.'));
    await checks.check(page, problems, 'scoping', { screenshot: 'scoping' });

    expect(await recordsSecured()).toEqual([
      expect.objectContaining({ agencyId: agencies['Essex Police'], confirmedOn: '2026-02-13', confirmedBy: 'DI Sam Patel, Public Protection Unit', createdBy: LEAD }),
    ]);
    // Corrections are in the history with who made them and what they changed.
    const corrections = (await history()).filter((h) => h.type === 'SCOPING_RESPONSE_CORRECTED');
    expect(corrections.map((h) => [h.actor, h.payload.agency, h.payload.changed, h.payload.scopingResponseId])).toEqual([
      [CHAIR, 'Colchester City Council', ['summary'], council.id],
      [LEAD, 'Colchester City Council', ['hadContact', 'summary'], council.id],
    ]);
    await context.close();
  });

  it('the CSP lead records criminal proceedings (errors first), corrects their key dates after a conflicting change, and records that they concluded', async () => {
    const { context, page, problems } = await signIn(LEAD);
    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Proceedings' }).click();
    await page.waitForURL(`**/cases/${reviewId}/proceedings`);
    await visible(page.getByText('No parallel proceedings have been recorded.'));
    await checks.check(page, problems, 'proceedings (none yet)');

    // A key date without its date, and nothing else: each field named.
    await page.getByRole('button', { name: 'Record proceedings' }).click();
    await page.waitForURL(`**/cases/${reviewId}/proceedings/new`);
    await checks.check(page, problems, 'record proceedings');
    await page.getByLabel('Key date 1 (optional)', { exact: true }).fill('Charged');
    await page.getByRole('button', { name: 'Record the proceedings' }).click();
    expect(await errorSummary(page)).toEqual(['Select the kind of proceedings', 'Select the status', 'Enter the date of key date 1']);
    await checks.check(page, problems, 'record proceedings (errors)');
    expect(await proceedings()).toEqual([]);

    expect(await page.getByLabel('Key date 1 (optional)', { exact: true }).inputValue()).toBe('Charged');
    await page.getByLabel('Criminal investigation or trial').check();
    await page.getByLabel('Active', { exact: true }).check();
    await page.getByLabel('Description (optional)').fill('R v Adult B at Chelmsford Crown Court: murder.');
    await fillDate(page, 'Date of key date 1 (optional)', 5, 2, 2026);
    await page.getByLabel('Key date 2 (optional)', { exact: true }).fill('Trial listed');
    await fillDate(page, 'Date of key date 2 (optional)', 14, 9, 2026);
    await page.getByRole('button', { name: 'Record the proceedings' }).click();
    await page.waitForURL(/\/proceedings\?done=PROCEEDINGS_RECORDED$/);
    expect(await banner(page)).toContain('Parallel proceedings recorded');
    await visible(page.getByText('Criminal proceedings are active: publication must wait until they have ended.'));
    const row = page.getByRole('row', { name: /Criminal investigation or trial/ });
    expect(await textOf(row)).toContain('Active');
    expect(await textOf(row)).toContain('Charged: 5 February 2026');
    expect(await textOf(row)).toContain('Trial listed: 14 September 2026');
    expect(await textOf(row)).toContain('R v Adult B at Chelmsford Crown Court: murder.');
    await checks.check(page, problems, 'proceedings (active)');

    const [recorded] = await proceedings();
    expect(recorded).toMatchObject({
      type: 'criminal',
      status: 'active',
      description: 'R v Adult B at Chelmsford Crown Court: murder.',
      keyDates: [
        { label: 'Charged', date: '2026-02-05' },
        { label: 'Trial listed', date: '2026-09-14' },
      ],
      blocksPublication: true,
      createdBy: LEAD,
    });
    expect((await api.get(`/reviews/${reviewId}`, LEAD)).facts.activeCriminalProceedings).toBe(true);
    expect((await history()).filter((h) => h.type === 'PROCEEDINGS_RECORDED').map((h) => [h.actor, h.payload])).toEqual([
      [LEAD, { proceedingId: recorded.id, type: 'criminal', status: 'active' }],
    ]);

    // Correcting the details, with the form open while the chair changes the description.
    await row.getByRole('link', { name: 'Correct details of the criminal investigation or trial' }).click();
    await page.waitForURL(`**/proceedings/${recorded.id}/correct`);
    expect(await page.getByLabel('Key date 2 (optional)', { exact: true }).inputValue()).toBe('Trial listed');
    await checks.check(page, problems, 'correct proceedings');
    const byChair = await request(ctx.api.getHttpServer())
      .patch(`/reviews/${reviewId}/proceedings/${recorded.id}`)
      .set('X-Actor', CHAIR)
      .set('If-Match', `"${recorded.version}"`)
      .send({ description: 'R v Adult B at Chelmsford Crown Court: murder. CPS advice on disclosure awaited.' });
    expect(byChair.status).toBe(200);
    await fillDate(page, 'Date of key date 2 (optional)', 21, 9, 2026);
    await page.getByRole('button', { name: 'Save the changes' }).click();
    expect((await textOf(page.locator('.govuk-error-summary__title'))).trim()).toBe('This record of proceedings changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('It is now active, with 2 key dates');
    await checks.check(page, problems, 'correct proceedings (conflict)');
    expect((await proceedings())[0].keyDates[1]).toEqual({ label: 'Trial listed', date: '2026-09-14' });
    expect(await page.getByLabel('Description (optional)').inputValue()).toBe('R v Adult B at Chelmsford Crown Court: murder. CPS advice on disclosure awaited.');

    await fillDate(page, 'Date of key date 2 (optional)', 21, 9, 2026);
    await page.getByLabel('Key date 3 (optional)', { exact: true }).fill('Plea hearing');
    await fillDate(page, 'Date of key date 3 (optional)', 2, 3, 2026);
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.waitForURL(/\/proceedings\?done=PROCEEDINGS_CORRECTED$/);
    expect(await banner(page)).toContain('Parallel proceedings details corrected');
    expect(await textOf(row)).toContain('Trial listed: 21 September 2026');
    expect(await textOf(row)).toContain('Plea hearing: 2 March 2026');
    expect((await proceedings())[0]).toMatchObject({
      description: 'R v Adult B at Chelmsford Crown Court: murder. CPS advice on disclosure awaited.',
      keyDates: [
        { label: 'Charged', date: '2026-02-05' },
        { label: 'Trial listed', date: '2026-09-21' },
        { label: 'Plea hearing', date: '2026-03-02' },
      ],
      status: 'active',
    });
    // Corrections are in the history (seen only by those who may read the proceedings) with what they replaced.
    const corrections = (await history()).filter((h) => h.type === 'PROCEEDINGS_CORRECTED');
    expect(corrections.map((h) => [h.actor, Object.keys(h.payload.changes as object)])).toEqual([
      [CHAIR, ['description']],
      [LEAD, ['keyDates']],
    ]);
    expect(corrections[0].payload.changes).toEqual({
      description: { from: 'R v Adult B at Chelmsford Crown Court: murder.', to: 'R v Adult B at Chelmsford Crown Court: murder. CPS advice on disclosure awaited.' },
    });
    expect((corrections[1].payload.changes as { keyDates: { to: unknown } }).keyDates.to).toEqual([
      { label: 'Charged', date: '2026-02-05' },
      { label: 'Trial listed', date: '2026-09-21' },
      { label: 'Plea hearing', date: '2026-03-02' },
    ]);
    // The access log has the refused attempt too.
    const log = (await api.get(`/reviews/${reviewId}/access-log`, LEAD)) as Array<{ actor: string; method: string; route: string; status: number }>;
    const posts = log.filter((e) => e.method === 'POST' && e.route === '/cases/:reviewId/proceedings/:proceedingId/correct');
    expect(posts.map((e) => [e.actor, e.status]).sort()).toEqual([
      [LEAD, 303],
      [LEAD, 412],
    ]);

    // The status: an empty form, a date in the future, then concluded.
    await row.getByRole('link', { name: 'Change status of the criminal investigation or trial' }).click();
    await page.waitForURL(`**/proceedings/${recorded.id}/status`);
    await page.getByRole('button', { name: 'Change the status' }).click();
    expect(await errorSummary(page)).toEqual(['Select the new status', 'Enter the date of the change']);
    await checks.check(page, problems, 'change the status of proceedings (errors)');
    await page.getByLabel('Concluded').check();
    await fillDate(page, 'Date of the change', 17, 3, 2026);
    await page.getByRole('button', { name: 'Change the status' }).click();
    expect(await errorSummary(page)).toEqual(['Date of the change must not be in the future']);
    expect((await proceedings())[0].status).toBe('active');
    await fillDate(page, 'Date of the change', 13, 3, 2026);
    await page.getByRole('button', { name: 'Change the status' }).click();
    await page.waitForURL(/\/proceedings\?done=PROCEEDINGS_STATUS_CHANGED$/);
    expect(await banner(page)).toContain('Parallel proceedings status changed');
    expect(await textOf(row)).toContain('Concluded');
    expect(await textOf(row)).toContain('since 13 March 2026');
    expect(await page.getByText('publication must wait').count()).toBe(0);
    await checks.check(page, problems, 'proceedings', { screenshot: 'proceedings' });

    expect((await proceedings())[0]).toMatchObject({ status: 'concluded', statusChangedOn: '2026-03-13', blocksPublication: false });
    expect((await api.get(`/reviews/${reviewId}`, LEAD)).facts.activeCriminalProceedings).toBe(false);
    expect((await history()).filter((h) => h.type === 'PROCEEDINGS_STATUS_CHANGED').map((h) => [h.actor, h.payload])).toEqual([
      [LEAD, { proceedingId: recorded.id, type: 'criminal', from: 'active', to: 'concluded', on: '2026-03-13' }],
    ]);
    await context.close();
  });

  it('a panel member reads the scoping page without its forms, has no Proceedings tab, and is refused the forms', async () => {
    const { context, page, problems } = await signIn(PANEL);
    await page.goto(`/cases/${reviewId}`);
    const names = await tabs(page).getByRole('link').allInnerTexts();
    expect(names).toContain('Scoping');
    expect(names).not.toContain('Proceedings');
    await tabs(page).getByRole('link', { name: 'Scoping' }).click();
    await page.waitForURL(`**/cases/${reviewId}/scoping`);
    expect(await textOf(page.getByRole('table', { name: 'Scoping responses by agency' }).getByRole('row', { name: /Essex Police/ }))).toContain('Had contact');
    expect(await page.getByRole('button', { name: 'Record a scoping response' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Record that an agency secured its records' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Correct/ }).count()).toBe(0);
    await checks.check(page, problems, 'scoping (panel member)');
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();

    const council = await responseOf('Colchester City Council');
    const [proceeding] = await proceedings();
    const forms = [
      `/cases/${reviewId}/scoping/responses/new`,
      `/cases/${reviewId}/scoping/responses/${council.id}/correct`,
      `/cases/${reviewId}/scoping/records-secured/new`,
      `/cases/${reviewId}/proceedings`,
      `/cases/${reviewId}/proceedings/new`,
      `/cases/${reviewId}/proceedings/${proceeding.id}/correct`,
      `/cases/${reviewId}/proceedings/${proceeding.id}/status`,
    ];
    for (const path of forms) {
      const response = await page.goto(path);
      expect([path, response?.status()]).toEqual([path, 403]);
      expect(await textOf(page.getByRole('heading', { level: 1 }))).toMatch(/do not have access/i);
      expect(await page.content()).not.toContain('Chelmsford');
    }
    await checks.check(page, problems, 'proceedings (panel member, refused)');
    // A form posted anyway (with the session's CSRF token) is refused by the same policy, and nothing changes.
    const refused = await page.request.post(`/cases/${reviewId}/scoping/records-secured`, {
      form: { _csrf: csrf, agencyId: agencies['Colchester City Council'], 'confirmedOn-day': '1', 'confirmedOn-month': '3', 'confirmedOn-year': '2026', confirmedBy: 'Someone' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect((await recordsSecured()).map((r) => r.agencyId)).toEqual([agencies['Essex Police']]);
    await context.close();
  });

  it('a report writer reads the proceedings but is offered no forms, and is refused them', async () => {
    const { context, page, problems } = await signIn(WRITER);
    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Proceedings' }).click();
    await page.waitForURL(`**/cases/${reviewId}/proceedings`);
    expect(await textOf(page.getByRole('row', { name: /Criminal investigation or trial/ }))).toContain('Concluded');
    expect(await page.getByRole('button', { name: 'Record proceedings' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^(Change status|Correct details)/ }).count()).toBe(0);
    await checks.check(page, problems, 'proceedings (report writer)');
    const [proceeding] = await proceedings();
    for (const path of [`/cases/${reviewId}/proceedings/new`, `/cases/${reviewId}/proceedings/${proceeding.id}/status`, `/cases/${reviewId}/proceedings/${proceeding.id}/correct`]) {
      const response = await page.goto(path);
      expect([path, response?.status()]).toEqual([path, 403]);
    }
    await checks.check(page, problems, 'proceedings form (report writer, refused)');
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
    await context.close();
  });

  async function visible(locator: Locator) {
    await locator.first().waitFor({ state: 'visible', timeout: 10_000 });
  }
});
