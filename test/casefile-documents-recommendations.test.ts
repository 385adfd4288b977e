import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'superagent';
import { CaseFileSql } from './support/casefile-sql';
import { fixtures, MIME } from './support/document-fixtures';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

const CHAIR = 'independent.chair@example.org';
const LEAD = 'csp.lead@maldon.gov.uk';
const READER = 'panel.member@essex.police.uk';
const MAX_BYTES = 64 * 1024;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

/** Collects a response body as bytes whatever its content type. */
function binary(res: Response, callback: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer | string) => chunks.push(Buffer.from(chunk)));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .sort();
}

const fields = (res: Response) => (res.body?.errors ?? []).map((e: { field: string }) => e.field).join(',');

describe('documents, recommendations and the action plan over HTTP (real PostgreSQL)', () => {
  let ctx: TestContext;
  let folderCtx: TestContext;
  let documentsDir: string;
  let api: ReturnType<typeof reviewApi>;
  let folderApi: ReturnType<typeof reviewApi>;
  let sql: CaseFileSql;
  let cspId: string;

  beforeAll(async () => {
    documentsDir = mkdtempSync(join(tmpdir(), 'dhr-documents-'));
    [ctx, folderCtx] = await Promise.all([
      startTestApp({ env: { DOCUMENT_MAX_BYTES: String(MAX_BYTES) } }),
      startTestApp({ env: { DOCUMENT_STORAGE: 'folder', DOCUMENTS_DIR: documentsDir, DOCUMENT_MAX_BYTES: String(MAX_BYTES) } }),
    ]);
    api = reviewApi(ctx.api, CHAIR);
    folderApi = reviewApi(folderCtx.api, CHAIR);
    sql = new CaseFileSql(ctx.database.url);
    cspId = (await api.createCsp('MALDON')).id;
  });
  afterAll(async () => {
    await Promise.all([ctx?.close(), folderCtx?.close()]);
    rmSync(documentsDir, { recursive: true, force: true });
  });

  const count = async (table: string, reviewId: string, db = sql) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE review_id = $1`, [reviewId]))[0].n;

  interface Upload {
    kind?: string;
    title?: string;
    content?: Buffer;
    filename?: string;
    contentType?: string;
  }
  const upload = (reviewId: string, u: Upload = {}, client = api, actor = CHAIR) =>
    client
      .http()
      .post(`/reviews/${reviewId}/documents`)
      .set('X-Actor', actor)
      .field('kind', u.kind ?? 'overview_report')
      .field('title', u.title ?? 'Overview report: draft')
      .attach('file', u.content ?? fixtures.pdf(), { filename: u.filename ?? 'overview-report.pdf', contentType: u.contentType ?? MIME.pdf });
  const addVersion = (reviewId: string, documentId: string, u: Upload = {}, client = api) =>
    client
      .versioned()
      .post(`/reviews/${reviewId}/documents/${documentId}/versions`)
      .set('X-Actor', CHAIR)
      .attach('file', u.content ?? fixtures.pdf('second draft'), { filename: u.filename ?? 'overview-report-v2.pdf', contentType: u.contentType ?? MIME.pdf });
  const download = (reviewId: string, documentId: string, version: number | string, client = api, actor: string | null = READER) => {
    const req = client.http().get(`/reviews/${reviewId}/documents/${documentId}/versions/${version}/content`);
    req.set('X-Actor', actor ?? ''); // empty: a request naming nobody
    return req.buffer(true).parse(binary);
  };

  describe('documents', () => {
    it('uploads drafts in versions (database storage); each is in the history and the facts at once; downloads are recorded', async () => {
      const { id } = await api.openReview(cspId);
      expect((await api.get(id)).facts).toMatchObject({ draftOverviewReport: false, draftExecutiveSummary: false });

      const v1 = fixtures.pdf('first draft');
      const created = await upload(id, { content: v1, title: 'Overview report' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        kind: 'overview_report',
        title: 'Overview report',
        version: 1,
        versionCount: 1,
        createdBy: CHAIR,
        latest: { version: 1, filename: 'overview-report.pdf', contentType: MIME.pdf, sizeBytes: v1.length, sha256: sha256(v1), storage: 'database', uploadedBy: CHAIR },
      });
      const documentId = created.body.id as string;
      expect((await api.get(id)).facts).toMatchObject({ draftOverviewReport: true, draftExecutiveSummary: false });

      const summary = fixtures.docx('Executive summary');
      await upload(id, { kind: 'executive_summary', title: 'Executive summary', content: summary, filename: 'Résumé – exec summary.docx', contentType: MIME.docx }).expect(201);
      expect((await api.get(id)).facts).toMatchObject({ draftOverviewReport: true, draftExecutiveSummary: true });
      const minutes = await upload(id, { kind: 'minutes', title: 'Panel meeting 1 minutes', content: fixtures.odt(), filename: 'minutes.odt', contentType: MIME.odt }, api, LEAD).expect(201);

      // The next version, with the document's version as If-Match; a stale one is refused.
      const v2 = fixtures.pdf('second draft');
      const second = await addVersion(id, documentId, { content: v2 }).set('If-Match', '"1"');
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ version: 2, versionCount: 2, latest: { version: 2, sha256: sha256(v2) } });
      expect(second.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      const stale = await addVersion(id, documentId, { content: fixtures.pdf('third') }).set('If-Match', '"1"');
      expect(stale.status).toBe(412);
      // The same bytes again are not a new version.
      const same = await addVersion(id, documentId, { content: v2 });
      expect(same.status).toBe(409);
      expect(same.body.message).toMatch(/identical to version 2/);

      // The list is metadata only (latest version); one document comes with all its versions.
      const list = (await api.http().get(`/reviews/${id}/documents`).expect(200)).body;
      expect(list.map((d: { kind: string }) => d.kind)).toEqual(['overview_report', 'executive_summary', 'minutes']);
      expect(list[0]).toMatchObject({ versionCount: 2, latest: { version: 2 } });
      expect(list[0].versions).toBeUndefined();
      expect(JSON.stringify(list)).not.toContain('"content"');
      const drafts = (await api.http().get(`/reviews/${id}/documents?kind=executive_summary`).expect(200)).body;
      expect(drafts).toHaveLength(1);
      const one = (await api.http().get(`/reviews/${id}/documents/${documentId}`).expect(200)).body;
      expect(one.versions.map((v: { version: number; sha256: string }) => [v.version, v.sha256])).toEqual([
        [1, sha256(v1)],
        [2, sha256(v2)],
      ]);
      const [row] = await sql.query<{ storage: string; has_content: boolean; storage_path: string | null }>(
        `SELECT storage, content IS NOT NULL AS has_content, storage_path FROM document_versions WHERE document_id = $1 AND version_no = 1`,
        [documentId],
      );
      expect(row).toEqual({ storage: 'database', has_content: true, storage_path: null });

      // Download: the same bytes, the checksum, safe headers; recorded with who downloaded.
      const got = await download(id, documentId, 1);
      expect(got.status).toBe(200);
      expect(Buffer.compare(got.body as Buffer, v1)).toBe(0);
      expect(got.headers['content-type']).toBe('application/pdf');
      expect(got.headers['content-disposition']).toBe(`attachment; filename="overview-report.pdf"; filename*=UTF-8''overview-report.pdf`);
      expect(got.headers['x-content-type-options']).toBe('nosniff');
      expect(got.headers['cache-control']).toBe('private, no-store');
      expect(got.headers.etag).toBe(`"${sha256(v1)}"`);
      expect(got.headers.digest).toBe(`sha-256=${Buffer.from(sha256(v1), 'hex').toString('base64')}`);
      const summaryId = list[1].id as string;
      const gotSummary = await download(id, summaryId, 1, api, CHAIR);
      expect(Buffer.compare(gotSummary.body as Buffer, summary)).toBe(0);
      expect(gotSummary.headers['content-disposition']).toBe(
        `attachment; filename="R_sum_ _ exec summary.docx"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20exec%20summary.docx`,
      );
      expect(sha256(gotSummary.body as Buffer)).toBe(sha256(summary));

      // No X-Actor, no download (and nothing recorded).
      const anonymous = await download(id, documentId, 2, api, null);
      expect(anonymous.status).toBe(401);
      const downloads = (await api.http().get(`/reviews/${id}/documents/${documentId}/downloads`).expect(200)).body;
      expect(downloads).toEqual([{ version: 1, downloadedBy: READER, downloadedAt: expect.any(String) }]);
      expect(await count('document_downloads', id)).toBe(2);

      const history = await api.history(id);
      expect(history.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', CHAIR],
        ['DRAFT_UPLOADED', CHAIR],
        ['DRAFT_UPLOADED', CHAIR],
        ['DOCUMENT_UPLOADED', LEAD],
        ['DRAFT_UPLOADED', CHAIR],
      ]);
      const full = (await api.http().get(`/reviews/${id}/history`).expect(200)).body;
      expect(full[4].payload).toEqual({ documentId, kind: 'overview_report', title: 'Overview report', version: 2, sha256: sha256(v2) });
      expect(full[3].payload).toMatchObject({ documentId: minutes.body.id, kind: 'minutes', version: 1 });
      expect((await api.get(id)).version).toBe(history.length);
    });

    it('keeps content as files under DOCUMENTS_DIR (folder storage), content-addressed, and serves the same bytes', async () => {
      const { id } = await folderApi.openReview((await folderApi.createCsp('CHELMSFORD')).id);
      const image = fixtures.png();
      const created = await upload(id, { kind: 'letter', title: 'Letter from the coroner', content: image, filename: 'coroner.png', contentType: MIME.png }, folderApi);
      expect(created.status).toBe(201);
      expect(created.body.latest).toMatchObject({ storage: 'folder', sha256: sha256(image), sizeBytes: image.length });
      const folderSql = new CaseFileSql(folderCtx.database.url);
      const [row] = await folderSql.query<{ storage: string; has_content: boolean; storage_path: string }>(
        `SELECT storage, content IS NOT NULL AS has_content, storage_path FROM document_versions WHERE document_id = $1`,
        [created.body.id],
      );
      const expectedPath = join(id, sha256(image).slice(0, 2), sha256(image));
      expect(row).toEqual({ storage: 'folder', has_content: false, storage_path: expectedPath });
      expect(filesUnder(documentsDir)).toEqual([expectedPath]); // no temporary file left
      expect(Buffer.compare(readFileSync(join(documentsDir, expectedPath)), image)).toBe(0);

      const text = fixtures.text();
      const second = await addVersion(id, created.body.id, { content: text, filename: 'coroner.txt', contentType: 'text/plain; charset=utf-8' }, folderApi).expect(201);
      expect(second.body.latest).toMatchObject({ version: 2, contentType: 'text/plain' });

      const got = await download(id, created.body.id, 1, folderApi);
      expect(got.status).toBe(200);
      expect(Buffer.compare(got.body as Buffer, image)).toBe(0);
      expect(got.headers['content-type']).toBe('image/png');
      expect(got.headers.etag).toBe(`"${sha256(image)}"`);
      const gotText = await download(id, created.body.id, 2, folderApi);
      expect(Buffer.compare(gotText.body as Buffer, text)).toBe(0);
      expect(await count('document_downloads', id, folderSql)).toBe(2);
      expect((await folderApi.history(id)).map((h) => h.type)).toEqual(['NOTIFICATION_RECORDED', 'DOCUMENT_UPLOADED', 'DOCUMENT_UPLOADED']);

      // Refused uploads leave no file behind, and no row.
      const filesBefore = filesUnder(documentsDir);
      const bad = [
        await upload(id, { content: fixtures.exe(), filename: 'report.pdf' }, folderApi),
        await upload(id, { content: Buffer.concat([fixtures.pdf(), Buffer.alloc(MAX_BYTES)]) }, folderApi),
        await upload(id, { content: Buffer.concat([fixtures.pdf(), Buffer.alloc(MAX_BYTES * 3)]) }, folderApi),
        await upload(id, { kind: 'sketch' }, folderApi),
        await addVersion(id, created.body.id, { content: fixtures.jpeg(), contentType: MIME.png }, folderApi),
      ];
      expect(bad.map((r) => [r.status, fields(r)])).toEqual([
        [400, 'file'],
        [413, 'file'],
        [413, 'file'],
        [400, 'kind'],
        [400, 'file'],
      ]);
      expect(filesUnder(documentsDir)).toEqual(filesBefore);
      expect(await count('document_versions', id, folderSql)).toBe(2);
    });

    it('answers bad input on every document endpoint with 400 (413 when too large) naming the field, and writes nothing', async () => {
      const { id } = await api.openReview(cspId);
      const doc = (await upload(id).expect(201)).body;
      const before = async () => ({
        documents: await count('documents', id),
        versions: await count('document_versions', id),
        downloads: await count('document_downloads', id),
        history: await count('review_events', id),
      });
      const snapshot = await before();
      const base = () => api.http().post(`/reviews/${id}/documents`).set('X-Actor', CHAIR);
      const cases: Array<[string, () => PromiseLike<Response>, number, string]> = [
        ['missing file', () => base().field('kind', 'chronology').field('title', 'Chronology'), 400, 'file'],
        ['JSON instead of multipart', () => base().send({ kind: 'chronology', title: 'Chronology' }), 400, 'file'],
        ['disallowed type', () => upload(id, { content: Buffer.from('<html></html>'), filename: 'x.html', contentType: 'text/html' }), 400, 'file'],
        ['octet-stream', () => upload(id, { contentType: 'application/octet-stream' }), 400, 'file'],
        ['exe renamed .pdf', () => upload(id, { content: fixtures.exe(), filename: 'report.pdf' }), 400, 'file'],
        ['png declared as jpeg', () => upload(id, { content: fixtures.png(), contentType: MIME.jpeg, filename: 'a.jpg' }), 400, 'file'],
        ['zip declared as docx', () => upload(id, { content: fixtures.odt(), contentType: MIME.docx, filename: 'a.docx' }), 400, 'file'],
        ['binary declared as text', () => upload(id, { content: fixtures.exe(), contentType: MIME.text, filename: 'a.txt' }), 400, 'file'],
        ['empty file', () => upload(id, { content: Buffer.alloc(0) }), 400, 'file'],
        ['one byte too large', () => upload(id, { content: Buffer.concat([fixtures.pdf(), Buffer.alloc(MAX_BYTES + 1 - fixtures.pdf().length)]) }), 413, 'file'],
        ['far too large', () => upload(id, { content: Buffer.concat([fixtures.pdf(), Buffer.alloc(MAX_BYTES * 4)]) }), 413, 'file'],
        [
          'two files',
          () =>
            base()
              .field('kind', 'chronology')
              .field('title', 'Chronology')
              .attach('file', fixtures.pdf(), { filename: 'a.pdf', contentType: MIME.pdf })
              .attach('file', fixtures.pdf(), { filename: 'b.pdf', contentType: MIME.pdf }),
          400,
          'file',
        ],
        [
          'file under another field name',
          () => base().field('kind', 'chronology').field('title', 'Chronology').attach('document', fixtures.pdf(), { filename: 'a.pdf', contentType: MIME.pdf }),
          400,
          'file',
        ],
        ['bad kind', () => upload(id, { kind: 'novel' }), 400, 'kind'],
        ['empty title', () => upload(id, { title: '   ' }), 400, 'title'],
        ['title too long', () => upload(id, { title: 'x'.repeat(301) }), 400, 'title'],
        ['unknown field', () => upload(id).field('colour', 'red'), 400, 'colour'],
        ['missing kind', () => base().field('title', 'Chronology').attach('file', fixtures.pdf(), { filename: 'a.pdf', contentType: MIME.pdf }), 400, 'kind'],
        ['new version: missing file', () => api.versioned().post(`/reviews/${id}/documents/${doc.id}/versions`).set('X-Actor', CHAIR).field('note', 'x'), 400, 'file'],
        ['new version: unknown field', () => addVersion(id, doc.id).field('title', 'renamed'), 400, 'title'],
        ['new version: mismatched magic', () => addVersion(id, doc.id, { content: fixtures.docx(), contentType: MIME.pdf }), 400, 'file'],
        ['new version: too large', () => addVersion(id, doc.id, { content: Buffer.concat([fixtures.pdf(), Buffer.alloc(MAX_BYTES)]) }), 413, 'file'],
        ['new version: bad If-Match', () => addVersion(id, doc.id).set('If-Match', 'yesterday'), 400, 'If-Match'],
        ['list: bad kind', () => api.http().get(`/reviews/${id}/documents?kind=novel`), 400, 'kind'],
      ];
      for (const [name, send, status, field] of cases) {
        const res = await send();
        expect({ name, status: res.status, field: fields(res) }).toEqual({ name, status, field: expect.stringContaining(field) });
      }
      // Combined: every problem is named at once.
      const both = await base().field('kind', 'novel').field('title', 'x');
      expect(fields(both)).toBe('kind,file');
      expect(await before()).toEqual(snapshot);

      // Downloads of versions that do not exist: 404, nothing recorded.
      for (const version of [0, 2, 'latest', '1e3']) expect((await download(id, doc.id, version)).status).toBe(404);
      expect(await before()).toEqual(snapshot);
      const untouched = (await api.http().get(`/reviews/${id}/documents/${doc.id}`).expect(200)).body;
      expect(untouched).toMatchObject({ version: 1, versionCount: 1 });
    });

    it("refuses another review's document ids with 404, never cross-linking", async () => {
      const a = await api.openReview(cspId);
      const b = await api.openReview(cspId);
      const docOfA = (await upload(a.id).expect(201)).body;
      const responses = [
        await api.http().get(`/reviews/${b.id}/documents/${docOfA.id}`),
        await addVersion(b.id, docOfA.id),
        await download(b.id, docOfA.id, 1),
        await api.http().get(`/reviews/${b.id}/documents/${docOfA.id}/downloads`),
        await api.http().get(`/reviews/${a.id}/documents/not-a-uuid`),
        await upload(UNKNOWN_ID),
        await api.http().get(`/reviews/${UNKNOWN_ID}/documents`),
      ];
      expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
      expect(await count('document_versions', b.id)).toBe(0);
      expect(await count('document_downloads', a.id)).toBe(0);
      expect((await api.http().get(`/reviews/${b.id}/documents`).expect(200)).body).toEqual([]);
    });
  });

  describe('recommendations and the action plan', () => {
    const recommend = (reviewId: string, body: Record<string, unknown> = {}) =>
      api
        .http()
        .post(`/reviews/${reviewId}/recommendations`)
        .set('X-Actor', CHAIR)
        .send({ text: 'Agencies should share risk information at MARAC', level: 'multi_agency', addressee: 'Maldon CSP', ...body });
    const rec = (reviewId: string, recId: string, path = '') => `/reviews/${reviewId}/recommendations/${recId}${path}`;
    const addAction = (reviewId: string, recId: string, body: Record<string, unknown> = {}) =>
      api
        .http()
        .post(rec(reviewId, recId, '/actions'))
        .set('X-Actor', LEAD)
        .send({ description: 'Update the information sharing protocol', owner: 'Essex Police', targetDate: '2027-03-31', measureOfSuccess: 'Protocol v2 in use', ...body });

    it('records, corrects, agrees and withdraws recommendations; numbers are unique; the facts and the history follow', async () => {
      const { id } = await api.openReview(cspId);
      const first = (await recommend(id).expect(201)).body;
      const second = (await recommend(id, { level: 'single_agency', addressee: 'Essex Police' }).expect(201)).body;
      const fifth = (await recommend(id, { number: 5, level: 'national', addressee: 'Home Office' }).expect(201)).body;
      const next = (await recommend(id).expect(201)).body;
      expect([first.number, second.number, fifth.number, next.number]).toEqual([1, 2, 5, 6]);
      expect(first).toMatchObject({ status: 'draft', version: 1, createdBy: CHAIR, withdrawnReason: null });
      expect((await api.get(id)).facts).toMatchObject({ recommendationsCount: 4 });

      const duplicate = await recommend(id, { number: 2 });
      expect(duplicate.status).toBe(409);
      expect(fields(duplicate)).toBe('number');

      // Correction while draft (If-Match), keeping the earlier wording in the history.
      const stale = await api.versioned().patch(rec(id, first.id)).set('X-Actor', CHAIR).set('If-Match', '"4"').send({ text: 'x' });
      expect(stale.status).toBe(412);
      const corrected = await api.versioned().patch(rec(id, first.id)).set('X-Actor', CHAIR).set('If-Match', '"1"').send({ text: 'Agencies should share risk information', number: 3 });
      expect(corrected.status).toBe(200);
      expect(corrected.body).toMatchObject({ number: 3, text: 'Agencies should share risk information', version: 2 });
      const clash = await api.versioned().patch(rec(id, first.id)).set('X-Actor', CHAIR).send({ number: 5 });
      expect([clash.status, fields(clash)]).toEqual([409, 'number']);

      const agreed = await api.versioned().post(rec(id, first.id, '/agree')).set('X-Actor', CHAIR).set('If-Match', '"2"').send({});
      expect(agreed.status).toBe(200);
      expect(agreed.body.status).toBe('agreed');
      expect((await api.versioned().post(rec(id, first.id, '/agree')).set('X-Actor', CHAIR).send()).status).toBe(409);
      expect((await api.versioned().patch(rec(id, first.id)).set('X-Actor', CHAIR).send({ text: 'late change' })).status).toBe(409);

      const withdrawn = await api.versioned().post(rec(id, second.id, '/withdraw')).set('X-Actor', CHAIR).send({ reason: 'Merged into recommendation 3' });
      expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawnReason: 'Merged into recommendation 3' });
      expect((await api.versioned().post(rec(id, second.id, '/withdraw')).set('X-Actor', CHAIR).send({ reason: 'again' })).status).toBe(409);
      expect((await api.get(id)).facts).toMatchObject({ recommendationsCount: 3 });
      // Numbers are never reused, withdrawn ones included.
      expect((await recommend(id, { number: 2 })).status).toBe(409);

      const list = (await api.http().get(`/reviews/${id}/recommendations`).expect(200)).body;
      expect(list.map((r: { number: number; status: string }) => [r.number, r.status])).toEqual([
        [2, 'withdrawn'],
        [3, 'agreed'],
        [5, 'draft'],
        [6, 'draft'],
      ]);

      const history = (await api.http().get(`/reviews/${id}/history`).expect(200)).body as Array<{ type: string; actor: string; payload: Record<string, unknown> }>;
      expect(history.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', CHAIR],
        ['RECOMMENDATION_RECORDED', CHAIR],
        ['RECOMMENDATION_RECORDED', CHAIR],
        ['RECOMMENDATION_RECORDED', CHAIR],
        ['RECOMMENDATION_RECORDED', CHAIR],
        ['RECOMMENDATION_CORRECTED', CHAIR],
        ['RECOMMENDATION_AGREED', CHAIR],
        ['RECOMMENDATION_WITHDRAWN', CHAIR],
      ]);
      expect(history[5].payload).toEqual({
        recommendationId: first.id,
        changes: {
          number: { from: 1, to: 3 },
          text: { from: 'Agencies should share risk information at MARAC', to: 'Agencies should share risk information' },
        },
      });
      expect(history[7].payload).toMatchObject({ number: 2, reason: 'Merged into recommendation 3', previousStatus: 'draft' });
    });

    it('records that a review makes no recommendations only while it has none, and the two exclude each other', async () => {
      const { id } = await api.openReview(cspId);
      const only = (await recommend(id).expect(201)).body;
      const refused = await api.http().put(`/reviews/${id}/no-recommendations-reason`).set('X-Actor', CHAIR).send({ reason: 'Nothing to learn' });
      expect(refused.status).toBe(409);
      expect((await api.get(id)).facts).toMatchObject({ recommendationsCount: 1, noRecommendationsReason: false });

      await api.versioned().post(rec(id, only.id, '/withdraw')).set('X-Actor', CHAIR).send({ reason: 'Panel decided none is needed' }).expect(200);
      const recorded = await api
        .http()
        .put(`/reviews/${id}/no-recommendations-reason`)
        .set('X-Actor', LEAD)
        .send({ reason: 'Agencies responded appropriately; no learning beyond existing action plans' });
      expect(recorded.status).toBe(200);
      expect(recorded.body.noRecommendationsReason).toMatch(/^Agencies responded/);
      expect((await api.get(id)).facts).toMatchObject({ recommendationsCount: 0, noRecommendationsReason: true });
      const [row] = await sql.query<{ no_recommendations_reason: string }>(`SELECT no_recommendations_reason FROM reviews WHERE id = $1`, [id]);
      expect(row.no_recommendations_reason).toMatch(/^Agencies responded/);

      // While the review says it makes none, a recommendation is refused; taking it back allows one.
      expect((await recommend(id)).status).toBe(409);
      await api.http().put(`/reviews/${id}/no-recommendations-reason`).set('X-Actor', LEAD).send({ reason: null }).expect(200);
      expect((await api.get(id)).facts).toMatchObject({ noRecommendationsReason: false });
      expect((await recommend(id)).status).toBe(201);

      const history = await api.history(id);
      expect(history.slice(-4).map((h) => [h.type, h.actor])).toEqual([
        ['RECOMMENDATION_WITHDRAWN', CHAIR],
        ['NO_RECOMMENDATIONS_RECORDED', LEAD],
        ['NO_RECOMMENDATIONS_WITHDRAWN', LEAD],
        ['RECOMMENDATION_RECORDED', CHAIR],
      ]);
    });

    it('keeps the action plan: actions added, progressed and completed with evidence; the facts count them', async () => {
      const { id } = await api.openReview(cspId);
      const r1 = (await recommend(id).expect(201)).body;
      const r2 = (await recommend(id, { level: 'single_agency', addressee: 'Mid and South Essex NHS' }).expect(201)).body;
      const a1 = (await addAction(id, r1.id).expect(201)).body;
      const a2 = (await addAction(id, r1.id, { description: 'Train MARAC chairs', targetDate: undefined, measureOfSuccess: undefined }).expect(201)).body;
      const a3 = (await addAction(id, r2.id, { owner: 'Mid and South Essex NHS', description: 'Routine enquiry in A&E' }).expect(201)).body;
      expect(a2).toMatchObject({ status: 'not_started', targetDate: null, measureOfSuccess: null, version: 1, createdBy: LEAD });
      expect((await api.get(id)).facts).toMatchObject({ actionsTotal: 3, actionsIncomplete: 3 });

      const progressed = await api.versioned().patch(rec(id, r1.id, `/actions/${a1.id}`)).set('X-Actor', LEAD).set('If-Match', '"1"').send({ status: 'in_progress', targetDate: '2027-06-30' });
      expect(progressed.status).toBe(200);
      expect(progressed.body).toMatchObject({ status: 'in_progress', targetDate: '2027-06-30', version: 2 });
      const stale = await api.versioned().patch(rec(id, r1.id, `/actions/${a1.id}`)).set('X-Actor', LEAD).set('If-Match', '"1"').send({ owner: 'Essex County Council' });
      expect(stale.status).toBe(412);

      const completed = await api
        .versioned()
        .post(rec(id, r1.id, `/actions/${a1.id}/complete`))
        .set('X-Actor', LEAD)
        .set('If-Match', '"2"')
        .send({ completedOn: '2026-10-01', evidence: 'Protocol v2 published on the CSP website' });
      expect(completed.status).toBe(200);
      expect(completed.body).toMatchObject({ status: 'complete', completedOn: '2026-10-01', evidence: 'Protocol v2 published on the CSP website' });
      expect((await api.get(id)).facts).toMatchObject({ actionsTotal: 3, actionsIncomplete: 2 });
      const again = await api.versioned().post(rec(id, r1.id, `/actions/${a1.id}/complete`)).set('X-Actor', LEAD).send({ completedOn: '2026-10-02', evidence: 'x' });
      expect(again.status).toBe(409);
      expect((await api.versioned().patch(rec(id, r1.id, `/actions/${a1.id}`)).set('X-Actor', LEAD).send({ status: 'in_progress' })).status).toBe(409);

      // An action is reached only through its own recommendation.
      expect((await api.versioned().patch(rec(id, r2.id, `/actions/${a1.id}`)).set('X-Actor', LEAD).send({ owner: 'x' })).status).toBe(404);
      expect((await api.http().get(rec(id, r2.id, `/actions/${a1.id}`))).status).toBe(404);

      const plan = (await api.http().get(`/reviews/${id}/action-plan`).expect(200)).body;
      expect(plan.counts).toEqual({ total: 3, complete: 1, incomplete: 2 });
      expect(plan.recommendations.map((r: { number: number; counts: unknown; actions: unknown[] }) => [r.number, r.counts, r.actions.length])).toEqual([
        [1, { total: 2, complete: 1, incomplete: 1 }, 2],
        [2, { total: 1, complete: 0, incomplete: 1 }, 1],
      ]);

      // A withdrawn recommendation's actions count nowhere and its plan is closed.
      await api.versioned().post(rec(id, r2.id, '/withdraw')).set('X-Actor', CHAIR).send({ reason: 'Superseded by national guidance' }).expect(200);
      expect((await api.get(id)).facts).toMatchObject({ actionsTotal: 2, actionsIncomplete: 1 });
      expect((await api.http().get(`/reviews/${id}/action-plan`).expect(200)).body.counts).toEqual({ total: 2, complete: 1, incomplete: 1 });
      expect((await addAction(id, r2.id)).status).toBe(409);
      expect((await api.versioned().post(rec(id, r2.id, `/actions/${a3.id}/complete`)).set('X-Actor', LEAD).send({ completedOn: '2026-10-01', evidence: 'x' })).status).toBe(409);

      const history = await api.history(id);
      expect(history.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', CHAIR],
        ['RECOMMENDATION_RECORDED', CHAIR],
        ['RECOMMENDATION_RECORDED', CHAIR],
        ['ACTION_ADDED', LEAD],
        ['ACTION_ADDED', LEAD],
        ['ACTION_ADDED', LEAD],
        ['ACTION_UPDATED', LEAD],
        ['ACTION_COMPLETED', LEAD],
        ['RECOMMENDATION_WITHDRAWN', CHAIR],
      ]);
    });

    it("refuses another review's recommendation and action ids with 404, never cross-linking", async () => {
      const a = await api.openReview(cspId);
      const b = await api.openReview(cspId);
      const recOfA = (await recommend(a.id).expect(201)).body;
      const actionOfA = (await addAction(a.id, recOfA.id).expect(201)).body;
      const recOfB = (await recommend(b.id).expect(201)).body;
      const responses = [
        await api.http().get(rec(b.id, recOfA.id)),
        await api.versioned().patch(rec(b.id, recOfA.id)).set('X-Actor', CHAIR).send({ text: 'hijack' }),
        await api.versioned().post(rec(b.id, recOfA.id, '/agree')).set('X-Actor', CHAIR).send({}),
        await api.versioned().post(rec(b.id, recOfA.id, '/withdraw')).set('X-Actor', CHAIR).send({ reason: 'x' }),
        await addAction(b.id, recOfA.id),
        await api.versioned().patch(rec(b.id, recOfB.id, `/actions/${actionOfA.id}`)).set('X-Actor', LEAD).send({ owner: 'x' }),
        await api.versioned().post(rec(b.id, recOfB.id, `/actions/${actionOfA.id}/complete`)).set('X-Actor', LEAD).send({ completedOn: '2026-10-01', evidence: 'x' }),
        await api.http().get(rec(b.id, recOfB.id, `/actions/${actionOfA.id}`)),
        await recommend(UNKNOWN_ID),
        await api.http().get(`/reviews/${UNKNOWN_ID}/action-plan`),
        await api.http().put(`/reviews/${UNKNOWN_ID}/no-recommendations-reason`).set('X-Actor', CHAIR).send({ reason: 'x' }),
      ];
      expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]);
      expect(await count('actions', b.id)).toBe(0);
      expect((await api.http().get(rec(a.id, recOfA.id)).expect(200)).body).toMatchObject({ status: 'draft', version: 1, actions: [{ id: actionOfA.id, status: 'not_started' }] });
    });

    it('answers bad input on every recommendation and action endpoint with 400 naming the field, and writes nothing', async () => {
      const { id } = await api.openReview(cspId);
      const r = (await recommend(id).expect(201)).body;
      const action = (await addAction(id, r.id).expect(201)).body;
      const snapshot = async () => ({
        recommendations: await sql.query(`SELECT number, text, level, addressee, status, withdrawn_reason, version FROM recommendations WHERE review_id = $1`, [id]),
        actions: await sql.query(`SELECT description, owner, target_date, status, completed_on, evidence, version FROM actions WHERE review_id = $1`, [id]),
        history: await count('review_events', id),
        reason: (await sql.query(`SELECT no_recommendations_reason FROM reviews WHERE id = $1`, [id]))[0],
      });
      const before = await snapshot();
      const actionPath = rec(id, r.id, `/actions/${action.id}`);
      const valid = { text: 'Share information', level: 'national', addressee: 'Home Office' };
      const cases: Array<[method: 'post' | 'patch' | 'put', path: string, body: Record<string, unknown>, field: string]> = [
        ['post', `/reviews/${id}/recommendations`, { ...valid, level: 'regional' }, 'level'],
        ['post', `/reviews/${id}/recommendations`, { ...valid, text: '' }, 'text'],
        ['post', `/reviews/${id}/recommendations`, { ...valid, text: 'x'.repeat(10001) }, 'text'],
        ['post', `/reviews/${id}/recommendations`, { ...valid, addressee: undefined }, 'addressee'],
        ['post', `/reviews/${id}/recommendations`, { ...valid, number: 0 }, 'number'],
        ['post', `/reviews/${id}/recommendations`, { ...valid, number: 2.5 }, 'number'],
        ['post', `/reviews/${id}/recommendations`, { ...valid, number: '3' }, 'number'],
        ['post', `/reviews/${id}/recommendations`, { ...valid, status: 'agreed' }, 'status'],
        ['patch', rec(id, r.id), {}, 'body'],
        ['patch', rec(id, r.id), { level: 'global' }, 'level'],
        ['patch', rec(id, r.id), { status: 'agreed' }, 'status'],
        ['patch', rec(id, r.id), { addressee: 'x'.repeat(301) }, 'addressee'],
        ['post', rec(id, r.id, '/agree'), { note: 'x' }, 'note'],
        ['post', rec(id, r.id, '/withdraw'), {}, 'reason'],
        ['post', rec(id, r.id, '/withdraw'), { reason: 'x'.repeat(4001) }, 'reason'],
        ['put', `/reviews/${id}/no-recommendations-reason`, {}, 'reason'],
        ['put', `/reviews/${id}/no-recommendations-reason`, { reason: '  ' }, 'reason'],
        ['put', `/reviews/${id}/no-recommendations-reason`, { reason: 'x', by: 'me' }, 'by'],
        ['post', rec(id, r.id, '/actions'), { owner: 'Essex Police' }, 'description'],
        ['post', rec(id, r.id, '/actions'), { description: 'x', owner: 'y', targetDate: '2027-02-30' }, 'targetDate'],
        ['post', rec(id, r.id, '/actions'), { description: 'x', owner: 'y', status: 'complete' }, 'status'],
        ['post', rec(id, r.id, '/actions'), { description: 'x', owner: 'y'.repeat(301) }, 'owner'],
        ['patch', actionPath, { status: 'complete' }, 'status'],
        ['patch', actionPath, { status: 'done' }, 'status'],
        ['patch', actionPath, { targetDate: 'next spring' }, 'targetDate'],
        ['patch', actionPath, { owner: '' }, 'owner'],
        ['patch', actionPath, { evidence: 'x' }, 'evidence'],
        ['patch', actionPath, {}, 'body'],
        ['post', `${actionPath}/complete`, { completedOn: '2099-01-01', evidence: 'Protocol published' }, 'completedOn'],
        ['post', `${actionPath}/complete`, { completedOn: '2026-10-01' }, 'evidence'],
        ['post', `${actionPath}/complete`, { completedOn: '2026-10-01', evidence: 'x', extra: 1 }, 'extra'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await api.http()[method](path).set('X-Actor', CHAIR).send(body);
        expect({ method, path, body, status: res.status, fields: fields(res) }).toEqual({ method, path, body, status: 400, fields: expect.stringContaining(field) });
      }
      const badIfMatch = await api.versioned().patch(rec(id, r.id)).set('X-Actor', CHAIR).set('If-Match', 'v1').send({ text: 'y' });
      expect([badIfMatch.status, fields(badIfMatch)]).toEqual([400, 'If-Match']);
      const noActor = await recommend(id).set('X-Actor', '');
      expect(noActor.status).toBe(401);
      expect(await snapshot()).toEqual(before);
    });
  });
});
