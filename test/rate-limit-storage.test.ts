import { Writable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import IORedis from 'ioredis';
import request from 'supertest';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { waitFor } from '../src/infrastructure/local-services/ports';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { createTestDatabase, testRedisUrl, TestDatabase, uniqueQueuePrefix } from './support/databases';
import { startTcpProxy } from './support/tcp-proxy';
import { testConfig } from './support/test-app';

/**
 * README, "Lockout": rate limits are counted in Redis (`QUEUE_PREFIX:rate-limit:…`), so several
 * API processes share one count per address; while Redis is unreachable each process counts in
 * its own memory (logged once) rather than refusing requests. (SharedRateLimitStorage.)
 */

const IN_MEMORY = 'Redis unreachable: rate limits counted in this process only until it is back';
const BACK = 'rate limits counted in Redis again';
const SIGN_IN_LIMIT = 4;

type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** One API process: its own Nest app and its own log (pino JSON lines, info and above). */
interface ApiProcess {
  app: NestExpressApplication;
  lines: LogLine[];
  logged(msg: string): LogLine[];
}

async function apiProcess(databaseUrl: string, env: Record<string, string>): Promise<ApiProcess> {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  // TRUST_PROXY=1: each test names its client address in X-Forwarded-For, so the counts of one
  // test never meet another's.
  const config = testConfig(databaseUrl, { LOG_LEVEL: 'info', TRUST_PROXY: '1', ...env });
  const app = await createApiApp(config, createRootLogger(config, 'test', sink));
  await app.init();
  return { app, lines, logged: (msg) => lines.filter((l) => l.msg === msg) };
}

/** A sign-in from `address` that is refused (401) unless the rate limit refuses it first (429). */
function signInFrom(api: ApiProcess, address: string) {
  return request(api.app.getHttpServer())
    .post('/auth/sessions')
    .set('X-Forwarded-For', address)
    .send({ email: 'nobody@rate-limit.gov.uk', password: 'guessing again' });
}

/** `count` sign-ins from `address`, their statuses in order. */
async function signInStatuses(api: ApiProcess, address: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await signInFrom(api, address)).status);
  return statuses;
}

/** The Redis key of an address's sign-in count (SIGN_IN_THROTTLE's key, ThrottlerStorageRedisService's layout). */
function signInHitsKey(prefix: string, address: string): string {
  return `${prefix}:rate-limit:{sign-in:default:${address}:default}:hits`;
}

