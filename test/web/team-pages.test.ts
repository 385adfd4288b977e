import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { fixtures } from '../support/document-fixtures';
import { sendingCurrentVersion } from '../support/if-match';
import { TestClock, TestContext } from '../support/test-app';
import { errorSummary, fillDate, launchBrowser, PageChecks, signInAs, TEST_PASSWORD } from './support/browser';
import { setupApi, startListeningApp } from './support/setup-api';

/**
 * Running a review from the browser alone, in Debian's Chromium, each person signed in through
 * the sign-in page: the CSP lead gives the chair and a panel member access on the Team page
 * (an unknown email first), records the chair's appointment and the panel, and adds a person
 * under a pseudonym; the chair, now a member, finds the review in their list and uploads and
 * downloads the overview report on the Documents page (multipart, the CSRF token in the form's
 * action); a panel member sees the people by pseudonym only and is refused real names.
 * axe-core runs on every page visited; the three pages are saved as screenshots.
 */

const NOW = '2026-03-02T09:00:00Z';
const PASSWORD = TEST_PASSWORD;
const LEAD = 'community.safety@colchester.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const PANEL = 'panel.member@essex.police.uk';
const REFERENCE = 'DHR-COLCHESTER-2026-001';
const REAL_NAME = 'Joanne Fictional';

jest.setTimeout(180_000);

