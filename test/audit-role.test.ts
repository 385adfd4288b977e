import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ensureAppLogin } from '../src/infrastructure/database/app-login';
import { createApiApp } from '../src/infrastructure/bootstrap/applications';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { CaseFileApi } from './support/casefile-api';
import { createTestDatabase, TestDatabase } from './support/databases';
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

  it('every pooled connection of the application’s DataSource is dhr_app; the login is dhr_app_login', async () => {
    const sessions = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.transaction((m) => m.query(`SELECT current_user AS "current", session_user AS "session", current_setting('jit') AS jit, pg_backend_pid() AS pid, pg_sleep(0.1)`)),
      ),
    );
    expect(new Set(sessions.map(([s]) => s.pid)).size).toBe(4);
    for (const [s] of sessions) {
      expect(s.current).toBe('dhr_app');
      expect(s.session).toBe('dhr_app_login'); // the application's own login, not the owner
      expect(s.jit).toBe('off'); // JIT compilation off for the application's queries (issue 16)
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

  it('logs in as dhr_app_login: no superuser, not the owner, a member of dhr_app only (issue 13, item 4)', async () => {
    const [login] = await db.query(
      `SELECT session_user AS name, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolreplication,
              (SELECT tableowner FROM pg_tables WHERE tablename = 'access_log') AS owner,
              ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of
         FROM pg_roles r WHERE r.rolname = session_user`,
    );
    expect(login).toEqual({
      name: 'dhr_app_login', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolreplication: false,
      owner: expect.not.stringMatching(/^dhr_app_login$/), member_of: ['dhr_app'],
    });
  });

  it('after RESET ROLE and SET ROLE NONE the connection still cannot change the append-only tables, read what dhr_app cannot, or become the owner', async () => {
    const before = await snapshot();
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      // RESET ROLE goes back to the start-up option's dhr_app; SET ROLE NONE to the login itself.
      await runner.query('RESET ROLE');
      await runner.query('SET ROLE NONE');
      const [who] = await runner.query('SELECT current_user AS name');
      expect(who.name).toBe('dhr_app_login');
      for (const table of APPEND_ONLY) {
        for (const statement of [`UPDATE ${table} SET review_id = review_id`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
          expect({ statement, ...(await failure(runner.query(statement))) }).toEqual({ statement, code: '42501', message: `permission denied for table ${table}` });
        }
      }
      // Rights exactly dhr_app's, table by table: nothing more after the switch is undone.
      const differences = await runner.query(
        `SELECT c.relname, p.privilege FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(privilege)
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')
            AND has_table_privilege(current_user, c.oid, p.privilege) <> has_table_privilege('dhr_app', c.oid, p.privilege)`,
      );
      expect(differences).toEqual([]);
      const [{ owner }] = await runner.query(`SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'access_log'`);
      for (const statement of [`SELECT * FROM pg_authid`, `SELECT pg_read_file('PG_VERSION')`, `SET ROLE ${owner}`, `INSERT INTO schema_migrations (timestamp, name) VALUES (1, 'x')`]) {
        expect({ statement, code: (await failure(runner.query(statement)))?.code }).toEqual({ statement, code: '42501' });
      }
      await runner.query('SET ROLE dhr_app');
    } finally {
      await runner.release();
    }
    expect(await snapshot()).toEqual(before);
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

describe('making the application login (issue 13, item 4)', () => {
  let ownerUrl: string;
  let admin: Client;
  const suffix = randomBytes(4).toString('hex');
  const login = `dhr_t_login_${suffix}`;
  const other = `dhr_t_other_${suffix}`;
  const weakOwner = `dhr_t_owner_${suffix}`;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    ownerUrl = database.url;
    admin = new Client({ connectionString: ownerUrl });
    await admin.connect();
  });
  afterAll(async () => {
    for (const role of [login, other, weakOwner]) await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
    await database.drop();
  });

  async function attributes(role: string) {
    const { rows } = await admin.query(
      `SELECT r.rolcanlogin, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolinherit,
              ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of
         FROM pg_roles r WHERE r.rolname = $1`,
      [role],
    );
    return rows[0];
  }

  it('creates a login that is a member of dhr_app only, puts back what was taken away, and can sign in', async () => {
    await ensureAppLogin(ownerUrl, login, 'first-password-123');
    const made = { rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolinherit: true, member_of: ['dhr_app'] };
    expect(await attributes(login)).toEqual(made);
    await admin.query(`ALTER ROLE ${login} CREATEDB NOINHERIT`);
    await admin.query(`REVOKE dhr_app FROM ${login}`);
    await ensureAppLogin(ownerUrl, login, 'first-password-123');
    expect(await attributes(login)).toEqual(made);
    const url = new URL(ownerUrl);
    url.username = login;
    url.password = 'first-password-123';
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client.query('SELECT session_user AS name');
    await client.end();
    expect(rows).toEqual([{ name: login }]);
  });

  it('refuses a login that is also a member of another role, or is the owner, naming what to do', async () => {
    await admin.query(`CREATE ROLE ${other} NOLOGIN`);
    await admin.query(`GRANT ${other} TO ${login}`);
    await expect(ensureAppLogin(ownerUrl, login, 'first-password-123')).rejects.toThrow(
      `The database role ${login} is also a member of ${other}: the application's login must be a member of dhr_app only. Revoke those (REVOKE ${other} FROM ${login};)`,
    );
    const [{ owner }] = (await admin.query('SELECT session_user AS owner')).rows;
    await expect(ensureAppLogin(ownerUrl, owner, 'x')).rejects.toThrow(`APP_DATABASE_URL logs in as ${owner}, the owner of the schema`);
  });

  it('an owner that may not create roles gets the statements an administrator must run', async () => {
    await admin.query(`CREATE ROLE ${weakOwner} LOGIN PASSWORD 'weak-owner-password'`);
    const url = new URL(ownerUrl);
    url.username = weakOwner;
    url.password = 'weak-owner-password';
    await expect(ensureAppLogin(url.toString(), `${login}_2`, 'x-password-123')).rejects.toThrow(
      /Could not make the application's database login .*CREATE ROLE dhr_t_login_\w+_2 LOGIN PASSWORD '…' IN ROLE dhr_app; and sets APP_DATABASE_URL/,
    );
  });
});
