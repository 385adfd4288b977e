import SwaggerParser from '@apidevtools/swagger-parser';
import { Client } from 'pg';
import request from 'supertest';
import { REVIEW_EVENT_TYPES } from '../src/reviews/lifecycle';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { createTestDatabase, TestDatabase } from './support/databases';
import { waitFor } from '../src/infrastructure/local-services/ports';
import { startTcpProxy } from './support/tcp-proxy';
import { startTestApp, testConfig, TestContext } from './support/test-app';

describe('health and API documentation (real PostgreSQL and Redis)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('GET /health answers that the process is alive', async () => {
    const res = await request(ctx.api.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /health/ready is 200 with PostgreSQL, migrations and Redis all up', async () => {
    const res = await request(ctx.api.getHttpServer()).get('/health/ready');
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    expect(res.body).toMatchObject({
      status: 'ready',
      failing: [],
      checks: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('every response carries a request id, echoing a well-formed one that was sent', async () => {
    const given = await request(ctx.api.getHttpServer()).get('/health').set('X-Request-Id', 'trace-123');
    expect(given.headers['x-request-id']).toBe('trace-123');
    const fresh = await request(ctx.api.getHttpServer()).get('/health').set('X-Request-Id', 'not a valid id!');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/api/docs-json is a valid OpenAPI document describing the health routes', async () => {
    const res = await request(ctx.api.getHttpServer()).get('/api/docs-json').expect(200);
    const validated = await SwaggerParser.validate(structuredClone(res.body));
    expect(validated.info.title).toBe('Domestic Homicide Review engine');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready']));
    const events = res.body.paths['/reviews/{id}/events'].post.requestBody.content['application/json'].schema;
    expect(events.oneOf.map((s: { title: string }) => s.title)).toEqual([...REVIEW_EVENT_TYPES]);
    const decide = events.oneOf.find((s: { title: string }) => s.title === 'DECIDE');
    expect(decide.required).toEqual(expect.arrayContaining(['type', 'outcome', 'rationale', 'decidedAt']));
    expect(decide.additionalProperties).toBe(false);
    const ui = await request(ctx.api.getHttpServer()).get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });
});

describe('readiness when a service goes away', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('answers 503 naming Redis within 2 seconds once Redis stops, and recovers when it returns', async () => {
    const proxy = await startTcpProxy(process.env.TEST_REDIS_URL!);
    const config = testConfig(database.url, { REDIS_URL: proxy.url });
    const app = await createApiApp(config, createRootLogger(config));
    await app.init();
    try {
      // The connection to Redis (through the proxy) takes a moment after start-up.
      const ready = await waitFor(async () => (await request(app.getHttpServer()).get('/health/ready')).status === 200, 10_000);
      expect(ready).toBe(true);
      await proxy.stop();

      const started = Date.now();
      const res = await request(app.getHttpServer()).get('/health/ready');
      const elapsed = Date.now() - started;
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 503,
        body: {
          failing: ['redis'],
          message: 'Not ready: redis unavailable',
          checks: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'down', error: expect.any(String) } },
        },
      });
      expect(elapsed).toBeLessThan(2000);
    } finally {
      await app.close();
    }
  });

  it('waits for Redis while its first connection is still opening (a slow start) instead of answering 503', async () => {
    // Redis accepts the connection but answers nothing for 600 ms, as on a loaded machine.
    const proxy = await startTcpProxy(process.env.TEST_REDIS_URL!, { delayMs: 600 });
    const config = testConfig(database.url, { REDIS_URL: proxy.url });
    const app = await createApiApp(config, createRootLogger(config));
    await app.init();
    try {
      const res = await request(app.getHttpServer()).get('/health/ready');
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 200,
        body: { status: 'ready', failing: [], checks: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' } } },
      });
    } finally {
      await app.close();
      await proxy.stop();
    }
  });

  it('answers 503 naming migrations when the database schema is behind the code', async () => {
    const empty = await createTestDatabase();
    const c = new Client({ connectionString: empty.url });
    await c.connect();
    await c.query('DROP TABLE schema_migrations');
    await c.end();
    const config = testConfig(empty.url);
    const app = await createApiApp(config, createRootLogger(config));
    await app.init();
    try {
      const res = await request(app.getHttpServer()).get('/health/ready');
      // On failure the whole answer is shown: which check failed and why.
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 503,
        body: {
          failing: ['migrations'],
          checks: { database: { status: 'up' }, migrations: { status: 'down', error: expect.stringMatching(/migrations are pending/) }, redis: { status: 'up' } },
        },
      });
    } finally {
      await app.close();
      await empty.drop();
    }
  });
});
