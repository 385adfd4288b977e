import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, isPortOpen } from '../src/infrastructure/local-services/ports';
import { testRedisUrl, uniqueQueuePrefix } from './support/databases';
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
      LOCAL_POSTGRES_PORT: String(await freePort()),
      REDIS_URL: testRedisUrl(),
    });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/No PostgreSQL: DATABASE_URL is not set and nothing listens on 127\.0\.0\.1:\d+/);
    expect(proc.stderr()).toContain('set DATABASE_URL=postgres://');
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
      LOCAL_POSTGRES_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
    const proc = runEntryPoint('start.js', env);
    const embedded = await waitForLog(proc, (l) => l.msg === 'embedded PostgreSQL started', 120000);
    await waitForLog(proc, (l) => l.msg === 'DHR engine ready (API and worker)', 60000);
    const ready = await fetch(`http://127.0.0.1:${env.PORT}/health/ready`);
    return { proc, ready, pgPort: embedded.port as number };
  }

  async function stopService(proc: ReturnType<typeof runEntryPoint>, pgPort: number) {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.logs.map((l) => l.msg)).toContain('embedded PostgreSQL stopped');
    expect(await isPortOpen('127.0.0.1', pgPort)).toBe(false);
  }

  it('starts an embedded PostgreSQL, stops it on SIGTERM, and keeps the data across a restart', async () => {
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
    await stopService(second.proc, second.pgPort);
  }, 240000);
});
