import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Clock } from '../../src/infrastructure/clock/clock';
import { AppConfig } from '../../src/infrastructure/config/app-config';
import { loadConfig } from '../../src/infrastructure/config/load-config';
import { createApiApp, createWorkerApp } from '../../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../../src/infrastructure/logging/root-logger';
import { appLoginUrl, createTestDatabase, testRedisUrl, TestDatabase, uniqueQueuePrefix } from './databases';

export interface TestContext {
  config: AppConfig;
  database: TestDatabase;
  api: NestExpressApplication;
  worker?: INestApplicationContext;
  close(): Promise<void>;
}

/**
 * The configuration a test file runs with: its own database and queue prefix, quiet logs, and
 * X-Actor trusted (TRUST_ACTOR_HEADER) so tests can name who is acting, except under
 * APP_ENV=production, where configuration refuses it.
 */
export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: databaseUrl,
    // Like the service: the API and the worker log in as dhr_app_login, never the owner.
    APP_DATABASE_URL: appLoginUrl(overrides.DATABASE_URL ?? databaseUrl),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniqueQueuePrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(overrides.APP_ENV === 'production' ? {} : { TRUST_ACTOR_HEADER: 'true' }),
    ...overrides,
  });
}

/**
 * The real API (and optionally the real worker) on a fresh database, not listening.
 *
 * `defaultActor`: most tests are about what the service does, not who may do it, and identify
 * with the trusted X-Actor header (honoured only with TRUST_ACTOR_HEADER, which testConfig
 * sets; never in production). A request that names nobody (no X-Actor, token or cookie) gets
 * this actor from the test harness. Tests of identity and access pass `defaultActor: null` and
 * sign in or send tokens as real users; a test that wants a request naming nobody sends an
 * empty X-Actor.
 */
export async function startTestApp(
  options: { worker?: boolean; env?: Record<string, string>; clock?: Clock; defaultActor?: string | null } = {},
): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, options.env);
  const logger = createRootLogger(config, 'test');
  const api = await createApiApp(config, logger, { clock: options.clock });
  const defaultActor = options.defaultActor === undefined ? 'test-reader' : options.defaultActor;
  if (defaultActor) {
    api.use((req: { headers: Record<string, unknown> }, _res: unknown, next: () => void) => {
      if (req.headers['x-actor'] === undefined && !req.headers.authorization && !req.headers.cookie) req.headers['x-actor'] = defaultActor;
      next();
    });
  }
  await api.init();
  const worker = options.worker ? await createWorkerApp(config, logger, { clock: options.clock }) : undefined;
  await worker?.init();
  return {
    config,
    database,
    api,
    worker,
    close: async () => {
      await worker?.close();
      await api.close();
      await database.drop();
    },
  };
}

/** A clock the test moves by hand. */
export class TestClock extends Clock {
  constructor(private current: Date) {
    super();
  }
  override now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}
