import request from 'supertest';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { createTestDatabase, testRedisUrl, uniqueQueuePrefix } from './support/databases';
import { startTcpProxy } from './support/tcp-proxy';
import { startTestApp, testConfig, TestContext } from './support/test-app';

describe('HTTP hardening', () => {
  describe('defaults', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    });
    afterAll(() => ctx.close());

    it('sends security headers and no X-Powered-By', async () => {
      const res = await request(ctx.api.getHttpServer()).get('/reviews').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('has CORS off unless origins are configured', async () => {
      const res = await request(ctx.api.getHttpServer()).options('/reviews').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('limits requests per client per minute with 429, but never the health checks', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await request(ctx.api.getHttpServer()).get('/csps')).status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      const limited = await request(ctx.api.getHttpServer()).get('/csps');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      for (let i = 0; i < 10; i++) await request(ctx.api.getHttpServer()).get('/health').expect(200);
    });
  });

  it('allows only the configured origins, and refuses an oversized body with 413 naming the body', async () => {
    const ctx = await startTestApp({ env: { CORS_ORIGINS: 'https://dhr.essex.gov.uk' } });
    try {
      const ok = await request(ctx.api.getHttpServer()).options('/reviews').set('Origin', 'https://dhr.essex.gov.uk').set('Access-Control-Request-Method', 'POST');
      expect(ok.headers['access-control-allow-origin']).toBe('https://dhr.essex.gov.uk');
      const other = await request(ctx.api.getHttpServer()).options('/reviews').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const body = await request(ctx.api.getHttpServer()).post('/csps').set('X-Actor', 'a').send({ code: 'BIG', name: 'x'.repeat(2 * 1024 * 1024) });
      expect(body.status).toBe(413);
      expect(body.body.errors[0].field).toBe('body');
    } finally {
      await ctx.close();
    }
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names, for the access log and rate limits', async () => {
    for (const [trustProxy, expected] of [
      ['1', '203.0.113.9'],
      ['false', null],
    ] as const) {
      const ctx = await startTestApp({ env: { TRUST_PROXY: trustProxy, RATE_LIMIT_PER_MINUTE: '1000' } });
      try {
        const http = () => request(ctx.api.getHttpServer());
        const csp = (await http().post('/csps').send({ code: 'PROXY', name: 'Proxy CSP' }).expect(201)).body.id;
        const review = (
          await http()
            .post('/reviews')
            .send({ cspId: csp, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'P/1', circumstances: 'x' })
            .expect(201)
        ).body.id;
        await http().get(`/reviews/${review}`).set('X-Forwarded-For', '203.0.113.9').expect(200);
        const log = (await http().get(`/reviews/${review}/access-log`).expect(200)).body as Array<{ route: string; ip: string }>;
        const read = log.find((e) => e.route === '/reviews/:id');
        if (expected) expect(read?.ip).toBe(expected);
        else expect(read?.ip).not.toBe('203.0.113.9');
      } finally {
        await ctx.close();
      }
    }
  });

  describe('rate limits counted in Redis', () => {
    it('share one count per client between API processes (same Redis and QUEUE_PREFIX)', async () => {
      const env = { RATE_LIMIT_PER_MINUTE: '5', QUEUE_PREFIX: uniqueQueuePrefix() };
      const first = await startTestApp({ env });
      const second = await startTestApp({ env });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await request(first.api.getHttpServer()).get('/csps')).status);
        for (let i = 0; i < 3; i++) statuses.push((await request(second.api.getHttpServer()).get('/csps')).status);
        // Five allowed in all, not five each: the sixth, sent to the other process, is refused.
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
        expect((await request(first.api.getHttpServer()).get('/csps')).status).toBe(429);
      } finally {
        await first.close();
        await second.close();
      }
    });

    it('keep answering while Redis is away, counting in the process until it returns', async () => {
      const database = await createTestDatabase();
      const proxy = await startTcpProxy(testRedisUrl());
      const config = testConfig(database.url, { REDIS_URL: proxy.url, RATE_LIMIT_PER_MINUTE: '5' });
      const app = await createApiApp(config, createRootLogger(config));
      await app.init();
      try {
        await proxy.stop();
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await request(app.getHttpServer()).get('/csps').set('X-Actor', 'a')).status);
        // Served (not a 500) while Redis is away, and still limited: per process, from zero.
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      } finally {
        await app.close();
        await database.drop();
      }
    });
  });
});
