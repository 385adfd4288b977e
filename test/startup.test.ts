import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isPortOpen, waitFor } from '../src/infrastructure/local-services/ports';
import { testPort } from './support/ports';
import { createTestDatabase, testRedisUrl, uniqueQueuePrefix } from './support/databases';
import { runEntryPoint, waitForLog } from './support/processes';

describe('start-up as a user runs it (compiled entry points)', () => {
  it.each(['start.js', 'main.js', 'worker.js', 'cli/migrate.js'])(
    '%s exits non-zero naming PORT when PORT=abc',
    async (entry) => {
      const proc = runEntryPoint(entry, { PORT: 'abc' });
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toContain('PORT: expected an integer port between 1 and 65535');
      expect(proc.stderr()).toContain('got "abc"');
    },
  );

  it('names every invalid setting at once', async () => {
    const proc = runEntryPoint('start.js', { LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://nope' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL/);
    expect(proc.stderr()).toMatch(/LOG_LEVEL: expected one of/);
  });

  it('the API alone refuses to start without PostgreSQL and says how to get one', async () => {
    const proc = runEntryPoint('main.js', {
      LOCAL_POSTGRES_PORT: String(await testPort()),
      REDIS_URL: testRedisUrl(),
    });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/No PostgreSQL: DATABASE_URL is not set and nothing listens on 127\.0\.0\.1:\d+/);
    expect(proc.stderr()).toContain('set DATABASE_URL=postgres://');
  });

  it('npm start uses a Redis found on the local port, and without one (and no redis-server on PATH) stops saying how to get one', async () => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'dhr-redis-'));
    try {
      const env = { DATABASE_URL: database.url, QUEUE_PREFIX: uniqueQueuePrefix(), DATA_DIR: dataDir, LOG_LEVEL: 'info', PATH: '/nonexistent' };
      const without = runEntryPoint('start.js', { ...env, PORT: String(await testPort()), LOCAL_REDIS_PORT: String(await testPort()) });
      expect(await without.exited).toBe(1);
      expect(without.stderr()).toMatch(/No Redis: REDIS_URL is not set, nothing listens on 127\.0\.0\.1:\d+ and no redis-server is on PATH\./);
      expect(without.stderr()).toContain('set REDIS_URL=redis://HOST:6379, or install Redis (`sudo apt install redis-server`, `brew install redis`)');

      const redisPort = new URL(testRedisUrl()).port || '6379';
      const found = runEntryPoint('start.js', { ...env, PORT: String(await testPort()), LOCAL_REDIS_PORT: redisPort });
      try {
        const using = await waitForLog(found, (l) => l.msg === 'using the Redis server found on the local port', 60000);
        expect(using.port).toBe(Number(redisPort));
        await waitForLog(found, (l) => l.msg === 'DHR engine ready (API and worker)', 60000);
        found.child.kill('SIGTERM');
        expect(await found.exited).toBe(0);
      } finally {
        if (found.child.exitCode === null) found.child.kill('SIGKILL');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  }, 120000);

  it('the worker alone refuses to start without SMTP_URL and says what it needs (it sends the reminders)', async () => {
    const database = await createTestDatabase();
    try {
      const proc = runEntryPoint('worker.js', { DATABASE_URL: database.url, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniqueQueuePrefix() });
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toContain('SMTP_URL is not set: the worker sends reminder emails and needs an SMTP server');
    } finally {
      await database.drop();
    }
  });
});

