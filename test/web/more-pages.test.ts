import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { TestClock, TestContext } from '../support/test-app';
import { reviewAtSignOff } from '../support/scenarios';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';
import { answerHomeOfficeChecklist } from '../support/home-office';

/**
 * The remaining pages, in Debian's Chromium, each person signed in through the sign-in page:
 * panel meetings (schedule, attendance, a conflicting change, the calendar invitation), the
 * family involvement log, Home Office QA rounds, the publication checklist, and administration
 * (users, CSPs, agencies). Who may not see a page gets an error page, not its content.
 * axe-core runs on every page visited; the main ones are saved as screenshots.
 */

const NOW = '2026-07-06T09:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'community.safety@braintree.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const PANEL = 'panel.member@essex.police.uk';
const ADMIN = 'it.admin@braintree.gov.uk';
const REFERENCE = 'DHR-BRAINTREE-2026-001';

jest.setTimeout(180_000);

/** The lines of an iCalendar file, unfolded (RFC 5545 §3.1: CRLF then a space continues a line). */
function icsLines(text: string): string[] {
  return text.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
}

describe('more web pages (browser)', () => {
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
    const csp = await api.post('/csps', 'administrator', { code: 'BRAINTREE', name: 'Braintree Community Safety Partnership' });
    Object.assign(agencies, await api.agencies([
      ['Essex Police', 'police'],
      ['Braintree District Council', 'local_authority'],
    ] as const));
    await api.user(LEAD, 'Priya Shah', PASSWORD, 'csp_lead', 'BRAINTREE');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(PANEL, 'Pat Morgan', PASSWORD);
    await api.user(ADMIN, 'Alex Admin', PASSWORD, 'administrator');

    // A review driven through the API to the Home Office: decided, IMRs received, a meeting held,
    // the report agreed and approved by the board, then submitted (round 1 awaits its letter).
    reviewId = (await reviewAtSignOff(ctx.api, csp.id, Object.values(agencies))).id;
    await api.event(reviewId, 'setup.rag@test.invalid', { type: 'RAG_APPROVE', approvedAt: '2026-06-10' });
    await answerHomeOfficeChecklist(ctx.api, reviewId);
    await api.event(reviewId, 'setup.lead@test.invalid', { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-06-15' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: CHAIR, role: 'chair' });
    await api.post(`/reviews/${reviewId}/members`, LEAD, { email: PANEL, role: 'panel_member', agencyId: agencies['Essex Police'] });
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

  it('the chair schedules a meeting (an error first), records apologies, downloads the invitation, and is told of a conflicting change', async () => {
    const { context, page, problems } = await signIn(CHAIR);
    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Meetings' }).click();
    await page.waitForURL(`**/cases/${reviewId}/meetings`);
    expect(await textOf(page.getByRole('row', { name: /1 April 2026 at 10:00am/ }))).toContain('Held');
    await checks.check(page, problems, 'meetings (one held)');

    await page.getByRole('button', { name: 'Schedule a meeting' }).click();
    await checks.check(page, problems, 'schedule a meeting');
    await fillDate(page, 'Date of the meeting', 20, 7, 2026);
    await page.getByLabel('Time').fill('25:00');
    await page.getByLabel('Location (optional)').fill('Braintree Civic Centre, Committee Room 2');
    await page.getByLabel('Agenda (optional)').fill('1. Chronology. 2. Analysis. 3. Emerging recommendations.');
    await page.getByRole('button', { name: 'Schedule the meeting' }).click();
    // One field wrong: the summary names it and links to it; nothing is written.
    expect(await errorSummary(page)).toEqual(['Time must be a real time, for example 10:30am or 14:00']);
    expect(await page.locator('.govuk-error-summary a').first().getAttribute('href')).toBe('#startsAtTime');
    expect(await page.getByLabel('Location (optional)').inputValue()).toBe('Braintree Civic Centre, Committee Room 2');
    await checks.check(page, problems, 'schedule a meeting (errors)', { screenshot: 'meeting-schedule-errors' });
    expect(((await api.get(`/reviews/${reviewId}/meetings`, CHAIR)) as unknown[]).length).toBe(1);

    await page.getByLabel('Time').fill('10:30am');
    await page.getByRole('button', { name: 'Schedule the meeting' }).click();
    await page.waitForURL(/\/meetings\?done=PANEL_MEETING_SCHEDULED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Panel meeting scheduled');
    const row = page.getByRole('row', { name: /20 July 2026 at 10:30am/ });
    expect(await textOf(row)).toContain('Scheduled');
    expect(await textOf(row)).toContain('Braintree Civic Centre, Committee Room 2');
    const meetings = (await api.get(`/reviews/${reviewId}/meetings`, CHAIR)) as Array<{ id: string; startsAt: string; status: string }>;
    const meeting = meetings.find((m) => m.status === 'scheduled')!;
    expect(meeting.startsAt).toBe('2026-07-20T09:30:00.000Z');

    // Apologies recorded before the meeting.
    await row.getByRole('link', { name: /Record attendance/ }).click();
    await checks.check(page, problems, 'record attendance');
    const person1 = page.getByRole('group', { name: 'Guest 1' });
    await person1.getByLabel('Name').fill('Dr Sam Okoro');
    await person1.getByLabel('Agency').selectOption({ label: 'Braintree District Council' });
    await person1.getByLabel('Sent apologies').check();
    // The team is ticked, not typed (issue 14 item 2): each person once, with their roles.
    const teamApologies = page.getByRole('group', { name: 'Who sent apologies, from the review team' });
    expect(await textOf(teamApologies)).toContain('Panel member, Essex Police');
    await teamApologies.getByLabel('Pat Morgan').check();
    await page.getByRole('button', { name: 'Save attendance' }).click();
    await page.waitForURL(/\/meetings\?done=ATTENDANCE_RECORDED$/);
    expect(await textOf(page.getByRole('row', { name: /20 July 2026 at 10:30am/ }))).toContain('Dr Sam Okoro (Braintree District Council)');
    expect(await textOf(page.getByRole('row', { name: /20 July 2026 at 10:30am/ }))).toContain('Pat Morgan (Essex Police)');
    const recorded = ((await api.get(`/reviews/${reviewId}/meetings`, CHAIR)) as Array<{ id: string; attendance: unknown[] }>).find((m) => m.id === meeting.id)!;
    expect(recorded.attendance).toEqual([
      { name: 'Pat Morgan', agencyId: agencies['Essex Police'], status: 'apologies' },
      { name: 'Dr Sam Okoro', agencyId: agencies['Braintree District Council'], status: 'apologies' },
    ]);
    // Opened again: the team member ticked, the guest in their row.
    await page.getByRole('row', { name: /20 July 2026 at 10:30am/ }).getByRole('link', { name: /Record attendance/ }).click();
    expect(await page.getByRole('group', { name: 'Who sent apologies, from the review team' }).getByLabel('Pat Morgan').isChecked()).toBe(true);
    expect(await page.getByRole('group', { name: 'Guest 1' }).getByLabel('Name').inputValue()).toBe('Dr Sam Okoro');
    await checks.check(page, problems, 'record attendance (recorded)');
    // Both attended and sent apologies: refused on the form, nothing written.
    await page.getByRole('group', { name: 'Who attended, from the review team' }).getByLabel('Pat Morgan').check();
    await page.getByRole('button', { name: 'Save attendance' }).click();
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('cannot include Pat Morgan, who is ticked as attended');
    await page.goto(`/cases/${reviewId}/meetings`);
    await checks.check(page, problems, 'meetings', { screenshot: 'meetings' });

    // The calendar invitation: the reminders' iCalendar, for the chair's own calendar.
    const link = page.getByRole('link', { name: /Download the invitation for the meeting on 20 July 2026/ });
    expect(await link.getAttribute('download')).not.toBeNull();
    const ics = await context.request.get((await link.getAttribute('href'))!);
    expect(ics.status()).toBe(200);
    expect(ics.headers()['content-type']).toMatch(/^text\/calendar/);
    expect(ics.headers()['content-disposition']).toMatch(/^attachment; filename="DHR-BRAINTREE-2026-001-panel-meeting-2026-07-20\.ics"$/);
    const lines = icsLines(await ics.text());
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines[lines.length - 1]).toBe('END:VCALENDAR');
    expect(lines).toEqual(
      expect.arrayContaining([
        'METHOD:REQUEST',
        'BEGIN:VEVENT',
        `UID:${meeting.id}@dhr-engine`,
        'DTSTART:20260720T093000Z',
        'DTEND:20260720T113000Z',
        `SUMMARY:[${REFERENCE}] Panel meeting`,
        'LOCATION:Braintree Civic Centre\\, Committee Room 2',
        'END:VEVENT',
      ]),
    );
    expect(lines.find((l) => l.startsWith('ATTENDEE'))).toMatch(new RegExp(`CN="Chris Rowe":mailto:${CHAIR}$`));

    // Not yet started: "Record as held" is not offered, and its page says when it can be.
    expect(await page.getByRole('row', { name: /20 July 2026 at 10:30am/ }).getByRole('link', { name: /Record as held/ }).count()).toBe(0);
    expect(await page.getByRole('row', { name: /20 July 2026 at 10:30am/ }).getByRole('link', { name: /Record attendance/ }).count()).toBe(1);
    await page.goto(`/cases/${reviewId}/meetings/${meeting.id}/held`);
    expect(await textOf(page.locator('.govuk-inset-text'))).toContain('The meeting starts on 20 July 2026 at 10:30am: it can be recorded as held once it has started.');
    expect(await page.getByRole('button', { name: 'Record the meeting as held' }).count()).toBe(0);
    await checks.check(page, problems, 'record a meeting as held (not started)');
    // Once it has started, the forms to record it as held and to cancel it.
    clock.set('2026-07-20T09:30:00Z');
    try {
      // (A fortnight on, the session has lapsed: the chair signs in again.)
      const later = await signIn(CHAIR);
      await later.page.goto(`/cases/${reviewId}/meetings`);
      await later.page.getByRole('row', { name: /20 July 2026 at 10:30am/ }).getByRole('link', { name: /Record as held/ }).click();
      expect(await later.page.getByRole('group', { name: 'IMRs considered (optional)' }).getByRole('checkbox').count()).toBe(2);
      await checks.check(later.page, later.problems, 'record a meeting as held');
      await later.context.close();
    } finally {
      clock.set(NOW);
    }
    await page.goto(`/cases/${reviewId}/meetings/${meeting.id}/cancel`);
    await checks.check(page, problems, 'cancel a meeting');

    // A conflicting change: the CSP lead moves the meeting while the chair has the reschedule form open.
    await page.goto(`/cases/${reviewId}/meetings/${meeting.id}/reschedule`);
    expect(await page.getByLabel('Time').inputValue()).toBe('10:30am');
    await checks.check(page, problems, 'reschedule a meeting');
    const current = await api.get(`/reviews/${reviewId}/meetings/${meeting.id}`, LEAD);
    const moved = await request(ctx.api.getHttpServer())
      .patch(`/reviews/${reviewId}/meetings/${meeting.id}`)
      .set('X-Actor', LEAD)
      .set('If-Match', `"${current.version}"`)
      .send({ startsAt: '2026-07-21T10:00:00+01:00' });
    expect(moved.status).toBe(200);
    await page.getByLabel('Location (optional)').fill('Somewhere else');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    expect((await textOf(page.locator('.govuk-error-summary__title'))).trim()).toBe('This meeting changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain(`Panel meeting rescheduled by Priya Shah`);
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('It is now scheduled for 21 July 2026 at 10:00am');
    await checks.check(page, problems, 'reschedule a meeting (conflict)', { screenshot: 'meeting-conflict' });
    const after = await api.get(`/reviews/${reviewId}/meetings/${meeting.id}`, LEAD);
    expect(after).toMatchObject({ location: 'Braintree Civic Centre, Committee Room 2', startsAt: '2026-07-21T09:00:00.000Z' });
    await context.close();
  });

  it('the chair adds to the family involvement log', async () => {
    const { context, page, problems } = await signIn(CHAIR);
    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Family' }).click();
    expect(await textOf(page.getByRole('row', { name: /1 June 2026/ }))).toContain('Draft report offered');
    await checks.check(page, problems, 'family involvement');

    await page.getByRole('button', { name: 'Add an entry' }).click();
    await page.getByRole('button', { name: 'Add the entry' }).click();
    expect(await errorSummary(page)).toEqual(['Select what happened', 'Enter the date']);
    await checks.check(page, problems, 'add to the family log (errors)');

    await page.getByLabel('Told of the publication').check();
    await fillDate(page, 'Date', 3, 7, 2026);
    await page.getByLabel('Who was contacted (optional)').fill('Sister of Adult A');
    await page.getByLabel('Notes (optional)').fill('Told by telephone of the publication date and where the report will be.');
    await page.getByRole('button', { name: 'Add the entry' }).click();
    await page.waitForURL(/\/family\?done=FAMILY_TOLD_OF_PUBLICATION$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('The family told of the publication');
    expect(await textOf(page.getByRole('row', { name: /3 July 2026/ }))).toContain('Sister of Adult A');
    await checks.check(page, problems, 'family involvement (entry added)', { screenshot: 'family' });
    const log = (await api.get(`/reviews/${reviewId}/family-engagements`, CHAIR)) as Array<{ kind: string; createdBy: string }>;
    expect(log[log.length - 1]).toMatchObject({ kind: 'told_of_publication', createdBy: CHAIR });
    await context.close();
  });

  it('the CSP lead records the Home Office outcome, completes the publication checklist and publishes', async () => {
    const { context, page, problems } = await signIn(LEAD);
    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Home Office QA' }).click();
    expect(await textOf(page.getByRole('row', { name: /15 June 2026/ }))).toContain('Awaiting the letter');
    await checks.check(page, problems, 'Home Office QA (awaiting the letter)');

    // The letter arrives: uploaded as a document of the round (a missing file refused on the page first).
    await page.getByRole('link', { name: 'Upload the letter of round 1' }).click();
    await page.getByRole('button', { name: 'Upload the letter' }).click();
    expect(await errorSummary(page)).toEqual(['Select the letter']);
    await checks.check(page, problems, 'upload the letter (errors)');
    await page.getByLabel('The letter').setInputFiles({ name: 'ho-letter.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\nThe panel approves the report.\n%%EOF') });
    await page.getByRole('button', { name: 'Upload the letter' }).click();
    await page.waitForURL(/\/qa\?done=QA_LETTER_UPLOADED$/);
    expect(await textOf(page.getByRole('link', { name: /ho-letter\.pdf \(version 1/ }))).toContain('ho-letter.pdf');

    const form = page.locator('section', { has: page.getByRole('heading', { name: 'Record the Home Office quality assurance outcome' }) });
    await form.getByLabel('Approved for publication').check();
    await fillDate(page, 'Date of the Home Office letter', 1, 7, 2026);
    await form.getByRole('button', { name: 'Record the Home Office quality assurance outcome' }).click();
    await page.waitForURL(new RegExp(`/cases/${reviewId}\\?done=RECORD_QA_OUTCOME$`));
    await tabs(page).getByRole('link', { name: 'Home Office QA' }).click();
    expect(await textOf(page.getByRole('row', { name: /15 June 2026/ }))).toContain('Approved for publication');

    // What the letter asks the partnership to develop, one a line; then one marked done (a date before the letter refused first).
    await page.getByRole('link', { name: 'List changes the letter asks for in round 1' }).click();
    await page.getByRole('button', { name: 'Add to the list' }).click();
    expect(await errorSummary(page)).toEqual(['The changes the letter asks for must list at least one change']);
    await checks.check(page, problems, 'list the changes asked for (errors)');
    await page.getByLabel('The changes the letter asks for').fill('Name the housing provider’s lead in the action plan\n\nAdd the date of the family’s meeting');
    await page.getByRole('button', { name: 'Add to the list' }).click();
    await page.waitForURL(/\/qa\?done=QA_CHANGES_LISTED$/);
    await page.getByRole('link', { name: /^1\. Name the housing provider’s lead/ }).click();
    await fillDate(page, 'Date done', 30, 6, 2026);
    await page.getByRole('button', { name: 'Mark as done' }).click();
    expect(await errorSummary(page)).toEqual(['Date done must not be before the Home Office\'s letter of 1 July 2026']);
    await checks.check(page, problems, 'mark a change done (errors)');
    await fillDate(page, 'Date done', 3, 7, 2026);
    await page.getByLabel('What was done (optional)').fill('Action plan row 2 names the lead');
    await page.getByRole('button', { name: 'Mark as done' }).click();
    await page.waitForURL(/\/qa\?done=QA_CHANGE_DONE$/);
    expect(await textOf(page.locator('.govuk-task-list'))).toContain('Done on 3 July 2026: Action plan row 2 names the lead');
    expect(await textOf(page.locator('.govuk-inset-text'))).toContain('1 change the Home Office asked for is not marked done yet');
    await checks.check(page, problems, 'Home Office QA', { screenshot: 'qa' });

    await tabs(page).getByRole('link', { name: 'Publication' }).click();
    await checks.check(page, problems, 'publication (nothing recorded)');
    await page.getByRole('link', { name: 'Record the pseudonyms and the redaction log' }).click();
    // A conflicting edit: the record is saved elsewhere while this form is open; nothing is overwritten.
    await api.put(`/reviews/${reviewId}/publication`, LEAD, { pseudonyms: ['Adult A'], redactionLog: 'First draft of the log.' });
    await page.getByLabel('Pseudonyms used in the report (optional)').fill('Adult C');
    await page.getByRole('button', { name: 'Save' }).click();
    expect((await textOf(page.locator('.govuk-error-summary__title'))).trim()).toBe('This publication record changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('It now lists 1 pseudonym, and the anonymisation is not confirmed');
    expect(await page.getByLabel('Redaction log (optional)').inputValue()).toBe('First draft of the log.');
    await checks.check(page, problems, 'pseudonyms and redaction log (conflict)');
    expect((await api.get(`/reviews/${reviewId}/publication`, LEAD)).pseudonyms).toEqual(['Adult A']);
    await page.getByLabel('Pseudonyms used in the report (optional)').fill('Adult A\nAdult B\nAdult A');
    await page.getByLabel('Redaction log (optional)').fill('Names, the street and dates of birth replaced.');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await errorSummary(page)).toEqual(['Pseudonyms used in the report must not list “Adult A” twice']);
    await checks.check(page, problems, 'pseudonyms and redaction log (errors)');
    await page.getByLabel('Pseudonyms used in the report (optional)').fill('Adult A\nAdult B');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/publication\?done=PUBLICATION_RECORDED$/);

    await page.getByRole('link', { name: 'Confirm the report is anonymised' }).click();
    await checks.check(page, problems, 'confirm the anonymisation');
    await page.getByLabel('Who confirmed the report is anonymised').fill('Chris Rowe, independent chair');
    await page.getByRole('button', { name: 'Confirm the anonymisation' }).click();
    await page.waitForURL(/\/publication\?done=ANONYMISATION_CONFIRMED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Anonymisation of the report confirmed');
    const task = (name: string) => page.locator('.govuk-task-list__item', { hasText: name });
    for (const name of ['Record the pseudonyms', 'Confirm the report is anonymised', 'Tell the family', 'Criminal proceedings', 'Home Office quality assurance']) {
      expect(await textOf(task(name).locator('.govuk-task-list__status'))).toMatch(/Completed|None active/);
    }
    expect(await textOf(task('Confirm the report is anonymised'))).toContain('Confirmed by Chris Rowe, independent chair on 6 July 2026');
    expect(await textOf(task('Publish the report').locator('.govuk-task-list__status'))).toBe('Ready');
    await checks.check(page, problems, 'publication (ready)', { screenshot: 'publication' });

    const publish = page.locator('section', { has: page.getByRole('heading', { name: 'Record the publication' }) });
    await fillDate(page, 'Date published', 6, 7, 2026);
    await publish.getByLabel('Web address of the published report').fill('https://www.braintree.gov.uk/dhr/2026-001');
    await publish.getByRole('button', { name: 'Record the publication' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check before you record the publication' }).waitFor();
    expect(await page.locator('.govuk-summary-list').innerText()).toContain('https://www.braintree.gov.uk/dhr/2026-001');
    await checks.check(page, problems, 'confirm: record the publication');
    expect((await api.get(`/reviews/${reviewId}`, LEAD)).status).toBe('awaiting_publication');
    await page.getByRole('button', { name: 'Confirm the publication' }).click();
    await page.waitForURL(new RegExp(`/cases/${reviewId}\\?done=PUBLISH$`));
    await tabs(page).getByRole('link', { name: 'Publication' }).click();
    expect(await textOf(task('Publish the report'))).toContain('Published on 6 July 2026');
    await checks.check(page, problems, 'publication (published)');
    expect((await api.get(`/reviews/${reviewId}`, LEAD)).status).toBe('action_plan_monitoring');
    await context.close();
  });

  it('the administrator adds a user and an agency, and sees no case content', async () => {
    const { context, page, problems } = await signIn(ADMIN);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.waitForURL('**/admin');
    await checks.check(page, problems, 'administration');

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Add a user' }).click();
    await page.getByLabel('Email address').fill('not an email');
    await page.getByLabel('Full name').fill('Rowan Ellis');
    await page.getByLabel('Role (optional)').selectOption({ label: 'RAG member' });
    await page.getByRole('button', { name: 'Add the user' }).click();
    expect(await errorSummary(page)).toEqual([
      'Email address must be an email address',
      'Community Safety Partnership is required for the role rag_member',
      'Reason is required with roles: say why (it is recorded with the change)',
    ]);
    await checks.check(page, problems, 'add a user (errors)');
    await page.getByLabel('Email address').fill('rowan.ellis@braintree.gov.uk');
    await page.getByLabel('Community Safety Partnership (optional)').selectOption({ label: 'Braintree Community Safety Partnership (BRAINTREE)' });
    await page.getByLabel('Reason (optional)').fill('Joins the Braintree RAG in January');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await page.waitForURL(/\/admin\/users\?done=USER_CREATED$/);
    const userRow = page.getByRole('row', { name: /rowan\.ellis@braintree\.gov\.uk/ });
    expect(await textOf(userRow)).toContain('RAG member, Braintree Community Safety Partnership');
    await checks.check(page, problems, 'users', { screenshot: 'admin-users' });
    await userRow.getByRole('link', { name: /Give a role/ }).click();
    await checks.check(page, problems, 'give a role');
    await page.goBack();
    // The user's page: their roles, and who gave each and why; revoking one takes a reason too.
    await userRow.getByRole('link', { name: 'Rowan Ellis', exact: true }).click();
    expect(await textOf(page.getByRole('row', { name: /Given/ }))).toContain('Joins the Braintree RAG in January');
    await checks.check(page, problems, 'a user and the changes to their roles');
    await page.getByRole('link', { name: /Revoke/ }).click();
    await page.getByRole('button', { name: 'Revoke the role' }).click();
    expect(await errorSummary(page)).toEqual(['Reason is required: say why (it is recorded with the change)']);
    await checks.check(page, problems, 'revoke a role (errors)');
    await page.getByLabel('Reason').fill('Stood down from the RAG');
    await page.getByRole('button', { name: 'Revoke the role' }).click();
    await page.waitForURL(/\/admin\/users\/[0-9a-f-]+\?done=ROLE_REVOKED$/);
    expect(await textOf(page.getByRole('row', { name: /Revoked/ }))).toContain('Stood down from the RAG');
    await checks.check(page, problems, 'a user after a revocation', { screenshot: 'admin-user' });
    await page.goto('/admin/users');
    await userRow.getByRole('link', { name: /Disable/ }).click();
    await checks.check(page, problems, 'disable a user');

    await page.goto('/admin/csps');
    expect(await textOf(page.getByRole('row', { name: /Braintree Community Safety Partnership/ }))).toContain('BRAINTREE');
    await checks.check(page, problems, 'community safety partnerships');
    await page.getByRole('button', { name: 'Add a partnership' }).click();
    await checks.check(page, problems, 'add a partnership');

    await page.goto('/admin/agencies');
    await page.getByRole('button', { name: 'Add an agency' }).click();
    await page.getByLabel('Name').fill('Braintree Women’s Aid');
    await page.getByLabel('Specialist domestic abuse service').check();
    await page.getByRole('button', { name: 'Add the agency' }).click();
    await page.waitForURL(/\/admin\/agencies\?done=AGENCY_CREATED$/);
    expect(await textOf(page.getByRole('row', { name: /Braintree Women’s Aid/ }))).toContain('Specialist domestic abuse service');
    await checks.check(page, problems, 'agencies', { screenshot: 'admin-agencies' });

    // A case page is not found for an administrator: no case content.
    for (const path of [`/cases/${reviewId}`, `/cases/${reviewId}/meetings`, `/cases/${reviewId}/publication`]) {
      const response = await page.goto(path);
      expect(response?.status()).toBe(404);
      expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Page not found');
      expect(await page.content()).not.toContain(REFERENCE);
    }
    await checks.check(page, problems, 'case page (administrator)');
    await context.close();
  });

  it('a panel member sees the meetings but not the family log, and no tab for it', async () => {
    const { context, page, problems } = await signIn(PANEL);
    await page.goto(`/cases/${reviewId}`);
    const names = await tabs(page).getByRole('link').allInnerTexts();
    expect(names).toContain('Meetings');
    expect(names).not.toContain('Family');
    await tabs(page).getByRole('link', { name: 'Meetings' }).click();
    expect(await page.getByRole('button', { name: 'Schedule a meeting' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /Record attendance/ }).count()).toBe(0);
    await checks.check(page, problems, 'meetings (panel member)');
    const response = await page.goto(`/cases/${reviewId}/family`);
    expect(response?.status()).toBe(403);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toMatch(/do not have access/i);
    expect(await page.content()).not.toContain('Sister of Adult A');
    await checks.check(page, problems, 'family (panel member)');
    expect((await page.request.get(`/cases/${reviewId}/family/new`)).status()).toBe(403);
    await context.close();
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });
});
