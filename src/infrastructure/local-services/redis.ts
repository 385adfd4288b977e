import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { AppConfig } from '../config/app-config';
import type { Logger } from '../logging/root-logger';
import { ResolvedService, ServiceUnavailableError } from './postgres';
import { freePort, isPortOpen, waitFor } from './ports';

/** The first executable `redis-server` in PATH's folders, as a shell would find it (none: null). */
export function redisServerOnPath(pathVariable = process.env.PATH ?? ''): string | null {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here, or not executable: the next folder
    }
  }
  return null;
}

const PID_FILE = 'redis-server.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is a redis-server working in `dir` (redis-server changes its working folder to
 * `--dir`). Where /proc is missing (macOS), the process name alone has to do.
 */
function isOurRedis(pid: number, dir: string): boolean {
  if (process.platform === 'linux') {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'redis-server' && readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  }
  const name = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).stdout?.trim() ?? '';
  return /redis-server$/.test(name);
}

/**
 * A start killed without stopping its redis-server (SIGKILL, a crash) leaves that server running
 * on the same append-only files: stop it (SIGTERM: it flushes the file) before starting ours.
 * Its pid is in DATA_DIR/redis/redis-server.pid, which redis-server writes and removes itself.
 */
async function stopOrphanRedis(dir: string, logger: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && alive(pid) && isOurRedis(pid, dir)) {
    logger.warn({ pid, dir }, 'stopping a redis-server left running by an earlier start');
    process.kill(pid, 'SIGTERM');
    const gone = await waitFor(async () => !alive(pid), 15000);
    if (!gone) process.kill(pid, 'SIGKILL');
    await waitFor(async () => !alive(pid), 5000);
  }
  await rm(join(dir, PID_FILE), { force: true });
}

/**
 * Starts redis-server with its data in DATA_DIR/redis: append-only file on (jobs survive a
 * restart) and no eviction (BullMQ must never lose a key to memory pressure).
 */
async function startLocalRedis(binary: string, config: AppConfig, logger: Logger) {
  await mkdir(join(config.dataDir, 'redis'), { recursive: true });
  const dir = await realpath(join(config.dataDir, 'redis'));
  await stopOrphanRedis(dir, logger);
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      '--bind', '127.0.0.1',
      '--port', String(port),
      '--dir', dir,
      '--pidfile', join(dir, PID_FILE),
      '--appendonly', 'yes',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.stderr?.on('data', (chunk: Buffer) =>
    logger.warn({ component: 'redis-server', message: chunk.toString().trim() }),
  );
  const up = await waitFor(async () => !exited && (await isPortOpen('127.0.0.1', port)), 10000);
  if (!up) {
    child.kill('SIGKILL');
    throw new ServiceUnavailableError(`redis-server at ${binary} did not start on port ${port}`);
  }
  logger.info({ port, dir }, 'local redis-server started');
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM'); // redis-server flushes the append-only file on SIGTERM
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10000))]);
      logger.info({ port }, 'local redis-server stopped');
    },
  };
}

/**
 * Where Redis comes from, in order: REDIS_URL; a server already on 127.0.0.1 at the usual port;
 * a redis-server binary found on PATH, started by us (only when `mayStart`).
 */
export async function resolveRedis(
  config: AppConfig,
  logger: Logger,
  options: { mayStart: boolean },
): Promise<ResolvedService> {
  const noop = async () => undefined;
  if (config.redis.url) return { url: config.redis.url, source: 'environment', stop: noop };
  const port = config.redis.localPort;
  if (await isPortOpen('127.0.0.1', port)) {
    logger.info({ port }, 'using the Redis server found on the local port');
    return { url: `redis://127.0.0.1:${port}`, source: 'local', stop: noop };
  }
  const binary = options.mayStart && config.redis.spawnLocal ? redisServerOnPath() : null;
  if (binary) {
    const started = await startLocalRedis(binary, config, logger);
    return { ...started, source: 'embedded' };
  }
  throw new ServiceUnavailableError(
    `No Redis: REDIS_URL is not set, nothing listens on 127.0.0.1:${port}` +
      (options.mayStart ? ' and no redis-server is on PATH' : '') +
      '. Either set REDIS_URL=redis://HOST:6379, or install Redis ' +
      '(`sudo apt install redis-server`, `brew install redis`) so that `npm start` can run it.',
  );
}
