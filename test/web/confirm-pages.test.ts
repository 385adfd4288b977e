import type { Browser } from 'playwright-core';
import request from 'supertest';
import { reviewReadyToAgree } from '../support/scenarios';
import { TestClock, TestContext } from '../support/test-app';
import { launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * Steps that cannot be undone (the panel agrees the report, the board approves it, publication,
 * closing the review, agreeing a recommendation) ask to be confirmed: the form posts to a page
 * that shows what will be recorded and what happens next, and writes nothing; only that page's
 * button (the same fields with confirm=yes) performs the step. Over HTTP, then in Chromium with
 * axe on every page.
 */

const NOW = '2026-07-06T09:00:00Z';
const LEAD = 'community.safety@uttlesford.gov.uk';
const TRUSTED = 'setup.lead@test.invalid';

jest.setTimeout(180_000);

describe('confirming steps that cannot be undone', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let cspId: string;
  let agencyIds: string[];

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    cspId = (await api.post('/csps', 'administrator', { code: 'UTTLESFORD', name: 'Uttlesford Community Safety Partnership' })).id;
    agencyIds = Object.values(await api.agencies([['Essex Police', 'police']] as const));
    await api.user(LEAD, 'Morgan Hale', TEST_PASSWORD, 'csp_lead', 'UTTLESFORD');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  const http = () => request(ctx.api.getHttpServer());
  const form = (path: string, fields: Record<string, string>) => http().post(path).set('X-Actor', TRUSTED).set('Accept', 'text/html').type('form').send(fields);
  const review = (id: string) => api.get(`/reviews/${id}`, TRUSTED);
  const historyLength = async (id: string) => ((await api.get(`/reviews/${id}/history`, TRUSTED)) as unknown[]).length;

  describe('over HTTP', () => {
    it('agreeing the report: the first post shows the check page and writes nothing; the confirmation agrees it', async () => {
      const { id } = await reviewReadyToAgree(ctx.api, cspId, agencyIds);
      const before = await review(id);
      const entries = await historyLength(id);
      const fields = { type: 'AGREE_REPORT', version: String(before.version), 'occurredAt-day': '3', 'occurredAt-month': '7', 'occurredAt-year': '2026' };

      const check = await form(`/cases/${id}/events`, fields).expect(200);
      expect(check.text).toContain('Check before you record that the panel agreed the report');
      expect(check.text).toContain('3 July 2026');
      expect(check.text).toContain('This cannot be undone.');
      expect(check.text).toContain('<input type="hidden" name="confirm" value="yes">');
      expect(check.text).toContain(`<input type="hidden" name="version" value="${before.version}">`);
      expect((await review(id)).status).toBe('drafting');
      expect(await historyLength(id)).toBe(entries);

      const done = await form(`/cases/${id}/events`, { ...fields, confirm: 'yes' }).expect(303);
      expect(done.headers.location).toBe(`/cases/${id}?done=AGREE_REPORT`);
      const after = await review(id);
      expect(after.status).toBe('rag_sign_off');
      expect(await historyLength(id)).toBe(entries + 1);
    });

    it('a step the service would refuse is refused at the check, with its reasons, and no check page is shown', async () => {
      const { id } = await reviewReadyToAgree(ctx.api, cspId, agencyIds);
      const { version } = await review(id);
      // A date in the future: the field is named, nothing is written.
      const future = await form(`/cases/${id}/events`, { type: 'AGREE_REPORT', version: String(version), 'occurredAt-day': '1', 'occurredAt-month': '8', 'occurredAt-year': '2026' });
      expect(future.status).toBe(400);
      expect(future.text).toContain('There is a problem');
      expect(future.text).toContain('#AGREE_REPORT-occurredAt');
      expect(future.text).not.toContain('Check before you');
      // Not possible at this stage: the lifecycle's reasons.
      const close = await form(`/cases/${id}/events`, { type: 'CLOSE', version: String(version) });
      expect(close.status).toBe(409);
      expect(close.text).toContain('CLOSE is not allowed now');
      expect(close.text).not.toContain('Check before you');
      // Read at an older version: what changed, not the check page.
      const stale = await form(`/cases/${id}/events`, { type: 'AGREE_REPORT', version: String(version - 1) });
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('changed since you opened it');
      expect((await review(id)).status).toBe('drafting');
    });

    it('closing a review not proceeding and approving the report ask to be confirmed too', async () => {
      const lead = TRUSTED;
      const opened = await api.post('/reviews', lead, {
        cspId,
        dateOfDeath: '2026-05-01',
        notifiedOn: '2026-05-04',
        policeForce: 'Essex Police',
        policeReference: 'EP/2026/0099',
        circumstances: 'Found at home.',
      });
      await api.event(opened.id, lead, { type: 'DECIDE', outcome: 'not_proceed', rationale: 'Criteria not met.', decidedAt: '2026-05-20' });
      await api.event(opened.id, lead, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-05-21' });
      await api.event(opened.id, lead, { type: 'RECORD_HOME_OFFICE_AGREEMENT', receivedAt: '2026-06-01' });
      const notProceeding = await review(opened.id);
      expect(notProceeding.allowedEvents).toContain('CLOSE');
      const check = await form(`/cases/${opened.id}/events`, { type: 'CLOSE', version: String(notProceeding.version) }).expect(200);
      expect(check.text).toContain('Check before you close the review');
      expect(check.text).toContain('Nothing more can be recorded on a closed review.');
      expect((await review(opened.id)).status).toBe('not_proceeding');
      await form(`/cases/${opened.id}/events`, { type: 'CLOSE', version: String(notProceeding.version), confirm: 'yes' }).expect(303);
      expect((await review(opened.id)).status).toBe('closed');

      // The board's approval, from the sign-off page.
      const { id } = await reviewReadyToAgree(ctx.api, cspId, agencyIds);
      await api.event(id, lead, { type: 'AGREE_REPORT', occurredAt: '2026-07-01' });
      const atSignOff = await review(id);
      const approve = { type: 'RAG_APPROVE', version: String(atSignOff.version), comments: 'Approved.' };
      const page = await form(`/cases/${id}/sign-off`, approve).expect(200);
      expect(page.text).toContain('Check before you approve the report');
      expect((await review(id)).lifecycle.ragApproval ?? null).toBeNull();
      await form(`/cases/${id}/sign-off`, { ...approve, confirm: 'yes' }).expect(303);
      expect((await review(id)).lifecycle.ragApproval).toMatchObject({ comments: 'Approved.' });
    });

    it('agreeing a recommendation: the check page first; an agreed one is refused, not shown to confirm', async () => {
      const { id } = await reviewReadyToAgree(ctx.api, cspId, agencyIds);
      const draft = await api.post(`/reviews/${id}/recommendations`, TRUSTED, { text: 'Health visitors should ask about abuse.', level: 'single_agency', addressee: 'NHS Essex' });
      const fields = { version: String(draft.version) };
      const check = await form(`/cases/${id}/recommendations/${draft.id}/agree`, fields).expect(200);
      expect(check.text).toContain(`Check before you agree recommendation ${draft.number}`);
      expect(check.text).toContain('Health visitors should ask about abuse.');
      expect((await api.get(`/reviews/${id}/recommendations/${draft.id}`, TRUSTED)).status).toBe('draft');
      await form(`/cases/${id}/recommendations/${draft.id}/agree`, { ...fields, confirm: 'yes' }).expect(303);
      const agreed = await api.get(`/reviews/${id}/recommendations/${draft.id}`, TRUSTED);
      expect(agreed.status).toBe('agreed');
      const again = await form(`/cases/${id}/recommendations/${draft.id}/agree`, { version: String(agreed.version) });
      expect(again.status).toBe(409);
      expect(again.text).not.toContain('Check before you');
    });
  });

  it('in the browser: the CSP lead records that the panel agreed the report, cancels once, then confirms', async () => {
    const { id } = await reviewReadyToAgree(ctx.api, cspId, agencyIds);
    const { context, page, problems } = await signInAs(browser, baseURL, LEAD);
    await page.goto(`/cases/${id}`);
    const agree = page.locator('section', { has: page.getByRole('heading', { name: 'Record that the panel agreed the report' }) });
    await agree.getByRole('button', { name: 'Record that the panel agreed the report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check before you record that the panel agreed the report' }).waitFor();
    expect(await page.locator('.govuk-summary-list').innerText()).toMatch(/Date the panel agreed the report\s+Today, 6 July 2026/);
    await checks.check(page, problems, 'confirm: agree the report', { screenshot: 'confirm-agree-report' });
    expect((await review(id)).status).toBe('drafting');

    await page.getByRole('link', { name: 'Cancel and go back' }).click();
    await page.waitForURL(`**/cases/${id}`);
    expect((await review(id)).status).toBe('drafting');

    await agree.getByRole('button', { name: 'Record that the panel agreed the report' }).click();
    await page.getByRole('button', { name: 'Confirm that the panel agreed the report' }).click();
    await page.waitForURL(new RegExp(`/cases/${id}\\?done=AGREE_REPORT$`));
    await checks.check(page, problems, 'review (report agreed)');
    expect((await review(id)).status).toBe('rag_sign_off');
    await context.close();
  });
});
