import type { Browser } from 'playwright-core';
import { DEMO_USERS, DemoSeedResult, seedDemo } from '../../src/demo/demo-seed';
import { TestClock, TestContext } from '../support/test-app';
import { launchBrowser, PageChecks, signInAs } from './support/browser';
import { startListeningApp } from './support/setup-api';

/**
 * My work as tasks, in Debian's Chromium, on the demo's five reviews: each person's tasks link
 * straight to the form that does them; an administrator with no case role lands on
 * Administration. axe-core runs on every page visited.
 */
jest.setTimeout(180_000);

/** A fixed day (a Monday), so the demo's dates, and so the screenshots, are the same on every run. */
const NOW = '2026-12-07T09:00:00Z';

describe('My work (browser)', () => {
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let seeded: DemoSeedResult;
  const email = (key: string) => DEMO_USERS.find((u) => u.key === key)!.email;
  const review = (policeReference: string) => seeded.reviews.find((r) => r.policeReference === policeReference)!;
  const signIn = (key: string) => signInAs(browser, baseURL, email(key), ctx.config.demo.password);

  beforeAll(async () => {
    ({ ctx, baseURL } = await startListeningApp(new TestClock(new Date(NOW))));
    seeded = await seedDemo(ctx.api);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  it("the CSP lead's task to decide opens the review at the decision's form", async () => {
    const { context, page, problems } = await signIn('lead');
    const tasks = page.getByRole('table', { name: 'Your tasks' });
    await checks.check(page, problems, 'my work (CSP lead)', { screenshot: 'my-work-lead' });
    const row = tasks.getByRole('row', { name: /Decide whether to hold a review/ });
    expect(await row.textContent()).toContain(review('DEMO-0001').reference);
    await row.getByRole('link', { name: /Decide whether to hold a review/ }).click();
    await page.waitForURL(`**/cases/${review('DEMO-0001').id}?do=DECIDE#event-DECIDE`);
    const form = page.locator('#event-DECIDE');
    expect(await form.getByRole('button', { name: 'Record the decision' }).isVisible()).toBe(true);
    await checks.check(page, problems, 'decide (from My work)');
    await context.close();
  });

  it("the RAG member's task opens the sign-off form; nothing else of theirs is listed", async () => {
    const { context, page, problems } = await signIn('rag');
    await checks.check(page, problems, 'my work (RAG member)');
    const links = page.getByRole('table', { name: 'Your tasks' }).getByRole('link', { name: /Approve or return the report/ });
    expect(await links.count()).toBe(1);
    await links.click();
    // The board's own page: approve, or return with comments, beside the report.
    await page.waitForURL(`**/cases/${review('DEMO-0004').id}/sign-off`);
    expect(await page.getByLabel('Approve the report').isVisible()).toBe(true);
    expect(await page.getByLabel('Return the report to the chair with comments').isVisible()).toBe(true);
    await checks.check(page, problems, 'approve (from My work)');
    await context.close();
  });

  it("the chair's task to record an IMR's receipt opens its receipt form; the board's sign-off is not theirs", async () => {
    const { context, page, problems } = await signIn('chair');
    await checks.check(page, problems, 'my work (chair)', { screenshot: 'my-work-chair' });
    const tasks = page.getByRole('table', { name: 'Your tasks' });
    expect(await tasks.textContent()).not.toContain('Approve or return the report');
    await tasks.getByRole('link', { name: /Record receipt of the IMR from Demoshire NHS Foundation Trust/ }).click();
    await page.waitForURL(/\/imrs\/[0-9a-f-]{36}\/receipt$/);
    expect(await page.getByRole('button', { name: 'Record receipt' }).isVisible()).toBe(true);
    await checks.check(page, problems, 'record receipt (from My work)');
    await context.close();
  });

  it("the chair's task to circulate a meeting's papers opens the meeting's form at the papers' date, and saving that date ends it", async () => {
    const { context, page, problems } = await signIn('chair');
    const tasks = page.getByRole('table', { name: 'Your tasks' });
    await tasks.getByRole('link', { name: /Circulate the papers for the meeting of/ }).click();
    await page.waitForURL(/\/meetings\/[0-9a-f-]{36}\/reschedule#papersCirculatedOn$/);
    await checks.check(page, problems, 'meeting papers (from My work)');
    // The service's today (its clock), not the machine's: a later real date would be in the future.
    const [day, month, year] = new Date(NOW).toLocaleDateString('en-GB', { timeZone: 'Europe/London' }).split('/');
    const papers = page.getByRole('group', { name: 'Date the papers were circulated (optional)' });
    await papers.getByLabel('Day').fill(String(Number(day)));
    await papers.getByLabel('Month').fill(String(Number(month)));
    await papers.getByLabel('Year').fill(year);
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.waitForURL(/\/meetings\?done=/);
    await page.goto('/my-work');
    expect(await page.getByRole('table', { name: 'Your tasks' }).textContent()).not.toContain('Circulate the papers');
    await context.close();
  });

  it('an administrator with no case role lands on Administration, from / and from My work', async () => {
    const { context, page, problems } = await signIn('administrator');
    expect(new URL(page.url()).pathname).toBe('/admin');
    await page.goto('/');
    await page.waitForURL('**/admin');
    await page.goto('/my-work');
    await page.waitForURL('**/admin');
    await checks.check(page, problems, 'administration (from My work)');
    await context.close();
  });
});