describe('single-machine start with nothing on the PostgreSQL port', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'dhr-embedded-'));
    // Run as root, the embedded server runs as the postgres user, who must reach the folder.
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function startService() {
    const env = {
      LOCAL_POSTGRES_PORT: String(await testPort()),
      DATA_DIR: dataDir,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: String(await testPort()),
      LOG_LEVEL: 'info',
    };
    const proc = runEntryPoint('start.js', env, [], { ownProcessGroup: true });
    const embedded = await waitForLog(proc, (l) => l.msg === 'embedded PostgreSQL started', 120000);
    await waitForLog(proc, (l) => l.msg === 'DHR engine ready (API and worker)', 60000);
    const ready = await fetch(`http://127.0.0.1:${env.PORT}/health/ready`);
    return { proc, ready, pgPort: embedded.port as number };
  }

  /** SIGTERM to the process (a supervisor), or Ctrl-C: SIGINT to its whole process group (a terminal). */
  async function stopService(proc: ReturnType<typeof runEntryPoint>, pgPort: number, how: 'SIGTERM' | 'Ctrl-C' = 'SIGTERM') {
    if (how === 'Ctrl-C') process.kill(-proc.child.pid!, 'SIGINT');
    else proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.logs.map((l) => l.msg)).toContain('embedded PostgreSQL stopped');
    expect(await isPortOpen('127.0.0.1', pgPort)).toBe(false);
  }

  it('starts an embedded PostgreSQL, stops it on SIGTERM and on Ctrl-C (SIGINT to the process group), and keeps the data across restarts', async () => {
    const first = await startService();
    expect(first.ready.status).toBe(200);
    // API and worker in one process, each with its own data source: no false alarm about it.
    expect(first.proc.logs.map((l) => l.msg).filter((m) => /already registered/.test(String(m)))).toEqual([]);
    const url = `postgres://postgres:postgres@127.0.0.1:${first.pgPort}/dhr`;
    const writer = new Client({ connectionString: url });
    await writer.connect();
    await writer.query(`INSERT INTO csps (code, name) VALUES ('MALDON', 'Maldon Community Safety Partnership')`);
    await writer.end();
    await stopService(first.proc, first.pgPort);

    const second = await startService();
    expect(second.ready.status).toBe(200);
    expect(second.proc.logs.find((l) => l.msg === 'initialising an embedded PostgreSQL data folder')).toBeUndefined();
    const reader = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${second.pgPort}/dhr` });
    await reader.connect();
    const { rows } = await reader.query(`SELECT name FROM csps WHERE code = 'MALDON'`);
    await reader.end();
    expect(rows).toEqual([{ name: 'Maldon Community Safety Partnership' }]);
    // Ctrl-C stops everything it started, as cleanly: exit 0, PostgreSQL stopped, and its data kept.
    await stopService(second.proc, second.pgPort, 'Ctrl-C');
    const third = await startService();
    expect(third.ready.status).toBe(200);
    const again = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${third.pgPort}/dhr` });
    await again.connect();
    expect((await again.query(`SELECT count(*)::int AS n FROM csps WHERE code = 'MALDON'`)).rows).toEqual([{ n: 1 }]);
    await again.end();
    await stopService(third.proc, third.pgPort);
  }, 300000);

  it('a start after a crash (kill -9) stops the embedded PostgreSQL the crashed one left running, then starts its own on the same data', async () => {
    const crashed = await startService();
    expect(crashed.ready.status).toBe(200);
    crashed.proc.child.kill('SIGKILL');
    await crashed.proc.exited;
    // The crashed start's server is still up on its port.
    expect(await isPortOpen('127.0.0.1', crashed.pgPort)).toBe(true);

    const next = await startService();
    expect(next.ready.status).toBe(200);
    const stopped = next.proc.logs.find((l) => l.msg === 'stopping an embedded PostgreSQL left running by an earlier start');
    expect(stopped).toMatchObject({ pid: expect.any(Number) });
    // The data is the earlier starts' (the MALDON row of the test before, or none if run alone, but the schema is there).
    const client = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${next.pgPort}/dhr` });
    await client.connect();
    expect((await client.query(`SELECT count(*)::int AS n FROM schema_migrations`)).rows[0].n).toBeGreaterThan(0);
    await client.end();
    await stopService(next.proc, next.pgPort);
    if (crashed.pgPort !== next.pgPort) expect(await isPortOpen('127.0.0.1', crashed.pgPort)).toBe(false);
  }, 300000);
});

describe('first start: what a person sees at the default log level', () => {
  const routeOrModuleLine = (line: string) => /RouterExplorer|RoutesResolver|InstanceLoader|Mapped \{|dependencies initialized/.test(line);

  it.each([
    ['start.js', 'DHR engine ready (API and worker)'],
    ['main.js', 'API listening'],
  ])('%s prints the generated administrator password last, after "%s", in a short output without route mapping', async (entry, readyMsg) => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'dhr-first-start-'));
    const proc = runEntryPoint(entry, {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: String(await testPort()),
      DATA_DIR: dataDir,
    });
    try {
      await waitForLog(proc, (l) => l.msg === readyMsg, 60000);
      expect(await waitFor(async () => proc.lines.some((l) => /^\s+password:\s+\S{12,}$/.test(l)), 10000)).toBe(true);
      // Anything else start-up writes comes within this second.
      await new Promise((r) => setTimeout(r, 1500));
      const lines = [...proc.lines];
      while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
      const ready = lines.findIndex((l) => l.includes(`"msg":"${readyMsg}"`));
      const password = lines.findIndex((l) => /^\s+password:\s+\S{12,}$/.test(l));
      expect({ ready, password }).toEqual({ ready: expect.any(Number), password: expect.any(Number) });
      expect(ready).toBeGreaterThanOrEqual(0);
      // After the ready line, framed, and within the last few lines of the output.
      expect(password).toBeGreaterThan(ready);
      expect(lines[password - 4]).toMatch(/^={72}$/);
      expect(lines.length - 1 - password).toBeLessThanOrEqual(8);
      expect(lines[lines.length - 1]).toMatch(/^={72}$/);
      // Nest's module and route lines are at debug level: the whole start-up is some 22 lines
      // (7 log lines and the 15-line block), where it was 339.
      expect(lines.filter(routeOrModuleLine)).toEqual([]);
      expect(lines.length).toBeLessThanOrEqual(30);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  }, 90000);

  it('npm run demo (start.js, DEMO=true) prints the demo users after the ready line, where a person sees them', async () => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'dhr-first-start-'));
    const proc = runEntryPoint('start.js', {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: String(await testPort()),
      DATA_DIR: dataDir,
      DEMO: 'true',
    });
    try {
      await waitForLog(proc, (l) => l.msg === 'DHR engine ready (API and worker)', 90000);
      expect(await waitFor(async () => proc.lines.some((l) => l.startsWith('API and its documentation:')), 10000)).toBe(true);
      const lines = [...proc.lines];
      const ready = lines.findIndex((l) => l.includes('"msg":"DHR engine ready (API and worker)"'));
      const demo = lines.findIndex((l) => l.startsWith('DEMO MODE: fictional data.'));
      expect({ ready, demo }).toEqual({ ready: expect.any(Number), demo: expect.any(Number) });
      expect(ready).toBeGreaterThanOrEqual(0);
      expect(demo).toBeGreaterThan(ready);
      expect(lines.filter(routeOrModuleLine)).toEqual([]);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  }, 120000);
});
