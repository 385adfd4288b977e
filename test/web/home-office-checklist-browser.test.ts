import type { Browser } from 'playwright-core';
import { loadHomeOfficeChecklist } from '../../src/reports/home-office/checklist';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

const LEAD = 'lead.checklist@maldon.gov.uk';
const CHECKLIST = loadHomeOfficeChecklist();

/**
 * The checklist before submission in a browser, as the CSP lead: from the review's Home Office
 * QA page to the checklist, a flag without a note refused on its item, every item answered and
 * saved, the pack downloadable from the page. axe on each page; screenshot home-office-checklist.png.
 */
describe('the checklist before submission to the Home Office (browser)', () => {
  const clock = new TestClock(new Date('2026-12-04T10:00:00Z'));
  const checks = new PageChecks();
  let ctx: TestContext;
  let baseURL: string;
  let browser: Browser;
  let reviewId: string;

  beforeAll(async () => {
    let api: ReturnType<typeof setupApi>;
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = (await api.post('/csps', 'administrator', { code: 'MALDON', name: 'Maldon Community Safety Partnership' })).id;
    await api.user(LEAD, 'Spencer Lead', TEST_PASSWORD, 'csp_lead', 'MALDON');
    const police = (await api.agencies([['Essex Police', 'police']]))['Essex Police'];
    reviewId = (await api.post('/reviews', LEAD, { cspId: csp, dateOfDeath: '2026-01-03', notifiedOn: '2026-01-05', policeForce: 'Essex Police', policeReference: 'ESX/1', circumstances: 'A death at home.' })).id;
    const id = reviewId;
    await api.event(id, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-01-28' });
    await api.event(id, LEAD, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-29' });
    await api.post(`/reviews/${id}/appointments`, LEAD, { role: 'chair', name: 'Independent Chair', organisation: 'Independent', appointedOn: '2026-02-01', independenceStatement: 'No involvement.' });
    await api.post(`/reviews/${id}/panel-members`, LEAD, { name: 'DCI Representative', agencyId: police, role: 'Senior representative', joinedOn: '2026-02-02', noDirectCaseManagementDeclared: true });
    await api.event(id, LEAD, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
    const imr = (await api.post(`/reviews/${id}/imrs`, LEAD, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-02-25', dueOn: '2026-04-01' })).id;
    await api.post(`/reviews/${id}/imrs/${imr}/receipt`, LEAD, { receivedOn: '2026-03-20' });
    const meeting = (await api.post(`/reviews/${id}/meetings`, LEAD, { startsAt: '2026-04-01T10:00:00Z', location: 'Council Offices', agenda: 'IMRs' })).id;
    await api.post(`/reviews/${id}/meetings/${meeting}/held`, LEAD, { minutes: 'Held.', decisions: 'Draft.', imrIds: [imr] });
    await api.event(id, LEAD, { type: 'BEGIN_DRAFTING', occurredAt: '2026-04-15' });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    await api.upload(id, LEAD, 'overview_report', 'Overview report', pdf, 'overview.pdf');
    await api.upload(id, LEAD, 'executive_summary', 'Executive summary', pdf, 'summary.pdf');
    const rec = (await api.post(`/reviews/${id}/recommendations`, LEAD, { text: 'Share risk information at MARAC', level: 'multi_agency', addressee: 'Maldon CSP' })).id;
    await api.post(`/reviews/${id}/recommendations/${rec}/agree`, LEAD, {});
    await api.post(`/reviews/${id}/family-engagements`, LEAD, { kind: 'draft_offered', occurredOn: '2026-06-01' });
    await api.event(id, LEAD, { type: 'AGREE_REPORT', occurredAt: '2026-06-05' });
    await api.event(id, LEAD, { type: 'RAG_APPROVE', approvedAt: '2026-07-01' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings)}`);
  });

  it('lets the CSP lead confirm or flag each item, refusing a flag without a note, and offers the pack', async () => {
    const { page, problems, context } = await signInAs(browser, baseURL, LEAD);
    await page.goto(`${baseURL}/cases/${reviewId}/qa`);
    await page.getByRole('link', { name: 'Checklist before submission and the submission pack' }).click();
    await page.waitForURL(/\/qa\/checklist$/);
    expect(await page.locator('h1').textContent()).toBe('Checklist before submission to the Home Office');
    expect(await page.locator('.govuk-tag').last().textContent()).toContain(`${CHECKLIST.items.length} of ${CHECKLIST.items.length} not answered`);
    await checks.check(page, problems, 'checklist (nothing answered)');

    // A flag with no note: the form again, the problem on that item's note.
    const equality = page.getByRole('group', { name: 'Equality and diversity' });
    await equality.getByLabel('Flag').check();
    await page.getByRole('button', { name: 'Save the answers' }).click();
    expect(await errorSummary(page)).toEqual(['Equality and diversity: The note is required when the item is flagged: say what the panel should know']);
    await checks.check(page, problems, 'checklist (flag without a note)');

    // Every item answered: saved, and the page says so.
    for (const item of CHECKLIST.items) {
      if (item.id !== 'equality_diversity') await page.getByRole('group', { name: item.title }).getByLabel('Confirm').check();
    }
    await page.locator('#note-equality_diversity').fill('Disability not analysed; the chair is adding a section.');
    await page.getByRole('button', { name: 'Save the answers' }).click();
    await page.waitForURL(/done=saved/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('The answers are saved');
    expect(await page.locator('.govuk-tag').last().textContent()).toContain('Every item answered');
    expect(await page.getByRole('group', { name: 'Equality and diversity' }).getByLabel('Flag').isChecked()).toBe(true);
    await checks.check(page, problems, 'checklist (answered)', { screenshot: 'home-office-checklist' });

    // The pack, from the page's link.
    const pack = await context.request.get(`${baseURL}${await page.getByRole('link', { name: /Download the submission pack/ }).getAttribute('href')}`);
    expect([pack.status(), pack.headers()['content-type'], (await pack.body()).subarray(0, 2).toString()]).toEqual([200, 'application/zip', 'PK']);
    await context.close();
  });
});
