import { Client } from 'pg';
import { loadConfig } from '../../src/infrastructure/config/load-config';
import { useApplicationLogin } from '../../src/infrastructure/database/app-login';
import { runMigrations } from '../../src/infrastructure/database/migrate';
import { ResolvedService, resolvePostgres } from '../../src/infrastructure/local-services/postgres';
import { resolveRedis } from '../../src/infrastructure/local-services/redis';
import { createRootLogger } from '../../src/infrastructure/logging/root-logger';
import { databaseUrl } from './databases';

/**
 * Finds real PostgreSQL and Redis the way the application does (DATABASE_URL / REDIS_URL, else
 * the local ports, else an embedded PostgreSQL and a redis-server from PATH, with their data
 * in .data/test), migrates once into a template database, and hands both to the test files
 * through the environment. Each test file then clones the template (see databases.ts).
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    DATA_DIR: process.env.TEST_DATA_DIR ?? '.data/test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  });
  const logger = createRootLogger(config, 'test-setup');
  const services: ResolvedService[] = [];
  const postgres = await resolvePostgres(config, logger, { mayStart: true });
  services.push(postgres);
  const redis = await resolveRedis(config, logger, { mayStart: true });
  services.push(redis);
  (globalThis as { __dhrServices?: ResolvedService[] }).__dhrServices = services;

  const template = `dhr_tpl_${process.pid}`;
  const admin = new Client({ connectionString: databaseUrl(postgres.url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await runMigrations(databaseUrl(postgres.url, template));
  // The application's own login (a member of dhr_app only), as the compiled processes make it:
  // the default DATA_DIR's password file, which the processes the tests run use too.
  const login = loadConfig({ ...process.env, DATABASE_URL: databaseUrl(postgres.url, template), LOG_LEVEL: 'warn' });
  await useApplicationLogin(login, logger, { migrates: true });
  process.env.TEST_APP_LOGIN_URL = login.database.appUrl!;

  process.env.TEST_POSTGRES_URL = postgres.url;
  process.env.TEST_TEMPLATE_DATABASE = template;
  process.env.TEST_REDIS_URL = redis.url;
}
