import type { Browser } from 'playwright-core';
import { DemoSeedResult, seedDemo } from '../../src/demo/demo-seed';
import { TestClock, TestContext } from '../support/test-app';
import { launchBrowser, PageChecks, signInAs } from './support/browser';
import { startListeningApp } from './support/setup-api';

/**
 * The review page in a browser, at every stage of the demo (notified, information gathering,
 * drafting, sign-off, action plan): the stages as steps, the summary, the diagram in words; axe
 * on each; screenshots review-information_gathering.png and review-rag_sign_off.png.
 */
describe('the review page at each stage (browser)', () => {
  const clock = new TestClock(new Date('2026-12-07T10:00:00Z'));
  const checks = new PageChecks();
  let ctx: TestContext;
  let baseURL: string;
  let browser: Browser;
  let seeded: DemoSeedResult;

  beforeAll(async () => {
    ({ ctx, baseURL } = await startListeningApp(clock));
    seeded = await seedDemo(ctx.api);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings)}`);
  });

  const steps = (page: import('playwright-core').Page) =>
    page.locator('.govuk-task-list__item').evaluateAll((items) =>
      items.map((item) => {
        const el = item as unknown as { querySelector(s: string): { textContent: string | null } | null };
        const text = (s: string) => (el.querySelector(s)?.textContent ?? '').replace(/\s+/g, ' ').trim();
        return [text('.govuk-task-list__name-and-hint > :first-child'), text('.govuk-task-list__hint'), text('.govuk-task-list__status')];
      }),
    );

  it('each stage reads in plain English: done with dates, the current one, those to come; the summary names the chair and the dates', async () => {
    const { page, problems, context } = await signInAs(browser, baseURL, 'lead@demo.invalid', ctx.config.demo.password);
    for (const r of seeded.reviews) {
      await page.goto(`/cases/${r.id}`);
      const shot = r.intended === 'information_gathering' || r.intended === 'rag_sign_off';
      await checks.check(page, problems, `review (${r.intended})`, shot ? { screenshot: `review-${r.intended}` } : {});
      const list = await steps(page);
      const current = list.filter(([, , status]) => status === 'Current stage' || status === 'On hold');
      if (r.intended === 'closed') expect(current).toEqual([]);
      else expect(current).toHaveLength(1);
      // Every step before the current one is done, with its dates in words; none after it is.
      const at = list.findIndex(([, , status]) => status === 'Current stage');
      for (const [title, hint, status] of list.slice(0, at)) expect([title, status, /^\d{1,2} [A-Z][a-z]+ \d{4} to \d{1,2} [A-Z][a-z]+ \d{4}$/.test(hint)]).toEqual([title, 'Done', true]);
      for (const [title, , status] of list.slice(at + 1)) expect([title, status]).toEqual([title, 'To come']);
      // The drawing, behind its details, in words: no stage or event codes.
      const drawing = await page.locator('.app-diagram svg').textContent();
      expect(drawing).toContain('Information gathering');
      expect(drawing).toContain('Terms of reference agreed');
      expect(drawing).not.toMatch(/information_gathering|AGREE_TERMS_OF_REFERENCE|onHold/);
    }

    const gathering = seeded.reviews.find((r) => r.intended === 'information_gathering')!;
    await page.goto(`/cases/${gathering.id}`);
    expect((await steps(page)).map(([title, , status]) => `${title}: ${status}`).slice(0, 4)).toEqual([
      'Notified: Done',
      'Establishing the review: Done',
      'Information gathering: Current stage',
      'Drafting the report: To come',
    ]);
    const summary = page.locator('.govuk-summary-list').first();
    expect(await summary.getByRole('definition').allInnerTexts()).toEqual(
      expect.arrayContaining(['Demo Independent Chair', expect.stringMatching(/^\d{1,2} [A-Z][a-z]+ 2026$/), expect.stringMatching(/^\d{1,2} [A-Z][a-z]+ 2027 \(completed and sent to the Home Office\)$/)]),
    );
    await page.getByText('Show the lifecycle as a diagram').click();
    await checks.check(page, problems, 'review with its diagram open');
    await context.close();
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });
});
