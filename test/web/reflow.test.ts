import type { Browser, Page } from 'playwright-core';
import { DEMO_USERS, DemoSeedResult, seedDemo } from '../../src/demo/demo-seed';
import { startTestApp, TestClock, TestContext } from '../support/test-app';
import { launchBrowser, newPerson, PageChecks, screenshot } from './support/browser';

/**
 * Reflow (WCAG 2.2 1.4.10) and printing, in Chromium, on the demo's data: every demo person signs
 * in and every page they can reach from My work, the reviews list, Administration and each tab of
 * a review (and one link further: the forms) is loaded 320 pixels wide. The page must not be wider than the window: a
 * table wider than that scrolls inside its own labelled, focusable region, never the page. axe
 * runs on each at that width. The review page printed (print media) keeps the summary, the stages
 * and the clocks, and drops the navigation, the tabs, the forms and the buttons.
 */

const NOW = '2026-12-04T09:00:00Z';
const WIDTH = 320;

jest.setTimeout(600_000);

/** The widest things on the page: those whose right edge is past the window, outermost first. */
async function widthOf(page: Page): Promise<{ scrollWidth: number; widest: string[] }> {
  return page.evaluate((width: number) => {
    type El = { tagName: string; id: string; className: unknown; parentElement: El | null; getBoundingClientRect(): { right: number }; textContent: string | null };
    const win = globalThis as unknown as { getComputedStyle(e: El): { overflowX: string }; document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): El[] } };
    const doc = win.document;
    const describe = (e: El) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : ''} "${(e.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40)}"`;
    // Inside a region that scrolls (or clips) sideways, an element does not widen the page.
    const clipped = (e: El) => {
      for (let a = e.parentElement; a; a = a.parentElement) if (win.getComputedStyle(a).overflowX !== 'visible') return true;
      return false;
    };
    const past = Array.from(doc.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > width + 0.5);
    const unclipped = past.filter((e) => !clipped(e));
    // Something positioned out of a region may still widen the page: then name all that reach past.
    const over = unclipped.length > 0 || doc.documentElement.scrollWidth <= width ? unclipped : past;
    const outermost = over.filter((e) => !e.parentElement || !over.includes(e.parentElement));
    return {
      scrollWidth: doc.documentElement.scrollWidth,
      widest: outermost
        .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
        .slice(0, 3)
        .map((e) => `${describe(e)} (right edge ${Math.round(e.getBoundingClientRect().right)}px)`),
    };
  }, WIDTH);
}

/** Where a page leads (same-site pages only: no downloads, no sign-out), as paths. */
async function linksOf(page: Page, scope: string): Promise<string[]> {
  const hrefs = await page.locator(`${scope} a[href^="/"]`).evaluateAll((as) => as.map((a) => (a as unknown as { getAttribute(n: string): string }).getAttribute('href')));
  return hrefs.filter((h) => !/\/content|\.ics|\/invitation|\/diagram|\/api\/|\/sign-out|[?&]format=|#/.test(h));
}

/** A path with its ids replaced, so that one page of each kind is visited per person. */
const kindOf = (path: string) => path.split('?')[0].replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');

describe('reflow at 320 pixels and printing (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let seeded: DemoSeedResult;
  const visited: string[] = [];

  beforeAll(async () => {
    ctx = await startTestApp({ clock, defaultActor: null, env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000' } });
    await ctx.api.listen(0, '127.0.0.1');
    baseURL = `http://127.0.0.1:${(ctx.api.getHttpServer().address() as { port: number }).port}`;
    seeded = await seedDemo(ctx.api);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`reflow: ${visited.length} pages at ${WIDTH}px:\n${visited.join('\n')}\naxe findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  async function signIn(email: string) {
    const person = await newPerson(browser, baseURL);
    await person.page.setViewportSize({ width: WIDTH, height: 800 });
    await person.page.goto('/sign-in');
    await person.page.getByLabel('Email address').fill(email);
    await person.page.getByLabel('Password').fill(ctx.config.demo.password);
    await person.page.getByRole('button', { name: 'Sign in' }).click();
    await person.page.waitForLoadState('load');
    expect(new URL(person.page.url()).pathname).not.toBe('/sign-in');
    return person;
  }

  /** Loads a page at 320 px and records whether it reflows (and what axe says). */
  async function visit(page: Page, problems: string[], failures: string[], who: string, path: string, shot?: string) {
    const res = await page.goto(path);
    const name = `${who} ${path}`;
    visited.push(`${res?.status()} ${name}`);
    const { scrollWidth, widest } = await widthOf(page);
    if (scrollWidth > WIDTH) failures.push(`${name}: ${scrollWidth}px wide; widest: ${widest.join('; ')}`);
    try {
      await checks.check(page, problems, name, shot ? { screenshot: shot } : {});
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }

  const SHOTS: Record<string, string> = {
    'lead /my-work': 'reflow-my-work',
    'lead /cases': 'reflow-reviews',
    'lead /cases/:id': 'reflow-review',
    'lead /cases/:id/imrs': 'reflow-imrs',
    'lead /cases/:id/team': 'reflow-team',
    'chair /cases/:id/meetings': 'reflow-meetings',
    'lead /admin': 'reflow-admin',
    'administrator /admin': 'reflow-admin',
  };

  it.each(DEMO_USERS.map((u) => [u.key, u.email] as const))('every page %s reaches reflows at 320 px, with no serious axe finding', async (who, email) => {
    const { context, page, problems } = await signIn(email);
    const seen = new Set<string>();
    const failures: string[] = [];
    const queue: Array<{ path: string; depth: number }> = [
      { path: new URL(page.url()).pathname, depth: 0 },
      { path: '/my-work', depth: 0 },
      { path: '/cases', depth: 0 },
      { path: '/admin', depth: 0 },
      ...seeded.reviews.map((r) => ({ path: `/cases/${r.id}`, depth: 1 })),
    ];
    while (queue.length > 0) {
      const { path, depth } = queue.shift()!;
      const kind = kindOf(path);
      // Each review page is visited (their stages differ); of the rest, one of each kind.
      const key = /^\/cases\/:id$/.test(kind) ? path : kind;
      if (seen.has(key)) continue;
      seen.add(key);
      const shot = SHOTS[`${who} ${kind}`] && !visited.some((v) => v.endsWith(`${who} ${kind}`)) ? SHOTS[`${who} ${kind}`] : undefined;
      await visit(page, problems, failures, who, path, path === `/cases/${seeded.reviews[1].id}` || !/^\/cases\/:id$/.test(kind) ? shot : undefined);
      if (depth >= 3) continue;
      for (const link of await linksOf(page, 'main')) queue.push({ path: link, depth: depth + 1 });
    }
    await context.close();
    expect(failures).toEqual([]);
  });

  it('the review page printed keeps the summary, stages and clocks, without navigation, tabs, forms or buttons', async () => {
    const { context, page } = await signIn('lead@demo.invalid');
    const review = seeded.reviews[1];
    // A4 at 96 dpi is 794 pixels wide; the page's margins take some of it.
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.goto(`/cases/${review.id}`);
    await page.emulateMedia({ media: 'print' });
    for (const hidden of ['header', '.govuk-phase-banner', 'nav[aria-label="Review pages"]', 'footer', 'form', 'button', '.govuk-button', '.govuk-details']) {
      const shown = await page.locator(hidden).evaluateAll((els) => els.filter((e) => (e as unknown as { checkVisibility(): boolean }).checkVisibility()).length);
      expect({ hidden, shown }).toEqual({ hidden, shown: 0 });
    }
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(review.reference);
    for (const heading of ['Summary', 'Stages', 'Clocks']) expect(await page.getByRole('heading', { name: heading, exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('Police force and reference').isVisible()).toBe(true);
    // The stages print as their step-by-step list; the drawing is the secondary view behind
    // "Show the lifecycle as a diagram", which print leaves out with the other details.
    expect(await page.locator('.govuk-task-list').isVisible()).toBe(true);
    // The service's own links print without their addresses (they hold the review's id).
    const printedAddresses = await page.locator('main a.govuk-link[href^="/"]').evaluateAll((links) =>
      links.map((a) => (globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } }).getComputedStyle(a, '::after').content).filter((c) => c !== 'none' && c !== 'normal'),
    );
    expect(await page.locator('main a.govuk-link[href^="/"]').count()).toBeGreaterThan(0);
    expect(printedAddresses).toEqual([]);
    // Nothing is cut off at the side: the page, the stages and the clocks fit the paper's width.
    const { scrollWidth, widest } = await widthOfPrint(page, 794);
    expect({ scrollWidth, widest }).toEqual({ scrollWidth: expect.any(Number), widest: [] });
    expect(scrollWidth).toBeLessThanOrEqual(794);
    await page.mouse.move(0, 0);
    await screenshot(page, 'review-print');
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await context.close();
  });
});

/** Elements reaching past `width` in print (scroll regions print whole, so nothing may). */
async function widthOfPrint(page: Page, width: number) {
  return page.evaluate((w: number) => {
    type El = { tagName: string; className: unknown; parentElement: El | null; getBoundingClientRect(): { right: number } };
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): El[] } }).document;
    const over = Array.from(doc.querySelectorAll('main *')).filter((e) => e.getBoundingClientRect().right > w + 0.5);
    const outermost = over.filter((e) => !e.parentElement || !over.includes(e.parentElement));
    return { scrollWidth: doc.documentElement.scrollWidth, widest: outermost.map((e) => `${e.tagName.toLowerCase()}.${String(e.className)}`) };
  }, width);
}
