import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * The IMR tracker's quality check, sign-off and waiver pages, in Debian's Chromium, each person
 * signed in through the sign-in page: the chair quality-checks and signs off a received IMR
 * and waives an outstanding one with a reason (an empty form first each time), is told of a
 * quality check recorded by someone else while the form was open, and an IMR author signs off
 * their own agency's IMR and nothing else. Each outcome is checked on the page and through the
 * JSON API (the IMR, the review's history with who made each change, and the access log for
 * the refused attempts). axe-core runs on every page visited.
 */

const NOW = '2026-04-20T09:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'community.safety@chelmsford.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const AUTHOR = 'imr.author@mse.nhs.uk';
const REFERENCE = 'DHR-CHELMSFORD-2026-001';
const POLICE = 'Essex Police';
const HEALTH = 'Mid and South Essex NHS Foundation Trust';
const COUNCIL = 'Chelmsford City Council';

jest.setTimeout(180_000);

type ImrJson = {
  id: string;
  agencyId: string;
  state: string;
  receivedOn: string | null;
  qualityCheckedOn: string | null;
  signedOffBy: string | null;
  signedOffOn: string | null;
  waivedReason: string | null;
  version: number;
};
type LogRow = { actor: string; method: string; route: string; status: number };
type HistoryRow = { type: string; actor: string; payload: Record<string, unknown> };

