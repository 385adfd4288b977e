import type { Browser } from 'playwright-core';
import { dayOf } from '../../src/reviews/chronology';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * The CSP lead puts a wrong date right in the browser: the decision recorded as 28 January was
 * taken on 21 January. The correction is refused first for a date before the notification (the
 * chronology, named on the date field), then recorded: the history shows it with the reason and
 * who recorded it, the stage moved to the real date, and the chair is not offered the page.
 */
const NOW = '2026-03-02T10:00:00Z';
const LEAD = 'lead@braintree.gov.uk';
const CHAIR = 'chair@independent-reviews.example';

jest.setTimeout(120_000);

type HistoryRow = { type: string; actor: string; origin: string; payload: Record<string, any> };

describe('correcting a date (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = await api.post('/csps', 'administrator', { code: 'BRAINTREE', name: 'Braintree Community Safety Partnership' });
    await api.user(LEAD, 'Priya Shah', TEST_PASSWORD, 'csp_lead', 'BRAINTREE');
    await api.user(CHAIR, 'Chris Rowe', TEST_PASSWORD);
    const review = await api.post('/reviews', LEAD, {
      cspId: csp.id, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'ESX/26/0110', circumstances: 'Death at home.',
    });
    reviewId = review.id;
    await api.event(reviewId, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2026-01-28' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  it('the CSP lead corrects the decision’s date: refused before the notification, then recorded with the reason', async () => {
    const { context, page, problems } = await signInAs(browser, baseURL, LEAD);
    await page.goto(`/cases/${reviewId}`);
    await page.getByRole('link', { name: 'Correct a date' }).click();
    await page.waitForURL(`**/cases/${reviewId}/corrections`);
    await checks.check(page, problems, 'correct a date');

    // Nothing chosen: each field named.
    await page.getByRole('button', { name: 'Record the correction' }).click();
    expect(await errorSummary(page)).toEqual(['Select what happened on another date', 'Enter the date it really happened', 'Enter why it is being corrected']);
    await checks.check(page, problems, 'correct a date (errors)');

    // A date before the police told the CSP: the chronology refuses it, on the date field.
    await page.getByLabel('What happened on another date').selectOption({ label: 'Decision recorded: 28 January 2026 (entry 2)' });
    await fillDate(page, 'The date it really happened', 10, 1, 2026);
    await page.getByLabel('Why it is being corrected').fill('The minutes of the CSP meeting show the decision.');
    await page.getByRole('button', { name: 'Record the correction' }).click();
    expect(await errorSummary(page)).toEqual([
      'The date it really happened must not be before the notification to the CSP (14 January 2026); the decision whether to hold a review is dated 10 January 2026',
    ]);
    // The field's own message reads its dates in words too.
    expect(await page.locator('.govuk-error-message').first().innerText()).toContain('(14 January 2026)');
    await checks.check(page, problems, 'correct a date (refused)');

    await fillDate(page, 'The date it really happened', 21, 1, 2026);
    await page.getByRole('button', { name: 'Record the correction' }).click();
    await page.waitForURL(`**/cases/${reviewId}?done=CORRECTION*`);
    const historyTable = page.getByRole('table', { name: /^Everything recorded on this review/ });
    expect(await historyTable.locator('tbody tr').first().innerText()).toMatch(/Correction recorded: The minutes of the CSP meeting show the decision\.[\s\S]*by Priya Shah \(correction\)/);
    await checks.check(page, problems, 'review after a correction');
    await context.close();

    const history = (await api.get(`/reviews/${reviewId}/history`, LEAD)) as HistoryRow[];
    expect(history.at(-1)).toMatchObject({
      type: 'CORRECTION',
      actor: LEAD,
      origin: 'correction',
      payload: { reason: 'The minutes of the CSP meeting show the decision.', changes: [{ field: 'decidedAt', from: '2026-01-28', to: '2026-01-21' }] },
    });
    const review = await api.get(`/reviews/${reviewId}`, LEAD);
    expect(review.lifecycle.decision.decidedAt).toBe('2026-01-21');
    expect(dayOf(review.lifecycle.stageHistory[1].enteredAt)).toBe('2026-01-21');
    expect(problems).toEqual([]);
  });

  it('the chair is not offered the page and may not open it', async () => {
    const { context, page } = await signInAs(browser, baseURL, CHAIR);
    await page.goto(`/cases/${reviewId}`);
    expect(await page.getByRole('link', { name: 'Correct a date' }).count()).toBe(0);
    const res = await page.goto(`/cases/${reviewId}/corrections`);
    expect(res?.status()).toBe(403);
    await context.close();
  });
});
