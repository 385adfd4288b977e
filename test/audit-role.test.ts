import { DataSource } from 'typeorm';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { CaseFileApi } from './support/casefile-api';
import { CaseFileSql } from './support/casefile-sql';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext, testConfig } from './support/test-app';

const APPEND_ONLY = ['review_events', 'access_log', 'document_downloads'];

/** The PostgreSQL error a statement fails with (or null if it succeeded). */
async function failure(work: Promise<unknown>): Promise<{ code: string; message: string } | null> {
  try {
    await work;
    return null;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

describe('the application runs as dhr_app, which cannot change the append-only tables (real PostgreSQL)', () => {
  let ctx: TestContext;
  let db: DataSource;
  let sql: CaseFileSql;
  let reviewId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    db = ctx.api.get(DataSource);
    sql = new CaseFileSql(ctx.database.url);
    // A review with history, reads in the access log and a recorded download, all through the API.
    const api = reviewApi(ctx.api);
    reviewId = (await api.openReview((await api.createCsp('AUDITROLE')).id)).id;
    await api.accept(reviewId, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-01-28' });
    await api.get(reviewId);
    const documentId = await new CaseFileApi(ctx.api).uploadDraft(reviewId, 'overview_report');
    await api.http().get(`/reviews/${reviewId}/documents/${documentId}/versions/1/content`).set('X-Actor', 'reader@example.org').expect(200);
  });
  afterAll(() => ctx.close());

  /** Every row of the append-only tables, read as the owner. */
  async function snapshot() {
    const rows: Record<string, unknown[]> = {};
    for (const table of APPEND_ONLY) rows[table] = await sql.query(`SELECT * FROM ${table} ORDER BY id`);
    return rows;
  }

  it('every pooled connection of the application’s DataSource is dhr_app; the login is the owner', async () => {
    const sessions = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.transaction((m) => m.query(`SELECT current_user AS "current", session_user AS "session", pg_backend_pid() AS pid, pg_sleep(0.1)`)),
      ),
    );
    expect(new Set(sessions.map(([s]) => s.pid)).size).toBe(4);
    for (const [s] of sessions) {
      expect(s.current).toBe('dhr_app');
      expect(s.session).not.toBe('dhr_app'); // the test login, which owns the schema
    }
    // And what the role may do, as PostgreSQL sees it.
    const [privileges] = await db.query(
      `SELECT has_table_privilege('reviews', 'UPDATE') AS reviews_update,
              has_table_privilege('access_log', 'INSERT') AS log_insert, has_table_privilege('access_log', 'SELECT') AS log_select,
              has_table_privilege('access_log', 'UPDATE') OR has_table_privilege('review_events', 'DELETE')
                OR has_table_privilege('document_downloads', 'TRUNCATE') AS audit_change`,
    );
    expect(privileges).toEqual({ reviews_update: true, log_insert: true, log_select: true, audit_change: false });
  });

  it('reads and writes case content as before, and appends to the access log', async () => {
    const api = reviewApi(ctx.api);
    const opened = await api.openReview((await api.createCsp('AUDITROLE2')).id);
    expect(opened.status).toBe('notified');
    await api.get(opened.id);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM access_log WHERE review_id = $1`, [opened.id]);
    expect(count).toBe(1);
    await db.query(
      `INSERT INTO access_log (review_id, actor, method, route, path, status, at) VALUES ($1, 'test', 'GET', '/reviews/:id', '/reviews/x', 200, now())`,
      [opened.id],
    );
    const [{ after }] = await db.query(`SELECT count(*)::int AS after FROM access_log WHERE review_id = $1`, [opened.id]);
    expect(after).toBe(2);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on each append-only table with 42501 permission denied (not the trigger), changing nothing', async () => {
    const before = await snapshot();
    for (const table of APPEND_ONLY) expect(before[table].length).toBeGreaterThan(0);
    for (const table of APPEND_ONLY) {
      for (const statement of [`UPDATE ${table} SET review_id = review_id`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        const refused = await failure(db.query(statement));
        // The trigger raises 42501 too, with "<table> is append-only": this is the privilege check.
        expect({ statement, ...refused }).toEqual({ statement, code: '42501', message: `permission denied for table ${table}` });
      }
      // Inside a transaction too, and even when no row would be touched.
      const inTransaction = await failure(db.transaction((m) => m.query(`DELETE FROM ${table} WHERE false`)));
      expect(inTransaction).toEqual({ code: '42501', message: `permission denied for table ${table}` });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('the owner is still refused by the trigger on document_downloads (new here; the other two are tested with their features)', async () => {
    const before = await snapshot();
    for (const statement of [`UPDATE document_downloads SET downloaded_by = 'nobody'`, `DELETE FROM document_downloads`, `TRUNCATE document_downloads`]) {
      const refused = await failure(sql.query(statement));
      expect(refused?.message).toMatch(/^document_downloads is append-only: (UPDATE|DELETE|TRUNCATE) refused$/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('with DB_APP_ROLE empty the application stays the login role', async () => {
    const config = testConfig(ctx.database.url, { DB_APP_ROLE: '' });
    expect(config.database.appRole).toBe('');
    const app = await createApiApp(config, createRootLogger(config));
    await app.init();
    try {
      const [row] = await app.get(DataSource).query(`SELECT current_user = session_user AS same, current_user AS name`);
      expect(row).toEqual({ same: true, name: expect.not.stringMatching(/^dhr_app$/) });
    } finally {
      await app.close();
    }
  });
});
