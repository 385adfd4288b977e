import type { Browser } from 'playwright-core';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';
import { answerHomeOfficeChecklist } from '../support/home-office';

const LEAD = 'lead.report@maldon.gov.uk';

/**
 * The committee progress report in a browser, as a CSP lead: from the navigation to the form,
 * the report as at 8 November 2017 (a review then at the board, today with the Home Office; one
 * still gathering information), its downloads, and on paper (the print stylesheet leaves the
 * report alone). axe on each page; screenshot committee-report.png.
 */
describe('the committee progress report page (browser)', () => {
  const clock = new TestClock(new Date('2026-12-04T10:00:00Z'));
  const checks = new PageChecks();
  let ctx: TestContext;
  let baseURL: string;
  let browser: Browser;

  beforeAll(async () => {
    let api: ReturnType<typeof setupApi>;
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = (await api.post('/csps', 'administrator', { code: 'MALDON', name: 'Maldon Community Safety Partnership' })).id;
    await api.user(LEAD, 'Spencer Lead', TEST_PASSWORD, 'csp_lead', 'MALDON');
    const { police } = await api.agencies([['Essex Police', 'police']]).then((a) => ({ police: a['Essex Police'] }));
    const open = async (notifiedOn: string) =>
      (await api.post('/reviews', LEAD, { cspId: csp, dateOfDeath: notifiedOn, notifiedOn, policeForce: 'Essex Police', policeReference: `ESX/${notifiedOn}`, circumstances: 'A death at home.' })).id as string;

    // At the board on 6 October 2017; approved and with the Home Office since.
    const first = await open('2016-06-10');
    await api.event(first, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2016-07-01' });
    await api.event(first, LEAD, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2016-07-05' });
    await api.post(`/reviews/${first}/appointments`, LEAD, { role: 'chair', name: 'Independent Chair', organisation: 'Independent', appointedOn: '2016-07-20', independenceStatement: 'No involvement.' });
    await api.post(`/reviews/${first}/panel-members`, LEAD, { name: 'DCI Representative', agencyId: police, role: 'Senior representative', joinedOn: '2016-07-21', noDirectCaseManagementDeclared: true });
    await api.event(first, LEAD, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2016-09-01' });
    const imr = (await api.post(`/reviews/${first}/imrs`, LEAD, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2016-09-05', dueOn: '2016-11-01' })).id;
    await api.post(`/reviews/${first}/imrs/${imr}/receipt`, LEAD, { receivedOn: '2016-10-28' });
    const meeting = (await api.post(`/reviews/${first}/meetings`, LEAD, { startsAt: '2016-12-01T10:00:00Z', location: 'Council Offices', agenda: 'IMRs' })).id;
    await api.post(`/reviews/${first}/meetings/${meeting}/held`, LEAD, { minutes: 'Held.', decisions: 'Draft.', imrIds: [imr] });
    await api.event(first, LEAD, { type: 'BEGIN_DRAFTING', occurredAt: '2017-01-10' });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    await api.upload(first, LEAD, 'overview_report', 'Overview report', pdf, 'overview.pdf');
    await api.upload(first, LEAD, 'executive_summary', 'Executive summary', pdf, 'summary.pdf');
    const rec = (await api.post(`/reviews/${first}/recommendations`, LEAD, { text: 'Share risk information at MARAC', level: 'multi_agency', addressee: 'Maldon CSP' })).id;
    await api.post(`/reviews/${first}/recommendations/${rec}/agree`, LEAD, {});
    await api.post(`/reviews/${first}/family-engagements`, LEAD, { kind: 'draft_offered', occurredOn: '2017-09-27' });
    await api.event(first, LEAD, { type: 'AGREE_REPORT', occurredAt: '2017-10-06' });
    await api.event(first, LEAD, { type: 'RAG_APPROVE', approvedAt: '2017-11-20' });
    await answerHomeOfficeChecklist(ctx.api, first, LEAD);
    await api.event(first, LEAD, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2017-12-01' });

    // Notified 17 April 2017 and decided on 12 May 2017; the Home Office not yet told by 8 November (nor since).
    const third = await open('2017-04-17');
    await api.post(`/reviews/${third}/people`, LEAD, { role: 'victim', realName: 'Joanna Realperson', pseudonym: 'Adult C' });
    await api.event(third, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2017-05-12' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings)}`);
  });

  it('shows a CSP lead each review as it stood on the date, downloads it, refuses a future date, and prints the report alone', async () => {
    const { page, problems, context } = await signInAs(browser, baseURL, LEAD);
    await page.getByRole('link', { name: 'Committee report' }).click();
    await page.waitForURL(/\/committee-report$/);
    await checks.check(page, problems, 'committee report form');
    // Their one partnership is already chosen.
    expect(await page.getByLabel('Maldon Community Safety Partnership').isChecked()).toBe(true);

    // A date in the future: the form again, naming the field.
    await fillDate(page, 'As at', 5, 12, 2026);
    await page.getByRole('button', { name: 'Show the report' }).click();
    expect(await errorSummary(page)).toEqual(['The date: must not be in the future']);
    await checks.check(page, problems, 'committee report (future date)');

    await fillDate(page, 'As at', 8, 11, 2017);
    await page.getByRole('button', { name: 'Show the report' }).click();
    await page.waitForURL(/asAt-year=2017/);
    expect(await page.locator('h1').textContent()).toBe('Committee progress report: domestic homicide reviews');
    expect(await page.locator('.govuk-body-l').textContent()).toBe('Maldon Community Safety Partnership, as at 8 November 2017');
    const rows = await page.locator('.app-report table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => Array.from((tr as unknown as { children: ArrayLike<{ textContent: string | null }> }).children, (c) => (c.textContent ?? '').trim())),
    );
    expect(rows).toEqual([
      ['DHR-MALDON-2016-001', 'RAG sign-off', 'Report presented to the Responsible Authorities Group, 6 October 2017', 'Obtain the Responsible Authorities Group’s sign-off of the overview report, due by 6 November 2017'],
      ['DHR-MALDON-2017-001 (Adult C)', 'Establishing the review', 'Decision: the criteria for a review were met, 12 May 2017', 'Tell the Home Office of the decision, due by 12 June 2017'],
    ]);
    const paragraphs = await page.locator('.app-report__paragraph').allTextContents();
    expect(paragraphs[0]).toContain('The final report was presented to the Responsible Authorities Group on 6 October 2017.');
    expect(paragraphs[1]).toBe(
      'DHR-MALDON-2017-001 was notified on 17 April 2017 and the criteria for a review were met. The next step is to tell the Home Office of the decision, which was due by 12 June 2017.',
    );
    expect(await page.content()).not.toContain('Realperson');
    await checks.check(page, problems, 'committee report (8 November 2017)', { screenshot: 'committee-report' });

    // The downloads are the same report, as a Word document and a PDF.
    const docx = await context.request.get(await page.getByRole('link', { name: /Word document/ }).getAttribute('href') as string);
    expect([docx.status(), docx.headers()['content-type']]).toEqual([200, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document']);
    const file = await context.request.get(await page.getByRole('link', { name: /PDF/ }).getAttribute('href') as string);
    expect([file.status(), file.headers()['content-type'], (await file.body()).subarray(0, 5).toString()]).toEqual([200, 'application/pdf', '%PDF-']);

    // On paper: the report, without the form, the downloads or the navigation.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.app-report-form').isVisible()).toBe(false);
    expect(await page.locator('.app-report-downloads').isVisible()).toBe(false);
    expect(await page.locator('.govuk-footer').isVisible()).toBe(false);
    expect(await page.locator('.app-report__paragraph').first().isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    // A page holds 50 reviews: the two fit on page 1, so page 2 holds none and no page links are shown.
    await page.goto(`${new URL(page.url()).pathname}${new URL(page.url()).search}&page=2`);
    expect(await page.locator('.app-report table').count()).toBe(0);
    expect(await page.locator('.app-report').textContent()).toContain('No reviews of these partnerships had been notified by this date, or none you may see.');
    expect(await page.locator('.govuk-pagination').count()).toBe(0);
    await context.close();
  });
});
