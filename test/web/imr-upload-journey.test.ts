import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { ReminderScheduler } from '../../src/reminders/reminder-scheduler';
import { fixtures } from '../support/document-fixtures';
import { startSmtpSink } from '../support/smtp-sink';
import { startTestApp, TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi } from './support/setup-api';

/**
 * Agencies send their own reports (issue 14 item 5, must-show b), in Chromium, each person
 * signed in through the sign-in page: the chair follows My work's "Record receipt of the IMR
 * from Essex Police" and records it; the worker sends the health trust's IMR author their
 * reminder by email (a real SMTP server receives it) and the author follows its link straight
 * to the upload page and sends the IMR and its chronology; the chair finds "Confirm receipt"
 * in My work and sends it back with comments; the author sees the comments in My work, sends a
 * new version; the chair confirms it; the author's My work then asks for the sign-off. A
 * confirmation from a page opened before a newer upload is refused on the page. axe runs
 * on every page (at 1280 px, and the new pages at 320 px too); the clicks and fields typed after
 * signing in are counted and printed.
 */

const NOW = '2026-04-01T08:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'community.safety@chelmsford.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const AUTHOR = 'imr.author@mse.nhs.uk';
const POLICE = 'Essex Police';
const HEALTH = 'Mid and South Essex NHS Foundation Trust';
const COMMENTS = 'Please add the GP contacts of March 2026 to the chronology.';
/** The chair's clicks and fields to record receipts before this feature (issue 14's baseline). */
const BASELINE = { clicks: 26, fields: 29 };

jest.setTimeout(240_000);