async function scanKeys(redis: IORedis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

function expectRetryAfter(res: request.Response): void {
  expect(res.status).toBe(429);
  const seconds = Number(res.headers['retry-after']);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(60);
}


describe('rate limits counted in Redis (SharedRateLimitStorage)', () => {
  let database: TestDatabase;
  let redis: IORedis;
  beforeAll(async () => {
    database = await createTestDatabase();
    redis = new IORedis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await database.drop();
  });

  describe('two API processes on one Redis and QUEUE_PREFIX', () => {
    const prefix = uniqueQueuePrefix();
    let first: ApiProcess;
    let second: ApiProcess;
    beforeAll(async () => {
      const env = { QUEUE_PREFIX: prefix, SIGN_IN_RATE_LIMIT_PER_MINUTE: String(SIGN_IN_LIMIT), RATE_LIMIT_PER_MINUTE: '3' };
      first = await apiProcess(database.url, env);
      second = await apiProcess(database.url, env);
    });
    afterAll(async () => {
      await first?.app.close();
      await second?.app.close();
    });

    it('keeps the count in Redis under QUEUE_PREFIX:rate-limit:, and reads it from there', async () => {
      const address = '192.0.2.11';
      expect(await signInStatuses(first, address, SIGN_IN_LIMIT)).toEqual([401, 401, 401, 401]);
      const key = signInHitsKey(prefix, address);
      expect(await redis.get(key)).toBe(String(SIGN_IN_LIMIT));
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      // That address's count is nowhere else under this QUEUE_PREFIX, nor in Redis without it.
      expect(await scanKeys(redis, `${prefix}:*sign-in:default:${address}:*`)).toEqual([key]);
      expect(await redis.exists(key.slice(`${prefix}:rate-limit:`.length))).toBe(0);

      // The count is Redis's, not a copy of one kept in the process: with it gone from Redis, a
      // fifth attempt (over the limit of 4, had the process counted) is not refused, and counts 1.
      await redis.del(key);
      expect((await signInFrom(first, address)).status).toBe(401);
      expect(await redis.get(key)).toBe('1');

      // The general limit (RATE_LIMIT_PER_MINUTE) counts under the same prefix.
      const before = await scanKeys(redis, `${prefix}:rate-limit:*`);
      await request(first.app.getHttpServer()).get('/csps').set('X-Actor', 'reader@rate-limit.gov.uk').set('X-Forwarded-For', address).expect(200);
      const added = (await scanKeys(redis, `${prefix}:rate-limit:*`)).filter((k) => !before.includes(k));
      expect(added).toEqual([expect.stringMatching(new RegExp(`^${prefix}:rate-limit:\\{[0-9a-f]{64}:default\\}:hits$`))]);
      expect(await redis.get(added[0])).toBe('1');

      expect(first.logged(IN_MEMORY)).toEqual([]);
    });

    it('shares one sign-in count per address between the processes: the fifth attempt, on either, is 429 with Retry-After', async () => {
      const address = '192.0.2.12';
      const other = '192.0.2.13';
      expect(await signInStatuses(first, address, 2)).toEqual([401, 401]);
      expect(await signInStatuses(second, address, 2)).toEqual([401, 401]);
      expectRetryAfter(await signInFrom(second, address));
      expectRetryAfter(await signInFrom(first, address));
      expect(await redis.get(signInHitsKey(prefix, address))).toBe('6');
      expect(await redis.pttl(`${prefix}:rate-limit:{sign-in:default:${address}:default}:blocked`)).toBeGreaterThan(0);

      // One count per address: another address, on either process, is not held to it.
      expect(await signInStatuses(first, other, 1)).toEqual([401]);
      expect(await signInStatuses(second, other, 1)).toEqual([401]);
      expect(await redis.get(signInHitsKey(prefix, other))).toBe('2');
    });

    it('shares the general per-minute limit, counted per route, between the processes too', async () => {
      const address = '192.0.2.14';
      const list = (api: ApiProcess) => request(api.app.getHttpServer()).get('/csps').set('X-Actor', 'reader@rate-limit.gov.uk').set('X-Forwarded-For', address);
      const statuses = [(await list(first)).status, (await list(second)).status, (await list(first)).status];
      expect(statuses).toEqual([200, 200, 200]);
      expectRetryAfter(await list(second));
      // Per route: another route, from the same address, has its own count (README's table).
      await request(first.app.getHttpServer()).get('/reviews').set('X-Actor', 'reader@rate-limit.gov.uk').set('X-Forwarded-For', address).expect(200);
      expect(first.logged(IN_MEMORY)).toEqual([]);
      expect(second.logged(IN_MEMORY)).toEqual([]);
    });
  });

  describe('while Redis is unreachable, and once it is back', () => {
    const prefix = uniqueQueuePrefix();
    let proxy: { stop(): Promise<void> };
    let proxyPort: number;
    let proxyUp = false;
    let first: ApiProcess;
    let second: ApiProcess;
    /** Every status answered while Redis was away. */
    const duringOutage: number[] = [];

    const connectionEvents = (api: ApiProcess, msg: string) => api.lines.filter((l) => l.msg === msg && l.role === 'rate-limit');

    beforeAll(async () => {
      const started = await startTcpProxy(testRedisUrl());
      proxy = started;
      proxyUp = true;
      proxyPort = Number(new URL(started.url).port);
      const env = { REDIS_URL: started.url, QUEUE_PREFIX: prefix, SIGN_IN_RATE_LIMIT_PER_MINUTE: String(SIGN_IN_LIMIT) };
      first = await apiProcess(database.url, env);
      second = await apiProcess(database.url, env);
      // The connections to Redis (through the proxy) take a moment after start-up.
      for (const api of [first, second]) {
        expect(await waitFor(async () => (await request(api.app.getHttpServer()).get('/health/ready')).status === 200, 10_000)).toBe(true);
      }
    });
    afterAll(async () => {
      // Closing waits on the Redis connections: bring Redis back first if a test left it away.
      if (!proxyUp) proxy = await startTcpProxy(testRedisUrl(), { port: proxyPort });
      await first?.app.close();
      await second?.app.close();
      await proxy.stop();
    });

    it('counts through the proxy in Redis before the outage', async () => {
      const address = '198.51.100.21';
      expect(await signInStatuses(first, address, 1)).toEqual([401]);
      expect(await signInStatuses(second, address, 1)).toEqual([401]);
      expect(await redis.get(signInHitsKey(prefix, address))).toBe('2');
    });

    it('refuses nothing, counts each process in its own memory (the limit still holding), and says so once per process', async () => {
      await proxy.stop();
      proxyUp = false;
      // Both processes' rate-limit connections have seen Redis go.
      for (const api of [first, second]) {
        expect(await waitFor(async () => connectionEvents(api, 'Redis connection error').length > 0, 5_000)).toBe(true);
      }

      const address = '198.51.100.22';
      // Per process: the first process allows its 4 and refuses the fifth...
      const onFirst = await signInStatuses(first, address, SIGN_IN_LIMIT);
      duringOutage.push(...onFirst);
      expect(onFirst).toEqual([401, 401, 401, 401]);
      const limitedOnFirst = await signInFrom(first, address);
      duringOutage.push(limitedOnFirst.status);
      expectRetryAfter(limitedOnFirst);
      // ...while the second, counting on its own, has seen none of them: its own 4, then 429.
      const onSecond = await signInStatuses(second, address, SIGN_IN_LIMIT);
      duringOutage.push(...onSecond);
      expect(onSecond).toEqual([401, 401, 401, 401]);
      const limitedOnSecond = await signInFrom(second, address);
      duringOutage.push(limitedOnSecond.status);
      expectRetryAfter(limitedOnSecond);

      // Another address is its own count in memory too; other routes (the general limit) are served.
      const elsewhere = await signInStatuses(first, '198.51.100.23', 3);
      duringOutage.push(...elsewhere);
      expect(elsewhere).toEqual([401, 401, 401]);
      for (let i = 0; i < 3; i++) {
        const res = await request(first.app.getHttpServer()).get('/csps').set('X-Actor', 'reader@rate-limit.gov.uk').set('X-Forwarded-For', address);
        duringOutage.push(res.status);
        expect(res.status).toBe(200);
      }
      expect(duringOutage.filter((s) => s >= 500)).toEqual([]);

      // Logged once per process, however many requests it counted in memory (here 11 and 5).
      for (const api of [first, second]) {
        const warnings = api.logged(IN_MEMORY);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatchObject({ level: 40, err: expect.any(String) });
        expect(api.logged(BACK)).toEqual([]);
      }
    });

    it('once Redis is back, says so (once) and the processes share one count again', async () => {
      proxy = await startTcpProxy(testRedisUrl(), { port: proxyPort });
      proxyUp = true;
      for (const api of [first, second]) {
        expect(await waitFor(async () => connectionEvents(api, 'Redis connection restored').length > 0, 10_000)).toBe(true);
      }

      const address = '198.51.100.24';
      expect(await signInStatuses(first, address, 2)).toEqual([401, 401]);
      expect(await signInStatuses(second, address, 2)).toEqual([401, 401]);
      expectRetryAfter(await signInFrom(first, address));
      expectRetryAfter(await signInFrom(second, address));
      expect(await redis.get(signInHitsKey(prefix, address))).toBe('6');

      for (const api of [first, second]) {
        expect(api.logged(BACK)).toHaveLength(1);
        expect(api.logged(BACK)[0]).toMatchObject({ level: 30 });
        expect(api.logged(IN_MEMORY)).toHaveLength(1);
        // The return is logged after the warning, not before.
        expect(api.lines.indexOf(api.logged(BACK)[0])).toBeGreaterThan(api.lines.indexOf(api.logged(IN_MEMORY)[0]));
      }
    });
  });
});
