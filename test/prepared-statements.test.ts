import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/infrastructure/config/load-config';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { MAX_PREPARED_PER_CONNECTION, PreparingClient, statementName } from '../src/infrastructure/database/preparing-client';
import request from 'supertest';
import { ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { databaseUrl } from './support/databases';
import { reviewApi } from './support/review-api';
import { startTestApp } from './support/test-app';

/**
 * The pool's connections prepare what they send (issue 16): a statement with parameters is
 * parsed once per connection and kept under a name, not parsed and planned on every run.
 */
describe('prepared statements on the pool’s connections', () => {
  const url = () => databaseUrl(process.env.TEST_POSTGRES_URL!, 'postgres');
  const preparedOn = async (client: Client) =>
    (await client.query<{ name: string; statement: string }>(`SELECT name, statement FROM pg_prepared_statements ORDER BY name`)).rows;

  it('keeps a statement with parameters prepared under its digest, once, and sends one without them as it is', async () => {
    const client: Client = new PreparingClient({ connectionString: url() });
    await client.connect();
    try {
      const text = 'SELECT $1::int + 1 AS n';
      for (let i = 0; i < 3; i++) expect((await client.query(text, [i])).rows).toEqual([{ n: i + 1 }]);
      await client.query('SELECT 1 AS one');
      expect(await preparedOn(client)).toEqual([{ name: statementName(text), statement: text }]);
      // A statement that fails to parse is not kept, and the connection goes on.
      await expect(client.query('SELEC $1', [1])).rejects.toThrow(/syntax error/);
      expect((await client.query(text, [41])).rows).toEqual([{ n: 42 }]);
      expect(await preparedOn(client)).toHaveLength(1);
    } finally {
      await client.end();
    }
  });

  it('prepares at most a bounded number a connection, then sends the rest unnamed', async () => {
    // The bound the README gives.
    expect(MAX_PREPARED_PER_CONNECTION).toBe(200);
    const client: Client = new PreparingClient({ connectionString: url() });
    await client.connect();
    try {
      // Texts differing as a written-out list of values does.
      for (let i = 1; i <= MAX_PREPARED_PER_CONNECTION + 20; i++) {
        const text = `SELECT $1::int AS n WHERE 1 IN (${Array.from({ length: i }, (_, k) => k + 1).join(', ')})`;
        expect((await client.query(text, [i])).rows).toEqual([{ n: i }]);
      }
      expect(await preparedOn(client)).toHaveLength(MAX_PREPARED_PER_CONNECTION);
    } finally {
      await client.end();
    }
  });

  it('is what the service’s TypeORM pool uses (its queries leave prepared statements behind), and not the migrations’', async () => {
    for (const [prepare, kept] of [[true, 1], [false, 0]] as const) {
      const db = new DataSource(dataSourceOptions(url(), 1, '', { prepare }));
      await db.initialize();
      try {
        await db.query('SELECT $1::text AS said', ['hello']);
        const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, ['SELECT $1::text AS said']);
        expect(n).toBe(kept);
      } finally {
        await db.destroy();
      }
    }
  });

  it('the service prepares its statements unless DB_PREPARE_STATEMENTS=false', () => {
    expect(loadConfig({}).database.prepareStatements).toBe(true);
    expect(loadConfig({ DB_PREPARE_STATEMENTS: 'false' }).database.prepareStatements).toBe(false);
  });

  it('the running API and worker send their statements named: a review read and a worker’s pass leave them prepared on their connections', async () => {
    // One connection a pool, so the statements a request sent are on the connection looked at.
    const ctx = await startTestApp({ worker: true, env: { DB_POOL_SIZE: '1' } });
    try {
      const api = reviewApi(ctx.api);
      const review = await api.openReview((await api.createCsp('PREPARED')).id);
      await request(ctx.api.getHttpServer()).get(`/reviews/${review.id}`).expect(200);
      const apiPrepared = (await ctx.api.get(DataSource).query(`SELECT name, statement FROM pg_prepared_statements`)) as Array<{ name: string; statement: string }>;
      // Named by their digest; among them the review read's statement of the reviews table.
      expect(apiPrepared.length).toBeGreaterThan(3);
      for (const { name, statement } of apiPrepared) expect(name).toBe(statementName(statement));
      expect(apiPrepared.some(({ statement }) => /FROM "?reviews"?/i.test(statement))).toBe(true);

      await ctx.worker!.get(ReminderScheduler).reconcileAll();
      const workerPrepared = (await ctx.worker!.get(DataSource).query(`SELECT name, statement FROM pg_prepared_statements`)) as Array<{ name: string; statement: string }>;
      expect(workerPrepared.length).toBeGreaterThan(0);
      for (const { name, statement } of workerPrepared) expect(name).toBe(statementName(statement));
    } finally {
      await ctx.close();
    }
  });
});
