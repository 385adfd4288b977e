import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/infrastructure/local-services/ports';
import { createTestDatabase, TestDatabase, uniqueQueuePrefix } from './support/databases';
import { processesIn, runEntryPoint, RunningProcess, waitForLog } from './support/processes';

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
      LOCAL_REDIS_PORT: String(await freePort()), // nothing there: start.js runs redis-server itself
      DATA_DIR: dataDir,
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: String(await freePort()),
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
