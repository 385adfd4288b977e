import { Writable } from 'node:stream';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RefusalRecorder } from '../src/audit/refusal-recorder';
import { IdentityService } from '../src/identity/identity.service';
import { SessionService } from '../src/identity/sessions.service';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { createTestDatabase, TestDatabase } from './support/databases';
import { fixtures, MIME } from './support/document-fixtures';
import { testConfig } from './support/test-app';

/**
 * README, "CSRF": a multipart POST (a file upload) carries the session's CSRF token in the
 * header or in its URL (`…/documents?_csrf=…`); no other request's query string is read, and
 * the access log and request logs keep that URL without the token. test/sessions.test.ts covers
 * the acceptance and the access log as the API serves it; this file checks the stored access
 * log rows themselves, the request log lines (pino-http), the web page's upload form, and that
 * no other method takes the token from the query string.
 */
const PASSWORD = 'correct horse battery staple';
const CSRF_REFUSED = { statusCode: 403, error: 'Forbidden', message: 'X-CSRF-Token: missing or does not match this session' };

type LogLine = { requestId?: string; req?: { method: string; url: string }; res?: { statusCode: number }; msg?: string };

describe('an upload’s CSRF token in its URL is kept out of the logs', () => {
  let database: TestDatabase;
  let app: NestExpressApplication;
  const lines: string[] = [];
  const waiting: Array<() => void> = [];
  let reviewId: string;
  let cookie: string;
  let csrfToken: string;
  let n = 0;
  const http = () => request(app.getHttpServer());

  /** The request log's "request completed" line of this request id, once pino has written it. */
  async function requestLine(requestId: string): Promise<LogLine> {
    const find = () => lines.map((l) => JSON.parse(l) as LogLine).find((l) => l.requestId === requestId && l.req !== undefined && l.res !== undefined);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no request log line for ${requestId}`);
      // Woken by the next line written (or the deadline's check), not a fixed sleep.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now() + 1);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async function accessRows(requestId: string): Promise<Array<Record<string, unknown>>> {
    return app.get(DataSource).query(`SELECT * FROM access_log WHERE request_id = $1`, [requestId]);
  }

  const upload = (path: string, requestId: string) =>
    http()
      .post(path)
      .set('Cookie', cookie)
      .set('X-Request-Id', requestId)
      .field('kind', 'chronology')
      .field('title', `Chronology ${++n}`)
      .attach('file', fixtures.pdf(`chronology ${n}`), { filename: 'chronology.pdf', contentType: MIME.pdf });

  beforeAll(async () => {
    database = await createTestDatabase();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        waiting.splice(0).forEach((wake) => wake());
        done();
      },
    });
    const config = testConfig(database.url, { LOG_LEVEL: 'info' });
    app = await createApiApp(config, createRootLogger(config, 'test', sink));
    await app.init();

    const csp = (await http().post('/csps').set('X-Actor', 'setup').send({ code: 'CSRFURL', name: 'CSRF URL CSP' }).expect(201)).body;
    const lead = await app.get(IdentityService).addUser({ email: 'lead@csrf.invalid', displayName: 'CSP Lead', role: 'csp_lead', cspCode: 'CSRFURL' });
    await app.get(SessionService).setPassword(lead.id, PASSWORD);
    reviewId = (
      await http()
        .post('/reviews')
        .set('X-Actor', 'setup')
        .send({ cspId: csp.id, dateOfDeath: '2026-02-20', notifiedOn: '2026-02-25', policeForce: 'Essex Police', policeReference: 'ESX/26/0001', circumstances: 'Test.' })
        .expect(201)
    ).body.id;
    const signedIn = await http().post('/auth/sessions').send({ email: 'lead@csrf.invalid', password: PASSWORD }).expect(201);
    cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('dhr_session='))!.split(';')[0];
    csrfToken = signedIn.body.csrfToken;
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  /** Everything logged and stored about one request: its access log rows and its request log line. */
  async function traces(requestId: string) {
    // The request log line is written on the response's finish, after a refusal's access log row
    // was queued (its recorder is registered first); flush writes the queued rows.
    const line = await requestLine(requestId);
    await app.get(RefusalRecorder).flush();
    const rows = await accessRows(requestId);
    return { rows, line, text: JSON.stringify(rows) + JSON.stringify(line) };
  }

  it('an API upload with ?_csrf= is accepted, and neither its access log row nor its request log line keeps the token', async () => {
    const created = await upload(`/reviews/${reviewId}/documents?_csrf=${csrfToken}`, 'upload-api').expect(201);
    expect(created.body).toMatchObject({ kind: 'chronology', versionCount: 1 });

    const { rows, line, text } = await traces('upload-api');
    expect(rows).toEqual([
      expect.objectContaining({ method: 'POST', route: '/reviews/:reviewId/documents', path: `/reviews/${reviewId}/documents`, status: 201, outcome: 'allowed' }),
    ]);
    expect(line).toMatchObject({ msg: 'request completed', req: { method: 'POST', url: `/reviews/${reviewId}/documents` }, res: { statusCode: 201 } });
    expect(text).not.toContain(csrfToken);
    expect(text).not.toContain('_csrf');
  });

  it('only the token is taken out: the rest of the query string is kept', async () => {
    await upload(`/reviews/${reviewId}/documents?note=1&_csrf=${csrfToken}&other=2`, 'upload-query').expect(201);
    const { rows, line, text } = await traces('upload-query');
    expect(rows.map((r) => r.path)).toEqual([`/reviews/${reviewId}/documents?note=1&other=2`]);
    expect(line.req?.url).toBe(`/reviews/${reviewId}/documents?note=1&other=2`);
    expect(text).not.toContain(csrfToken);
  });

  it('a token whose parameter name is percent-encoded (%5Fcsrf, as the query parser reads _csrf) is taken out too', async () => {
    await upload(`/reviews/${reviewId}/documents?note=1&%5Fcsrf=${csrfToken}`, 'upload-encoded').expect(201);
    const { rows, line, text } = await traces('upload-encoded');
    expect(rows.map((r) => r.path)).toEqual([`/reviews/${reviewId}/documents?note=1`]);
    expect(line.req?.url).toBe(`/reviews/${reviewId}/documents?note=1`);
    expect(text).not.toContain(csrfToken);
  });

  it('an upload that passes the check but is then refused (400) keeps no token in the refusal’s row or log line', async () => {
    const refused = await http()
      .post(`/reviews/${reviewId}/documents?_csrf=${csrfToken}`)
      .set('Cookie', cookie)
      .set('X-Request-Id', 'upload-refused')
      .field('kind', 'not_a_kind')
      .field('title', 'Refused')
      .attach('file', fixtures.pdf('refused'), { filename: 'refused.pdf', contentType: MIME.pdf });
    expect(refused.status).toBe(400);
    const { rows, line, text } = await traces('upload-refused');
    expect(rows).toEqual([expect.objectContaining({ path: `/reviews/${reviewId}/documents`, status: 400, outcome: 'refused' })]);
    expect(line).toMatchObject({ req: { url: `/reviews/${reviewId}/documents` }, res: { statusCode: 400 } });
    expect(text).not.toContain(csrfToken);
  });

  it('the web page’s no-JavaScript upload (/cases/:id/documents?_csrf=) is accepted and logged without the token', async () => {
    const res = await upload(`/cases/${reviewId}/documents?_csrf=${csrfToken}`, 'upload-page');
    expect([res.status, res.headers.location]).toEqual([303, `/cases/${reviewId}/documents?done=DOCUMENT_UPLOADED`]);
    const { rows, line, text } = await traces('upload-page');
    expect(rows.map((r) => [r.method, r.path, r.outcome])).toEqual([['POST', `/cases/${reviewId}/documents`, 'allowed']]);
    expect(line.req).toEqual({ method: 'POST', url: `/cases/${reviewId}/documents` });
    expect(text).not.toContain(csrfToken);
  });

  it('no other request takes the token from its query string: a multipart PATCH or PUT, a JSON PATCH, a DELETE are 403 and change nothing', async () => {
    // A record the CSP lead may change, made with the token in the header.
    const proceeding = (
      await http().post(`/reviews/${reviewId}/proceedings`).set('Cookie', cookie).set('X-CSRF-Token', csrfToken).send({ type: 'criminal', status: 'active', description: 'Trial' }).expect(201)
    ).body as { id: string; version: number };
    const path = `/reviews/${reviewId}/proceedings/${proceeding.id}`;
    const before = (await http().get(path).set('Cookie', cookie).expect(200)).body;

    const multipartPatch = await http()
      .patch(`${path}?_csrf=${csrfToken}`)
      .set('Cookie', cookie)
      .set('If-Match', `"${proceeding.version}"`)
      .field('description', 'Changed')
      .attach('file', fixtures.pdf('patch'), { filename: 'patch.pdf', contentType: MIME.pdf });
    expect([multipartPatch.status, multipartPatch.body]).toEqual([403, CSRF_REFUSED]);
    const jsonPatch = await http().patch(`${path}?_csrf=${csrfToken}`).set('Cookie', cookie).set('If-Match', `"${proceeding.version}"`).send({ description: 'Changed' });
    expect([jsonPatch.status, jsonPatch.body]).toEqual([403, CSRF_REFUSED]);
    const multipartPut = await http()
      .put(`/reviews/${reviewId}/publication?_csrf=${csrfToken}`)
      .set('Cookie', cookie)
      .field('redactionLog', 'Names replaced.')
      .attach('file', fixtures.pdf('put'), { filename: 'put.pdf', contentType: MIME.pdf });
    expect([multipartPut.status, multipartPut.body]).toEqual([403, CSRF_REFUSED]);
    expect((await http().get(path).set('Cookie', cookie).expect(200)).body).toEqual(before);
    expect((await http().get(`/reviews/${reviewId}/publication`).set('Cookie', cookie)).status).toBe(404);

    // The same PATCH with the token in the header goes through (the refusals above were the token's).
    await http().patch(path).set('Cookie', cookie).set('X-CSRF-Token', csrfToken).set('If-Match', `"${proceeding.version}"`).send({ description: 'Changed' }).expect(200);

    const signOut = await http().delete(`/auth/sessions/current?_csrf=${csrfToken}`).set('Cookie', cookie);
    expect([signOut.status, signOut.body]).toEqual([403, CSRF_REFUSED]);
    // The session was not ended.
    await http().get('/auth/session').set('Cookie', cookie).expect(200);
  });

  it('no log line written in this file holds the token', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(csrfToken))).toEqual([]);
  });
});
