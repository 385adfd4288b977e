import IORedis from 'ioredis';
import { Client } from 'pg';
import type { ResolvedService } from '../../src/infrastructure/local-services/postgres';
import { databaseUrl } from './databases';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.TEST_POSTGRES_URL;
  const template = process.env.TEST_TEMPLATE_DATABASE;
  if (serverUrl && template) {
    const admin = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
    await admin.connect();
    try {
      // The template, and any per-file database a crashed test file left behind.
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
        [template, `dhr_t_${process.pid}_%`],
      );
      for (const { datname } of rows) {
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  }
  // This run's BullMQ keys (test files use prefixes dhrtest-<pid>-…), so a developer's Redis
  // does not fill up with old test jobs.
  const redisUrl = process.env.TEST_REDIS_URL;
  if (redisUrl) {
    const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `dhrtest-${process.pid}-*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  const services = (globalThis as { __dhrServices?: ResolvedService[] }).__dhrServices ?? [];
  for (const service of services.reverse()) await service.stop();
}
