import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Clock } from '../../src/infrastructure/clock/clock';
import { AppConfig } from '../../src/infrastructure/config/app-config';
import { loadConfig } from '../../src/infrastructure/config/load-config';
import { createApiApp, createWorkerApp } from '../../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../../src/infrastructure/logging/root-logger';
import { createTestDatabase, testRedisUrl, TestDatabase, uniqueQueuePrefix } from './databases';

export interface TestContext {
  config: AppConfig;
  database: TestDatabase;
  api: NestExpressApplication;
  worker?: INestApplicationContext;
  close(): Promise<void>;
}

/** The configuration a test file runs with: its own database and queue prefix, quiet logs. */
export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniqueQueuePrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
}

/** The real API (and optionally the real worker) on a fresh database, not listening. */
export async function startTestApp(
  options: { worker?: boolean; env?: Record<string, string>; clock?: Clock } = {},
): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, options.env);
  const logger = createRootLogger(config, 'test');
  const api = await createApiApp(config, logger, { clock: options.clock });
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
