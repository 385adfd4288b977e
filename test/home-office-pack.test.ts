import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { loadHomeOfficeChecklist } from '../src/reports/home-office/checklist';
import { CaseFileApi } from './support/casefile-api';
import { fixtures, MIME } from './support/document-fixtures';
import { sendingCurrentVersion } from './support/if-match';
import { reviewApi } from './support/review-api';
import { reviewAtSignOff } from './support/scenarios';
import { startTestApp, TestClock, type TestContext } from './support/test-app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };

/** Friday 4 December 2026. */
const NOW = '2026-12-04T10:00:00Z';
const LEAD = 'lead.pack@maldon.gov.uk';
const CHAIR = 'chair.pack@independent.example';
const REAL_VICTIM = 'Joanna Realperson';
const REAL_PERPETRATOR = 'Marcus Realname';
const CHECKLIST = loadHomeOfficeChecklist();

function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Every cell of every sheet, as text (dates as ISO days). */
async function xlsxRows(buffer: Buffer): Promise<unknown[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buffer as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  book.worksheets[0].eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ?? null)));
  });
  return rows;
}

/**
 * The Home Office submission pack (issue 15 item 4): a review driven to the board's approval,
 * its pack read back file by file (DOCX with mammoth, XLSX with exceljs, the zip with jszip), the
 * checklist blocking and then allowing submission, and the hash recorded with the submission.
 */
