import type { Browser } from 'playwright-core';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

const LEAD = 'county.oversight@essex.gov.uk';

/**
 * The oversight page in a browser, as a CSP lead of two partnerships: from the navigation to both
 * partnerships' figures together, the charts (SVG, named and described) beside their tables, a
 * CSV and the XLSX downloaded, one partnership alone, and a future date refused naming the field.
 * axe on each page; screenshot oversight.png.
 */
describe('the oversight page (browser)', () => {
  const clock = new TestClock(new Date('2026-12-04T10:00:00Z'));
  const checks = new PageChecks();
  let ctx: TestContext;
  let baseURL: string;
  let browser: Browser;

  beforeAll(async () => {
    let api: ReturnType<typeof setupApi>;
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const maldon = (await api.post('/csps', 'administrator', { code: 'MALDON', name: 'Maldon Community Safety Partnership' })).id;
    const braintree = (await api.post('/csps', 'administrator', { code: 'BRAINTREE', name: 'Braintree Community Safety Partnership' })).id;
    await api.user(LEAD, 'Spencer Lead', TEST_PASSWORD, 'csp_lead', 'MALDON');
    await api.user(LEAD, 'Spencer Lead', TEST_PASSWORD, 'csp_lead', 'BRAINTREE');
    const { police, health } = await api.agencies([['Essex Police', 'police'], ['Mid Essex Health', 'health']]).then((a) => ({ police: a['Essex Police'], health: a['Mid Essex Health'] }));
    const open = async (cspId: string, notifiedOn: string) =>
      (await api.post('/reviews', LEAD, { cspId, dateOfDeath: notifiedOn, notifiedOn, policeForce: 'Essex Police', policeReference: `ESX/${notifiedOn}`, circumstances: 'A death at home.' })).id as string;

    // Maldon: decided in 15 days, IMRs one late one early, on hold for criminal proceedings since 1 November.
    const a = await open(maldon, '2026-01-05');
    await api.post(`/reviews/${a}/people`, LEAD, { role: 'victim', realName: 'Joanna Realperson', pseudonym: 'Adult A' });
    await api.event(a, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-01-20' });
    await api.event(a, LEAD, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-22' });
    const i1 = (await api.post(`/reviews/${a}/imrs`, LEAD, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-02-02', dueOn: '2026-03-02' })).id;
    const i2 = (await api.post(`/reviews/${a}/imrs`, LEAD, { agencyId: health, kind: 'imr', authorName: 'IMR Author', requestedOn: '2026-02-02', dueOn: '2026-03-02' })).id;
    await api.post(`/reviews/${a}/imrs/${i1}/receipt`, LEAD, { receivedOn: '2026-03-09' });
    await api.post(`/reviews/${a}/imrs/${i2}/receipt`, LEAD, { receivedOn: '2026-02-27' });
    await api.event(a, LEAD, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial pending', occurredAt: '2026-11-01', expectedEnd: '2027-02-01' });
    // Maldon: decided late (36 days); the Home Office never told.
    const b = await open(maldon, '2026-02-02');
    await api.event(b, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-03-10' });
    // Braintree: notified in November, no decision yet.
    await open(braintree, '2026-11-20');
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings)}`);
  });

  it('shows a CSP lead both partnerships together, charts beside tables, downloads, one alone, and refuses a future date', async () => {
    const { page, problems, context } = await signInAs(browser, baseURL, LEAD);
    await page.getByRole('link', { name: 'Oversight' }).click();
    await page.waitForURL(/\/oversight$/);
    expect(await page.locator('.app-oversight-subtitle').textContent()).toBe(
      'Braintree Community Safety Partnership, Maldon Community Safety Partnership: 3 reviews as at 4 December 2026; times and shares for 4 December 2025 to 4 December 2026',
    );
    const headline = await page.locator('.app-oversight-headline .govuk-summary-list__row').evaluateAll((rows) => rows.map((r) => Array.from((r as unknown as { children: ArrayLike<{ textContent: string | null }> }).children, (c) => (c.textContent ?? '').trim()).join(': ')));
    expect(headline).toEqual([
      'Reviews on hold: 1',
      // B's Home Office notification (due 10 April), B's and A's completion targets (10 September, 20 July).
      'Overdue statutory clocks: 3',
      'Late against the completion target: 2',
      'Decisions within a month: 50 per cent',
      'Completed within the target: No submissions in the period',
    ]);
    // The chart and its table say the same: its description lists the figures the table holds.
    const stagesChart = page.locator('#section-stages ~ .govuk-grid-row svg');
    expect(await stagesChart.getAttribute('role')).toBe('img');
    expect(await page.locator('#chart-stages-desc').textContent()).toBe('Notified: 1; Establishing the review: 2');
    const holdRows = await page.locator('[aria-labelledby="section-holds"] table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { children: ArrayLike<{ textContent: string | null }> }).children, (c) => (c.textContent ?? '').trim())));
    expect(holdRows).toEqual([['DHR-MALDON-2026-001', 'Establishing the review', 'Criminal proceedings', '1 November 2026', '33']]);
    expect(await page.content()).not.toContain('Realperson');
    // No script of its own: the charts are drawn on the server.
    expect(await page.locator('main script').count()).toBe(0);
    await checks.check(page, problems, 'oversight (two partnerships)', { screenshot: 'oversight' });

    const csv = await context.request.get((await page.getByRole('link', { name: 'Download “Reviews on hold” as CSV' }).getAttribute('href')) as string);
    expect([csv.status(), await csv.text()]).toEqual([200, 'Review,Stage,Reason,On hold since,Days on hold\r\nDHR-MALDON-2026-001,Establishing the review,Criminal proceedings,2026-11-01,33\r\n']);
    const xlsx = await context.request.get((await page.getByRole('link', { name: /spreadsheet \(XLSX\)/ }).getAttribute('href')) as string);
    expect([xlsx.status(), (await xlsx.body()).subarray(0, 2).toString()]).toEqual([200, 'PK']);

    // One partnership alone.
    await page.locator('summary').click();
    await page.getByLabel('Maldon Community Safety Partnership').uncheck();
    await page.getByRole('button', { name: 'Show the figures' }).click();
    await page.waitForURL(/csp=BRAINTREE/);
    expect(await page.locator('.app-oversight-subtitle').textContent()).toContain('Braintree Community Safety Partnership: 1 review as at 4 December 2026');
    await checks.check(page, problems, 'oversight (one partnership)');

    // A date in the future: the form again, naming the field.
    await page.locator('summary').click();
    await fillDate(page, 'As at', 5, 12, 2026);
    await page.getByRole('button', { name: 'Show the figures' }).click();
    expect(await errorSummary(page)).toEqual(['As at: must not be in the future']);
    await checks.check(page, problems, 'oversight (future date)');
    await context.close();
  });
});
