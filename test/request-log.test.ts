import { Writable } from 'node:stream';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { RefusalRecorder } from '../src/audit/refusal-recorder';
import { IdentityService } from '../src/identity/identity.service';
import { SessionService } from '../src/identity/sessions.service';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { createTestDatabase, TestDatabase } from './support/databases';
import { testConfig } from './support/test-app';

type LogLine = { requestId?: string; msg?: string; context?: string; level: number };

/**
 * README, "Configuration": every log line written while serving a request carries its
 * requestId, which the response returns in X-Request-Id; and every response carries one, even
 * a request refused before any route (the body parser's 400), whose access log row has it too.
 */
describe('request ids in the logs', () => {
  let database: TestDatabase;
  let app: NestExpressApplication;
  const lines: LogLine[] = [];
  const http = () => request(app.getHttpServer());
  const PASSWORD = 'correct horse battery staple';

  beforeAll(async () => {
    database = await createTestDatabase();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    const config = testConfig(database.url, { LOG_LEVEL: 'info', TRUST_ACTOR_HEADER: 'false' });
    app = await createApiApp(config, createRootLogger(config, 'test', sink));
    await app.init();
    const user = await app.get(IdentityService).addUser({ email: 'logged@maldon.gov.uk', displayName: 'Logged Person' });
    await app.get(SessionService).setPassword(user.id, PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  /** The lines logged with this request id, once its "request completed" line is written. */
  async function linesOf(requestId: string): Promise<LogLine[]> {
    const deadline = Date.now() + 5_000;
    while (!lines.some((l) => l.requestId === requestId && l.msg === 'request completed')) {
      if (Date.now() > deadline) throw new Error(`no request completed line for ${requestId}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return lines.filter((l) => l.requestId === requestId);
  }

  it('the lines the services write while serving a request carry its id: nothing is logged without one meanwhile', async () => {
    const from = lines.length;
    await http().post('/auth/sessions').set('X-Request-Id', 'log-sign-in').send({ email: 'logged@maldon.gov.uk', password: PASSWORD }).expect(201);
    for (let i = 1; i <= 5; i++) {
      await http().post('/auth/sessions').set('X-Request-Id', `log-wrong-${i}`).send({ email: 'logged@maldon.gov.uk', password: `wrong password ${i}` }).expect(401);
    }
    // The sign-in service's own line, beside the request logger's.
    expect((await linesOf('log-sign-in')).map((l) => l.msg)).toEqual(['signed in', 'request completed']);
    // The failure that locks the account is told by the service, in that request.
    expect((await linesOf('log-wrong-5')).map((l) => l.msg)).toEqual(['account locked after 5 failed sign-ins', 'request completed']);
    const during = lines.slice(from);
    expect(during.length).toBeGreaterThanOrEqual(8);
    expect(during.filter((l) => l.requestId === undefined)).toEqual([]);
  });

  it('a request refused before any route (a body the JSON parser refuses) has an id in its answer and in its access log row', async () => {
    const refused = await http().post('/csps').set('X-Request-Id', 'log-bad-json').set('Content-Type', 'application/json').send('{"code":').expect(400);
    expect(refused.headers['x-request-id']).toBe('log-bad-json');
    const fresh = await http().post('/csps').set('Content-Type', 'application/json').send('{"code":').expect(400);
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await app.get(RefusalRecorder).flush();
    const rows = await app.get(DataSource).query(`SELECT request_id, status FROM access_log WHERE path = '/csps' ORDER BY id`);
    expect(rows).toEqual([
      { request_id: 'log-bad-json', status: 400 },
      { request_id: fresh.headers['x-request-id'], status: 400 },
    ]);
  });
});
