import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (jest's global setup sets it)`);
  return value;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: one per test file, dropped after. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = required('TEST_POSTGRES_URL');
  const template = required('TEST_TEMPLATE_DATABASE');
  // The parent jest process's pid is in the template name; the teardown sweeps by it.
  const owner = template.replace('dhr_tpl_', '');
  const name = `dhr_t_${owner}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: databaseUrl(server, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(server, name),
    drop: async () => {
      const c = new Client({ connectionString: databaseUrl(server, 'postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** `databaseUrl` logging in as the application's own login (dhr_app_login), not the owner. */
export function appLoginUrl(databaseUrl: string): string {
  const login = new URL(required('TEST_APP_LOGIN_URL'));
  const url = new URL(databaseUrl);
  url.username = login.username;
  url.password = login.password;
  return url.toString();
}

export function testRedisUrl(): string {
  return required('TEST_REDIS_URL');
}

/**
 * A BullMQ prefix of its own for each test file, so files never see each other's jobs. It
 * carries the jest run's pid, so the global teardown can remove this run's keys from Redis.
 */
export function uniqueQueuePrefix(): string {
  const run = (process.env.TEST_TEMPLATE_DATABASE ?? 'dhr_tpl_0').replace('dhr_tpl_', '');
  return `dhrtest-${run}-${randomBytes(5).toString('hex')}`;
}