describe('IMR quality check, sign-off and waiver pages (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;
  const agencies: Record<string, string> = {};
  const imrIds: Record<string, string> = {};

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = await api.post('/csps', 'administrator', { code: 'CHELMSFORD', name: 'Chelmsford Community Safety Partnership' });
    Object.assign(agencies, await api.agencies([
      [POLICE, 'police'],
      [HEALTH, 'health'],
      [COUNCIL, 'local_authority'],
    ] as const));
    await api.user(LEAD, 'Priya Shah', PASSWORD, 'csp_lead', 'CHELMSFORD');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(AUTHOR, 'Dr Amira Bello', PASSWORD);

    // Set-up through the API: the review decided, the chair and the panel, terms of reference,
    // three IMRs commissioned; the police and health IMRs received, the council's outstanding.
    const review = await api.post('/reviews', LEAD, {
      cspId: csp.id,
      dateOfDeath: '2026-01-10',
      notifiedOn: '2026-01-14',
      policeForce: 'Essex Police',
      policeReference: 'ESX/26/0110',
      circumstances: 'Death at home; partner arrested on suspicion of murder.',
    });
    reviewId = review.id;
    expect(review.reference).toBe(REFERENCE);
    await api.event(reviewId, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2026-01-28' });
    await api.event(reviewId, LEAD, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-29' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: AUTHOR, role: 'imr_author', agencyId: agencies[HEALTH] });
    await api.post(`/reviews/${reviewId}/appointments`, LEAD, {
      role: 'chair',
      name: 'Chris Rowe',
      organisation: 'Independent Reviews Ltd',
      email: CHAIR,
      appointedOn: '2026-02-01',
      independenceStatement: 'I have had no involvement with any agency in this case.',
    });
    for (const [name, agencyId] of Object.entries(agencies)) {
      await api.post(`/reviews/${reviewId}/panel-members`, LEAD, {
        name: `Representative of ${name}`,
        agencyId,
        role: 'Senior representative',
        joinedOn: '2026-02-02',
        noDirectCaseManagementDeclared: true,
      });
    }
    await api.event(reviewId, LEAD, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
    for (const [name, dueOn] of [[POLICE, '2026-04-14'], [HEALTH, '2026-04-14'], [COUNCIL, '2026-04-30']] as const) {
      imrIds[name] = (await api.post(`/reviews/${reviewId}/imrs`, LEAD, { agencyId: agencies[name], kind: 'imr', requestedOn: '2026-02-25', dueOn })).id;
    }
    for (const name of [POLICE, HEALTH]) await api.post(`/reviews/${reviewId}/imrs/${imrIds[name]}/receipt`, LEAD, { receivedOn: '2026-04-10' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  const signIn = (email: string) => signInAs(browser, baseURL, email);
  const textOf = (locator: Locator) => locator.first().innerText();
  const row = (page: Page, agency: string) => page.getByRole('row', { name: new RegExp(agency) });
  /** The links of a row, as read out (their visually hidden words included). */
  const linksOf = async (page: Page, agency: string) => (await row(page, agency).getByRole('link').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  const imr = async (name: string) => (await api.get(`/reviews/${reviewId}/imrs/${imrIds[name]}`, LEAD)) as ImrJson;
  const history = async () => (await api.get(`/reviews/${reviewId}/history`, LEAD)) as HistoryRow[];
  /** Who posted to this page route, and what they got, oldest first (the access log, read by the CSP lead). */
  async function posts(route: string, name: string): Promise<Array<[string, number]>> {
    const log = (await api.get(`/reviews/${reviewId}/access-log`, LEAD)) as Array<LogRow & { path: string }>;
    return log
      .filter((r) => r.method === 'POST' && r.route === `/cases/:reviewId/imrs/:imrId/${route}` && r.path.includes(imrIds[name]))
      .reverse()
      .map((r) => [r.actor, r.status]);
  }

  it('the chair quality-checks a received IMR and signs it off (an empty form first each time)', async () => {
    const { context, page, problems } = await signIn(CHAIR);
    await page.goto(`/cases/${reviewId}`);
    await page.getByRole('navigation', { name: 'Review pages' }).getByRole('link', { name: 'IMRs' }).click();
    await page.waitForURL(`**/cases/${reviewId}/imrs`);
    expect(await textOf(row(page, POLICE))).toContain('Not yet quality checked');
    expect(await textOf(row(page, POLICE))).toContain('Not yet signed off');
    // A received IMR offers its quality check and sign-off, not receipt, extension or waiver.
    expect(await linksOf(page, POLICE)).toEqual([`Record quality check of the IMR from ${POLICE}`, `Record sign-off of the IMR from ${POLICE}`]);
    await checks.check(page, problems, 'IMRs (two received)');

    // Quality check: nothing entered, then the date.
    await row(page, POLICE).getByRole('link', { name: `Record quality check of the IMR from ${POLICE}` }).click();
    await page.waitForURL(`**/imrs/${imrIds[POLICE]}/quality-check`);
    expect((await textOf(page.getByRole('heading', { level: 1 }))).trim()).toBe(`Record the quality check of the IMR from ${POLICE}`);
    expect(await textOf(page.locator('.govuk-summary-list'))).toContain('Not yet checked');
    await checks.check(page, problems, 'record quality check');
    await page.getByRole('button', { name: 'Record the quality check' }).click();
    expect(await errorSummary(page)).toEqual(['Enter date of the quality check']);
    expect(await page.locator('.govuk-error-summary a').first().getAttribute('href')).toBe('#checkedOn-day');
    expect(await page.locator('#checkedOn-day').getAttribute('class')).toMatch(/govuk-input--error/);
    await checks.check(page, problems, 'record quality check (errors)');
    expect((await imr(POLICE)).qualityCheckedOn).toBeNull();

    // A date before the IMR arrived is refused by the service, and named on the field.
    await fillDate(page, 'Date of the quality check', 9, 4, 2026);
    await page.getByRole('button', { name: 'Record the quality check' }).click();
    expect(await errorSummary(page)).toEqual(['Date of the quality check must not be before the receipt of the IMR (10 April 2026); the quality check of the IMR is dated 9 April 2026']);
    await checks.check(page, problems, 'record quality check (refused)');
    expect((await imr(POLICE)).qualityCheckedOn).toBeNull();

    await fillDate(page, 'Date of the quality check', 15, 4, 2026);
    await page.getByRole('button', { name: 'Record the quality check' }).click();
    await page.waitForURL(/\/imrs\?done=IMR_QUALITY_CHECKED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('IMR quality check recorded');
    expect(await textOf(row(page, POLICE))).toContain('Quality checked on 15 April 2026');
    expect(await textOf(row(page, POLICE))).toContain('Not yet signed off');
    expect(await row(page, POLICE).getByRole('link', { name: `Change quality check of the IMR from ${POLICE}` }).count()).toBe(1);
    await checks.check(page, problems, 'IMRs (quality checked)');
    expect(await imr(POLICE)).toMatchObject({ state: 'received', receivedOn: '2026-04-10', qualityCheckedOn: '2026-04-15', signedOffOn: null });
    // In the review's history with who recorded it; the access log also has the refused attempts.
    expect((await history()).filter((h) => h.type === 'IMR_QUALITY_CHECKED').map((h) => [h.actor, h.payload])).toEqual([
      [CHAIR, { imrId: imrIds[POLICE], checkedOn: '2026-04-15' }],
    ]);
    expect(await posts('quality-check', POLICE)).toEqual([
      [CHAIR, 400],
      [CHAIR, 400],
      [CHAIR, 303],
    ]);

    // Sign-off: nothing entered names both fields; then who and when.
    await row(page, POLICE).getByRole('link', { name: `Record sign-off of the IMR from ${POLICE}` }).click();
    await page.waitForURL(`**/imrs/${imrIds[POLICE]}/sign-off`);
    expect(await textOf(page.locator('.govuk-summary-list'))).toContain('Checked on 15 April 2026');
    await checks.check(page, problems, 'record sign-off');
    await page.getByRole('button', { name: 'Record the sign-off' }).click();
    expect(await errorSummary(page)).toEqual(['Enter who signed it off', 'Enter date signed off']);
    expect(await page.locator('.govuk-error-summary a').nth(0).getAttribute('href')).toBe('#signedOffBy');
    expect(await page.locator('.govuk-error-summary a').nth(1).getAttribute('href')).toBe('#signedOffOn-day');
    await checks.check(page, problems, 'record sign-off (errors)');
    expect((await imr(POLICE)).signedOffOn).toBeNull();

    await page.getByLabel('Who signed it off').fill('Det Supt Jane Hale, Head of Public Protection');
    await fillDate(page, 'Date signed off', 16, 4, 2026);
    await page.getByRole('button', { name: 'Record the sign-off' }).click();
    await page.waitForURL(/\/imrs\?done=IMR_SIGNED_OFF$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('IMR sign-off recorded');
    expect(await textOf(row(page, POLICE))).toContain('Signed off by Det Supt Jane Hale, Head of Public Protection on 16 April 2026');
    expect(await row(page, POLICE).getByRole('link', { name: `Change sign-off of the IMR from ${POLICE}` }).count()).toBe(1);
    await checks.check(page, problems, 'IMRs (signed off)');
    expect(await imr(POLICE)).toMatchObject({
      state: 'received',
      qualityCheckedOn: '2026-04-15',
      signedOffBy: 'Det Supt Jane Hale, Head of Public Protection',
      signedOffOn: '2026-04-16',
    });
    expect(await posts('sign-off', POLICE)).toEqual([
      [CHAIR, 400],
      [CHAIR, 303],
    ]);
    expect((await history()).filter((h) => h.type === 'IMR_SIGNED_OFF').map((h) => [h.actor, h.payload])).toEqual([
      [CHAIR, { imrId: imrIds[POLICE], signedOffBy: 'Det Supt Jane Hale, Head of Public Protection', signedOffOn: '2026-04-16' }],
    ]);
    await context.close();
  });

  it('the chair is told when someone else quality-checked the IMR while the form was open, and nothing is overwritten', async () => {
    const { context, page, problems } = await signIn(CHAIR);
    await page.goto(`/cases/${reviewId}/imrs`);
    await row(page, HEALTH).getByRole('link', { name: `Record quality check of the IMR from ${HEALTH}` }).click();
    await page.waitForURL(`**/imrs/${imrIds[HEALTH]}/quality-check`);
    const before = await imr(HEALTH);
    const other = await request(ctx.api.getHttpServer())
      .post(`/reviews/${reviewId}/imrs/${imrIds[HEALTH]}/quality-check`)
      .set('X-Actor', LEAD)
      .set('If-Match', `"${before.version}"`)
      .send({ checkedOn: '2026-04-17' });
    expect(other.status).toBe(200);

    await fillDate(page, 'Date of the quality check', 18, 4, 2026);
    await page.getByRole('button', { name: 'Record the quality check' }).click();
    expect((await textOf(page.locator('.govuk-error-summary__title'))).trim()).toBe('This IMR changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('It is now received on 10 April 2026, quality checked on 17 April 2026, not yet signed off');
    // The form now shows the IMR as it is, to try again from.
    expect(await page.locator('#checkedOn-day').inputValue()).toBe('17');
    await checks.check(page, problems, 'record quality check (conflict)');
    expect((await imr(HEALTH)).qualityCheckedOn).toBe('2026-04-17');
    expect(await posts('quality-check', HEALTH)).toEqual([[CHAIR, 412]]);
    await context.close();
  });

  it('the chair waives an outstanding IMR with a reason (an empty form first)', async () => {
    const historyBefore = (await history()).length;
    const { context, page, problems } = await signIn(CHAIR);
    await page.goto(`/cases/${reviewId}/imrs`);
    expect(await textOf(page.getByText(/commissioned, \d+ outstanding\./))).toBe('3 commissioned, 1 outstanding.');
    expect(await linksOf(page, COUNCIL)).toEqual([
      `Record receipt of the IMR from ${COUNCIL}`,
      `Upload the report of ${COUNCIL} on their behalf`,
      `Grant an extension to ${COUNCIL}`,
      `Waive the IMR from ${COUNCIL}`,
    ]);

    // An outstanding IMR cannot be quality-checked yet: its page says so and offers no form.
    await page.goto(`/cases/${reviewId}/imrs/${imrIds[COUNCIL]}/quality-check`);
    expect(await textOf(page.locator('.govuk-inset-text'))).toBe('The IMR has not been received yet (outstanding, due on 30 April 2026): record its receipt first.');
    expect(await page.getByRole('button', { name: 'Record the quality check' }).count()).toBe(0);
    await checks.check(page, problems, 'record quality check (outstanding IMR)');

    await page.goto(`/cases/${reviewId}/imrs`);
    await row(page, COUNCIL).getByRole('link', { name: `Waive the IMR from ${COUNCIL}` }).click();
    await page.waitForURL(`**/imrs/${imrIds[COUNCIL]}/waiver`);
    expect((await textOf(page.getByRole('heading', { level: 1 }))).trim()).toBe(`Waive the IMR from ${COUNCIL}`);
    await checks.check(page, problems, 'waive an IMR');
    await page.getByRole('button', { name: 'Waive the IMR' }).click();
    expect(await errorSummary(page)).toEqual(['Enter reason for waiving the IMR']);
    expect(await page.locator('.govuk-error-summary a').first().getAttribute('href')).toBe('#reason');
    await checks.check(page, problems, 'waive an IMR (errors)');
    expect((await imr(COUNCIL)).state).toBe('outstanding');

    const reason = 'The council had no contact with Adult A or Adult B; a letter confirming this was received.';
    await page.getByLabel('Reason for waiving the IMR').fill(reason);
    await page.getByRole('button', { name: 'Waive the IMR' }).click();
    await page.waitForURL(/\/imrs\?done=IMR_WAIVED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('IMR waived');
    expect(await textOf(page.getByText(/commissioned, \d+ outstanding\./))).toBe('3 commissioned, 0 outstanding.');
    expect(await textOf(row(page, COUNCIL))).toContain('Waived');
    expect(await textOf(row(page, COUNCIL))).toContain(reason);
    expect(await row(page, COUNCIL).getByRole('link').count()).toBe(0);
    await checks.check(page, problems, 'IMRs (one waived)');

    // Through the API: waived with the reason, and the chair in the review's history.
    expect(await imr(COUNCIL)).toMatchObject({ state: 'waived', waivedReason: reason, receivedOn: null });
    const rows = await history();
    expect(rows.slice(historyBefore).map((r) => [r.type, r.actor, r.payload])).toEqual([['IMR_WAIVED', CHAIR, { imrId: imrIds[COUNCIL], reason }]]);
    expect(await posts('waiver', COUNCIL)).toEqual([
      [CHAIR, 400],
      [CHAIR, 303],
    ]);

    // Its waiver page now says nothing more can be recorded.
    await page.goto(`/cases/${reviewId}/imrs/${imrIds[COUNCIL]}/waiver`);
    expect(await textOf(page.locator('.govuk-inset-text'))).toBe(`Nothing more can be recorded: waived (${reason}).`);
    await checks.check(page, problems, 'waive an IMR (already waived)');
    await context.close();
  });

  it('an IMR author signs off their own agency’s IMR, and may not quality-check or waive it', async () => {
    const { context, page, problems } = await signIn(AUTHOR);
    await page.goto(`/cases/${reviewId}/imrs`);
    const agencyCells = await page.locator('tbody tr th').allInnerTexts();
    expect(agencyCells.map((t) => t.split('\n')[0].trim())).toEqual([HEALTH]);
    expect(await page.getByRole('button', { name: 'Commission IMRs' }).count()).toBe(0);
    expect(await linksOf(page, HEALTH)).toEqual([`Record sign-off of the IMR from ${HEALTH}`]);
    await checks.check(page, problems, 'IMRs (IMR author)');

    await row(page, HEALTH).getByRole('link', { name: `Record sign-off of the IMR from ${HEALTH}` }).click();
    await page.waitForURL(`**/imrs/${imrIds[HEALTH]}/sign-off`);
    await checks.check(page, problems, 'record sign-off (IMR author)');
    await page.getByLabel('Who signed it off').fill('Dr Helen Marsh, Director of Nursing');
    await fillDate(page, 'Date signed off', 20, 4, 2026);
    await page.getByRole('button', { name: 'Record the sign-off' }).click();
    await page.waitForURL(/\/imrs\?done=IMR_SIGNED_OFF$/);
    expect(await textOf(row(page, HEALTH))).toContain('Signed off by Dr Helen Marsh, Director of Nursing on 20 April 2026');
    await checks.check(page, problems, 'IMRs (IMR author, signed off)');
    expect(await imr(HEALTH)).toMatchObject({ state: 'received', qualityCheckedOn: '2026-04-17', signedOffBy: 'Dr Helen Marsh, Director of Nursing', signedOffOn: '2026-04-20' });
    expect(await posts('sign-off', HEALTH)).toEqual([[AUTHOR, 303]]);
    // The IMR author's own history (read with their session) shows their agency's sign-off, and nothing of the other agencies' IMRs.
    const own = (await (await page.request.get(`/reviews/${reviewId}/history`)).json()) as HistoryRow[];
    expect(own.filter((h) => h.type === 'IMR_SIGNED_OFF').map((h) => [h.actor, h.payload.imrId])).toEqual([[AUTHOR, imrIds[HEALTH]]]);
    expect(own.filter((h) => h.type.startsWith('IMR_') && h.payload.imrId !== imrIds[HEALTH])).toEqual([]);

    // The chair's actions are not theirs, and another agency's IMR is not found.
    const qualityCheck = await page.goto(`/cases/${reviewId}/imrs/${imrIds[HEALTH]}/quality-check`);
    expect(qualityCheck?.status()).toBe(403);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toMatch(/do not have access/i);
    await checks.check(page, problems, 'record quality check (IMR author)');
    expect((await page.request.get(`/cases/${reviewId}/imrs/${imrIds[HEALTH]}/waiver`)).status()).toBe(403);
    expect((await page.request.get(`/cases/${reviewId}/imrs/${imrIds[POLICE]}/sign-off`)).status()).toBe(404);
    await context.close();

    // axe found nothing on any page visited, whatever its impact.
    expect(checks.findings).toEqual([]);
  });
});
