import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { sendingCurrentVersion } from '../support/if-match';
import { TestClock, TestContext } from '../support/test-app';
import { reviewAtSignOff } from '../support/scenarios';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * Recommendations and the action plan in Debian's Chromium, each person signed in through the
 * sign-in page: the chair corrects a draft recommendation and withdraws one; the CSP lead adds
 * an action, records its progress, meets a conflicting change and records completion with
 * evidence; a panel member reads the plan but is offered no changes and is refused the forms.
 * Each outcome is checked on the page and through the JSON API and its history (who did it).
 * axe-core runs on every page visited.
 */

const NOW = '2026-07-06T09:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'community.safety@braintree.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const PANEL = 'panel.member@essex.police.uk';

jest.setTimeout(180_000);

interface Recommendation {
  id: string;
  number: number;
  text: string;
  status: string;
  withdrawnReason: string | null;
}
interface Action {
  id: string;
  description: string;
  owner: string;
  targetDate: string | null;
  measureOfSuccess: string | null;
  status: string;
  completedOn: string | null;
  evidence: string | null;
}

describe('recommendations and the action plan (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;
  /** Recommendation 1 (agreed by the set-up), 2 (a draft to correct), 3 (a draft to withdraw). */
  const recommendationIds: string[] = [];

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = await api.post('/csps', 'administrator', { code: 'BRAINTREE', name: 'Braintree Community Safety Partnership' });
    const agencies = await api.agencies([
      ['Essex Police', 'police'],
      ['Braintree District Council', 'local_authority'],
    ] as const);
    await api.user(LEAD, 'Priya Shah', PASSWORD, 'csp_lead', 'BRAINTREE');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(PANEL, 'Pat Morgan', PASSWORD);
    reviewId = (await reviewAtSignOff(ctx.api, csp.id, Object.values(agencies))).id;
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: PANEL, role: 'panel_member', agencyId: agencies['Essex Police'] });
    await api.post(`/reviews/${reviewId}/recommendations`, CHAIR, { text: 'GPs should ask about abuse at every visit', level: 'single_agency', addressee: 'Mid and South Essex ICB' });
    await api.post(`/reviews/${reviewId}/recommendations`, CHAIR, { text: 'A duplicate of recommendation 1', level: 'multi_agency', addressee: 'Braintree CSP' });
    const list = (await api.get(`/reviews/${reviewId}/recommendations`, CHAIR)) as Recommendation[];
    recommendationIds.push(...list.map((r) => r.id));
    expect(list.map((r) => [r.number, r.status])).toEqual([
      [1, 'agreed'],
      [2, 'draft'],
      [3, 'draft'],
    ]);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  const signIn = (email: string) => signInAs(browser, baseURL, email);
  const textOf = (locator: Locator) => locator.first().innerText();
  const tabs = (page: Page) => page.getByRole('navigation', { name: 'Review pages' });
  const recommendations = async () => (await api.get(`/reviews/${reviewId}/recommendations`, CHAIR)) as Recommendation[];
  const plan = async () =>
    (await api.get(`/reviews/${reviewId}/action-plan`, LEAD)) as {
      recommendations: Array<{ id: string; number: number; actions: Action[] }>;
      counts: { total: number; complete: number; incomplete: number };
    };
  const history = async () => (await api.get(`/reviews/${reviewId}/history`, LEAD)) as Array<{ type: string; actor: string; payload: Record<string, unknown> }>;

  it('the chair corrects a draft recommendation (an error first) and withdraws another with a reason', async () => {
    const { context, page, problems } = await signIn(CHAIR);
    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Recommendations' }).click();
    await page.waitForURL(`**/cases/${reviewId}/recommendations`);
    // An agreed recommendation cannot be corrected (only withdrawn); the drafts can be both.
    await expect(page.getByRole('link', { name: 'Correct recommendation 1' }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Withdraw recommendation 1' }).count()).resolves.toBe(1);
    await checks.check(page, problems, 'recommendations with drafts');

    await page.getByRole('link', { name: 'Correct recommendation 2' }).click();
    await page.waitForURL(`**/recommendations/${recommendationIds[1]}/correct`);
    expect(await page.getByLabel('Recommendation', { exact: true }).inputValue()).toBe('GPs should ask about abuse at every visit');
    await page.getByLabel('Recommendation', { exact: true }).fill('   ');
    await page.getByRole('button', { name: 'Save the correction' }).click();
    expect(await errorSummary(page)).toEqual(['Enter the recommendation']);
    await checks.check(page, problems, 'correct a recommendation (errors)');
    expect((await recommendations())[1].text).toBe('GPs should ask about abuse at every visit');

    await page.getByLabel('Recommendation', { exact: true }).fill('GPs should ask about domestic abuse when a patient presents with injuries');
    await page.getByRole('button', { name: 'Save the correction' }).click();
    await page.waitForURL(/\/recommendations\?done=RECOMMENDATION_CORRECTED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Recommendation corrected');

    await page.getByRole('link', { name: 'Withdraw recommendation 3' }).click();
    await page.waitForURL(`**/recommendations/${recommendationIds[2]}/withdraw`);
    await page.getByRole('button', { name: 'Withdraw the recommendation' }).click();
    expect(await errorSummary(page)).toEqual(['Enter why it is withdrawn']);
    await checks.check(page, problems, 'withdraw a recommendation (errors)');
    await page.getByLabel('Why is it withdrawn?').fill('It repeats recommendation 1.');
    await page.getByRole('button', { name: 'Withdraw the recommendation' }).click();
    await page.waitForURL(/\/recommendations\?done=RECOMMENDATION_WITHDRAWN$/);
    expect(await textOf(page.getByRole('row', { name: /A duplicate of recommendation 1/ }))).toContain('Withdrawn: It repeats recommendation 1.');
    await expect(page.getByRole('link', { name: 'Withdraw recommendation 3' }).count()).resolves.toBe(0);
    await checks.check(page, problems, 'recommendations after changes');

    // A withdrawn recommendation's forms are closed, not offered again.
    await page.goto(`/cases/${reviewId}/recommendations/${recommendationIds[2]}/withdraw`);
    await expect(page.getByRole('button', { name: 'Withdraw the recommendation' }).count()).resolves.toBe(0);
    expect(await textOf(page.locator('.govuk-inset-text'))).toContain('was withdrawn: It repeats recommendation 1.');

    const now = await recommendations();
    expect(now.map((r) => [r.number, r.status, r.text, r.withdrawnReason])).toEqual([
      [1, 'agreed', 'Agencies should share risk information at MARAC', null],
      [2, 'draft', 'GPs should ask about domestic abuse when a patient presents with injuries', null],
      [3, 'withdrawn', 'A duplicate of recommendation 1', 'It repeats recommendation 1.'],
    ]);
    const rows = await history();
    const corrected = rows.filter((r) => r.type === 'RECOMMENDATION_CORRECTED');
    expect(corrected.map((r) => r.actor)).toEqual([CHAIR]);
    // The earlier wording is kept in the history.
    expect(corrected[0].payload.changes).toEqual({
      text: { from: 'GPs should ask about abuse at every visit', to: 'GPs should ask about domestic abuse when a patient presents with injuries' },
    });
    expect(rows.filter((r) => r.type === 'RECOMMENDATION_WITHDRAWN').map((r) => [r.actor, r.payload.reason])).toEqual([[CHAIR, 'It repeats recommendation 1.']]);
    await context.close();
  });

  it('the CSP lead adds an action (errors first), records progress, is told of a conflicting change, and records completion', async () => {
    const { context, page, problems } = await signIn(LEAD);
    await page.goto(`/cases/${reviewId}/action-plan`);
    await visible(page.getByText('0 actions: 0 complete, 0 not yet complete.'));
    // The withdrawn recommendation is listed, closed: no action can be added to it.
    await visible(page.getByRole('heading', { name: 'Recommendation 3 (withdrawn)' }));
    await expect(page.getByRole('button', { name: 'Add an action to recommendation 3' }).count()).resolves.toBe(0);
    await checks.check(page, problems, 'action plan (empty)');

    await page.getByRole('button', { name: 'Add an action to recommendation 1' }).click();
    await page.waitForURL(`**/recommendations/${recommendationIds[0]}/actions/new`);
    await fillDate(page, 'Target date (optional)', 31, 2, 2027);
    await page.getByRole('button', { name: 'Add the action' }).click();
    expect(await errorSummary(page)).toEqual(['Enter what will be done', 'Enter who owns the action', 'Target date must be a real date']);
    await checks.check(page, problems, 'add an action (errors)');
    expect((await plan()).counts.total).toBe(0);

    await page.getByLabel('What will be done').fill('Add risk information to the MARAC referral form');
    await page.getByLabel('Owner').fill('Essex Police, Head of Public Protection');
    await fillDate(page, 'Target date (optional)', 31, 3, 2027);
    await page.getByLabel('Measure of success (optional)').fill('An audit of 20 referrals shows the section completed');
    await page.getByRole('button', { name: 'Add the action' }).click();
    await page.waitForURL(/\/action-plan\?done=ACTION_ADDED$/);
    await visible(page.getByText('1 action: 0 complete, 1 not yet complete.'));
    const row = page.getByRole('row', { name: /Add risk information to the MARAC referral form/ });
    expect(await textOf(row)).toContain('31 March 2027');
    expect(await textOf(row)).toContain('Measure of success: An audit of 20 referrals shows the section completed');
    await checks.check(page, problems, 'action plan (one action)');

    const [action] = (await plan()).recommendations[0].actions;
    expect(action).toMatchObject({
      description: 'Add risk information to the MARAC referral form',
      owner: 'Essex Police, Head of Public Protection',
      targetDate: '2027-03-31',
      measureOfSuccess: 'An audit of 20 referrals shows the section completed',
      status: 'not_started',
    });

    // Progress: in progress, a new owner, the measure of success cleared.
    await row.getByRole('link', { name: /^Update/ }).click();
    await page.waitForURL(`**/actions/${action.id}/progress`);
    expect(await page.getByLabel('Owner').inputValue()).toBe('Essex Police, Head of Public Protection');
    await checks.check(page, problems, 'update an action');
    await page.getByLabel('In progress').check();
    await page.getByLabel('Owner').fill('Essex Police, Detective Superintendent, Public Protection');
    await page.getByLabel('Measure of success (optional)').fill('');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.waitForURL(/\/action-plan\?done=ACTION_UPDATED$/);
    expect(await textOf(row)).toContain('In progress');
    const updated = (await plan()).recommendations[0].actions[0];
    expect(updated).toMatchObject({ status: 'in_progress', owner: 'Essex Police, Detective Superintendent, Public Protection', measureOfSuccess: null, targetDate: '2027-03-31' });

    // A conflicting change: the form was opened, then the chair moved the target date.
    await row.getByRole('link', { name: /^Update/ }).click();
    await page.waitForURL(`**/actions/${action.id}/progress`);
    await patchAction(action.id, { targetDate: '2027-06-30' });
    await fillDate(page, 'Target date (optional)', 30, 4, 2027);
    await page.getByRole('button', { name: 'Save the changes' }).click();
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('This action changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain(`Action updated by Chris Rowe`);
    await checks.check(page, problems, 'update an action (conflict)');
    expect((await plan()).recommendations[0].actions[0].targetDate).toBe('2027-06-30');
    // The form now shows the action as it is.
    const group = page.getByRole('group', { name: 'Target date (optional)' });
    expect([await group.getByLabel('Day').inputValue(), await group.getByLabel('Month').inputValue()]).toEqual(['30', '6']);

    // Completion: a date in the future and no evidence are refused, then recorded.
    await page.goto(`/cases/${reviewId}/action-plan`);
    await row.getByRole('link', { name: /^Record as complete/ }).click();
    await page.waitForURL(`**/actions/${action.id}/complete`);
    await fillDate(page, 'Date completed', 7, 7, 2026);
    await page.getByRole('button', { name: 'Record as complete' }).click();
    expect(await errorSummary(page)).toEqual(['Date completed must not be in the future', 'Enter the evidence of completion']);
    await checks.check(page, problems, 'record an action as complete (errors)');
    await fillDate(page, 'Date completed', 3, 7, 2026);
    await page.getByLabel('Evidence of completion').fill('New MARAC form issued 1 July 2026; briefing to all response officers.');
    await page.getByRole('button', { name: 'Record as complete' }).click();
    await page.waitForURL(/\/action-plan\?done=ACTION_COMPLETED$/);
    await visible(page.getByText('1 action: 1 complete, 0 not yet complete.'));
    expect(await textOf(row)).toContain('Evidence: New MARAC form issued 1 July 2026');
    await expect(row.getByRole('link', { name: /^Update/ }).count()).resolves.toBe(0);
    await checks.check(page, problems, 'action plan (complete)', { screenshot: 'action-plan-complete' });

    const done = (await plan()).recommendations[0].actions[0];
    expect(done).toMatchObject({ status: 'complete', completedOn: '2026-07-03', evidence: 'New MARAC form issued 1 July 2026; briefing to all response officers.' });
    const rows = await history();
    expect(rows.filter((r) => r.type.startsWith('ACTION_')).map((r) => [r.type, r.actor])).toEqual([
      ['ACTION_ADDED', LEAD],
      ['ACTION_UPDATED', LEAD],
      ['ACTION_UPDATED', CHAIR],
      ['ACTION_COMPLETED', LEAD],
    ]);
    // The page's own update kept what it replaced.
    expect(rows.filter((r) => r.type === 'ACTION_UPDATED')[0].payload.changes).toEqual({
      status: { from: 'not_started', to: 'in_progress' },
      owner: { from: 'Essex Police, Head of Public Protection', to: 'Essex Police, Detective Superintendent, Public Protection' },
      measureOfSuccess: { from: 'An audit of 20 referrals shows the section completed', to: null },
    });
    await context.close();
  });

  it('a panel member reads the action plan but is offered no changes, and the forms are refused', async () => {
    const { context, page, problems } = await signIn(PANEL);
    await page.goto(`/cases/${reviewId}/action-plan`);
    await visible(page.getByText('1 action: 1 complete, 0 not yet complete.'));
    await expect(page.getByRole('button', { name: /^Add an action/ }).count()).resolves.toBe(0);
    await checks.check(page, problems, 'action plan (panel member)');
    await page.goto(`/cases/${reviewId}/recommendations`);
    await expect(page.getByRole('link', { name: /^(Correct|Withdraw) recommendation/ }).count()).resolves.toBe(0);
    const forms = [
      `/cases/${reviewId}/recommendations/${recommendationIds[0]}/actions/new`,
      `/cases/${reviewId}/recommendations/${recommendationIds[1]}/correct`,
      `/cases/${reviewId}/recommendations/${recommendationIds[0]}/withdraw`,
    ];
    for (const path of forms) {
      const response = await page.goto(path);
      expect([path, response?.status()]).toEqual([path, 403]);
    }
    await context.close();
  });

  async function visible(locator: Locator) {
    await locator.first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  async function patchAction(actionId: string, body: Record<string, unknown>) {
    const http = () => request(ctx.api.getHttpServer());
    const path = `/reviews/${reviewId}/recommendations/${recommendationIds[0]}/actions/${actionId}`;
    const res = await sendingCurrentVersion(http().patch(path).set('X-Actor', CHAIR), http, path).send(body);
    if (res.status !== 200) throw new Error(`PATCH action: ${res.status} ${JSON.stringify(res.body)}`);
  }
});
