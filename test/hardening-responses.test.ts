import { Writable } from 'node:stream';
import { Client } from 'pg';
import request from 'supertest';
import { QueryFailedError } from 'typeorm';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { isDatabaseUnavailable } from '../src/infrastructure/http/database-unavailable';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { createTestDatabase, TestDatabase } from './support/databases';
import { reviewApi } from './support/review-api';
import { startTcpProxy } from './support/tcp-proxy';
import { testConfig } from './support/test-app';

const LEAD = 'csp.lead@maldon.gov.uk';
/** The value a person typed, with a NUL in it: it must reach neither the database nor the log. */
const SECRET = 'Jane Marker-Sentinel';
const NUL_VALUE = `${SECRET}\u0000x`;

/** An API whose log lines (pino JSON, level info and above) land in `lines`. */
async function capturedApp(databaseUrl: string, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = testConfig(databaseUrl, { LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '100000', ...env });
  const app = await createApiApp(config, createRootLogger(config, 'test', sink));
  await app.init();
  return { app, lines, config };
}

/** Rows in every table but the audit of requests (which records refusals too). */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = (
      await client.query<{ t: string }>(`SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`)
    ).rows.map((r) => r.t);
    const counts: Record<string, number> = {};
    for (const t of tables) {
      if (/access_log|session|migrations/.test(t)) continue;
      counts[t] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

describe('hardened responses', () => {
  let database: TestDatabase;
  let app: NestExpressApplication;
  let lines: string[];
  let cspId: string;
  let reviewId: string;
  let version: number;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, lines } = await capturedApp(database.url));
    const api = reviewApi(app, LEAD);
    cspId = (await api.createCsp('NULTEST')).id;
    const review = await api.openReview(cspId);
    reviewId = review.id;
    version = review.version;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  describe('a NUL character in free text', () => {
    const cases: Array<{ name: string; send: () => request.Test; field: string }> = [
      { name: 'CSP name (JSON)', field: 'name', send: () => http().post('/csps').set('X-Actor', 'admin').send({ code: 'NULCSP', name: NUL_VALUE }) },
      ...(['policeForce', 'policeReference', 'circumstances'] as const).map((field) => ({
        name: `new review ${field} (JSON)`,
        field,
        send: () =>
          http()
            .post('/reviews')
            .set('X-Actor', LEAD)
            .send({ cspId, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'P/1', circumstances: 'At home.', [field]: NUL_VALUE }),
      })),
      {
        name: 'decision rationale (JSON event)',
        field: 'rationale',
        send: () => http().post(`/reviews/${reviewId}/events`).set('X-Actor', LEAD).send({ type: 'DECIDE', outcome: 'proceed', rationale: NUL_VALUE, decidedAt: '2026-01-20' }),
      },
      ...(['realName', 'pseudonym', 'notes'] as const).map((field) => ({
        name: `person ${field} (JSON)`,
        field,
        send: () =>
          http()
            .post(`/reviews/${reviewId}/people`)
            .set('X-Actor', LEAD)
            .send({ role: 'victim', realName: 'Real Name', pseudonym: 'Adult A', notes: 'n', [field]: NUL_VALUE }),
      })),
      { name: 'a nested key', field: 'people.0.name', send: () => http().post('/csps').set('X-Actor', 'admin').send({ code: 'NULCSP', name: 'ok', people: [{ name: NUL_VALUE }] }) },
      { name: 'query string', field: 'due_before', send: () => http().get(`/deadlines?due_before=${encodeURIComponent(NUL_VALUE)}`).set('X-Actor', LEAD) },
      { name: 'path', field: 'path', send: () => http().get(`/reviews/${encodeURIComponent(NUL_VALUE)}`).set('X-Actor', LEAD) },
      {
        name: 'web form post (urlencoded)',
        field: 'rationale',
        send: () =>
          http()
            .post(`/cases/${reviewId}/events`)
            .set('X-Actor', LEAD)
            .type('form')
            .send({ type: 'DECIDE', version: String(version), outcome: 'proceed', rationale: NUL_VALUE, 'decidedAt-day': '20', 'decidedAt-month': '1', 'decidedAt-year': '2026' }),
      },
      {
        name: 'multipart form field',
        field: 'title',
        send: () => http().post(`/reviews/${reviewId}/documents`).set('X-Actor', LEAD).field('kind', 'other').field('title', NUL_VALUE).attach('file', Buffer.from('%PDF-1.4\u0000binary'), 'a.pdf'),
      },
    ];

    it.each(cases)('$name → 400 naming the field; nothing written, nothing of it logged', async ({ send, field }) => {
      const before = await rowCounts(database.url);
      const from = lines.length;
      const res = await send();
      expect(res.status).toBe(400);
      const text = res.headers['content-type']?.includes('json') ? JSON.stringify(res.body) : res.text;
      expect(text).toContain(field);
      expect(text).toContain('must not contain a NUL character');
      expect(await rowCounts(database.url)).toEqual(before);
      const logged = lines.slice(from).join('\n');
      expect(logged).not.toContain(SECRET);
      expect(logged).not.toContain('parameters');
      expect(logged).not.toMatch(/"level":50/);
    });

    it('a database error is logged without its SQL, bound values or driver detail (API and worker share this logger)', () => {
      const captured: string[] = [];
      const sink = new Writable({
        write(chunk, _e, done) {
          captured.push(String(chunk));
          done();
        },
      });
      const logger = createRootLogger({ log: { level: 'info' } } as never, 'worker', sink);
      const driverError = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', detail: `Key (real_name)=(${SECRET}) already exists.` });
      const err = new QueryFailedError('INSERT INTO person (real_name) VALUES ($1)', [SECRET], driverError);
      logger.error({ err, cause: err }, 'unhandled error');
      logger.error(err, 'job failed');
      logger.error({ err: new Error('wrapped', { cause: err }) }, 'wrapped');
      const syntax = new QueryFailedError('SELECT $1::uuid', [SECRET], Object.assign(new Error(`invalid input syntax for type uuid: "${SECRET}"`), { code: '22P02' }));
      logger.error({ err: syntax }, 'unhandled error');
      expect(captured.join('')).toContain('invalid input syntax for type uuid: \\"[value not logged]\\"');
      const text = captured.join('');
      expect(text).toContain('duplicate key value');
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('parameters');
      expect(text).not.toContain('INSERT INTO');
    });
  });

  describe('impossible or out-of-range dates', () => {
    const DATES = ['2026-02-30', '2026-02-29', '0000-01-01', '1899-12-31', '2201-01-01', '9999-12-31', '2026-13-01', '2026-1-5'];
    const INSTANTS = ['2026-02-30T10:00:00Z', '0000-01-01T10:00:00Z', '2201-01-01T10:00:00Z', '9999-12-31T23:59:59+01:00', '2026-04-01T25:00:00Z'];
    const review = (field: string, value: string) =>
      http()
        .post('/reviews')
        .set('X-Actor', LEAD)
        .send({ cspId, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'P/1', circumstances: 'At home.', [field]: value });
    const cases: Array<{ name: string; field: string; values: string[]; send: (v: string) => request.Test }> = [
      { name: 'new review dateOfDeath', field: 'dateOfDeath', values: DATES, send: (v) => review('dateOfDeath', v) },
      { name: 'new review notifiedOn', field: 'notifiedOn', values: DATES, send: (v) => review('notifiedOn', v) },
      {
        name: 'decision decidedAt (lifecycle event)',
        field: 'decidedAt',
        values: DATES,
        send: (v) => http().post(`/reviews/${reviewId}/events`).set('X-Actor', LEAD).send({ type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: v }),
      },
      { name: 'deadlines ?due_before (date)', field: 'due_before', values: DATES, send: (v) => http().get(`/deadlines?due_before=${v}`).set('X-Actor', LEAD) },
      { name: 'deadlines ?due_before (date-time)', field: 'due_before', values: INSTANTS, send: (v) => http().get(`/deadlines?due_before=${encodeURIComponent(v)}`).set('X-Actor', LEAD) },
      {
        name: 'meeting startsAt',
        field: 'startsAt',
        values: INSTANTS,
        send: (v) => http().post(`/reviews/${reviewId}/meetings`).set('X-Actor', LEAD).send({ startsAt: v, location: 'Council Offices' }),
      },
      {
        name: 'web form decision date',
        field: 'Date of the decision',
        values: ['30/2/2026', '1/1/0000', '1/1/2201'],
        send: (v) => {
          const [day, month, year] = v.split('/');
          return http()
            .post(`/cases/${reviewId}/events`)
            .set('X-Actor', LEAD)
            .type('form')
            .send({ type: 'DECIDE', version: String(version), outcome: 'proceed', rationale: 'Criteria met.', 'decidedAt-day': day, 'decidedAt-month': month, 'decidedAt-year': year });
        },
      },
    ];

    it.each(cases)('$name → 400 naming the field, nothing written', async ({ field, values, send }) => {
      for (const value of values) {
        const before = await rowCounts(database.url);
        const res = await send(value);
        const text = res.headers['content-type']?.includes('json') ? JSON.stringify(res.body) : res.text;
        expect({ value, status: res.status }).toEqual({ value, status: 400 });
        expect(text).toContain(field);
        expect(await rowCounts(database.url)).toEqual(before);
      }
    });

    it('the bounds themselves are accepted: 1900-01-01 and 2200-12-31', async () => {
      await http().get('/deadlines?due_before=2200-12-31').set('X-Actor', LEAD).expect(200);
      await http().get('/deadlines?due_before=1900-01-01T00:00:00Z').set('X-Actor', LEAD).expect(200);
      const res = await review('dateOfDeath', '1900-01-01');
      expect(res.status).toBe(201);
    });
  });

  describe('impossible or out-of-range dates', () => {
    const DATES = ['2026-02-30', '2026-02-29', '0000-01-01', '1899-12-31', '2201-01-01', '9999-12-31', '2026-13-01', '2026-1-5'];
    const INSTANTS = ['2026-02-30T10:00:00Z', '0000-01-01T10:00:00Z', '2201-01-01T10:00:00Z', '9999-12-31T23:59:59+01:00', '2026-04-01T25:00:00Z'];
    const review = (field: string, value: string) =>
      http()
        .post('/reviews')
        .set('X-Actor', LEAD)
        .send({ cspId, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'P/1', circumstances: 'At home.', [field]: value });
    const cases: Array<{ name: string; field: string; values: string[]; send: (v: string) => request.Test }> = [
      { name: 'new review dateOfDeath', field: 'dateOfDeath', values: DATES, send: (v) => review('dateOfDeath', v) },
      { name: 'new review notifiedOn', field: 'notifiedOn', values: DATES, send: (v) => review('notifiedOn', v) },
      {
        name: 'decision decidedAt (lifecycle event)',
        field: 'decidedAt',
        values: DATES,
        send: (v) => http().post(`/reviews/${reviewId}/events`).set('X-Actor', LEAD).send({ type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: v }),
      },
      { name: 'deadlines ?due_before (date)', field: 'due_before', values: DATES, send: (v) => http().get(`/deadlines?due_before=${v}`).set('X-Actor', LEAD) },
      { name: 'deadlines ?due_before (date-time)', field: 'due_before', values: INSTANTS, send: (v) => http().get(`/deadlines?due_before=${encodeURIComponent(v)}`).set('X-Actor', LEAD) },
      {
        name: 'meeting startsAt',
        field: 'startsAt',
        values: INSTANTS,
        send: (v) => http().post(`/reviews/${reviewId}/meetings`).set('X-Actor', LEAD).send({ startsAt: v, location: 'Council Offices' }),
      },
      {
        name: 'web form decision date',
        field: 'Date of the decision',
        values: ['30/2/2026', '1/1/0000', '1/1/2201'],
        send: (v) => {
          const [day, month, year] = v.split('/');
          return http()
            .post(`/cases/${reviewId}/events`)
            .set('X-Actor', LEAD)
            .type('form')
            .send({ type: 'DECIDE', version: String(version), outcome: 'proceed', rationale: 'Criteria met.', 'decidedAt-day': day, 'decidedAt-month': month, 'decidedAt-year': year });
        },
      },
    ];

    it.each(cases)('$name → 400 naming the field, nothing written', async ({ field, values, send }) => {
      for (const value of values) {
        const before = await rowCounts(database.url);
        const res = await send(value);
        const text = res.headers['content-type']?.includes('json') ? JSON.stringify(res.body) : res.text;
        expect({ value, status: res.status }).toEqual({ value, status: 400 });
        expect(text).toContain(field);
        expect(await rowCounts(database.url)).toEqual(before);
      }
    });

    it('the bounds themselves are accepted: 1900-01-01 and 2200-12-31', async () => {
      await http().get('/deadlines?due_before=2200-12-31').set('X-Actor', LEAD).expect(200);
      await http().get('/deadlines?due_before=1900-01-01T00:00:00Z').set('X-Actor', LEAD).expect(200);
      const res = await review('dateOfDeath', '1900-01-01');
      expect(res.status).toBe(201);
    });
  });

  describe('HEAD, caching', () => {
    it('HEAD is served as GET without a body, and nothing is logged at error level', async () => {
      const from = lines.length;
      for (const path of ['/reviews', `/reviews/${reviewId}`, '/health', '/csps']) {
        const res = await http().head(path).set('X-Actor', LEAD);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect(res.text ?? '').toBe('');
      }
      const logged = lines.slice(from);
      expect(logged.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    });

    it('API answers with case content, and errors, are Cache-Control: no-store', async () => {
      for (const res of [
        await http().get(`/reviews/${reviewId}`).set('X-Actor', LEAD).expect(200),
        await http().get('/reviews').set('X-Actor', LEAD).expect(200),
        await http().get('/reviews/4b7a3f0e-1111-4222-8333-944444444444').set('X-Actor', LEAD).expect(404),
        await http().get(`/cases/${reviewId}`).set('X-Actor', LEAD).set('Accept', 'text/html').expect(200),
      ]) {
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });
  });
});

describe('while PostgreSQL is unavailable', () => {
  it('the API answers 503 with Retry-After and a plain message, logged as a warning, and recovers', async () => {
    const database = await createTestDatabase();
    let proxy = await startTcpProxy(database.url);
    const port = new URL(proxy.url).port;
    const { app, lines } = await capturedApp(proxy.url);
    const http = () => request(app.getHttpServer());
    try {
      await http().get('/csps').set('X-Actor', LEAD).expect(200);
      await proxy.stop();
      const from = lines.length;
      // Connections cut under the pool ("Connection terminated"), then refused (ECONNREFUSED).
      for (let i = 0; i < 4; i++) {
        const res = await http().get('/csps').set('X-Actor', LEAD);
        expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: expect.objectContaining({ statusCode: 503, message: 'The database is unavailable; try again in a few moments.' }) });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        const write = await http().post('/csps').set('X-Actor', 'admin').send({ code: 'DOWN', name: 'Down CSP' });
        expect(write.status).toBe(503);
      }
      expect(lines.slice(from).filter((l) => /"level":(50|60)/.test(l) && !/request errored/.test(l))).toEqual([]);
      // Back on the same port: the API serves again.
      proxy = await startTcpProxy(database.url, { port: Number(port) });
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await http().get('/csps').set('X-Actor', LEAD)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    } finally {
      await app.close();
      await proxy.stop();
      await database.drop();
    }
  });
});

describe('which errors mean the database is unavailable (503), and which do not (500)', () => {
  const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['refused on every address (AggregateError)', new AggregateError([pg('ECONNREFUSED'), pg('ECONNREFUSED')], '')],
    ['administrator shutdown (57P01)', new QueryFailedError('SELECT 1', [], pg('57P01', 'terminating connection due to administrator command'))],
    ['starting up (57P03)', pg('57P03', 'the database system is starting up')],
    ['cut mid-query', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['connection timeout', new Error('Connection terminated due to connection timeout')],
  ])('%s → unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
  it.each([
    ['unique violation', new QueryFailedError('INSERT', [], pg('23505', 'duplicate key value violates unique constraint'))],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('%s → not unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

