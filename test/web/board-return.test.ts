import type { Browser, Locator, Page } from 'playwright-core';
import { fixtures } from '../support/document-fixtures';
import { reviewAtSignOff } from '../support/scenarios';
import { TestClock, TestContext } from '../support/test-app';
import { launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * The board's return loop in the browser (issue 14 item 4): a RAG member returns the report and
 * sees a confirmation with their comments; the chair sees the comments on the review and what
 * to do, is told (with a link) that agreeing again needs a new version, uploads one and agrees;
 * the RAG member finds the sign-off again and approves, after which neither decision is offered.
 * axe runs on every page; the clicks and fields typed after signing in are counted and printed.
 */

const NOW = '2026-06-10T09:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'lead@braintree.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const RAG = 'rag.member@braintree.gov.uk';
const COMMENTS = 'Say more about the missed risk assessment in March.';

jest.setTimeout(180_000);

describe('the board returns the report (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;
  let reference: string;
  const counts: Record<string, { clicks: number; fields: number }> = {};

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = await api.post('/csps', 'administrator', { code: 'BRAINTREE', name: 'Braintree Community Safety Partnership', boardName: 'Responsible Authorities Group' });
    const agencies = await api.agencies([['Essex Police', 'police']] as const);
    await api.user(LEAD, 'Priya Shah', PASSWORD, 'csp_lead', 'BRAINTREE');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(RAG, 'Ruth Adeyemi', PASSWORD, 'rag_member', 'BRAINTREE');
    const review = await reviewAtSignOff(ctx.api, csp.id, Object.values(agencies));
    reviewId = review.id;
    reference = (await api.get(`/reviews/${reviewId}`, LEAD)).reference;
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`board return: clicks and fields typed after signing in: ${JSON.stringify(counts)}`);
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  /** Counted actions of one person. */
  function person(name: string) {
    const count = (counts[name] ??= { clicks: 0, fields: 0 });
    return {
      count,
      click: async (locator: Locator) => {
        count.clicks += 1;
        await locator.click();
      },
      fill: async (locator: Locator, value: string) => {
        count.fields += 1;
        await locator.fill(value);
      },
      check: async (locator: Locator) => {
        count.clicks += 1;
        await locator.check();
      },
      upload: async (locator: Locator, file: { name: string; mimeType: string; buffer: Buffer }) => {
        count.fields += 1;
        await locator.setInputFiles(file);
      },
    };
  }
  const textOf = (locator: Locator) => locator.first().innerText();
  const signIn = (email: string) => signInAs(browser, baseURL, email, PASSWORD);
  const openReview = async (page: Page, as: ReturnType<typeof person>) => {
    await as.click(page.getByRole('link', { name: 'Reviews', exact: true }));
    await as.click(page.getByRole('link', { name: reference }));
  };

  it('the RAG member returns the report and sees a confirmation with their comments', async () => {
    const { context, page, problems } = await signIn(RAG);
    const rag = person('RAG member (return)');
    await checks.check(page, problems, 'my work (RAG member, sign-off)');
    // My work's task leads straight to the form that records the board's decision.
    await rag.click(page.getByRole('row', { name: /Approve or return the report/ }).getByRole('link', { name: /Approve or return the report/ }));
    await page.waitForURL(`**/cases/${reviewId}/sign-off`);
    await checks.check(page, problems, 'RAG sign-off (before the return)');
    await rag.check(page.getByLabel('Return the report to the chair with comments'));
    await rag.fill(page.getByLabel('Comments (optional)'), COMMENTS);
    await rag.click(page.getByRole('button', { name: 'Record the decision' }));
    await page.waitForURL(/\/sign-off\/returned$/);
    expect(await textOf(page.locator('.govuk-panel'))).toContain('You returned the report to the chair');
    expect(await textOf(page.locator('.app-board-comments'))).toContain(COMMENTS);
    expect(await textOf(page.getByRole('link', { name: /Overview report \(draft\) \(Overview report, version 1\)/ }))).toBeTruthy();
    await checks.check(page, problems, 'RAG sign-off (returned)', { screenshot: 'sign-off-returned' });
    // At 320 px the confirmation reflows: nothing wider than the screen (WCAG 2.2 1.4.10).
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    await checks.check(page, problems, 'RAG sign-off (returned, 320 px)');
    await page.setViewportSize({ width: 1100, height: 800 });
    // The review stays readable to them while the chair revises it.
    await rag.click(page.getByRole('link', { name: 'Go to the review' }));
    expect(await textOf(page.locator('h1'))).toContain(reference);
    await checks.check(page, problems, 'review (RAG member, after the return)');
    await context.close();
    // Fewer than before the task list (the board's return took 7 clicks and 3 fields).
    expect(rag.count.clicks).toBeLessThan(7);
    expect(rag.count.fields).toBeLessThan(3);
  });

  it('the chair sees the comments, uploads a new version of the overview report and agrees the report again', async () => {
    clock.set('2026-06-12T09:00:00Z'); // two days later
    const { context, page, problems } = await signIn(CHAIR);
    const chair = person('chair');
    await openReview(page, chair);
    const banner = page.locator('.govuk-notification-banner', { hasText: 'The board returned the report' });
    expect(await textOf(banner)).toContain(COMMENTS);
    expect(await textOf(banner)).toContain('Revise the report');
    // Agreeing again is not possible yet; the reason links to where it is fixed.
    const reason = page.getByRole('link', { name: /^No new version of the overview report has been uploaded since the board returned it/ });
    await checks.check(page, problems, 'review (chair, report returned)', { screenshot: 'review-report-returned' });
    // The history has the return with its comments; the clocks table says the round was returned.
    expect(await textOf(page.getByRole('row', { name: /Sign-off by the CSP board/ }))).toContain('Returned');
    expect(await textOf(page.getByRole('row', { name: /Report returned by the RAG/ }))).toContain(COMMENTS);
    await chair.click(reason);
    await page.waitForURL(/\/documents$/);
    await chair.click(page.getByRole('link', { name: 'Upload a new version of Overview report (draft)' }));
    await chair.upload(page.getByLabel('File'), { name: 'overview-report-v2.pdf', mimeType: 'application/pdf', buffer: fixtures.pdf('Overview report, revised') });
    await checks.check(page, problems, 'upload a new version (chair)');
    await chair.click(page.getByRole('button', { name: 'Upload the new version' }));
    await page.waitForURL(/\/documents\?done=VERSION_UPLOADED$/);
    await checks.check(page, problems, 'documents (chair, new version)');
    await chair.click(page.getByRole('navigation', { name: 'Review pages' }).getByRole('link', { name: 'Overview' }));
    expect(await page.getByRole('link', { name: /^No new version of the overview report/ }).count()).toBe(0);
    await chair.click(page.getByRole('button', { name: 'Record that the panel agreed the report' }));
    // A step that cannot be undone is checked first (issue 14 item 6).
    await chair.click(page.getByRole('button', { name: 'Confirm that the panel agreed the report' }));
    await page.waitForURL(/\?done=AGREE_REPORT$/);
    expect(await textOf(page.getByRole('row', { name: /Sign-off by the CSP board \(round 2\)/ }))).toContain('Due in 31 days');
    expect(await page.locator('.govuk-notification-banner', { hasText: 'The board returned the report' }).count()).toBe(0);
    await checks.check(page, problems, 'review (chair, agreed again)');
    await context.close();
  });

  it('the RAG member finds the sign-off again and approves; neither decision is offered after', async () => {
    clock.set('2026-06-15T09:00:00Z');
    const { context, page, problems } = await signIn(RAG);
    const rag = person('RAG member (approve)');
    // The board has its task again, dated by the new round's sign-off clock (My work lists tasks).
    expect(await textOf(page.getByRole('row', { name: /Approve or return the report/ }))).toMatch(/Due in \d+ days/);
    await checks.check(page, problems, 'my work (RAG member, round 2)');
    await openReview(page, rag);
    await rag.click(page.getByRole('navigation', { name: 'Review pages' }).getByRole('link', { name: 'RAG sign-off' }));
    expect(await textOf(page.getByRole('link', { name: /Overview report \(draft\)/ }))).toContain('version 2');
    await rag.check(page.getByLabel('Approve the report'));
    await rag.click(page.getByRole('button', { name: 'Record the decision' }));
    await rag.click(page.getByRole('button', { name: 'Confirm the approval' }));
    await page.waitForURL(/\/sign-off\?done=RAG_APPROVE$/);
    expect(await page.getByLabel('Return the report to the chair with comments').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Record the decision' }).count()).toBe(0);
    expect(await textOf(page.locator('main'))).not.toContain('not possible now');
    expect(await textOf(page.locator('main'))).toContain('The board approved the report on');
    await checks.check(page, problems, 'RAG sign-off (approved after a return)', { screenshot: 'sign-off-approved-after-return' });
    await context.close();

    const clocks = ((await api.get(`/reviews/${reviewId}`, LEAD)).clocks as Array<{ kind: string; status: string }>).filter((c) => c.kind === 'rag_sign_off');
    expect(clocks.map((c) => c.status)).toEqual(['returned', 'met']);
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });
});
