import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { TestClock, TestContext } from '../support/test-app';
import { fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * A meeting recorded after it took place, through the pages: the chair schedules it with its
 * past date and time, no invitation is queued for it, and it can be recorded as held at once
 * (a meeting still to come cannot). In Chromium, axe on every page.
 */

const NOW = '2026-07-06T09:00:00Z';
const LEAD = 'community.safety@harlow.gov.uk';
const CHAIR = 'chair@harlow-reviews.example';

jest.setTimeout(180_000);

describe('a meeting recorded after it took place (browser)', () => {
  const clock = new TestClock(new Date(NOW));
  const checks = new PageChecks();
  let ctx: TestContext;
  let browser: Browser;
  let baseURL: string;
  let api: ReturnType<typeof setupApi>;
  let reviewId: string;

  beforeAll(async () => {
    ({ ctx, baseURL, api } = await startListeningApp(clock));
    const csp = await api.post('/csps', 'administrator', { code: 'HARLOW', name: 'Harlow Community Safety Partnership' });
    await api.user(LEAD, 'Sam Lead', TEST_PASSWORD, 'csp_lead', 'HARLOW');
    await api.user(CHAIR, 'Jo Chair', TEST_PASSWORD);
    reviewId = (
      await api.post('/reviews', LEAD, {
        cspId: csp.id,
        dateOfDeath: '2026-05-01',
        notifiedOn: '2026-05-04',
        policeForce: 'Essex Police',
        policeReference: 'EP/2026/0142',
        circumstances: 'Found at home.',
      })
    ).id;
    await api.event(reviewId, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-05-20' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    await api.post(`/reviews/${reviewId}/appointments`, LEAD, { role: 'chair', name: 'Jo Chair', organisation: 'Reviews Ltd', email: CHAIR, appointedOn: '2026-05-25' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  const invitationsQueued = async (meetingId: string) =>
    ((await ctx.api.get(DataSource).query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'meetingId' = $1`, [meetingId])) as Array<{ n: number }>)[0].n;

  it('the chair records a meeting held last week: no invitation is queued, and "Record as held" is offered at once', async () => {
    const { context, page, problems } = await signInAs(browser, baseURL, CHAIR);
    const schedule = async (day: number, time: string) => {
      await page.goto(`/cases/${reviewId}/meetings/new`);
      await fillDate(page, 'Date of the meeting', day, 7, 2026);
      await page.getByLabel('Time').fill(time);
      await page.getByLabel('Location (optional)').fill('Harlow Civic Centre');
      await page.getByRole('button', { name: 'Schedule the meeting' }).click();
      await page.waitForURL(/\/meetings\?done=PANEL_MEETING_SCHEDULED$/);
    };
    await schedule(1, '10:00am');
    await schedule(20, '2pm');
    await checks.check(page, problems, 'meetings (one past, one to come)');
    const meetings = (await api.get(`/reviews/${reviewId}/meetings`, CHAIR)) as Array<{ id: string; startsAt: string }>;
    const past = meetings.find((m) => m.startsAt === '2026-07-01T09:00:00.000Z')!;
    const future = meetings.find((m) => m.startsAt === '2026-07-20T13:00:00.000Z')!;
    expect(await invitationsQueued(past.id)).toBe(0);
    expect(await invitationsQueued(future.id)).toBe(1);

    expect(await page.getByRole('row', { name: /20 July 2026 at 2:00pm/ }).getByRole('link', { name: /Record as held/ }).count()).toBe(0);
    await page.getByRole('row', { name: /1 July 2026 at 10:00am/ }).getByRole('link', { name: /Record as held/ }).click();
    await page.getByLabel('Minutes (optional)').fill('Terms of reference discussed.');
    await checks.check(page, problems, 'record a past meeting as held');
    await page.getByRole('button', { name: 'Record the meeting as held' }).click();
    await page.waitForURL(/\/meetings\?done=PANEL_MEETING_HELD$/);
    expect(await page.getByRole('row', { name: /1 July 2026 at 10:00am/ }).first().innerText()).toContain('Held');
    await context.close();
  });
});
