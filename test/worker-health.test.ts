import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import request from 'supertest';
import { createWorkerApp } from '../src/infrastructure/bootstrap/applications';
import type { AppConfig } from '../src/infrastructure/config/app-config';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { createTestDatabase, TestDatabase, testRedisUrl } from './support/databases';
import { testPort } from './support/ports';
import { reviewApi } from './support/review-api';
import { startTcpProxy } from './support/tcp-proxy';
import { startTestApp, testConfig, TestClock, TestContext } from './support/test-app';

/** Polls `read` until `ok` holds, or fails naming what it last saw. */
async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A TCP proxy in front of a shared server (PostgreSQL or Redis) that can go away (the listener
 * closed, every open connection cut, new ones refused, as when the server stops) and come back
 * on the same port, which the worker's pools keep. The port is a test port, not an ephemeral
 * one, so nothing else takes it while the proxy is away.
 */
async function outageProxy(targetUrl: string) {
  const port = await testPort();
  let proxy: { url: string; stop(): Promise<void> } | null = await startTcpProxy(targetUrl, { port });
  return {
    url: proxy.url,
    async away() {
      await proxy?.stop();
      proxy = null;
    },
    async back() {
      proxy ??= await startTcpProxy(targetUrl, { port });
    },
  };
}

type WorkerReadiness = {
  status: number;
  body: { status: string; failing: Record<string, string>; checks: Record<string, { status: string; error?: string }> };
};

/**
 * The worker's own health server (WORKER_HEALTH_PORT): live while the process runs; ready only
 * while PostgreSQL and Redis answer (503 naming the one that is away, 200 again once it is
 * back). The worker reaches the shared PostgreSQL and Redis through proxies this file can take
 * away; real worker, its own database and queue prefix.
 */
describe('the worker’s health server (WORKER_HEALTH_PORT)', () => {
  let database: TestDatabase;
  let postgres: Awaited<ReturnType<typeof outageProxy>>;
  let redis: Awaited<ReturnType<typeof outageProxy>>;
  let worker: INestApplicationContext;
  let config: AppConfig;
  let healthPort: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    postgres = await outageProxy(database.url);
    redis = await outageProxy(testRedisUrl());
    healthPort = await testPort();
    config = testConfig(postgres.url, { REDIS_URL: redis.url, WORKER_HEALTH_PORT: String(healthPort), REMINDER_DISPATCH_MS: '200' });
    worker = await createWorkerApp(config, createRootLogger(config, 'test'));
    await worker.init();
  });
  afterAll(async () => {
    await postgres?.back();
    await redis?.back();
    // BullMQ's Worker.close() never returns if it comes while the worker's blocking Redis
    // connection is still reconnecting (taskforcesh/bullmq#4656): let the worker be taking jobs
    // again first. The Redis test asserts this; here it is only a precaution.
    await workerTakesJobs().catch(() => undefined);
    await worker?.close();
    await postgres?.away();
    await redis?.away();
    await database?.drop();
  });

  const get = (path: string) => fetch(`http://127.0.0.1:${healthPort}${path}`);
  const readiness = async (): Promise<WorkerReadiness> => {
    const res = await get('/health/ready');
    return { status: res.status, body: (await res.json()) as WorkerReadiness['body'] };
  };
  const allUp: WorkerReadiness = {
    status: 200,
    body: { status: 'ready', failing: {}, checks: { database: { status: 'up' }, redis: { status: 'up' }, reminders: { status: 'up' } } },
  };
  const anError = expect.stringMatching(/\S/);

  /**
   * While `server` is away: /health/ready is 503 `not_ready` with what fails (`expected`), and
   * /health/live still 200; once it is back, ready with everything up again.
   */
  async function notReadyWhileAway(server: { away(): Promise<void>; back(): Promise<void> }, expected: Pick<WorkerReadiness['body'], 'failing' | 'checks'>) {
    await until('ready before the outage', readiness, (r) => r.status === 200);
    await server.away();
    try {
      const down = await until('not ready', readiness, (r) => r.status !== 200);
      expect(down).toEqual({ status: 503, body: { status: 'not_ready', ...expected } });
      expect((await get('/health/live')).status).toBe(200);
    } finally {
      await server.back();
    }
    expect(await until('ready again', readiness, (r) => r.status === 200)).toEqual(allUp);
  }

  /**
   * A job on each of the worker's queues (put in Redis directly, not through the proxy), and
   * how each ended once the worker had taken and run it: proof that the worker consumes again.
   */
  async function workerTakesJobs(ms = 15_000) {
    const ended: Record<string, { state: string; result: unknown }> = {};
    for (const [name, job] of [['maintenance', 'heartbeat'], ['reminders', 'send-digests']] as const) {
      const queue = new Queue(name, { connection: { url: testRedisUrl() }, prefix: config.queue.prefix });
      try {
        const added = await queue.add(job, { echo: 'after the outage' });
        const state = await until(`${name}/${job} run by the worker`, () => added.getState(), (s) => s === 'completed' || s === 'failed', ms);
        ended[job] = { state, result: (await queue.getJob(added.id!))?.returnvalue };
      } finally {
        await queue.close();
      }
    }
    return ended;
  }

  it('/health/live answers 200, and /health/ready is 200 with PostgreSQL, Redis and reminders up', async () => {
    const live = await get('/health/live');
    expect({ status: live.status, type: live.headers.get('content-type'), body: await live.json() }).toEqual({
      status: 200,
      type: 'application/json',
      body: { status: 'ok' },
    });
    // Redis's first connection (through the proxy) may take a moment after start-up.
    expect(await until('ready', readiness, (r) => r.status === 200)).toEqual(allUp);
  });

  it('/health/ready answers 503 naming the database while PostgreSQL is away (still live), and 200 once it is back', async () => {
    await notReadyWhileAway(postgres, {
      failing: { database: anError, reminders: anError },
      checks: { database: { status: 'down', error: anError }, redis: { status: 'up' }, reminders: { status: 'down', error: anError } },
    });
  });

  it('/health/ready answers 503 naming Redis while Redis is away (still live), and 200 once it is back, the worker taking jobs again', async () => {
    await notReadyWhileAway(redis, {
      failing: { redis: anError },
      checks: { database: { status: 'up' }, redis: { status: 'down', error: anError }, reminders: { status: 'up' } },
    });
    // And it does work again: each of its queues' jobs is taken and run.
    expect(await workerTakesJobs()).toEqual({
      heartbeat: { state: 'completed', result: { echo: 'after the outage', databaseTime: expect.any(String) } },
      'send-digests': { state: 'completed', result: { digests: 0, items: 0, dropped: 0, alreadySent: 0 } },
    });
  });
});