describe('team, people and documents pages (browser)', () => {
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
    const csp = await api.post('/csps', 'administrator', { code: 'COLCHESTER', name: 'Colchester Community Safety Partnership' });
    Object.assign(agencies, await api.agencies([
      ['Essex Police', 'police'],
      ['Colchester City Council', 'local_authority'],
    ] as const));
    await api.user(LEAD, 'Priya Shah', PASSWORD, 'csp_lead', 'COLCHESTER');
    await api.user(CHAIR, 'Chris Rowe', PASSWORD);
    await api.user(PANEL, 'Pat Morgan', PASSWORD);
    // The review as the CSP lead opened it and decided on it; nobody else has any access to it yet.
    const review = await api.post('/reviews', LEAD, {
      cspId: csp.id,
      dateOfDeath: '2026-02-10',
      notifiedOn: '2026-02-12',
      policeForce: 'Essex Police',
      policeReference: 'ESX/26/0210',
      circumstances: 'Death at home; partner arrested on suspicion of murder.',
    });
    reviewId = review.id;
    expect(review.reference).toBe(REFERENCE);
    await api.event(reviewId, LEAD, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2026-02-20' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    console.log(`axe: ${checks.visited.length} pages checked; findings: ${JSON.stringify(checks.findings, null, 2)}`);
  });

  const signIn = (email: string) => signInAs(browser, baseURL, email);



  const summaryLinks = (page: Page) => page.locator('.govuk-error-summary__list a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  const textOf = (locator: Locator) => locator.first().innerText();
  const tabs = (page: Page) => page.getByRole('navigation', { name: 'Review pages' });

  it('the CSP lead adds the chair and a panel member (an unknown email first), records the appointment and the panel, and adds a person', async () => {
    const { context, page, problems } = await signIn(LEAD);
    await page.goto(`/cases/${reviewId}`);
    const names = await tabs(page).getByRole('link').allInnerTexts();
    expect(names).toEqual(expect.arrayContaining(['Team', 'People', 'Documents']));
    await tabs(page).getByRole('link', { name: 'Team' }).click();
    await page.waitForURL(`**/cases/${reviewId}/team`);
    expect(await textOf(page.locator('main'))).toContain('Nobody has been added to this review yet.');
    await checks.check(page, problems, 'team (nobody yet)');

    // An email nobody signs in with is an invitation, which needs their name: the summary says so and links to it; nothing is written.
    await page.getByRole('button', { name: 'Add a member' }).click();
    await checks.check(page, problems, 'add a member');
    await page.getByLabel('Email address').fill('nobody@colchester.gov.uk');
    await page.getByLabel('Chair', { exact: true }).check();
    await page.getByRole('button', { name: 'Add the member' }).click();
    expect(await errorSummary(page)).toEqual(['Full name is needed: they are not yet a user of this service, so they are sent an invitation in this name']);
    expect(await summaryLinks(page)).toEqual(['#name']);
    expect(await page.getByLabel('Email address').inputValue()).toBe('nobody@colchester.gov.uk');
    expect(await page.getByLabel('Chair', { exact: true }).isChecked()).toBe(true);
    await checks.check(page, problems, 'add a member (errors)');
    expect(await api.get(`/reviews/${reviewId}/members`, LEAD)).toEqual([]);

    await page.getByLabel('Email address').fill(CHAIR);
    await page.getByRole('button', { name: 'Add the member' }).click();
    await page.waitForURL(/\/team\?done=MEMBER_ADDED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Member added to the review');
    expect(await textOf(page.getByRole('row', { name: /Chris Rowe/ }))).toContain('Chair');

    // A panel member needs their agency: the service's rule, in words.
    await page.getByRole('button', { name: 'Add a member' }).click();
    await page.getByLabel('Email address').fill(PANEL);
    await page.getByLabel('Panel member', { exact: true }).check();
    await page.getByRole('button', { name: 'Add the member' }).click();
    expect(await errorSummary(page)).toEqual(['Agency is required for the role “Panel member”']);
    expect(await summaryLinks(page)).toEqual(['#agencyId']);
    await page.getByLabel('Agency (optional)').selectOption({ label: 'Essex Police' });
    await page.getByRole('button', { name: 'Add the member' }).click();
    await page.waitForURL(/\/team\?done=MEMBER_ADDED$/);
    const panelRow = page.getByRole('row', { name: /Pat Morgan/ });
    expect(await textOf(panelRow)).toContain('Panel member');
    expect(await textOf(panelRow)).toContain('Essex Police');
    // Who added them, by name: not the email address they sign in with.
    expect(await textOf(panelRow)).toContain('by Priya Shah');
    expect(await textOf(panelRow)).not.toContain(`by ${LEAD}`);
    const members = (await api.get(`/reviews/${reviewId}/members`, LEAD)) as Array<{ email: string; role: string; addedBy: string }>;
    expect(members.map((m) => [m.email, m.role, m.addedBy])).toEqual([
      [CHAIR, 'chair', LEAD],
      [PANEL, 'panel_member', LEAD],
    ]);
    // The end-a-membership confirmation (not confirmed here).
    await panelRow.getByRole('link', { name: /End/ }).click();
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('End the membership of Pat Morgan');
    await checks.check(page, problems, 'end a membership');
    await page.goBack();

    // The chair's appointment, with the declaration of independence.
    await page.getByRole('button', { name: 'Record an appointment' }).click();
    await checks.check(page, problems, 'record an appointment');
    await page.getByLabel('Independent chair').check();
    await page.getByLabel('Full name').fill('Chris Rowe');
    await page.getByLabel('Organisation').fill('Independent Reviews Ltd');
    await fillDate(page, 'Date appointed', 27, 2, 2026);
    await page.getByLabel('Declaration of independence (optional)').fill('I have no connection with any agency involved in this case.');
    await page.getByRole('button', { name: 'Record the appointment' }).click();
    await page.waitForURL(/\/team\?done=CHAIR_APPOINTED$/);
    const appointment = page.getByRole('table', { name: 'Appointments' }).getByRole('row', { name: /Chris Rowe/ });
    expect(await textOf(appointment)).toContain('Independent chair');
    expect(await textOf(appointment)).toContain('27 February 2026');
    expect(await textOf(appointment)).toContain('Declared');

    // A panel member of the agency: the declaration is required.
    await page.getByRole('button', { name: 'Add a panel member' }).click();
    await page.getByLabel('Full name').fill('DI Sam Patel');
    await page.getByLabel('Agency', { exact: true }).selectOption({ label: 'Essex Police' });
    await page.getByLabel('Their role in the agency').fill('Detective Inspector, Public Protection');
    await fillDate(page, 'Date they joined the panel', 1, 3, 2026);
    await page.getByRole('button', { name: 'Add the panel member' }).click();
    expect(await errorSummary(page)).toEqual(['Confirm that they did not manage the case directly']);
    expect(await summaryLinks(page)).toEqual(['#noDirectCaseManagementDeclared']);
    await checks.check(page, problems, 'add a panel member (errors)');
    await page.getByLabel(/They declare that they did not manage the case/).check();
    await page.getByRole('button', { name: 'Add the panel member' }).click();
    await page.waitForURL(/\/team\?done=PANEL_MEMBER_ADDED$/);
    expect(await textOf(page.getByRole('table', { name: 'The review panel' }).getByRole('row', { name: /DI Sam Patel/ }))).toContain('Essex Police');
    await checks.check(page, problems, 'team', { screenshot: 'team' });

    // A person under a pseudonym; their real name is not shown until asked for.
    await tabs(page).getByRole('link', { name: 'People' }).click();
    await page.waitForURL(`**/cases/${reviewId}/people`);
    await checks.check(page, problems, 'people (nobody yet)');
    await page.getByRole('button', { name: 'Add a person' }).click();
    await checks.check(page, problems, 'add a person');
    await page.getByLabel('Victim', { exact: true }).check();
    await page.getByLabel('Real name').fill(REAL_NAME);
    await page.getByLabel('Pseudonym').fill(REAL_NAME);
    await page.getByRole('button', { name: 'Add the person' }).click();
    expect(await errorSummary(page)).toEqual(['Pseudonym must not be the real name of a person in this review']);
    await checks.check(page, problems, 'add a person (errors)');
    await page.getByLabel('Pseudonym').fill('Adult A');
    await page.getByLabel('Age (optional)').fill('34');
    await page.getByRole('button', { name: 'Add the person' }).click();
    await page.waitForURL(/\/people\?done=PERSON_ADDED$/);
    const person = page.getByRole('row', { name: /Adult A/ });
    expect(await textOf(person)).toContain('Victim');
    expect(await textOf(person)).toContain('34');
    expect(await page.content()).not.toContain(REAL_NAME);
    await checks.check(page, problems, 'people', { screenshot: 'people' });

    await page.getByRole('link', { name: 'Show real names' }).click();
    await page.waitForURL(/\/people\?include=realNames$/);
    expect(await textOf(page.getByRole('row', { name: /Adult A/ }))).toContain(REAL_NAME);
    expect(await textOf(page.locator('.govuk-warning-text'))).toContain('recorded in the review’s access log');
    await checks.check(page, problems, 'people (real names)');
    const log = (await api.get(`/reviews/${reviewId}/access-log`, LEAD)) as Array<{ actor: string; method: string; path: string }>;
    expect(log.filter((e) => e.path.endsWith('?include=realNames')).map((e) => [e.actor, e.method, e.path])).toEqual([[LEAD, 'GET', `/cases/${reviewId}/people?include=realNames`]]);
    await context.close();
  });

  it('the chair, now a member, finds the review, uploads the overview report (a refused file first) and a new version, and downloads it', async () => {
    const { context, page, problems } = await signIn(CHAIR);
    // The membership the CSP lead gave is what lets the chair see the review at all.
    await page.goto('/cases');
    await page.getByRole('link', { name: REFERENCE }).click();
    await page.waitForURL(`**/cases/${reviewId}`);

    // The chair manages the team too, but the service refuses them a chair: said on the form, nothing written.
    await tabs(page).getByRole('link', { name: 'Team' }).click();
    await page.getByRole('button', { name: 'Add a member' }).click();
    await page.getByLabel('Email address').fill(LEAD);
    await page.getByLabel('Chair', { exact: true }).check();
    const refusedChair = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/team/members'));
    await page.getByRole('button', { name: 'Add the member' }).click();
    expect((await refusedChair).status()).toBe(403);
    expect(await errorSummary(page)).toEqual(['Role on the review is refused: only the CSP lead appoints a chair']);
    expect(await summaryLinks(page)).toEqual(['#role']);
    await checks.check(page, problems, 'add a member (chair refused)');
    await page.goto(`/cases/${reviewId}/team`);
    await page.getByRole('row', { name: /Chris Rowe/ }).getByRole('link', { name: /End/ }).click();
    await page.getByRole('button', { name: 'End the membership' }).click();
    expect(await errorSummary(page)).toEqual(['Only the CSP lead appoints a chair']);
    await checks.check(page, problems, 'end a membership (refused)');
    // Nothing ended: the chair, Pat Morgan, and the panel's DI Sam Patel (one team, issue 14 item 2: a team record without a user).
    expect(((await api.get(`/reviews/${reviewId}/members`, LEAD)) as Array<{ endedAt: string | null }>).map((m) => m.endedAt)).toEqual([null, null, null]);

    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Documents' }).click();
    await page.waitForURL(`**/cases/${reviewId}/documents`);
    expect(await textOf(page.locator('main'))).toContain('No documents have been uploaded yet.');
    await checks.check(page, problems, 'documents (none yet)');

    await page.getByRole('button', { name: 'Upload a document' }).click();
    await checks.check(page, problems, 'upload a document');
    const action = await page.locator('form[enctype="multipart/form-data"]').getAttribute('action');
    expect(action).toMatch(new RegExp(`^/cases/${reviewId}/documents\\?_csrf=[A-Za-z0-9_-]{43}$`));
    await page.getByLabel('Overview report').check();
    await page.getByLabel('Title').fill('Overview report, draft 1');
    // A program renamed to .pdf: the service's magic-byte check refuses it, on the file field.
    await page.getByLabel('File').setInputFiles({ name: 'overview-report.pdf', mimeType: 'application/pdf', buffer: fixtures.exe() });
    await page.getByRole('button', { name: 'Upload the document' }).click();
    const refused = await errorSummary(page);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^File is declared as application\/pdf but its content is /);
    expect(await summaryLinks(page)).toEqual(['#file']);
    expect(await page.getByLabel('Title').inputValue()).toBe('Overview report, draft 1');
    await checks.check(page, problems, 'upload a document (errors)');
    expect(await api.get(`/reviews/${reviewId}/documents`, CHAIR)).toEqual([]);

    const draft = fixtures.pdf('Overview report, draft 1');
    await page.getByLabel('File').setInputFiles({ name: 'overview-report.pdf', mimeType: 'application/pdf', buffer: draft });
    await page.getByRole('button', { name: 'Upload the document' }).click();
    await page.waitForURL(/\/documents\?done=DRAFT_UPLOADED$/);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Draft uploaded');
    const row = page.getByRole('row', { name: /Overview report, draft 1/ });
    expect(await textOf(row)).toMatch(/Version 1\s+of Overview report, draft 1\s*: overview-report\.pdf \(169 bytes\)/);

    // The download link: the API's content route, with this signed-in session; the exact bytes.
    const link = row.getByRole('link', { name: /Version 1 of Overview report, draft 1/ });
    expect(await link.getAttribute('download')).not.toBeNull();
    const download = await context.request.get((await link.getAttribute('href'))!);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/pdf');
    expect(download.headers()['content-disposition']).toMatch(/^attachment; filename="overview-report\.pdf"/);
    expect(Buffer.from(await download.body()).equals(draft)).toBe(true);
    const documents = (await api.get(`/reviews/${reviewId}/documents`, CHAIR)) as Array<{ id: string; kind: string; createdBy: string }>;
    expect(documents).toEqual([expect.objectContaining({ kind: 'overview_report', createdBy: CHAIR })]);
    const downloads = (await api.get(`/reviews/${reviewId}/documents/${documents[0].id}/downloads`, LEAD)) as Array<{ downloadedBy: string }>;
    expect(downloads.map((d) => d.downloadedBy)).toEqual([CHAIR]);

    // A second draft, as a new version of the same document.
    await row.getByRole('link', { name: /Upload a new version/ }).click();
    await checks.check(page, problems, 'upload a new version');
    await page.getByLabel('File').setInputFiles({ name: 'overview-report-2.pdf', mimeType: 'application/pdf', buffer: fixtures.pdf('Overview report, draft 2') });
    await page.getByRole('button', { name: 'Upload the new version' }).click();
    await page.waitForURL(/\/documents\?done=VERSION_UPLOADED$/);
    expect(await textOf(page.getByRole('row', { name: /Overview report, draft 1/ }))).toMatch(/Version 2\s+of Overview report, draft 1\s*: overview-report-2\.pdf/);
    await checks.check(page, problems, 'documents', { screenshot: 'documents' });

    // A conflicting upload: the CSP lead adds a version while the chair has the form open; the chair's is not applied.
    await page.getByRole('row', { name: /Overview report, draft 1/ }).getByRole('link', { name: /Upload a new version/ }).click();
    const http = () => request(ctx.api.getHttpServer());
    const versionsPath = `/reviews/${reviewId}/documents/${documents[0].id}/versions`;
    const meanwhile = await sendingCurrentVersion(http().post(versionsPath).set('X-Actor', LEAD), http, versionsPath)
      .attach('file', fixtures.pdf('Overview report, comments of the CSP'), { filename: 'overview-report-lead.pdf', contentType: 'application/pdf' });
    expect(meanwhile.status).toBe(201);
    await page.getByLabel('File').setInputFiles({ name: 'overview-report-3.pdf', mimeType: 'application/pdf', buffer: fixtures.pdf('Overview report, draft 3') });
    await page.getByRole('button', { name: 'Upload the new version' }).click();
    expect((await textOf(page.locator('.govuk-error-summary__title'))).trim()).toBe('This document changed since you opened it');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('by Priya Shah');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('It now has 3 versions');
    await checks.check(page, problems, 'upload a new version (conflict)');
    const versions = ((await api.get(`/reviews/${reviewId}/documents/${documents[0].id}`, CHAIR)) as { versions: Array<{ filename: string }> }).versions;
    expect(versions.map((v) => v.filename)).toEqual(['overview-report.pdf', 'overview-report-2.pdf', 'overview-report-lead.pdf']);

    // The upload's CSRF token is in the form's action: without it a multipart POST is refused
    // (403) before anything is read; with it the form is answered (here: no file, so 400).
    const fields = { kind: 'chronology', title: 'Chronology' };
    const refusedPost = await context.request.post(`/cases/${reviewId}/documents`, { multipart: fields, maxRedirects: 0 });
    expect(refusedPost.status()).toBe(403);
    const accepted = await context.request.post(action!, { multipart: fields, maxRedirects: 0 });
    expect(accepted.status()).toBe(400);
    expect(await accepted.text()).toContain('Select the file to upload');
    // A file over DOCUMENT_MAX_BYTES (20 MB here) stops multer; the form says so, on the file field.
    const tooLarge = await context.request.post(action!, {
      multipart: { ...fields, file: { name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(20 * 1024 * 1024 + 1, 0x25) } },
      maxRedirects: 0,
    });
    expect(tooLarge.status()).toBe(413);
    expect(tooLarge.headers()['content-type']).toMatch(/^text\/html/);
    expect(await tooLarge.text()).toContain('File is larger than the limit of 20971520 bytes');
    expect(((await api.get(`/reviews/${reviewId}/documents`, CHAIR)) as unknown[]).length).toBe(1);
    await context.close();
  });

  it('a panel member sees the people by pseudonym only, with no way to real names (403 if asked)', async () => {
    const { context, page, problems } = await signIn(PANEL);
    await page.goto(`/cases/${reviewId}`);
    const names = await tabs(page).getByRole('link').allInnerTexts();
    expect(names).toEqual(expect.arrayContaining(['People', 'Documents']));
    expect(names).not.toContain('Team');
    await tabs(page).getByRole('link', { name: 'People' }).click();
    await page.waitForURL(`**/cases/${reviewId}/people`);
    expect(await textOf(page.getByRole('row', { name: /Adult A/ }))).toContain('Victim');
    expect(await page.getByRole('link', { name: 'Show real names' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add a person' }).count()).toBe(0);
    expect(await page.content()).not.toContain(REAL_NAME);
    await checks.check(page, problems, 'people (panel member)');

    const response = await page.goto(`/cases/${reviewId}/people?include=realNames`);
    expect(response?.status()).toBe(403);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toMatch(/do not have access/i);
    expect(await page.content()).not.toContain(REAL_NAME);
    await checks.check(page, problems, 'people with real names (panel member)');
    expect((await page.request.get(`/cases/${reviewId}/team`)).status()).toBe(403);

    await page.goto(`/cases/${reviewId}`);
    await tabs(page).getByRole('link', { name: 'Documents' }).click();
    await page.waitForURL(`**/cases/${reviewId}/documents`);
    expect(await textOf(page.getByRole('row', { name: /Overview report, draft 1/ }))).toContain('Version 2');
    expect(await page.getByRole('button', { name: 'Upload a document' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /Upload a new version/ }).count()).toBe(0);
    await checks.check(page, problems, 'documents (panel member)');
    await context.close();
    expect(checks.findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  });
});
