import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { recordReportAccess } from '../src/audit/access-log.interceptor';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { createTestDatabase, type TestDatabase } from './support/databases';

jest.setTimeout(60_000);

/**
 * A report (the committee report, the register and their exports) writes one access-log row per
 * review it holds. At an installation's scale that is thousands of rows from one request: they
 * must all be written, in one statement, and not stop the report (one INSERT of a row per review
 * passed PostgreSQL's 65,535 parameters at about 5,000 reviews and lost the connection: a 503).
 */
describe('a report’s access-log rows, one per review, at scale', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await new DataSource(dataSourceOptions(database.url, 2)).initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('writes a row for each of 8,000 reviews, each under its review, with who, what and when', async () => {
    const [csp] = await db.query(`INSERT INTO csps (code, name) VALUES ('SCALE', 'Scale CSP') RETURNING id`);
    const ids: string[] = (
      await db.query(
        `INSERT INTO reviews (reference, csp_id, date_of_death, notified_on, police_force, police_reference, circumstances, machine_version, snapshot, status, version, created_by)
         SELECT 'DHR-SCALE-' || n, $1, '2025-01-10', '2025-01-12', 'Essex Police', 'EP/' || n, 'Circumstances', 1, '{}', 'notified', 1, 'test'
           FROM generate_series(1, 8000) AS n RETURNING id`,
        [csp.id],
      )
    ).map((r: { id: string }) => r.id);
    const req = {
      method: 'GET',
      route: { path: '/reports/committee' },
      path: '/reports/committee',
      originalUrl: '/reports/committee?csp=SCALE&format=pdf',
      ip: '127.0.0.1',
      headers: { 'user-agent': 'jest' },
      identity: { actor: 'lead@scale.example' },
      id: 'request-1',
    } as unknown as Request;
    const at = new Date('2026-12-04T10:00:00Z');
    await recordReportAccess(db, req, 200, at, [...ids, ids[0]]);

    const rows: Array<{ n: number; reviews: number; actors: number; first: Date; outcome: string; path: string }> = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT review_id)::int AS reviews, count(DISTINCT actor)::int AS actors, min(at) AS first, min(outcome) AS outcome, min(path) AS path
         FROM access_log WHERE request_id = 'request-1'`,
    );
    // Each review once (a review named twice is one row), every row the caller's.
    expect(rows).toEqual([{ n: 8000, reviews: 8000, actors: 1, first: at, outcome: 'allowed', path: '/reports/committee?csp=SCALE&format=pdf' }]);

    // A report holding no review: one row naming none.
    await recordReportAccess(db, { ...req, id: 'request-2' } as unknown as Request, 200, at, []);
    expect(await db.query(`SELECT review_id FROM access_log WHERE request_id = 'request-2'`)).toEqual([{ review_id: null }]);
  });
});