/**
 * An outbox row (here: the reminders of a new review's clock, to be planned by the worker)
 * left unprocessed for longer than REMINDER_STALLED_AFTER_MS, with no worker running: the API
 * stays ready (200) but says reminders are degraded, and /health/reminders answers 503 for a
 * monitor. Time by a test clock; the row's created_at is PostgreSQL's.
 */
describe('the API’s readiness when an outbox row has waited too long', () => {
  const clock = new TestClock(new Date());
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await startTestApp({ clock, env: { REMINDER_STALLED_AFTER_MS: '60000' } });
  });
  afterAll(() => ctx?.close());

  it('reports reminders degraded under /health/ready (still 200) and answers 503 on /health/reminders', async () => {
    const api = reviewApi(ctx.api);
    clock.set(new Date().toISOString());
    await api.openReview((await api.createCsp()).id);
    const http = () => request(ctx.api.getHttpServer());

    // Just written: pending, but not yet waiting too long.
    const fresh = await http().get('/health/ready');
    expect({ status: fresh.status, body: fresh.body }).toMatchObject({
      status: 200,
      body: { status: 'ready', failing: [], degraded: [], reminders: { status: 'flowing', owed: 0, outboxPending: expect.any(Number) } },
    });
    expect(fresh.body.reminders.outboxPending).toBeGreaterThan(0);
    expect((await http().get('/health/reminders')).status).toBe(200);

    // Two minutes on, the limit one minute: the oldest outbox row has waited too long.
    clock.set(new Date(Date.now() + 120_000).toISOString());
    const stalled = await http().get('/health/ready');
    expect({ status: stalled.status, body: stalled.body }).toMatchObject({
      status: 200,
      body: {
        status: 'ready',
        failing: [],
        checks: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' } },
        degraded: ['reminders'],
        reminders: {
          status: 'stalled',
          owed: 0,
          outboxPending: fresh.body.reminders.outboxPending,
          reason: expect.stringMatching(/reminders are not flowing: \d+ outbox rows unprocessed, the oldest for \d+ s \(limit 60 s\)/),
        },
      },
    });
    expect(stalled.body.reminders.oldestOutboxSeconds).toBeGreaterThan(60);
    const monitor = await http().get('/health/reminders');
    expect({ status: monitor.status, body: monitor.body }).toMatchObject({
      status: 503,
      body: { status: 'stalled', owed: 0, reason: expect.stringMatching(/outbox rows unprocessed/) },
    });
  });
});
