import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Locator, Page } from 'playwright-core';
import { createRootLogger } from '../../src/infrastructure/logging/root-logger';
import { LocalMailCapture, startLocalMailCapture } from '../../src/reminders/mail/local-mail-capture';
import { startTestApp, TestClock, TestContext } from '../support/test-app';
import { fillDate, launchBrowser, newPerson, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi } from './support/setup-api';
import { testPort } from '../support/ports';

/**
 * Journey (a) of issue 14: the CSP lead opens a review, decides, tells the Home Office and
 * invites the chair by email (nobody had to create the chair's account first); the chair opens
 * the link in the invitation email (read from the local mail capture's real .eml file),
 * chooses a password, and finds the review and their first task on My work. axe runs on every
 * page at 1280 and at 320 px; the clicks and fields typed after signing in are counted and
 * printed, and must be fewer than the lead's baseline of today (31 clicks, 37 fields).
 */

const NOW = '2026-03-16T10:00:00Z';
const LEAD = 'community.safety@maldon.gov.uk';
const CHAIR = 'nadia.chowdhury@independent-reviews.example';
const CHAIR_PASSWORD = 'three unrelated words chosen';
const BASELINE = { clicks: 31, fields: 37 };

jest.setTimeout(180_000);

describe('journey (a): the CSP lead invites the chair, who joins from the email (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let capture: LocalMailCapture;
  let mailDir: string;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;
  const counts: Record<string, { clicks: number; fields: number }> = {};

  beforeAll(async () => {
    mailDir = mkdtempSync(join(tmpdir(), 'dhr-invite-mail-'));
    capture = await startLocalMailCapture(mailDir, createRootLogger({ log: { level: 'silent' } }, 'test'));
    const port = await testPort();
    baseURL = `http://127.0.0.1:${port}`;
    ctx = await startTestApp({ clock, defaultActor: null, env: { SMTP_URL: capture.url, PUBLIC_BASE_URL: baseURL } });
    await ctx.api.listen(port, '127.0.0.1');
    api = setupApi(ctx.api);
    await api.post('/csps', 'administrator', { code: 'MALDON', name: 'Maldon Community Safety Partnership', boardName: 'Responsible Authorities Group' });
    await api.user(LEAD, 'Carol Okafor', TEST_PASSWORD, 'csp_lead', 'MALDON');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    await capture?.stop();
    if (mailDir) rmSync(mailDir, { recursive: true, force: true });
    console.log(`invite journey: clicks and fields typed after signing in: ${JSON.stringify(counts)} (the lead's baseline: ${JSON.stringify(BASELINE)})`);
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  /** Counted actions of one person. */
  function person(name: string) {
    const count = (counts[name] ??= { clicks: 0, fields: 0 });
    return {
      count,
      click: async (locator: Locator) => {
        count.clicks += 1;
        await locator.click();
      },
      fill: async (locator: Locator, value: string) => {
        count.fields += 1;
        await locator.fill(value);
      },
      select: async (locator: Locator, label: string) => {
        count.fields += 1;
        await locator.selectOption({ label });
      },
      check: async (locator: Locator) => {
        count.clicks += 1;
        await locator.check();
      },
      date: async (page: Page, legend: string, day: number, month: number, year: number) => {
        count.fields += 3;
        await fillDate(page, legend, day, month, year);
      },
    };
  }

  /** axe at 1280 px and at 320 px (where nothing may be wider than the screen), then back. */
  async function checkBothWidths(page: Page, problems: string[], name: string, screenshot?: string) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await checks.check(page, problems, `${name} (1280 px)`, { screenshot: screenshot ? `${screenshot}-1280` : undefined });
    await page.setViewportSize({ width: 320, height: 900 });
    await checks.check(page, problems, `${name} (320 px)`, { screenshot: screenshot ? `${screenshot}-320` : undefined });
    // Reflow (WCAG 2.2 1.4.10): the page itself never scrolls sideways; a wide table scrolls in its own region.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  const textOf = (locator: Locator) => locator.first().innerText();

  it('the CSP lead opens a review, decides, tells the Home Office and invites the chair by email', async () => {
    const { context, page, problems } = await signInAs(browser, baseURL, LEAD);
    const lead = person('CSP lead');
    await checkBothWidths(page, problems, 'my work (CSP lead)');

    await lead.click(page.getByRole('link', { name: 'Reviews', exact: true }));
    await lead.click(page.getByRole('button', { name: 'Open a review' }));
    await page.waitForURL('**/cases/new');
    await checkBothWidths(page, problems, 'open a review');
    await lead.select(page.getByLabel('Community Safety Partnership'), 'Maldon Community Safety Partnership');
    await lead.date(page, 'Date of death', 27, 2, 2026);
    await lead.date(page, 'Date the police notified the CSP', 2, 3, 2026);
    await lead.fill(page.getByLabel('Police force'), 'Essex Police');
    await lead.fill(page.getByLabel('Police reference'), 'ESX/26/1107');
    await lead.fill(page.getByLabel('Circumstances'), 'Adult A, 34, died at home. Adult B, her partner, has been charged with murder.');
    await lead.click(page.getByRole('button', { name: 'Open the review' }));
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}\?done=NOTIFICATION_RECORDED$/);
    reviewId = /\/cases\/([0-9a-f-]{36})/.exec(page.url())![1];
    await checkBothWidths(page, problems, 'review (notified)');

    const decide = page.locator('section', { has: page.getByRole('heading', { name: 'Record the decision' }) });
    await lead.check(decide.getByLabel('Hold a review', { exact: true }));
    await lead.fill(decide.getByLabel('Reasons for the decision'), 'Death of a woman aged 34; her partner is charged with murder. The criteria of s.9 are met.');
    await lead.date(page, 'Date of the decision', 13, 3, 2026);
    await lead.click(decide.getByRole('button', { name: 'Record the decision' }));
    await page.waitForURL(/\?done=DECIDE$/);

    await lead.date(page, 'Date the Home Office was told', 16, 3, 2026);
    await lead.click(page.getByRole('button', { name: 'Record that the Home Office was told' }));
    await page.waitForURL(/\?done=NOTIFY_HOME_OFFICE$/);
    await checkBothWidths(page, problems, 'review (establishing)');

    // The chair is not a user of the service yet: the lead invites them by email and name.
    await lead.click(page.getByRole('navigation', { name: 'Review pages' }).getByRole('link', { name: 'Team' }));
    await page.waitForURL(`**/cases/${reviewId}/team`);
    await lead.click(page.getByRole('button', { name: 'Add a member' }));
    await checkBothWidths(page, problems, 'add a member', 'invite-add-member');
    await lead.fill(page.getByLabel('Full name'), 'Nadia Chowdhury');
    await lead.fill(page.getByLabel('Email address'), CHAIR);
    await lead.check(page.getByLabel('Chair', { exact: true }));
    // The same form records the chair's appointment with their declaration (one record per person).
    await lead.fill(page.getByLabel('Organisation (optional)'), 'Independent Reviews Ltd');
    await lead.fill(page.getByLabel('Declaration of independence (optional)'), 'I have had no involvement with any agency in this case.');
    await lead.click(page.getByRole('button', { name: 'Add the member' }));
    await page.waitForURL(/\/team\?done=INVITED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Invitation sent');
    const row = page.getByRole('row', { name: /Nadia Chowdhury/ });
    expect(await textOf(row)).toContain('Chair');
    expect(await textOf(row)).toContain('Invited');
    expect(await textOf(row)).toContain('The invitation link works until 30 March 2026.');
    expect(await textOf(row)).toContain('Independence declared 16 March 2026');
    expect(await page.getByRole('row', { name: /Nadia Chowdhury/ }).count()).toBe(2); // the team's row and the appointment's details
    const team = (await api.get(`/reviews/${reviewId}/members`, LEAD)) as Array<{ id: string; declarations: { organisation: string; appointmentId: string } }>;
    expect(team).toHaveLength(1);
    expect(team[0].declarations).toMatchObject({ organisation: 'Independent Reviews Ltd', appointmentId: expect.any(String) });
    await checkBothWidths(page, problems, 'team (chair invited)', 'invite-team-invited');
    await context.close();

    // Fewer than today's: every count is of a click or a field after signing in.
    expect(lead.count.clicks).toBeLessThan(BASELINE.clicks);
    expect(lead.count.fields).toBeLessThan(BASELINE.fields);
    // Exactly what the README says: 10 clicks and 21 fields.
    expect(lead.count).toEqual({ clicks: 10, fields: 21 });
    const history = (await api.get(`/reviews/${reviewId}/history`, LEAD)) as Array<{ type: string; actor: string }>;
    expect(history.map((h) => [h.type, h.actor])).toEqual([
      ['NOTIFICATION_RECORDED', LEAD],
      ['DECIDE', LEAD],
      ['NOTIFY_HOME_OFFICE', LEAD],
      ['MEMBER_ADDED', LEAD],
      ['CHAIR_APPOINTED', LEAD],
      ['INVITATION_SENT', LEAD],
    ]);
  });

  it('the chair opens the link in the invitation email, chooses a password, and finds the review and their first task on My work', async () => {
    // The real mail output: one .eml file the local capture wrote.
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(mailDir, files[0])));
    expect(mail.subject).toBe('You are invited to the review team of DHR-MALDON-2026-001');
    expect(mail.text).toContain('Dear Nadia Chowdhury,');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/sign-in\/invitations\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    expect(link).toBeDefined();

    clock.set('2026-03-17T09:00:00Z');
    const { context, page, problems } = await newPerson(browser, baseURL);
    const chair = person('chair');
    await page.goto(link!);
    expect(await textOf(page.locator('h1'))).toBe('Join the review team');
    expect(await textOf(page.locator('main'))).toContain('Nadia Chowdhury, you are invited to the team of the domestic homicide review DHR-MALDON-2026-001');
    await checkBothWidths(page, problems, 'join the review team', 'invite-join');
    // A password too short is refused on the form (nothing written), then a good one.
    await chair.fill(page.getByLabel('Choose a password'), 'too short');
    await chair.click(page.getByRole('button', { name: 'Join the review team' }));
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('must be at least 12 characters');
    await checkBothWidths(page, problems, 'join the review team (errors)');
    await chair.fill(page.getByLabel('Choose a password'), CHAIR_PASSWORD);
    await chair.click(page.getByRole('button', { name: 'Join the review team' }));
    await page.waitForURL('**/my-work');
    expect(await textOf(page.locator('.app-signed-in__user'))).toContain('Nadia Chowdhury');
    const main = await textOf(page.locator('main'));
    expect(main).toContain('DHR-MALDON-2026-001');
    expect(main).toContain('Set up the review panel: a senior representative of each agency');
    await checkBothWidths(page, problems, 'my work (chair, first sign-in)', 'invite-chair-my-work');
    // The chair's part, as the README says: 2 clicks and 2 fields (a password refused, then a good one).
    expect(chair.count).toEqual({ clicks: 2, fields: 2 });

    // The link is used up: opening it again says so plainly.
    await page.goto(link!);
    expect(await textOf(page.locator('h1'))).toBe('This invitation link cannot be used');
    expect(await textOf(page.locator('main'))).toContain('This invitation was already used on 17 March 2026');
    await checkBothWidths(page, problems, 'invitation link used');
    await context.close();

    const history = (await api.get(`/reviews/${reviewId}/history`, LEAD)) as Array<{ type: string; actor: string }>;
    expect(history.at(-1)).toMatchObject({ type: 'INVITATION_ACCEPTED', actor: CHAIR });
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });

  it('the CSP lead sends an invitation again (the first link stops working) and then withdraws it (the new link stops working too)', async () => {
    const WRITER = 'o.mensah@report-writers.example';
    const linksTo = (address: string) =>
      readdirSync(mailDir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => readFileSync(join(mailDir, f), 'utf8'))
        .filter((eml) => eml.includes(address))
        .map((eml) => /(http:\/\/127\.0\.0\.1:\d+\/sign-in\/invitations\/[A-Za-z0-9_-]+)/.exec(eml.replace(/=\r?\n/g, ''))?.[1]);
    const { context, page, problems } = await signInAs(browser, baseURL, LEAD);
    await page.goto(`/cases/${reviewId}/team/members/new`);
    await page.getByLabel('Full name').fill('Olu Mensah');
    await page.getByLabel('Email address').fill(WRITER);
    await page.getByLabel('Report writer', { exact: true }).check();
    await page.getByRole('button', { name: 'Add the member' }).click();
    await page.waitForURL(/\/team\?done=INVITED$/);
    const [first] = linksTo(WRITER);
    expect(first).toBeDefined();

    // Sent again: a second email with a new link; the first no longer works.
    await page.getByRole('button', { name: 'Resend the invitation to Olu Mensah' }).click();
    await page.waitForURL(/\/team\?done=INVITATION_RESENT$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Invitation sent again');
    await checkBothWidths(page, problems, 'team (invitation sent again)');
    const links = linksTo(WRITER);
    expect(links).toHaveLength(2);
    expect(links[1]).not.toBe(first);
    const stranger = await newPerson(browser, baseURL);
    await stranger.page.goto(first!);
    expect(await textOf(stranger.page.locator('h1'))).toBe('This invitation link cannot be used');

    // Withdrawn, after a page that says what it does: the new link stops working as well.
    await page.getByRole('link', { name: /Withdraw the invitation of Olu Mensah/ }).click();
    expect(await textOf(page.locator('h1'))).toBe('Withdraw the invitation to Olu Mensah');
    await checkBothWidths(page, problems, 'withdraw an invitation');
    await page.getByRole('button', { name: 'Withdraw the invitation' }).click();
    await page.waitForURL(/\/team\?done=INVITATION_WITHDRAWN$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Invitation withdrawn');
    await stranger.page.goto(links[1]!);
    expect(await textOf(stranger.page.locator('h1'))).toBe('This invitation link cannot be used');
    await stranger.context.close();

    // Once withdrawn, sending it again is not offered.
    expect(await page.getByRole('button', { name: /Resend the invitation to Olu Mensah/ }).count()).toBe(0);
    await context.close();
    const history = (await api.get(`/reviews/${reviewId}/history`, LEAD)) as Array<{ type: string; payload?: Record<string, unknown> }>;
    const about = history.filter((h) => JSON.stringify(h.payload ?? {}).includes(WRITER)).map((h) => h.type);
    expect(about).toEqual(expect.arrayContaining(['INVITATION_SENT', 'INVITATION_WITHDRAWN']));
    expect(about.filter((t) => t === 'INVITATION_SENT')).toHaveLength(2);
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });
});
