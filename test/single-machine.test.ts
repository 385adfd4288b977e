import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isPortOpen } from '../src/infrastructure/local-services/ports';
import { testPort } from './support/ports';
import { appLoginUrl, createTestDatabase, TestDatabase, testRedisUrl, uniqueQueuePrefix } from './support/databases';
import { cloneBuiltProject, processesIn, runEntryPoint, RunningProcess, waitForLog } from './support/processes';

/** `npm start` on one machine, as a person runs it: the compiled start.js. */
describe('a crash of npm start leaves no second redis-server on the same data (issue 13, item 6)', () => {
  let dataDir: string;
  let database: TestDatabase;
  const running: RunningProcess[] = [];
  beforeAll(async () => {
    dataDir = realpathSync(mkdtempSync(join(tmpdir(), 'dhr-redis-')));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const proc of running) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    for (const pid of processesIn('redis-server', join(dataDir, 'redis'))) process.kill(pid, 'SIGKILL');
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start() {
    const proc = runEntryPoint('start.js', {
      DATABASE_URL: database.url,
      APP_DATABASE_URL: appLoginUrl(database.url),
      LOCAL_REDIS_PORT: String(await testPort()), // nothing there: start.js runs redis-server itself
      DATA_DIR: dataDir,
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: String(await testPort()),
      LOG_LEVEL: 'info',
    });
    running.push(proc);
    await waitForLog(proc, (l) => l.msg === 'DHR engine ready (API and worker)', 90000);
    return proc;
  }

  it('the second start stops the redis-server the killed one left running; exactly one remains', async () => {
    const redisDir = join(dataDir, 'redis');
    const first = await start();
    const [orphan] = processesIn('redis-server', redisDir);
    expect(processesIn('redis-server', redisDir)).toEqual([orphan]);
    // A crash: the node process dies at once; its redis-server child is left running.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(processesIn('redis-server', redisDir)).toEqual([orphan]);

    const second = await start();
    const left = processesIn('redis-server', redisDir);
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(orphan);
    expect(second.logs.find((l) => l.msg === 'stopping a redis-server left running by an earlier start')).toMatchObject({ pid: orphan });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(processesIn('redis-server', redisDir)).toEqual([]);
  }, 240000);
});

/**
 * A new user's clean clone in a folder only its owner may enter (root's home, `mktemp -d`), with
 * no PostgreSQL on the configured port: `npm start` runs the embedded one, and the README's
 * `npm run cli -- users:add … --token` reaches the same database, with or without the service
 * running, and needs no Redis (issue 13, items 7 and 8).
 */
describe('a clone in a folder only root may enter: npm start and the command line share the embedded PostgreSQL', () => {
  let folder: string;
  let project: string;
  let pgPort: number;
  const running: RunningProcess[] = [];
  beforeAll(async () => {
    folder = realpathSync(mkdtempSync(join(tmpdir(), 'dhr-closed-')));
    chmodSync(folder, 0o700);
    project = cloneBuiltProject(folder);
    pgPort = await testPort(); // nothing listens there: the embedded PostgreSQL is used
  });
  afterAll(() => {
    for (const proc of running) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    if (userInfo().uid === 0) {
      const key = createHash('sha256').update(join(project, '.data')).digest('hex').slice(0, 16);
      rmSync(join('/var/lib/dhr-engine/data', key), { recursive: true, force: true });
    }
    rmSync(folder, { recursive: true, force: true });
  });

  const settings = () => ({ LOCAL_POSTGRES_PORT: String(pgPort), LOG_LEVEL: 'info' });

  async function startService() {
    const port = await testPort();
    const proc = runEntryPoint('start.js', { ...settings(), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniqueQueuePrefix(), PORT: String(port) }, [], { root: project });
    running.push(proc);
    const embedded = await waitForLog(proc, (l) => l.msg === 'embedded PostgreSQL started', 150000);
    await waitForLog(proc, (l) => l.msg === 'DHR engine ready (API and worker)', 60000);
    return { proc, base: `http://127.0.0.1:${port}`, pgPort: embedded.port as number };
  }

  async function stopService(service: { proc: RunningProcess; pgPort: number }) {
    service.proc.child.kill('SIGTERM');
    expect(await service.proc.exited).toBe(0);
    expect(await isPortOpen('127.0.0.1', service.pgPort)).toBe(false);
  }

  /** The README's command, with no Redis anywhere it could look. */
  async function usersAdd(email: string) {
    const proc = await runUsersAdd(email);
    const code = await proc.exited;
    expect({ code, stderr: proc.stderr() }).toEqual({ code: 0, stderr: '' });
    const token = /token: (\S+)/.exec(proc.lines.join('\n'))?.[1];
    expect(token).toMatch(/^dhr_/);
    return token!;
  }

  async function runUsersAdd(email: string) {
    const proc = runEntryPoint(
      'cli/index.js',
      { ...settings(), LOG_LEVEL: 'warn', LOCAL_REDIS: 'false', LOCAL_REDIS_PORT: String(await testPort()) },
      ['users:add', '--email', email, '--token'],
      { root: project },
    );
    running.push(proc);
    return proc;
  }

  async function authenticates(base: string, token: string): Promise<number> {
    return (await fetch(`${base}/me/tokens`, { headers: { Authorization: `Bearer ${token}` } })).status;
  }

  it('starts, adds a user with a token while running and while stopped, and both tokens sign in', async () => {
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const first = await startService();
    expect((await fetch(`${first.base}/health/ready`)).status).toBe(200);
    const whileRunning = await usersAdd('running@example.org');
    expect(await authenticates(first.base, whileRunning)).toBe(200);
    // The service logs in as its own role, a member of dhr_app only, never as the owner
    // (issue 13, item 4); its password is in the data folder, for the owner's eyes only.
    const owner = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${first.pgPort}/dhr` });
    await owner.connect();
    try {
      const { rows } = await owner.query(
        `SELECT DISTINCT a.usename AS login, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
          WHERE a.datname = 'dhr' AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()`,
      );
      expect(rows).toEqual([{ login: 'dhr_app_login', rolsuper: false }]);
    } finally {
      await owner.end();
    }
    expect(statSync(join(project, '.data', 'app-login-password')).mode & 0o777).toBe(0o600);
    expect(await authenticates(first.base, 'dhr_not-a-real-token')).toBe(401);
    await stopService(first);

    // Nothing running: the command line starts the embedded PostgreSQL for itself and stops it.
    const whileStopped = await usersAdd('stopped@example.org');
    const dataDir = existsSync(join(project, '.data', 'postgres', 'PG_VERSION'))
      ? join(project, '.data', 'postgres')
      : readFileSync(join(project, '.data', 'postgres-location.txt'), 'utf8').match(/ is in (\S+):/)![1];
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);

    // A password file that is not the login's (another data folder made it): the command line
    // refuses rather than take the login from the processes using it; npm start sets it anew.
    const passwordFile = join(project, '.data', 'app-login-password');
    writeFileSync(passwordFile, 'not-the-password-of-dhr-app-login\n');
    const refused = await runUsersAdd('refused@example.org');
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain('The database login dhr_app_login exists but refuses the password in DATA_DIR/app-login-password');
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
    // As the message says: `npm run migrate` (no Redis either) sets the password anew.
    const migrate = runEntryPoint('cli/migrate.js', { ...settings(), LOCAL_REDIS: 'false', LOCAL_REDIS_PORT: String(await testPort()) }, [], { root: project });
    running.push(migrate);
    expect({ code: await migrate.exited, stderr: migrate.stderr() }).toEqual({ code: 0, stderr: '' });
    const afterMigrate = await usersAdd('migrated@example.org');

    const second = await startService();
    expect(await authenticates(second.base, afterMigrate)).toBe(200);
    expect(await authenticates(second.base, whileStopped)).toBe(200);
    expect(await authenticates(second.base, whileRunning)).toBe(200);
    expect(await authenticates(second.base, await usersAdd('after@example.org'))).toBe(200);
    await stopService(second);
  }, 400000);
});
