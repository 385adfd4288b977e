import { DataSource } from 'typeorm';
import { AccessLogRow, AccessLogWriter } from '../src/audit/access-log-writer';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';
// The driver TypeORM loads (the same module instance in this test file): its statements are counted.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };

/**
 * The access log's rows of requests answered at the same moment go in one statement
 * (src/audit/access-log-writer.ts); each request's promise settles only when its own row is
 * committed, and a row PostgreSQL refuses fails only its own request.
 */
describe('the access log writer', () => {
  let ctx: TestContext;
  let writer: AccessLogWriter;
  let ds: DataSource;
  let reviewId: string;
  /** The actors of each access-log insert, in the order they were sent. */
  const inserts: string[][] = [];
  const original = pg.Client.prototype.query;

  beforeAll(async () => {
    ctx = await startTestApp();
    writer = ctx.api.get(AccessLogWriter);
    ds = ctx.api.get(DataSource);
    const api = reviewApi(ctx.api);
    reviewId = (await api.openReview((await api.createCsp('BATCHLOG')).id)).id;
    pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
      // The values come beside the text, or inside the query's config (a named, prepared statement).
      const values = (Array.isArray(args[1]) ? args[1] : (args[0] as { values?: unknown[] })?.values) as unknown[][] | undefined;
      if (text?.startsWith('INSERT INTO access_log')) inserts.push([...(values?.[1] as string[])]);
      return original.apply(this, args);
    };
  }, 60_000);
  afterAll(async () => {
    pg.Client.prototype.query = original;
    await ctx.close();
  });

  const row = (actor: string, review: string | null = reviewId): AccessLogRow => ({
    reviewId: review, actor, method: 'GET', route: '/reviews/:id', path: `/reviews/${review}`, status: 200, ip: '127.0.0.1',
    userAgent: null, requestId: `batch-${actor}`, at: new Date('2026-12-07T10:00:00.123Z'), outcome: 'allowed',
  });
  const logged = async (actors: string[]) =>
    (await ds.query(`SELECT actor, review_id AS "reviewId", at, request_id AS "requestId", user_agent AS "userAgent" FROM access_log WHERE actor = ANY($1) ORDER BY actor`, [actors])) as Array<Record<string, unknown>>;

  it('writes the rows of 20 requests at once in fewer statements, each settled once its row is there', async () => {
    inserts.length = 0;
    const actors = Array.from({ length: 20 }, (_, i) => `reader-${String(i).padStart(2, '0')}@batch.example`);
    const settled: string[][] = [];
    await Promise.all(actors.map(async (actor) => {
      await writer.write(row(actor));
      // By the time a request's write settles, its row is committed (another connection sees it).
      settled.push((await logged([actor])).map((r) => r.actor as string));
    }));
    expect(settled.flat().sort()).toEqual(actors);
    expect(inserts.length).toBeGreaterThanOrEqual(1);
    expect(inserts.length).toBeLessThan(actors.length);
    const rows = await logged(actors);
    expect(rows).toHaveLength(20);
    expect(rows[3]).toEqual({ actor: actors[3], reviewId, at: new Date('2026-12-07T10:00:00.123Z'), requestId: `batch-${actors[3]}`, userAgent: null });
  });

  it('a row PostgreSQL refuses (a review that does not exist) fails its own request only: its batch is tried again row by row', async () => {
    inserts.length = 0;
    const results = await Promise.allSettled([
      writer.write(row('good-1@batch.example')),
      writer.write(row('bad@batch.example', '00000000-0000-4000-8000-000000000000')),
      writer.write(row('good-2@batch.example')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await logged(['good-1@batch.example', 'bad@batch.example', 'good-2@batch.example'])).map((r) => r.actor)).toEqual([
      'good-1@batch.example',
      'good-2@batch.example',
    ]);
    // The first row went alone (nothing was being written); the two that came while it was went
    // together, were refused together, and were then tried one by one.
    expect(inserts).toEqual([['good-1@batch.example'], ['bad@batch.example', 'good-2@batch.example'], ['bad@batch.example'], ['good-2@batch.example']]);
  });
});