describe('an agency sends its own IMR (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;
  let reference: string;
  const agencies: Record<string, string> = {};
  const imrIds: Record<string, string> = {};
  const counts: Record<string, { clicks: number; fields: number }> = {};

  beforeAll(async () => {
    smtp = await startSmtpSink();
    ctx = await startTestApp({ clock, defaultActor: null, worker: true, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://dhr.chelmsford.gov.uk' } });
    await ctx.api.listen(0, '127.0.0.1');
    baseURL = `http://127.0.0.1:${(ctx.api.getHttpServer().address() as { port: number }).port}`;
    api = setupApi(ctx.api);
    const csp = await api.post('/csps', 'administrator', { code: 'CHELMSFORD', name: 'Chelmsford Community Safety Partnership' });
    Object.assign(agencies, await api.agencies([[POLICE, 'police'], [HEALTH, 'health']] as const));
    await api.user(LEAD, 'Priya Shah', PASSWORD, 'csp_lead', 'CHELMSFORD');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(AUTHOR, 'Dr Amira Bello', PASSWORD);
    const review = await api.post('/reviews', LEAD, {
      cspId: csp.id,
      dateOfDeath: '2026-01-10',
      notifiedOn: '2026-01-14',
      policeForce: 'Essex Police',
      policeReference: 'ESX/26/0110',
      circumstances: 'Death at home; partner arrested on suspicion of murder.',
    });
    reviewId = review.id;
    reference = review.reference;
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
      await api.post(`/reviews/${reviewId}/panel-members`, LEAD, { name: `Representative of ${name}`, agencyId, role: 'Senior representative', joinedOn: '2026-02-02', noDirectCaseManagementDeclared: true });
    }
    await api.event(reviewId, LEAD, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
    for (const name of [POLICE, HEALTH]) {
      imrIds[name] = (await api.post(`/reviews/${reviewId}/imrs`, LEAD, { agencyId: agencies[name], kind: 'imr', requestedOn: '2026-02-25', dueOn: '2026-04-14' })).id;
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    await smtp?.stop();
    console.log(`IMR upload: clicks and fields typed after signing in: ${JSON.stringify(counts)}`);
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  /** Counted actions of one person (as test/web/board-return.test.ts counts them). */
  function person(name: string) {
    const count = (counts[name] ??= { clicks: 0, fields: 0 });
    return {
      click: async (locator: Locator) => {
        count.clicks += 1;
        await locator.click();
      },
      fill: async (locator: Locator, value: string) => {
        count.fields += 1;
        await locator.fill(value);
      },
      date: async (page: Page, legend: string, day: number, month: number, year: number) => {
        count.fields += 3;
        await fillDate(page, legend, day, month, year);
      },
      upload: async (locator: Locator, file: { name: string; mimeType: string; buffer: Buffer }) => {
        count.fields += 1;
        await locator.setInputFiles(file);
      },
      /** Following a link from outside the service (an email): one click. */
      follow: async (page: Page, path: string) => {
        count.clicks += 1;
        await page.goto(path);
      },
    };
  }
  const signIn = async (email: string) => {
    const signedIn = await signInAs(browser, baseURL, email, PASSWORD);
    await signedIn.page.setViewportSize({ width: 1280, height: 800 });
    return signedIn;
  };
  const textOf = (locator: Locator) => locator.first().innerText();
  const taskLink = (page: Page, title: string | RegExp) => page.getByRole('table').getByRole('link', { name: title });
  const imr = async (name: string) => api.get(`/reviews/${reviewId}/imrs/${imrIds[name]}`, LEAD);

  /** The page at 320 px as well: axe again, nothing wider than the screen (WCAG 2.2 1.4.10), and its screenshot. */
  async function narrow(page: Page, problems: string[], name: string, shot: string) {
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    await checks.check(page, problems, `${name} (320 px)`, { screenshot: `${shot}-320` });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  it("the chair's My work shows \"Record receipt of the IMR from Essex Police\"; following it records the receipt", async () => {
    const { context, page, problems } = await signIn(CHAIR);
    const chair = person('chair');
    await checks.check(page, problems, 'my work (chair, two IMRs outstanding)');
    await chair.click(taskLink(page, `Record receipt of the IMR from ${POLICE} (${reference})`));
    await page.waitForURL(`**/imrs/${imrIds[POLICE]}/receipt`);
    await checks.check(page, problems, 'record receipt (police)');
    await chair.date(page, 'Date received', 1, 4, 2026);
    await chair.click(page.getByRole('button', { name: 'Record receipt' }));
    await page.waitForURL(/\/imrs\?done=IMR_RECEIVED$/);
    await checks.check(page, problems, 'IMRs (police received)');
    expect((await imr(POLICE)).receivedOn).toBe('2026-04-01');
    await context.close();
  });

  it('the reminder email takes the IMR author straight to the upload page; they send the IMR and its chronology', async () => {
    // A week before the due date the worker sends the reminders of that day (09:00 London).
    clock.set('2026-04-07T08:00:01Z');
    await ctx.worker!.get(ReminderScheduler).reconcileAll();
    const until = Date.now() + 20_000;
    const toAuthor = () => smtp.received.filter((m) => (m.to as { text: string } | undefined)?.text === AUTHOR);
    while (toAuthor().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const [mail] = toAuthor();
    expect(mail?.subject).toContain(`IMR from ${HEALTH}`);
    const link = /https:\/\/dhr\.chelmsford\.gov\.uk\/[^\s"<>]+/.exec(mail.text ?? '')?.[0];
    expect(link).toBe(`https://dhr.chelmsford.gov.uk/cases/${reviewId}/imrs/${imrIds[HEALTH]}/submit`);

    const { context, page, problems } = await signIn(AUTHOR);
    const author = person('IMR author');
    expect(await textOf(taskLink(page, new RegExp(`^Send the IMR of ${HEALTH} to the chair`)))).toBeTruthy();
    await checks.check(page, problems, 'my work (IMR author, IMR to send)');
    await author.follow(page, new URL(link!).pathname);
    expect(await textOf(page.locator('h1'))).toBe(`Send the IMR of ${HEALTH} to the chair`);
    await checks.check(page, problems, 'send the IMR (empty)', { screenshot: 'imr-upload' });
    await narrow(page, problems, 'send the IMR', 'imr-upload');
    // Sent without the IMR: refused on the page, naming it; nothing written.
    await author.click(page.getByRole('button', { name: 'Send the IMR' }));
    expect(await errorSummary(page)).toEqual([`Select the IMR to send`]);
    await checks.check(page, problems, 'send the IMR (nothing chosen)');
    await author.upload(page.getByLabel('The IMR', { exact: true }), { name: 'health-imr.pdf', mimeType: 'application/pdf', buffer: fixtures.pdf('IMR of the health trust') });
    await author.upload(page.getByLabel('Its chronology (optional)'), { name: 'health-chronology.pdf', mimeType: 'application/pdf', buffer: fixtures.pdf('Chronology') });
    await author.click(page.getByRole('button', { name: 'Send the IMR' }));
    await page.waitForURL(/\/imrs\?done=IMR_SUBMITTED$/);
    const row = page.getByRole('row', { name: new RegExp(HEALTH) });
    expect(await textOf(row)).toContain('Sent, awaiting confirmation');
    expect(await textOf(row)).toContain('Sent on 7 April 2026 by Dr Amira Bello');
    await checks.check(page, problems, 'IMRs (IMR author, sent)', { screenshot: 'imr-upload-sent' });
    // Nothing more to do until the chair answers.
    await author.click(page.getByRole('link', { name: 'My work' }));
    expect(await page.getByRole('link', { name: new RegExp(`Send the IMR of ${HEALTH}`) }).count()).toBe(0);
    await context.close();
    expect(await imr(HEALTH)).toMatchObject({ state: 'outstanding', receivedOn: null, submission: { outcome: 'awaiting', submittedByName: 'Dr Amira Bello' } });
  });

  it("the chair's My work shows it to confirm; they send it back with comments, which the author sees, and the author sends a new version", async () => {
    clock.set('2026-04-08T09:00:00Z');
    let { context, page, problems } = await signIn(CHAIR);
    const chair = person('chair');
    await checks.check(page, problems, 'my work (chair, IMR to confirm)', { screenshot: 'imr-upload-my-work-chair' });
    await chair.click(taskLink(page, `Confirm receipt of the IMR from ${HEALTH} (${reference})`));
    await page.waitForURL(`**/imrs/${imrIds[HEALTH]}/confirm`);
    expect(await textOf(page.locator('main'))).toContain('health-imr.pdf (version 1');
    expect(await textOf(page.locator('main'))).toContain('health-chronology.pdf (version 1');
    await checks.check(page, problems, 'confirm receipt (version 1)', { screenshot: 'imr-confirm' });
    await narrow(page, problems, 'confirm receipt', 'imr-confirm');
    // Sent back without comments (not counted as the journey's): refused on the same page, the other form as it starts, nothing recorded.
    await page.getByRole('button', { name: 'Send it back with comments' }).click();
    expect(await errorSummary(page)).toEqual(['Enter comments for the agency']);
    expect(await page.getByLabel('Day').inputValue()).toBe('7');
    await checks.check(page, problems, 'send back (no comments)');
    expect(await imr(HEALTH)).toMatchObject({ submission: { outcome: 'awaiting' } });
    await chair.fill(page.getByLabel('Comments for the agency'), COMMENTS);
    await chair.click(page.getByRole('button', { name: 'Send it back with comments' }));
    await page.waitForURL(/\/imrs\?done=IMR_SENT_BACK$/);
    expect(await textOf(page.getByRole('row', { name: new RegExp(HEALTH) }))).toContain(`Sent back on 8 April 2026 by Chris Rowe: ${COMMENTS}`);
    await checks.check(page, problems, 'IMRs (sent back)');
    await context.close();

    ({ context, page, problems } = await signIn(AUTHOR));
    const author = person('IMR author');
    const task = taskLink(page, new RegExp(`^Send the IMR of ${HEALTH} to the chair again: sent back with the comments`));
    expect(await textOf(task)).toContain(COMMENTS);
    await checks.check(page, problems, 'my work (IMR author, sent back)', { screenshot: 'imr-upload-my-work-sent-back' });
    await author.click(task);
    expect(await textOf(page.locator('main'))).toContain(COMMENTS);
    await checks.check(page, problems, 'send the IMR (after it was sent back)');
    await author.upload(page.getByLabel('The IMR', { exact: true }), { name: 'health-imr-v2.pdf', mimeType: 'application/pdf', buffer: fixtures.pdf('IMR of the health trust, with the GP contacts') });
    await author.upload(page.getByLabel('Its chronology (optional)'), { name: 'health-chronology-v2.pdf', mimeType: 'application/pdf', buffer: fixtures.pdf('Chronology with March') });
    await author.click(page.getByRole('button', { name: 'Send the IMR' }));
    await page.waitForURL(/\/imrs\?done=IMR_SUBMITTED$/);
    await checks.check(page, problems, 'IMRs (IMR author, sent again)');
    await context.close();
  });

  it('the chair confirms the new version (received on the day it was sent); the author’s My work then asks for the sign-off', async () => {
    clock.set('2026-04-09T09:00:00Z');
    let { context, page, problems } = await signIn(CHAIR);
    const chair = person('chair');
    await chair.click(taskLink(page, `Confirm receipt of the IMR from ${HEALTH} (${reference})`));
    expect(await textOf(page.locator('main'))).toContain('health-imr-v2.pdf (version 2');
    // The date is the day it was sent, already filled in.
    const group = page.getByRole('group', { name: 'Date received' });
    expect([await group.getByLabel('Day').inputValue(), await group.getByLabel('Month').inputValue(), await group.getByLabel('Year').inputValue()]).toEqual(['8', '4', '2026']);
    await checks.check(page, problems, 'confirm receipt (version 2)');
    await chair.click(page.getByRole('button', { name: 'Confirm receipt' }));
    await page.waitForURL(/\/imrs\?done=IMR_RECEIVED$/);
    expect(await textOf(page.getByRole('row', { name: new RegExp(HEALTH) }))).toContain('8 April 2026');
    await checks.check(page, problems, 'IMRs (health confirmed)', { screenshot: 'imr-upload-confirmed' });
    await context.close();
    expect(await imr(HEALTH)).toMatchObject({ state: 'received', receivedOn: '2026-04-08', submission: { outcome: 'received', decidedByName: 'Chris Rowe' } });

    ({ context, page, problems } = await signIn(AUTHOR));
    expect(await textOf(taskLink(page, `Record the sign-off of the IMR of ${HEALTH} (${reference})`))).toBeTruthy();
    expect(await page.getByRole('link', { name: new RegExp(`Send the IMR of ${HEALTH}`) }).count()).toBe(0);
    await checks.check(page, problems, 'my work (IMR author, sign-off)', { screenshot: 'imr-upload-my-work-sign-off' });
    // The review's history shows them the upload, the send-back with its comments, and the receipt.
    // My work also tells them it was received (since their last visit).
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain(`The IMR from ${HEALTH} was received on 8 April 2026`);
    await page.getByRole('table').getByRole('link', { name: reference, exact: true }).first().click();
    await page.waitForURL(`**/cases/${reviewId}`);
    expect(await textOf(page.getByRole('row', { name: /IMR sent back to the agency with comments/ }))).toContain(`(${HEALTH}): “${COMMENTS}”`);
    expect(await page.getByRole('row', { name: /IMR sent by the agency, awaiting confirmation/ }).count()).toBe(2);
    await checks.check(page, problems, 'review (IMR author, history)');
    await context.close();

    // Each step is in the history, by whom.
    const history = (await api.get(`/reviews/${reviewId}/history`, LEAD)) as Array<{ type: string; actor: string; payload: Record<string, unknown> }>;
    expect(history.filter((h) => h.payload?.imrId === imrIds[HEALTH] && h.type !== 'IMR_COMMISSIONED').map((h) => [h.type, h.actor])).toEqual([
      ['IMR_SUBMITTED', AUTHOR],
      ['IMR_SENT_BACK', CHAIR],
      ['IMR_SUBMITTED', AUTHOR],
      ['IMR_RECEIVED', CHAIR],
    ]);
    // The chair's clicks and fields are fewer than the baseline's.
    expect(counts.chair.clicks).toBeLessThan(BASELINE.clicks);
    expect(counts.chair.fields).toBeLessThan(BASELINE.fields);
    // Exactly what the README says: 6 clicks and 4 fields.
    expect(counts.chair).toEqual({ clicks: 6, fields: 4 });
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });

  it('a confirmation from a page opened before the agency sent a new version is refused on the page, and nothing is confirmed', async () => {
    const shortReport = (await api.post(`/reviews/${reviewId}/imrs`, LEAD, { agencyId: agencies[HEALTH], kind: 'short_report', requestedOn: '2026-04-09', dueOn: '2026-05-07' })).id;
    const send = async (content: string) => {
      const res = await request(ctx.api.getHttpServer())
        .post(`/reviews/${reviewId}/imrs/${shortReport}/submissions`)
        .set('X-Actor', AUTHOR)
        .attach('report', fixtures.pdf(content), { filename: 'short-report.pdf', contentType: 'application/pdf' });
      expect(res.status).toBe(201);
    };
    await send('Short report, first version');
    const { context, page, problems } = await signIn(CHAIR);
    await page.goto(`/cases/${reviewId}/imrs/${shortReport}/confirm`);
    expect(await textOf(page.locator('h1'))).toBe(`Confirm receipt of the short report from ${HEALTH}`);
    await send('Short report, second version');
    await page.getByRole('button', { name: 'Confirm receipt' }).click();
    expect(await errorSummary(page)).toEqual([`${HEALTH} sent a new version, or someone else answered, since you opened this page. Check it as it is now.`]);
    expect(await textOf(page.locator('main'))).toContain('(version 2');
    await checks.check(page, problems, 'confirm receipt (stale)');
    await context.close();
    expect(await api.get(`/reviews/${reviewId}/imrs/${shortReport}`, LEAD)).toMatchObject({ receivedOn: null, submission: { outcome: 'awaiting', report: { version: 2 } } });
  });
});
