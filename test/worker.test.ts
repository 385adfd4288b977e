import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { JobSchedules } from '../src/infrastructure/queue/job-schedules';
import { QueueProducer } from '../src/infrastructure/queue/queue-producer';
import { startTestApp, TestContext } from './support/test-app';

describe('worker (real Redis and PostgreSQL)', () => {
  let ctx: TestContext;
  let events: QueueEvents;
  beforeAll(async () => {
    ctx = await startTestApp({ worker: true });
    events = new QueueEvents('maintenance', {
      connection: { url: ctx.config.redis.url! },
      prefix: ctx.config.queue.prefix,
    });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events.close();
    await ctx.close();
  });

  it('takes a job the API queued from Redis, runs it and answers from PostgreSQL', async () => {
    const producer = ctx.api.get(QueueProducer);
    const job = await producer.add('maintenance', 'heartbeat', { echo: 'hello' });
    const result = await job.waitUntilFinished(events, 15000);
    expect(result.echo).toBe('hello');
    expect(Date.parse(result.databaseTime)).not.toBeNaN();
    expect(Math.abs(Date.parse(result.databaseTime) - Date.now())).toBeLessThan(60000);
  });

  it('keeps its keys under the test file’s own prefix', async () => {
    const redis = new IORedis(ctx.config.redis.url!);
    try {
      const keys = await redis.keys(`${ctx.config.queue.prefix}:maintenance:*`);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('schedules the nightly purge of old session records', async () => {
    const queue = new Queue('maintenance', { connection: { url: ctx.config.redis.url! }, prefix: ctx.config.queue.prefix });
    try {
      expect(await queue.getJobScheduler('purge-sessions')).toMatchObject({ name: 'purge-sessions', pattern: '15 3 * * *', tz: 'Europe/London' });
    } finally {
      await queue.close();
    }
  });

  it('puts back the schedulers Redis has lost, without a restart, and only those', async () => {
    const redis = new IORedis(ctx.config.redis.url!);
    const maintenance = new Queue('maintenance', { connection: { url: ctx.config.redis.url! }, prefix: ctx.config.queue.prefix });
    const reminders = new Queue('reminders', { connection: { url: ctx.config.redis.url! }, prefix: ctx.config.queue.prefix });
    try {
      expect(await ctx.worker!.get(JobSchedules).restoreMissing()).toEqual([]);
      const keys = await redis.keys(`${ctx.config.queue.prefix}:*`);
      await redis.del(...keys);
      expect(await maintenance.getJobScheduler('purge-sessions')).toBeUndefined();
      expect((await ctx.worker!.get(JobSchedules).restoreMissing()).sort()).toEqual(['purge-sessions', 'send-digests']);
      expect(await maintenance.getJobScheduler('purge-sessions')).toMatchObject({ pattern: '15 3 * * *', tz: 'Europe/London' });
      expect(await reminders.getJobScheduler('send-digests')).toMatchObject({ pattern: '30 9 * * *', tz: 'Europe/London' });
    } finally {
      await maintenance.close();
      await reminders.close();
      redis.disconnect();
    }
  });
});
