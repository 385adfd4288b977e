import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Same pixels on every run: no LCD antialiasing or font hinting differences.
  '--font-render-hinting=none',
  '--disable-lcd-text',
  '--force-color-profile=srgb',
];

/** A fresh user-data directory per launch (playwright's default). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export const SCREENSHOT_DIR = join(__dirname, '..', 'screenshots');

/** A browser context for one person, with the page size the screenshots use. */
export async function newPerson(browser: Browser, baseURL: string, options: { extraHTTPHeaders?: Record<string, string> } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1100, height: 800 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    reducedMotion: 'reduce',
    ...options,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  // A script refused by the CSP, a missing asset, a script error: each is a failure.
  // (A page answered 400 or 409, a form shown again with its errors, is not a problem; Chromium
  // logs it as a failed load, so failed loads are judged by the responses of the assets.)
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource:')) problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400) problems.push(`asset ${response.status()}: ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  return { context, page, problems };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface AxeFinding {
  page: string;
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is (its source injected through the DevTools protocol, which
 * the page's CSP does not govern) and returns every violation. The caller fails on serious and
 * critical ones.
 */
export async function axeViolations(page: Page, name: string): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags: string[]) => {
    // Runs in the page (the test's TypeScript has no DOM types: the page's globals are typed here).
    type Violation = { id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> };
    const page = globalThis as unknown as { document: unknown; axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Violation[] }> } };
    const result = await page.axe.run(page.document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
  }, AXE_TAGS);
  return violations.map((v) => ({ page: name, ...v }));
}

/** Saves a full-page screenshot as test/web/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // The pointer stays where the last click was; a link under it would be drawn hovered or not
  // depending on timing. Park it in a corner so each screenshot is the same every run.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/**
 * Checks a page a journey reached: no serious or critical axe violation (all are collected for
 * the report), no console or CSP errors; optionally saves its screenshot.
 */
export class PageChecks {
  readonly findings: AxeFinding[] = [];
  readonly visited: string[] = [];

  async check(page: Page, problems: string[], name: string, options: { screenshot?: string } = {}): Promise<void> {
    await page.waitForLoadState('load');
    this.visited.push(name);
    const findings = await axeViolations(page, name);
    this.findings.push(...findings);
    const serious = findings.filter((f) => f.impact === 'serious' || f.impact === 'critical');
    if (serious.length > 0) {
      throw new Error(`axe: serious or critical violations on ${name} (${page.url()}):\n${JSON.stringify(serious, null, 2)}`);
    }
    if (problems.length > 0) throw new Error(`browser problems on ${name} (${page.url()}):\n${problems.splice(0).join('\n')}`);
    if (options.screenshot) await screenshot(page, options.screenshot);
  }
}

/** The password the browser tests give every person they sign in as. */
export const TEST_PASSWORD = 'a long enough test password';

/**
 * A new browser context for this person, signed in through the sign-in page, on My work (or
 * Administration, for an administrator who holds no case role).
 */
export async function signInAs(browser: Browser, baseURL: string, email: string, password = TEST_PASSWORD) {
  const person = await newPerson(browser, baseURL);
  const { page } = person;
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/(my-work|admin)$/);
  return person;
}

/** Fills a GOV.UK date input (day, month, year) found by its legend. */
export async function fillDate(page: Page, legend: string, day: number, month: number, year: number): Promise<void> {
  const group = page.getByRole('group', { name: legend });
  await group.getByLabel('Day').fill(String(day));
  await group.getByLabel('Month').fill(String(month));
  await group.getByLabel('Year').fill(String(year));
}

/** The messages of the page's GOV.UK error summary, in order. */
export async function errorSummary(page: Page): Promise<string[]> {
  const summary = page.getByRole('alert').filter({ has: page.locator('.govuk-error-summary__title') });
  return summary.locator('.govuk-error-summary__list li').allInnerTexts();
}
