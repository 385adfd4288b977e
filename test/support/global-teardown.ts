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
  const services = (globalThis as { __dhrServices?: ResolvedService[] }).__dhrServices ?? [];
  for (const service of services.reverse()) await service.stop();
}
