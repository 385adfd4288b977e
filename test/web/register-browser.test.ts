import type { Browser } from 'playwright-core';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

const LEAD = 'county.register@essex.gov.uk';

/**
 * The recommendations register in a browser, as a CSP lead of two partnerships: from the
 * navigation to both partnerships' rows, filtered by theme and by status with the GET form, a
 * search, the CSV downloaded, and at 320 px wide (nothing wider than the screen). axe on each
 * page; screenshots register.png and register-320.png.
 */
describe('the recommendations register (browser)', () => {
  const clock = new TestClock(new Date('2026-12-04T10:00:00Z'));
  const checks = new PageChecks();
  let ctx: TestContext;
  let baseURL: string;
  let browser: Browser;
  let reviewA: string;

  beforeAll(async () => {
    let api: ReturnType<typeof setupApi>;
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const maldon = (await api.post('/csps', 'administrator', { code: 'MALDON', name: 'Maldon Community Safety Partnership' })).id;
    const braintree = (await api.post('/csps', 'administrator', { code: 'BRAINTREE', name: 'Braintree Community Safety Partnership' })).id;
    await api.user(LEAD, 'Spencer Lead', TEST_PASSWORD, 'csp_lead', 'MALDON');
    await api.user(LEAD, 'Spencer Lead', TEST_PASSWORD, 'csp_lead', 'BRAINTREE');
    const open = async (cspId: string, notifiedOn: string) =>
      (await api.post('/reviews', LEAD, { cspId, dateOfDeath: notifiedOn, notifiedOn, policeForce: 'Essex Police', policeReference: `ESX/${notifiedOn}`, circumstances: 'A death at home.' })).id as string;
    const recommend = async (reviewId: string, body: Record<string, unknown>, actions: Array<Record<string, unknown>>) => {
      const rec = (await api.post(`/reviews/${reviewId}/recommendations`, LEAD, body)).id;
      for (const a of actions) await api.post(`/reviews/${reviewId}/recommendations/${rec}/actions`, LEAD, a);
    };
    const a = await open(maldon, '2026-01-05');
    reviewA = a;
    await api.post(`/reviews/${a}/people`, LEAD, { role: 'victim', realName: 'Joanna Realperson', pseudonym: 'Adult A' });
    await recommend(a, { text: 'Agencies should share risk information at MARAC', level: 'multi_agency', addressee: 'Maldon CSP', addresseeKind: 'partnership', theme: 'multi_agency_working' }, [
      { description: 'Update the information sharing protocol', owner: 'Essex Police', targetDate: '2027-03-31' },
    ]);
    await recommend(a, { text: 'Housing should record tenancy concerns', level: 'single_agency', addressee: 'Maldon Housing', addresseeKind: 'agency', theme: 'record_keeping' }, [
      { description: 'Tenancy records protocol', owner: 'Maldon Housing', targetDate: '2026-11-30' },
    ]);
    const b = await open(braintree, '2026-03-01');
    await recommend(b, { text: 'Police should train officers to recognise coercive control', level: 'single_agency', addressee: 'Essex Police', addresseeKind: 'agency', theme: 'training' }, [
      { description: 'Deliver coercive control training to response officers', owner: 'Essex Police', targetDate: '2026-10-01' },
      { description: 'Audit attendance at the training', owner: 'Essex Police', targetDate: '2027-01-31' },
    ]);
    await recommend(b, { text: 'The Home Office should publish guidance on economic abuse', level: 'national', addressee: 'Home Office', addresseeKind: 'government_department', theme: 'policy' }, []);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings)}`);
  });

  const cells = (page: import('playwright-core').Page) =>
    page.locator('table.app-register tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { children: ArrayLike<{ textContent: string | null }> }).children, (c) => (c.textContent ?? '').trim().replace(/\s+/g, ' '))));

  it('shows a CSP lead both partnerships’ recommendations, filters and searches them, downloads them, and reflows at 320 px', async () => {
    const { page, problems, context } = await signInAs(browser, baseURL, LEAD);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Recommendations register' }).click();
    await page.waitForURL(/\/register$/);
    expect(await page.locator('h1 + p.govuk-body-l').textContent()).toBe('Braintree Community Safety Partnership, Maldon Community Safety Partnership: 5 rows as at 4 December 2026');
    expect(await cells(page)).toEqual([
      ['DHR-BRAINTREE-2026-001', '1. Police should train officers to recognise coercive control', 'Essex Police', 'Training', 'Deliver coercive control training to response officers (Essex Police)', '1 October 2026', 'Overdue'],
      ['DHR-BRAINTREE-2026-001', '1. Police should train officers to recognise coercive control', 'Essex Police', 'Training', 'Audit attendance at the training (Essex Police)', '31 January 2027', 'Open'],
      ['DHR-BRAINTREE-2026-001', '2. The Home Office should publish guidance on economic abuse', 'Home Office', 'Policy and procedure', 'No action yet', '', 'Open'],
      ['DHR-MALDON-2026-001', '1. Agencies should share risk information at MARAC', 'Maldon CSP', 'Multi-agency working', 'Update the information sharing protocol (Essex Police)', '31 March 2027', 'Open'],
      ['DHR-MALDON-2026-001', '2. Housing should record tenancy concerns', 'Maldon Housing', 'Record keeping', 'Tenancy records protocol (Maldon Housing)', '30 November 2026', 'Overdue'],
    ]);
    expect(await page.content()).not.toContain('Realperson');
    expect(await page.locator('main script').count()).toBe(0);
    await checks.check(page, problems, 'register (1280 px)', { screenshot: 'register' });

    // At 320 px: nothing wider than the screen (the table scrolls in its own region), axe again.
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    await checks.check(page, problems, 'register (320 px)', { screenshot: 'register-320' });
    await page.setViewportSize({ width: 1280, height: 900 });

    const csv = await context.request.get((await page.getByRole('link', { name: 'Download every matching row as CSV' }).getAttribute('href')) as string);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).trimEnd().split('\r\n')).toHaveLength(1 + 5);

    // Filter: overdue only, in training.
    await page.locator('summary').click();
    await page.getByLabel('Theme', { exact: true }).selectOption('training');
    await page.getByLabel('Status').selectOption('overdue');
    await page.getByRole('button', { name: 'Show the register' }).click();
    await page.waitForURL(/theme=training/);
    expect((await cells(page)).map((r) => r[4])).toEqual(['Deliver coercive control training to response officers (Essex Police)']);
    await checks.check(page, problems, 'register (filtered)');

    // Search, any theme and status: PostgreSQL full text ("tenancy" in an action and a recommendation).
    await page.locator('summary').click();
    await page.getByLabel('Theme', { exact: true }).selectOption('');
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search the recommendations and actions').fill('tenancy');
    await page.getByRole('button', { name: 'Show the register' }).click();
    await page.waitForURL(/q=tenancy/);
    expect((await cells(page)).map((r) => r[0] + ' ' + r[4])).toEqual(['DHR-MALDON-2026-001 Tenancy records protocol (Maldon Housing)']);

    // Bad input in the address: the form again, naming the field.
    await page.goto(`${baseURL}/register?overdue=perhaps`);
    expect(await errorSummary(page)).toEqual(['Overdue: must be true or false']);
    await checks.check(page, problems, 'register (bad input)');

    // The review coded with the taxonomy: the form, saved, shown again with its choices.
    await page.goto(`${baseURL}/cases/${reviewA}`);
    await page.getByRole('link', { name: 'Code the review' }).click();
    await page.waitForURL(new RegExp(`/cases/${reviewA}/coding$`));
    await checks.check(page, problems, 'coding (form)');
    await page.getByLabel('Intimate partner (current)').check();
    await page.getByLabel('Coercive and controlling behaviour').check();
    await page.getByLabel('The family contributed to the review').check();
    await page.getByRole('button', { name: 'Save the coding' }).click();
    await page.waitForURL(/done=CODED/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Coding saved');
    expect(await page.getByLabel('Coercive and controlling behaviour').isChecked()).toBe(true);
    await checks.check(page, problems, 'coding (saved)', { screenshot: 'review-coding' });
    await context.close();
  });
});
