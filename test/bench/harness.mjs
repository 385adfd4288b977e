// What every benchmark of the compiled service needs: PostgreSQL and Redis found as the service
// finds them (DATABASE_URL / REDIS_URL, else the local ports, else embedded PostgreSQL and a
// redis-server from PATH), a database of its own with the migrations run and a CSP `BENCH`, users
// with API tokens made by the compiled command line, the compiled API started on a free port, and
// everything removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const require = createRequire(import.meta.url);
export const dist = (p) => join(ROOT, 'dist', 'src', p);
if (!existsSync(dist('main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Client } = require('pg');
const { loadConfig } = require(dist('infrastructure/config/load-config.js'));
const { runMigrations } = require(dist('infrastructure/database/migrate.js'));
const { resolvePostgres } = require(dist('infrastructure/local-services/postgres.js'));
const { resolveRedis } = require(dist('infrastructure/local-services/redis.js'));
const { createRootLogger } = require(dist('infrastructure/logging/root-logger.js'));
export const { freePort } = require(dist('infrastructure/local-services/ports.js'));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The q-quantile of sorted nanosecond figures. */
export const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
export const ms = (ns) => Number((Number(ns) / 1e6).toFixed(1));
/** p50 and p99 in milliseconds of nanosecond figures. */
export function quantiles(times) {
  const t = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { p50: ms(pct(t, 0.5)), p99: ms(pct(t, 0.99)) };
}

/**
 * The load generator's client: node:http on keep-alive connections (as many as there are
 * clients). It does what the benchmarks need and no more, so it takes less of the machine from
 * the service it measures than fetch does: measured on a 2-core machine, a bare Node HTTP server
 * doing the raw transition's SQL answered 38-41% of pgbench's rate driven by fetch and 54% driven
 * by this. `send(method, url, headers, body)` resolves to { status, text }.
 */
export function httpClient() {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const send = (method, url, headers = {}, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body);
      const req = request(url, { method, agent, headers: payload ? { ...headers, 'Content-Length': payload.length } : headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return { send, close: () => agent.destroy() };
}

/** A database of its own, migrated, with the CSP `BENCH`; `done()` removes everything. */
export async function startBench() {
  const config = loadConfig({ ...process.env, DATA_DIR: process.env.BENCH_DATA_DIR ?? '.data/bench', LOG_LEVEL: 'warn' });
  const logger = createRootLogger(config, 'bench');
  const postgres = await resolvePostgres(config, logger, { mayStart: true });
  const redis = await resolveRedis(config, logger, { mayStart: true });
  const name = `dhr_bench_${randomBytes(4).toString('hex')}`;
  const server = new URL(postgres.url);
  const urlOf = (database) => Object.assign(new URL(server), { pathname: `/${database}` }).toString();
  const admin = new Client({ connectionString: urlOf('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const work = mkdtempSync(join(tmpdir(), 'dhr-bench-'));
  const cliEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: urlOf(name), LOG_LEVEL: 'warn' };
  const apis = [];
  await runMigrations(urlOf(name));
  const db = new Client({ connectionString: urlOf(name) });
  db.on('error', () => undefined);
  await db.connect();
  await db.query(`INSERT INTO csps (code, name) VALUES ('BENCH', 'Bench CSP')`);

  /** Runs the compiled command line; its output, or an error with what it printed. */
  const cli = (...args) => {
    const run = spawnSync(process.execPath, [dist('cli/index.js'), ...args], { cwd: ROOT, env: cliEnv, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(`${args[0]}: ${run.stderr || run.stdout.slice(0, 2000)}`);
    return run.stdout;
  };

  /** A user of the service with an API token (a real one, so the policy narrows the SQL as for a person). */
  const userWithToken = (email, role, ...scope) => {
    const out = cli('users:add', '--email', email, '--name', `Bench ${role}`, '--role', role, ...scope, '--reason', 'benchmark', '--token');
    const token = /\b([A-Za-z0-9_-]{30,})\b/.exec(out.split('\n').find((l) => /token/i.test(l) && !/expire/i.test(l)) ?? out)?.[1];
    if (!token) throw new Error(`no token in: ${out}`);
    return token;
  };

  /** The compiled API on a free port; `startMs` is how long it took to answer /health. */
  const startApi = async (script = 'main.js') => {
    // A port that was free a moment ago, below the ephemeral range (an outgoing connection could take one inside it).
    const port = await freePort();
    const started = process.hrtime.bigint();
    // BENCH_API_NODE_ARGS: extra Node flags for the API (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
    const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const proc = spawn(process.execPath, [...nodeArgs, dist(script)], {
      cwd: ROOT,
      // One client address sends every request: the rate limit is raised (still counted in Redis).
      env: { ...cliEnv, RATE_LIMIT_PER_MINUTE: '1000000', REDIS_URL: redis.url, QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: work, SMTP_URL: 'smtp://127.0.0.1:1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    apis.push(proc);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      if (i > 3000 || proc.exitCode !== null) throw new Error('the API did not start');
      await sleep(5);
    }
    return { base, proc, startMs: ms(process.hrtime.bigint() - started), stop: () => stopProcess(proc) };
  };

  const done = async () => {
    for (const proc of apis) await stopProcess(proc);
    await db.end().catch(() => undefined);
    // BENCH_KEEP_DB=1 keeps the generated database for looking into (its name on stderr).
    if (process.env.BENCH_KEEP_DB === '1') console.error(`kept database ${name}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(work, { recursive: true, force: true });
    await postgres.stop?.();
    await redis.stop?.();
  };
  return { db, name, url: urlOf(name), work, cliEnv, cli, userWithToken, startApi, done };
}

async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
}