describe('Home Office submission pack', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let dataSource: DataSource;
  let reviewId: string;
  let reference: string;
  let bareReviewId: string;
  const tokens = {} as Record<'lead' | 'chair' | 'rag' | 'otherLead', string>;
  const http = () => request(ctx.api.getHttpServer());
  const as = (who: keyof typeof tokens) => ({
    get: (path: string) => http().get(path).set('Authorization', `Bearer ${tokens[who]}`),
    put: (path: string, body: unknown) => http().put(path).set('Authorization', `Bearer ${tokens[who]}`).send(body as object),
    event: (id: string, body: Record<string, unknown>) => http().post(`/reviews/${id}/events`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });
  const zipOf = (path: string, who: keyof typeof tokens = 'lead') => as(who).get(path).buffer(true).parse(binary);
  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await sendingCurrentVersion(http().post(path).set('X-Actor', LEAD), http, path).send(body);
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  let recommendationId: string;

  // A query sent on a client that is still running another (pg only queues it, warns that this
  // is deprecated, and pg 9 refuses it): the driver's query is watched for one (the same module
  // instance the application loads in this test file).
  const queriesSentTogether: string[] = [];
  const original = pg.Client.prototype.query;
  beforeAll(() => {
    pg.Client.prototype.query = function (this: { _queryQueue?: unknown[] }, ...args: unknown[]) {
      if ((this._queryQueue?.length ?? 0) > 0) queriesSentTogether.push(String((args[0] as { text?: string })?.text ?? args[0]).slice(0, 80));
      return original.apply(this, args);
    };
  });
  afterAll(() => {
    pg.Client.prototype.query = original;
  });

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    dataSource = ctx.api.get(DataSource);
    const api = reviewApi(ctx.api, LEAD);
    const maldon = await api.createCsp('MALDON');
    await api.createCsp('BRAINTREE');
    const casefile = new CaseFileApi(ctx.api, LEAD);
    const police = await casefile.agency('Essex Police');
    const health = await casefile.agency('Mid Essex Health', 'health');
    const housing = await casefile.agency('Maldon Housing', 'local_authority');
    const review = await reviewAtSignOff(ctx.api, maldon.id, [police, health]);
    reviewId = review.id;
    reference = (await api.get(reviewId)).reference;
    await post(`/reviews/${reviewId}/people`, { role: 'victim', realName: REAL_VICTIM, pseudonym: 'Adult A' });
    await post(`/reviews/${reviewId}/people`, { role: 'perpetrator', realName: REAL_PERPETRATOR, pseudonym: 'Adult B', legalStatus: 'convicted' });
    await post(`/reviews/${reviewId}/scoping-responses`, { agencyId: housing, hadContact: true, summary: 'Tenancy only.', respondedOn: '2026-02-12' });
    const recommendation = await post(`/reviews/${reviewId}/recommendations`, {
      text: 'Housing should ask about domestic abuse at every tenancy review',
      level: 'single_agency',
      scope: 'regional',
      addressee: 'Maldon Housing',
    });
    recommendationId = recommendation.id;
    await post(`/reviews/${reviewId}/recommendations/${recommendationId}/agree`, {});
    const action = await post(`/reviews/${reviewId}/recommendations/${recommendationId}/actions`, {
      description: 'Add a routine enquiry question to the tenancy review form',
      owner: 'Maldon Housing',
      targetDate: '2027-03-31',
      milestones: 'Form redesigned; staff briefed',
    });
    await post(`/reviews/${reviewId}/recommendations/${recommendationId}/actions/${action.id}/complete`, { completedOn: '2026-11-20', evidence: 'New form in use since November' });
    await api.accept(reviewId, { type: 'RAG_APPROVE', approvedAt: '2026-07-01' });
    // A review with no overview report yet.
    bareReviewId = (await api.openReview(maldon.id)).id;

    const identities = ctx.api.get(IdentityService);
    const users = {
      lead: await identities.addUser({ email: LEAD, displayName: 'Spencer Lead', role: 'csp_lead', cspCode: 'MALDON' }),
      chair: await identities.addUser({ email: CHAIR, displayName: 'A Chair' }),
      rag: await identities.addUser({ email: 'rag.pack@maldon.gov.uk', displayName: 'Board Member', role: 'rag_member', cspCode: 'MALDON' }),
      otherLead: await identities.addUser({ email: 'lead.pack@braintree.gov.uk', displayName: 'Other Lead', role: 'csp_lead', cspCode: 'BRAINTREE' }),
    };
    await http().post(`/reviews/${reviewId}/members`).set('X-Actor', 'setup').send({ email: CHAIR, role: 'chair' }).expect(201);
    for (const [who, user] of Object.entries(users)) tokens[who as keyof typeof tokens] = (await identities.issueToken(user.id, 'pack')).token;
  }, 120_000);
  afterAll(() => ctx?.close());

  it('holds the cover sheet, the latest overview report and executive summary, and the action plan as XLSX and DOCX, with no real name anywhere', async () => {
    const res = await zipOf(`/reviews/${reviewId}/home-office-pack`).expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${reference}-home-office-pack.zip"`);
    const bytes = res.body as Buffer;
    expect(res.headers.etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    const zip = await JSZip.loadAsync(bytes);
    expect(Object.keys(zip.files).sort()).toEqual(
      [
        `${reference}-action-plan.docx`,
        `${reference}-action-plan.xlsx`,
        `${reference}-cover-sheet.docx`,
        `${reference}-executive-summary.pdf`,
        `${reference}-overview-report.pdf`,
      ].sort(),
    );
    // The reports as uploaded, byte for byte.
    expect(await zip.file(`${reference}-overview-report.pdf`)!.async('nodebuffer')).toEqual(fixtures.pdf('overview_report'));
    expect(await zip.file(`${reference}-executive-summary.pdf`)!.async('nodebuffer')).toEqual(fixtures.pdf('executive_summary'));

    const cover = (await mammoth.extractRawText({ buffer: await zip.file(`${reference}-cover-sheet.docx`)!.async('nodebuffer') })).value;
    for (const heading of ['Domestic homicide review: submission to the Home Office', 'Key dates', 'Independent chair', 'Panel', 'Agencies not on the panel or without an IMR', 'IMRs and short reports', 'Family involvement', 'Process chronology', 'Holds and reasons', 'In this pack']) {
      expect(cover).toContain(heading);
    }
    expect(cover).toContain('MALDON Community Safety Partnership');
    expect(cover).toContain(reference);
    expect(cover).toContain('Adult A');
    expect(cover).toContain('Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews (2016)');
    expect(cover).toContain('Pack prepared on\n\n4 December 2026');
    // Key dates (notification, decision), the chair and panel with their declarations, IMRs with dates.
    expect(cover).toMatch(/Notification\s+5 January 2026/);
    expect(cover).toMatch(/Decision\s+28 January 2026: Hold a review/);
    expect(cover).toMatch(/Independent Reviews Ltd\s+1 February 2026\s+Declared on/);
    expect(cover).toMatch(/Essex Police\s+Senior representative\s+2 February 2026\s+Declared on/);
    expect(cover).toMatch(/Mid Essex Health\s+Individual management review \(IMR\)\s+10 February 2026\s+24 March 2026\s+20 March 2026/);
    expect(cover).toMatch(/Maldon Housing\s+Had contact; neither on the panel nor asked for an IMR/);
    expect(cover).toMatch(/1 June 2026\s+Draft report offered/);
    expect(cover).toMatch(/15 April 2026\s+Stage: Drafting/);
    expect(cover).toMatch(/1 July 2026\s+Report approved by the board/);
    expect(cover).toContain('The review was never on hold.');

    const planDocx = (await mammoth.extractRawText({ buffer: await zip.file(`${reference}-action-plan.docx`)!.async('nodebuffer') })).value;
    for (const heading of ['Recommendation', 'Scope (local, regional or national)', 'Action to take', 'Lead agency', 'Key milestones', 'Target date', 'Date of completion and outcome']) {
      expect(planDocx).toContain(heading);
    }
    expect(planDocx).toMatch(/2\. Housing should ask about domestic abuse at every tenancy review\s+Regional\s+Add a routine enquiry question to the tenancy review form\s+Maldon Housing\s+Form redesigned; staff briefed\s+31 March 2027\s+20 November 2026: New form in use since November/);
    // The scenario's recommendation: multi-agency, so local by default, with no action yet.
    expect(planDocx).toMatch(/1\. Agencies should share risk information at MARAC\s+Local\s+No action recorded yet/);

    const rows = await xlsxRows(await zip.file(`${reference}-action-plan.xlsx`)!.async('nodebuffer'));
    expect(rows[0]).toEqual([`Action plan: ${reference}`]);
    expect(rows[2]).toEqual(['Recommendation', 'Scope (local, regional or national)', 'Action to take', 'Lead agency', 'Key milestones', 'Target date', 'Date of completion and outcome', 'Outcome']);
    expect(rows.slice(3)).toEqual([
      // Empty cells are empty: the row ends with its last value.
      ['1. Agencies should share risk information at MARAC', 'Local', 'No action recorded yet'],
      [
        '2. Housing should ask about domestic abuse at every tenancy review',
        'Regional',
        'Add a routine enquiry question to the tenancy review form',
        'Maldon Housing',
        'Form redesigned; staff briefed',
        '2027-03-31',
        '2026-11-20',
        'New form in use since November',
      ],
    ]);

    // No real name in any file of the pack (the zip's generated files read back, and its raw bytes).
    const everything = [cover, planDocx, JSON.stringify(rows)].join('\n');
    for (const name of [REAL_VICTIM, REAL_PERPETRATOR, 'Realperson', 'Realname']) expect(everything).not.toContain(name);
  });

  it('is the same bytes, built again a second later, while nothing it says has changed: its SHA-256 (the ETag) moves only with the case file', async () => {
    const first = await zipOf(`/reviews/${reviewId}/home-office-pack`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await zipOf(`/reviews/${reviewId}/home-office-pack`).expect(200);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(Buffer.compare(second.body as Buffer, first.body as Buffer)).toBe(0);
    // The generated files inside carry the day it was prepared, not the time they were written.
    const zip = await JSZip.loadAsync(first.body as Buffer);
    const cover = await JSZip.loadAsync(await zip.file(`${reference}-cover-sheet.docx`)!.async('nodebuffer'));
    expect(await cover.file('docProps/core.xml')!.async('string')).toContain(`<dcterms:created xsi:type="dcterms:W3CDTF">${NOW.slice(0, 10)}T12:00:00Z</dcterms:created>`);
  });

  it('is for the CSP lead and the review’s chair; a RAG member, another CSP’s lead and nobody are refused (403, 404, 401); each read is in the access log', async () => {
    await zipOf(`/reviews/${reviewId}/home-office-pack`, 'chair').expect(200);
    expect((await as('rag').get(`/reviews/${reviewId}/home-office-pack`)).status).toBe(403);
    // The review's QA page links the checklist and pack to those who may have them, not to the RAG member.
    const qaPage = (who: keyof typeof tokens) => as(who).get(`/cases/${reviewId}/qa`).set('Accept', 'text/html');
    expect((await qaPage('chair').expect(200)).text).toContain(`href="/cases/${reviewId}/qa/checklist"`);
    expect((await qaPage('rag').expect(200)).text).not.toContain('/qa/checklist');
    // Another partnership's review is not even found, as for every route of a review.
    expect((await as('otherLead').get(`/reviews/${reviewId}/home-office-pack`)).status).toBe(404);
    expect((await http().get(`/reviews/${reviewId}/home-office-pack`).set('X-Actor', '')).status).toBe(401);
    const rows: Array<{ actor: string; status: number; outcome: string }> = await dataSource.query(
      `SELECT actor, status, outcome FROM access_log WHERE review_id = $1 AND route = '/reviews/:reviewId/home-office-pack' ORDER BY id`,
      [reviewId],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { actor: LEAD, status: 200, outcome: 'allowed' },
        { actor: CHAIR, status: 200, outcome: 'allowed' },
        expect.objectContaining({ actor: 'rag.pack@maldon.gov.uk', status: 403, outcome: 'refused' }),
      ]),
    );
  });

  it('is a 409 while there is no overview report, and a 404 for no such review', async () => {
    const res = await as('lead').get(`/reviews/${bareReviewId}/home-office-pack`).expect(409);
    expect(res.body.message).toMatch(/has no overview report yet/);
    await as('lead').get('/reviews/00000000-0000-4000-8000-000000000000/home-office-pack').expect(404);
  });

  it('refuses submission until every checklist item is answered, then records the pack sent by its SHA-256', async () => {
    // Nothing answered: refused, naming every item.
    const refused = await as('lead').event(reviewId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-07-10' }).expect(409);
    expect(refused.body.unanswered).toEqual(CHECKLIST.items.map((i) => i.id));
    expect(refused.body.reasons).toContain('Not answered: Family involvement and a tribute (family_involvement)');

    // A flag without a note, an unknown item, a chair answering: refused, nothing written.
    const noNote = await as('lead').put(`/reviews/${reviewId}/home-office-checklist`, { answers: [{ item: 'anonymisation', answer: 'confirmed' }, { item: 'equality_diversity', answer: 'flagged' }] }).expect(400);
    expect(noNote.body.errors).toEqual([{ field: 'answers.1.note', message: 'is required when the item is flagged: say what the panel should know' }]);
    const unknown = await as('lead').put(`/reviews/${reviewId}/home-office-checklist`, { answers: [{ item: 'tribute', answer: 'confirmed' }] }).expect(400);
    expect(unknown.body.errors[0].field).toBe('answers.0.item');
    await as('chair').put(`/reviews/${reviewId}/home-office-checklist`, { answers: [{ item: 'anonymisation', answer: 'confirmed' }] }).expect(403);
    expect((await as('lead').get(`/reviews/${reviewId}/home-office-checklist`).expect(200)).body.unanswered).toHaveLength(CHECKLIST.items.length);

    // All but one answered: still refused, naming the one left.
    const [last, ...rest] = [...CHECKLIST.items].reverse();
    await as('lead')
      .put(`/reviews/${reviewId}/home-office-checklist`, {
        answers: rest.map((i) => (i.id === 'equality_diversity' ? { item: i.id, answer: 'flagged', note: 'Disability not analysed; the chair is adding a section.' } : { item: i.id, answer: 'confirmed' })),
      })
      .expect(200);
    const still = await as('lead').event(reviewId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-07-10' }).expect(409);
    expect(still.body.unanswered).toEqual([last.id]);
    const answered = (await as('lead').put(`/reviews/${reviewId}/home-office-checklist`, { answers: [{ item: last.id, answer: 'confirmed' }] }).expect(200)).body;
    expect(answered.complete).toBe(true);
    expect(answered.items.find((i: { id: string }) => i.id === 'equality_diversity').answer).toMatchObject({
      answer: 'flagged',
      note: 'Disability not analysed; the chair is adding a section.',
      answeredBy: LEAD,
      checklistVersion: CHECKLIST.version,
    });

    const submitted = await as('lead').event(reviewId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-07-10' }).expect(200);
    expect(submitted.body.status).toBe('home_office_qa');
    // The gate built the pack inside the submission's transaction, one read at a time on its connection.
    expect(queriesSentTogether).toEqual([]);

    // The history: each answer, and the submission with its pack's hash.
    const history = (await as('lead').get(`/reviews/${reviewId}/history`).expect(200)).body as Array<{ type: string; actor: string; payload: Record<string, unknown> }>;
    const answers = history.filter((e) => e.type === 'HOME_OFFICE_CHECKLIST_ANSWERED');
    expect(answers).toHaveLength(CHECKLIST.items.length);
    expect(answers.every((e) => e.actor === LEAD)).toBe(true);
    const submission = history.find((e) => e.type === 'SUBMIT_TO_HOME_OFFICE')!;
    expect(submission.payload).toMatchObject({ submittedAt: '2026-07-10', packRound: 1, packFile: `${reference}-home-office-pack.zip` });
    expect(submission.payload.packSha256).toMatch(/^[0-9a-f]{64}$/);

    // The pack sent, byte for byte: its SHA-256 is the one in the history, and it holds the action plan.
    const sent = await zipOf(`/reviews/${reviewId}/home-office-packs/1`).expect(200);
    expect(createHash('sha256').update(sent.body as Buffer).digest('hex')).toBe(submission.payload.packSha256);
    const zip = await JSZip.loadAsync(sent.body as Buffer);
    const cover = (await mammoth.extractRawText({ buffer: await zip.file(`${reference}-cover-sheet.docx`)!.async('nodebuffer') })).value;
    expect(cover).toMatch(/10 July 2026\s+Submitted to the Home Office/);
    const list = (await as('lead').get(`/reviews/${reviewId}/home-office-packs`).expect(200)).body;
    expect(list).toEqual([expect.objectContaining({ round: 1, sha256: submission.payload.packSha256, sentBy: LEAD })]);
    await as('lead').get(`/reviews/${reviewId}/home-office-packs/2`).expect(404);
  });

  it('refuses the pack (409, naming the review but not the name) when a real name would be in it', async () => {
    await post(`/reviews/${bareReviewId}/people`, { role: 'victim', realName: REAL_VICTIM, pseudonym: 'Adult C' });
    const lead = new CaseFileApi(ctx.api, LEAD);
    await lead.uploadDraft(bareReviewId, 'overview_report');
    await post(`/reviews/${bareReviewId}/recommendations`, { text: `Learning from the death of ${REAL_VICTIM}`, level: 'national', addressee: 'Home Office' });
    const res = await as('lead').get(`/reviews/${bareReviewId}/home-office-pack`).expect(409);
    expect(res.body.message).toMatch(/would show a real name/);
    expect(JSON.stringify(res.body)).not.toContain('Realperson');
  });

  /** A review of its own, notified 14 January 2026, so the packs above are unchanged. */
  const freshReview = async () => {
    const [{ csp_id: cspId }]: Array<{ csp_id: string }> = await dataSource.query(`SELECT csp_id FROM reviews WHERE id = $1`, [reviewId]);
    return reviewApi(ctx.api, LEAD).openReview(cspId);
  };
  const uploadedOn = async (at: string, upload: () => Promise<unknown>) => {
    clock.set(at);
    try {
      await upload();
    } finally {
      clock.set(NOW);
    }
  };
  const coverOf = async (zip: JSZip, ref: string) => (await mammoth.extractRawText({ buffer: await zip.file(`${ref}-cover-sheet.docx`)!.async('nodebuffer') })).value;

  it('holds the latest version of the overview report and of the executive summary, not the first, and lists the holds with their reasons on the cover sheet', async () => {
    const review = await freshReview();
    const api = reviewApi(ctx.api, LEAD);
    await api.accept(review.id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed at Chelmsford Crown Court', occurredAt: '2026-02-02', expectedEnd: '2026-04-30' });
    await api.accept(review.id, { type: 'RESUME', note: 'Verdict given', occurredAt: '2026-03-16' });
    await api.accept(review.id, { type: 'PLACE_ON_HOLD', reason: 'inquest', detail: 'Inquest opened and adjourned', occurredAt: '2026-11-02', expectedEnd: '2027-01-31' });

    const lead = new CaseFileApi(ctx.api, LEAD);
    const first = { overview_report: fixtures.pdf('overview_report'), executive_summary: fixtures.pdf('executive_summary') };
    const latest = { overview_report: fixtures.pdf('Overview report, version 2'), executive_summary: fixtures.pdf('Executive summary, version 2') };
    const documentIds: Record<string, string> = {};
    await uploadedOn('2026-11-30T09:00:00Z', async () => {
      for (const kind of ['overview_report', 'executive_summary'] as const) documentIds[kind] = await lead.uploadDraft(review.id, kind);
    });
    await uploadedOn('2026-12-03T15:00:00Z', async () => {
      for (const kind of ['overview_report', 'executive_summary'] as const) {
        const path = `/reviews/${review.id}/documents/${documentIds[kind]}/versions`;
        const res = await sendingCurrentVersion(http().post(path).set('X-Actor', LEAD), http, path).attach('file', latest[kind], { filename: `${kind}-v2.pdf`, contentType: MIME.pdf });
        expect([kind, res.status, res.body.versions?.length]).toEqual([kind, 201, 2]);
      }
    });

    const zip = await JSZip.loadAsync((await zipOf(`/reviews/${review.id}/home-office-pack`).expect(200)).body as Buffer);
    for (const [kind, name] of [['overview_report', 'overview-report'], ['executive_summary', 'executive-summary']] as const) {
      const inPack = await zip.file(`${review.reference}-${name}.pdf`)!.async('nodebuffer');
      expect([kind, inPack.equals(latest[kind]), inPack.equals(first[kind])]).toEqual([kind, true, false]);
    }
    const cover = await coverOf(zip, review.reference);
    expect(cover).toMatch(new RegExp(`Overview report\\s+2\\s+3 December 2026\\s+${review.reference}-overview-report\\.pdf`));
    expect(cover).toMatch(new RegExp(`Executive summary\\s+2\\s+3 December 2026\\s+${review.reference}-executive-summary\\.pdf`));

    // Holds and reasons: each hold with its reason and dates, one still running.
    const holds = cover.slice(cover.indexOf('Holds and reasons'), cover.indexOf('In this pack'));
    expect(holds).toMatch(/Reason\s+From\s+To\s+Criminal proceedings\s+2 February 2026\s+16 March 2026\s+Inquest\s+2 November 2026\s+Still on hold\s*$/);
    expect(cover).not.toContain('The review was never on hold.');
  });

  it('is dated the day it was prepared, inside and out: the same bytes (and ETag) at another hour of the day, other bytes on another day or when the case file changes', async () => {
    const review = await freshReview();
    await new CaseFileApi(ctx.api, LEAD).uploadDraft(review.id, 'overview_report');
    const path = `/reviews/${review.id}/home-office-pack`;
    const packAt = async (at: string) => {
      clock.set(at);
      try {
        const res = await zipOf(path).expect(200);
        const bytes = res.body as Buffer;
        // The ETag is the SHA-256 of the bytes sent.
        expect(res.headers.etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
        return { etag: res.headers.etag as string, bytes };
      } finally {
        clock.set(NOW);
      }
    };
    const morning = await packAt('2026-12-04T09:00:00Z');
    const evening = await packAt('2026-12-04T22:45:00Z');
    expect(evening.etag).toBe(morning.etag);
    expect(evening.bytes.equals(morning.bytes)).toBe(true);

    // Every file in the zip, every part inside the generated DOCX and XLSX, and their created/modified, carry the day.
    const datedOn = async (bytes: Buffer, day: string) => {
      const stamp = `${day}T12:00:00`;
      const zip = await JSZip.loadAsync(bytes);
      const dates: string[] = [];
      for (const entry of Object.values(zip.files)) dates.push(`${entry.name} ${entry.date.toISOString()}`);
      for (const name of Object.keys(zip.files).filter((n) => /\.(docx|xlsx)$/.test(n))) {
        const inner = await JSZip.loadAsync(await zip.file(name)!.async('nodebuffer'));
        for (const entry of Object.values(inner.files)) dates.push(`${name}/${entry.name} ${entry.date.toISOString()}`);
        const core = await inner.file('docProps/core.xml')!.async('string');
        for (const property of ['created', 'modified']) {
          expect([name, property, new RegExp(`<dcterms:${property}\\b[^>]*>${stamp}Z</dcterms:${property}>`).test(core)]).toEqual([name, property, true]);
        }
      }
      expect(dates.length).toBeGreaterThan(10);
      expect(dates.filter((d) => !d.endsWith(` ${stamp}.000Z`))).toEqual([]);
      return coverOf(zip, review.reference);
    };
    expect(await datedOn(morning.bytes, '2026-12-04')).toContain('Pack prepared on\n\n4 December 2026');

    // The next day: other bytes, another ETag, dated that day.
    const nextDay = await packAt('2026-12-05T09:00:00Z');
    expect(nextDay.etag).not.toBe(morning.etag);
    expect(await datedOn(nextDay.bytes, '2026-12-05')).toContain('Pack prepared on\n\n5 December 2026');
    // Back on the first day, the first pack again.
    expect((await packAt('2026-12-04T15:00:00Z')).etag).toBe(morning.etag);

    // A change to the case file that the pack shows: another ETag.
    await post(`/reviews/${review.id}/family-engagements`, { kind: 'draft_offered', occurredOn: '2026-11-30' });
    const changed = await packAt('2026-12-04T15:00:00Z');
    expect(changed.etag).not.toBe(morning.etag);
    expect(await coverOf(await JSZip.loadAsync(changed.bytes), review.reference)).toMatch(/30 November 2026\s+Draft report offered/);
  });
});
