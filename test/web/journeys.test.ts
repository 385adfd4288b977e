import type { Browser, Locator } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fixtures } from '../support/document-fixtures';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, newPerson, PageChecks, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * The three journeys of the web interface, in Debian's Chromium, each person signed in through
 * the sign-in page: the CSP lead opens a review from the police notification and records the
 * decision; the chair commissions IMRs, records their receipt and records recommendations; a
 * RAG member approves the final report. axe-core runs on every page visited; the main pages
 * are saved as screenshots (fixed clock and data, so they only change when the pages do).
 */

const NOW = '2026-03-16T10:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'community.safety@maldon.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const RAG = 'rag.member@maldon.gov.uk';

jest.setTimeout(120_000);

describe('web journeys (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;
  const agencies: Record<string, string> = {};

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    await api.post('/csps', 'administrator', { code: 'MALDON', name: 'Maldon Community Safety Partnership', boardName: 'Responsible Authorities Group' });
    Object.assign(agencies, await api.agencies([
      ['Essex Police', 'police'],
      ['Mid and South Essex NHS Foundation Trust', 'health'],
      ['Maldon District Council', 'local_authority'],
    ] as const));
    await api.user(LEAD, 'Carol Okafor', PASSWORD, 'csp_lead', 'MALDON');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(RAG, 'Ruth Adeyemi', PASSWORD, 'rag_member', 'MALDON');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    // Every violation axe found, whatever its impact (serious and critical ones fail the journey).
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  async function signIn(email: string) {
    const person = await newPerson(browser, baseURL);
    const { page, problems } = person;
    await page.goto('/');
    await page.waitForURL('**/sign-in');
    await checks.check(page, problems, 'sign-in', { screenshot: email === LEAD ? 'sign-in' : undefined });
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/my-work');
    return person;
  }



  /** The visible text of what a locator finds (waiting for it). */
  const textOf = (locator: Locator) => locator.first().innerText();
  const visible = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: 5000 });

  async function history(id: string) {
    return (await api.get(`/reviews/${id}/history`, LEAD)) as Array<{ type: string; actor: string; toStatus: string }>;
  }

  it('the CSP lead opens a review from the police notification and records the decision', async () => {
    const { context, page, problems } = await signIn(LEAD);
    await checks.check(page, problems, 'my work (CSP lead)');
    expect(await textOf(page.locator('.app-signed-in__user'))).toContain('Carol Okafor');

    await page.getByRole('link', { name: 'Reviews', exact: true }).click();
    await checks.check(page, problems, 'reviews (empty)');
    await page.getByRole('button', { name: 'Open a review' }).click();
    await page.waitForURL('**/cases/new');
    await checks.check(page, problems, 'open a review');

    // Nothing filled in: one error per field, each naming it and linking to it.
    await page.getByRole('button', { name: 'Open the review' }).click();
    const errors = await errorSummary(page);
    expect(errors).toEqual(
      expect.arrayContaining([
        'Select the Community Safety Partnership',
        'Enter date of death',
        'Enter date the police notified the CSP',
        'Enter police force',
        'Enter police reference',
        'Enter circumstances',
      ]),
    );
    expect(await page.locator('#dateOfDeath-day').getAttribute('class')).toMatch(/govuk-input--error/);
    await checks.check(page, problems, 'open a review (errors)', { screenshot: 'open-review-errors' });

    await page.getByLabel('Community Safety Partnership').selectOption({ label: 'Maldon Community Safety Partnership' });
    await fillDate(page, 'Date of death', 27, 2, 2026);
    await fillDate(page, 'Date the police notified the CSP', 2, 3, 2026);
    await page.getByLabel('Police force').fill('Essex Police');
    await page.getByLabel('Police reference').fill('ESX/26/1107');
    await page.getByLabel('Circumstances').fill('Adult A, 34, died at home. Adult B, her partner, has been charged with murder.');
    await page.getByRole('button', { name: 'Open the review' }).click();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}\?done=NOTIFICATION_RECORDED$/);
    reviewId = /\/cases\/([0-9a-f-]{36})/.exec(page.url())![1];
    expect((await textOf(page.getByRole('heading', { level: 1 }))).trim()).toBe('DHR-MALDON-2026-001');
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Police notification recorded');
    await checks.check(page, problems, 'review (notified)');

    // The decision, from the allowed actions' forms.
    const decide = page.locator('section', { has: page.getByRole('heading', { name: 'Record the decision' }) });
    await decide.getByLabel('Hold a review', { exact: true }).check();
    await decide.getByLabel('Reasons for the decision').fill('Death of a woman aged 34; her partner is charged with murder. The criteria of s.9 are met.');
    await fillDate(page, 'Date of the decision', 13, 3, 2026);
    await decide.getByRole('button', { name: 'Record the decision' }).click();
    await page.waitForURL(/\?done=DECIDE$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Decision recorded');
    expect(await textOf(page.locator('.govuk-summary-list'))).toContain('Establishing the review');

    // Blocked actions say why; the next allowed one is a form.
    await visible(page.getByText('Not possible now'));
    await visible(page.getByText('The Home Office has not been told of the decision to hold a review').first());
    await fillDate(page, 'Date the Home Office was told', 16, 3, 2026);
    await page.getByRole('button', { name: 'Record that the Home Office was told' }).click();
    await page.waitForURL(/\?done=NOTIFY_HOME_OFFICE$/);
    await checks.check(page, problems, 'review (establishing)', { screenshot: 'review' });

    // The API and the history agree, with the lead as the actor.
    const review = await api.get(`/reviews/${reviewId}`, LEAD);
    expect(review).toMatchObject({ reference: 'DHR-MALDON-2026-001', status: 'establishing', lifecycle: { decision: { outcome: 'proceed', decidedAt: '2026-03-13' } } });
    const rows = await history(reviewId);
    expect(rows.map((r) => [r.type, r.actor])).toEqual([
      ['NOTIFICATION_RECORDED', LEAD],
      ['DECIDE', LEAD],
      ['NOTIFY_HOME_OFFICE', LEAD],
    ]);

    // The list finds it by part of its reference, with its stage and clocks.
    await page.goto('/cases?reference=2026-001');
    expect(await textOf(page.getByRole('row', { name: /DHR-MALDON-2026-001/ }))).toContain('Establishing the review');
    await checks.check(page, problems, 'reviews (search)');
    await context.close();
  });

  it('the chair commissions IMRs, records their receipt and records recommendations', async () => {
    // Set-up by the CSP lead through the API: the chair appointed and made a member, a panel, terms of reference.
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    await api.post(`/reviews/${reviewId}/appointments`, LEAD, {
      role: 'chair',
      name: 'Chris Rowe',
      organisation: 'Independent Reviews Ltd',
      email: CHAIR,
      appointedOn: '2026-03-16',
      independenceStatement: 'I have had no involvement with any agency in this case.',
    });
    for (const [name, agencyId] of Object.entries(agencies)) {
      await api.post(`/reviews/${reviewId}/panel-members`, LEAD, {
        name: `Representative of ${name}`,
        agencyId,
        role: 'Senior representative',
        joinedOn: '2026-03-16',
        noDirectCaseManagementDeclared: true,
      });
    }
    await api.event(reviewId, LEAD, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-03-16' });

    const { context, page, problems } = await signIn(CHAIR);
    await page.getByRole('link', { name: 'Reviews', exact: true }).click();
    await page.getByRole('link', { name: 'DHR-MALDON-2026-001' }).click();
    await checks.check(page, problems, 'review (chair)');
    await page.getByRole('navigation', { name: 'Review pages' }).getByRole('link', { name: 'IMRs' }).click();
    await checks.check(page, problems, 'IMRs (none)');

    // One form for several agencies with one due date: one IMR each, in one transaction.
    const commission = async (chosen: string[], requested: [number, number, number], due: [number, number, number]) => {
      await page.getByRole('button', { name: 'Commission IMRs' }).click();
      for (const agency of chosen) await page.getByRole('group', { name: 'Agencies' }).getByLabel(agency).check();
      await page.getByLabel('Individual management review (IMR)').check();
      await fillDate(page, 'Date requested', ...requested);
      await fillDate(page, 'Due date', ...due);
      await page.getByRole('button', { name: 'Commission the IMRs' }).click();
      await page.waitForURL(/\/imrs\?done=IMR_COMMISSIONED$/);
    };
    await page.getByRole('button', { name: 'Commission IMRs' }).click();
    await checks.check(page, problems, 'commission IMRs');
    // No agency chosen: the summary says so, and nothing is commissioned.
    await page.getByLabel('Individual management review (IMR)').check();
    await fillDate(page, 'Date requested', 2, 3, 2026);
    await fillDate(page, 'Due date', 13, 3, 2026);
    await page.getByRole('button', { name: 'Commission the IMRs' }).click();
    expect(await errorSummary(page)).toEqual(['Select at least one agency']);
    await checks.check(page, problems, 'commission IMRs (errors)', { screenshot: 'imr-commission-errors' });
    await page.getByRole('group', { name: 'Agencies' }).getByLabel('Maldon District Council').check();
    await page.getByRole('button', { name: 'Commission the IMRs' }).click();
    await page.waitForURL(/\/imrs\?done=IMR_COMMISSIONED$/);
    await commission(['Mid and South Essex NHS Foundation Trust', 'Essex Police'], [9, 3, 2026], [20, 3, 2026]);
    // Clocks coloured by urgency: overdue, due within a week.
    const row = (agency: string) => page.getByRole('row', { name: new RegExp(agency) });
    expect(await textOf(row('Maldon District Council'))).toContain('Overdue by 3 days');
    expect(await textOf(row('Mid and South Essex'))).toContain('Due in 4 days');
    expect(await textOf(row('Essex Police'))).toContain('Due in 4 days');
    // Agencies whose IMR is still outstanding are refused, each by name, and nothing is commissioned.
    await page.getByRole('button', { name: 'Commission IMRs' }).click();
    await page.getByRole('group', { name: 'Agencies' }).getByLabel('Essex Police').check();
    await page.getByRole('group', { name: 'Agencies' }).getByLabel('Maldon District Council').check();
    await page.getByLabel('Short report').check();
    await fillDate(page, 'Date requested', 16, 3, 2026);
    await fillDate(page, 'Due date', 27, 4, 2026);
    await page.getByRole('button', { name: 'Commission the IMRs' }).click();
    expect(await errorSummary(page)).toEqual([
      'Essex Police already has an IMR outstanding on this review',
      'Maldon District Council already has an IMR outstanding on this review',
    ]);
    expect(((await api.get(`/reviews/${reviewId}/imrs`, LEAD)) as unknown[]).length).toBe(3);
    await checks.check(page, problems, 'commission IMRs (refused)');
    await page.goto(`/cases/${reviewId}/imrs`);
    await checks.check(page, problems, 'IMR tracker', { screenshot: 'imrs' });

    await page.getByRole('link', { name: 'My work' }).click();
    expect(await textOf(page.getByRole('table', { name: 'Your tasks' }))).toContain('Record receipt of the IMR from Maldon District Council');
    await checks.check(page, problems, 'my work (chair)', { screenshot: 'my-work' });
    // The task links straight to the receipt form.
    await page.getByRole('link', { name: /Record receipt of the IMR from Maldon District Council/ }).click();
    await page.waitForURL(/\/imrs\/[0-9a-f-]{36}\/receipt$/);
    await page.goto(`/cases/${reviewId}/imrs`);

    // An extension, with its reason.
    await row('Maldon District Council').getByRole('link', { name: /Grant an extension/ }).click();
    await checks.check(page, problems, 'grant an extension');
    await fillDate(page, 'New due date', 30, 3, 2026);
    await page.getByLabel('Reason for the extension').fill('Records are held by a neighbouring authority.');
    await fillDate(page, 'Date the extension was granted', 16, 3, 2026);
    await page.getByRole('button', { name: 'Grant the extension' }).click();
    await page.waitForURL(/\?done=IMR_EXTENDED$/);
    expect(await textOf(row('Maldon District Council'))).toContain('Extended from 13 March 2026: Records are held by a neighbouring authority.');

    // A conflicting edit: the lead extends the police IMR while the chair has its receipt form open.
    await row('Essex Police').getByRole('link', { name: /Record receipt/ }).click();
    const policeImrId = /\/imrs\/([0-9a-f-]{36})\/receipt/.exec(page.url())![1];
    await api.post(`/reviews/${reviewId}/imrs/${policeImrId}/extensions`, LEAD, { newDueOn: '2026-05-11', reason: 'Disclosure needs CPS advice first.', grantedOn: '2026-03-16' });
    await fillDate(page, 'Date received', 16, 3, 2026);
    await page.getByRole('button', { name: 'Record receipt' }).click();
    expect((await textOf(page.locator('.govuk-error-summary__title'))).trim()).toBe('This IMR changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain(`IMR extension granted by Carol Okafor`);
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('It is now outstanding, due on 11 May 2026');
    await checks.check(page, problems, 'record receipt (conflict)', { screenshot: 'imr-conflict' });
    expect((await api.get(`/reviews/${reviewId}/imrs/${policeImrId}`, LEAD)).state).toBe('outstanding');

    // Receipt: a date in the future is refused by the service and named on the form.
    await fillDate(page, 'Date received', 20, 3, 2026);
    await page.getByRole('button', { name: 'Record receipt' }).click();
    expect(await errorSummary(page)).toEqual(['Date received must not be in the future']);
    await checks.check(page, problems, 'record receipt (errors)');
    await fillDate(page, 'Date received', 16, 3, 2026);
    await page.getByRole('button', { name: 'Record receipt' }).click();
    await page.waitForURL(/\?done=IMR_RECEIVED$/);
    for (const agency of ['Maldon District Council', 'Mid and South Essex NHS Foundation Trust']) {
      await row(agency).getByRole('link', { name: /Record receipt/ }).click();
      await fillDate(page, 'Date received', 16, 3, 2026);
      await page.getByRole('button', { name: 'Record receipt' }).click();
      await page.waitForURL(/\?done=IMR_RECEIVED$/);
    }
    await visible(page.getByText('3 commissioned, 0 outstanding.'));
    await checks.check(page, problems, 'IMR tracker (received)');

    // Recommendations: the form's errors, then two recorded and agreed.
    await page.getByRole('navigation', { name: 'Review pages' }).getByRole('link', { name: 'Recommendations' }).click();
    await checks.check(page, problems, 'recommendations (none)');
    await page.getByRole('button', { name: 'Record a recommendation' }).click();
    await page.getByRole('button', { name: 'Record the recommendation' }).click();
    expect(await errorSummary(page)).toEqual(['Enter the recommendation', 'Select the level', 'Enter who it is addressed to']);
    await checks.check(page, problems, 'record a recommendation (errors)');
    const recommend = async (text: string, level: string, addressee: string) => {
      await page.getByLabel('Recommendation', { exact: true }).fill(text);
      await page.getByLabel(level, { exact: true }).check();
      await page.getByLabel('Addressed to').fill(addressee);
      await page.getByRole('button', { name: 'Record the recommendation' }).click();
      await page.waitForURL(/\/recommendations\?done=RECOMMENDATION_RECORDED$/);
    };
    await recommend('GPs should ask about domestic abuse when injuries are seen.', 'Single agency', 'Mid and South Essex NHS Foundation Trust');
    await page.getByRole('button', { name: 'Record a recommendation' }).click();
    await recommend('Police should refer to MARAC after a second call-out.', 'Multi-agency', 'Maldon Community Safety Partnership');
    // Agreeing cannot be undone: each is confirmed on a page that shows it first.
    await page.getByRole('button', { name: 'Agree recommendation 1' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check before you agree recommendation 1' }).waitFor();
    expect(await page.locator('.govuk-summary-list').innerText()).toContain('GPs should ask about domestic abuse when injuries are seen.');
    await checks.check(page, problems, 'confirm: agree a recommendation');
    await page.getByRole('button', { name: 'Agree recommendation 1' }).click();
    await page.waitForURL(/\?done=RECOMMENDATION_AGREED$/);
    await page.getByRole('button', { name: 'Agree recommendation 2' }).click();
    await page.getByRole('button', { name: 'Agree recommendation 2' }).click();
    await page.waitForURL(/\?done=RECOMMENDATION_AGREED$/);
    expect(await textOf(page.getByRole('row', { name: /Police should refer to MARAC/ }))).toContain('Agreed');
    await checks.check(page, problems, 'recommendations', { screenshot: 'recommendations' });

    // The action plan view (an action added through the API).
    const recommendations = (await api.get(`/reviews/${reviewId}/recommendations`, CHAIR)) as Array<{ id: string; number: number; status: string }>;
    expect(recommendations.map((r) => [r.number, r.status])).toEqual([
      [1, 'agreed'],
      [2, 'agreed'],
    ]);
    await api.post(`/reviews/${reviewId}/recommendations/${recommendations[1].id}/actions`, CHAIR, {
      description: 'Update the MARAC referral protocol and brief response officers.',
      owner: 'Essex Police',
      targetDate: '2026-09-30',
    });
    await page.getByRole('link', { name: 'See the action plan' }).click();
    await visible(page.getByText('1 action: 0 complete, 1 not yet complete.'));
    await checks.check(page, problems, 'action plan', { screenshot: 'action-plan' });

    // Through the API: every IMR received, recorded by the chair; drafting may begin once a meeting considers them.
    const imrs = (await api.get(`/reviews/${reviewId}/imrs`, CHAIR)) as Array<{ state: string; receivedOn: string }>;
    expect(imrs.map((i) => [i.state, i.receivedOn])).toEqual([
      ['received', '2026-03-16'],
      ['received', '2026-03-16'],
      ['received', '2026-03-16'],
    ]);
    const rows = await history(reviewId);
    expect(rows.filter((r) => r.type === 'IMR_RECEIVED').map((r) => r.actor)).toEqual([CHAIR, CHAIR, CHAIR]);
    expect(rows.filter((r) => r.type === 'RECOMMENDATION_AGREED').map((r) => r.actor)).toEqual([CHAIR, CHAIR]);
    const blocked = (await api.get(`/reviews/${reviewId}`, CHAIR)).blockedEvents as Array<{ type: string; reasons: string[] }>;
    expect(blocked.find((b) => b.type === 'BEGIN_DRAFTING')?.reasons).toEqual(['No panel meeting has considered the IMRs yet']);
    await context.close();
  });

  it('a RAG member reads and approves the final report', async () => {
    // Set-up by the chair through the API: a meeting considers the IMRs, drafting, the report agreed.
    const imrIds = ((await api.get(`/reviews/${reviewId}/imrs`, CHAIR)) as Array<{ id: string }>).map((i) => i.id);
    const meeting = await api.post(`/reviews/${reviewId}/meetings`, CHAIR, { startsAt: '2026-03-16T09:00:00Z', location: 'Council Offices, Princes Road, Maldon', agenda: 'Consider the IMRs' });
    await api.post(`/reviews/${reviewId}/meetings/${meeting.id}/held`, CHAIR, { minutes: 'The panel considered the IMRs.', decisions: 'Analysis to be drafted.', imrIds });
    await api.event(reviewId, CHAIR, { type: 'BEGIN_DRAFTING' });
    await api.upload(reviewId, CHAIR, 'overview_report', 'Overview report', fixtures.pdf('Overview report'), 'overview-report.pdf');
    await api.upload(reviewId, CHAIR, 'executive_summary', 'Executive summary', fixtures.pdf('Executive summary'), 'executive-summary.pdf');
    await api.post(`/reviews/${reviewId}/family-engagements`, CHAIR, { kind: 'draft_offered', occurredOn: '2026-03-16' });
    expect((await api.event(reviewId, CHAIR, { type: 'AGREE_REPORT' })).status).toBe('rag_sign_off');

    const { context, page, problems } = await signIn(RAG);
    // The board's sign-off is the RAG member's own task, dated by its clock (not someone else's deadline).
    expect(await textOf(page.getByRole('table', { name: 'Your tasks' }))).toContain('Approve or return the report');
    expect(await page.getByRole('table', { name: /Others' deadlines/ }).getByText('Sign-off by the CSP board').count()).toBe(0);
    await checks.check(page, problems, 'my work (RAG member)');
    await page.getByRole('link', { name: 'Reviews', exact: true }).click();
    expect(await textOf(page.getByRole('row', { name: /DHR-MALDON-2026-001/ }))).toContain('RAG sign-off');
    await checks.check(page, problems, 'reviews (RAG member)', { screenshot: 'reviews' });
    await page.getByRole('link', { name: 'DHR-MALDON-2026-001' }).click();
    // A RAG member reads the review, not the people in it.
    expect(await page.getByRole('heading', { name: 'People' }).count()).toBe(0);
    await checks.check(page, problems, 'review (RAG member)');
    await page.getByRole('navigation', { name: 'Review pages' }).getByRole('link', { name: 'RAG sign-off' }).click();
    await checks.check(page, problems, 'RAG sign-off', { screenshot: 'sign-off' });

    // The report itself: the link downloads the uploaded PDF, for this signed-in member.
    const link = page.getByRole('link', { name: /Overview report \(Overview report, version 1\)/ });
    const download = await context.request.get((await link.getAttribute('href'))!);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/pdf');
    expect((await download.body()).toString('latin1')).toContain('% Overview report');

    // No choice made: the summary names the field.
    await page.getByRole('button', { name: 'Record the decision' }).click();
    expect(await errorSummary(page)).toEqual(["Select the Responsible Authorities Group's decision"]);
    await checks.check(page, problems, 'RAG sign-off (errors)');
    await page.getByLabel('Approve the report').check();
    await page.getByLabel('Comments (optional)').fill('Approved. Thank you to the panel and to the family.');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    // Approval cannot be undone: confirmed on its own page, which shows the comments.
    await page.getByRole('heading', { level: 1, name: 'Check before you approve the report' }).waitFor();
    expect(await page.locator('.govuk-summary-list').innerText()).toContain('Approved. Thank you to the panel and to the family.');
    await checks.check(page, problems, 'confirm: approve the report', { screenshot: 'confirm-approve' });
    await page.getByRole('button', { name: 'Confirm the approval' }).click();
    await page.waitForURL(/\/sign-off\?done=RAG_APPROVE$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Report approved by the RAG');
    expect(await textOf(page.getByRole('row', { name: /Approved/ }))).toContain(RAG);
    await checks.check(page, problems, 'RAG sign-off (approved)', { screenshot: 'sign-off-approved' });

    const review = await api.get(`/reviews/${reviewId}`, LEAD);
    expect(review.lifecycle.ragApproval).toMatchObject({ comments: 'Approved. Thank you to the panel and to the family.' });
    expect(review.allowedEvents).toContain('SUBMIT_TO_HOME_OFFICE');
    const rows = await history(reviewId);
    expect(rows[rows.length - 1]).toMatchObject({ type: 'RAG_APPROVE', actor: RAG, toStatus: 'rag_sign_off' });
    const [logged] = await ctx.api.get(DataSource).query(`SELECT actor FROM review_events WHERE review_id = $1 AND type = 'RAG_APPROVE'`, [reviewId]);
    expect(logged.actor).toBe(RAG);

    // Signing out ends the session: the pages ask to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in?signedOut=1');
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('You have signed out.');
    await page.goto(`/cases/${reviewId}`);
    await page.waitForURL(/\/sign-in\?returnTo=/);
    await context.close();
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });
});
