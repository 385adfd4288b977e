import { Inject, Injectable, OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobName, QueueName } from './queues';

export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');

/**
 * Adds jobs from the HTTP path. Redis being away becomes a 503 at once, never a hang.
 * (Work that must not be lost goes through the database outbox, not straight here.)
 */
@Injectable()
export class QueueProducer implements OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();
  private everReady: boolean;

  constructor(
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.everReady = redis.status === 'ready';
    if (!this.everReady) redis.once('ready', () => (this.everReady = true));
  }

  /** Whether the connection to Redis has ever been ready (false while the first one is opening). */
  hasConnected(): boolean {
    return this.everReady || this.redis.status === 'ready';
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.config.queue.prefix });
      queue.on('error', () => undefined); // reported by the connection's own error handler
      this.queues.set(name, queue);
    }
    return queue;
  }

  async add<Q extends QueueName>(name: Q, job: JobName<Q>, data: object, options?: JobsOptions) {
    try {
      return await this.queue(name).add(job, data, options);
    } catch (error) {
      throw new ServiceUnavailableException(`The job queue (Redis) is unavailable: ${(error as Error).message}`);
    }
  }

  /**
   * Resolves when Redis answers PING; rejects at once (or after the command timeout) if not.
   * While the first connection is still opening (a slow start), it waits for it rather than
   * failing: the caller bounds how long. Once Redis has been reached, a lost connection fails
   * at once.
   */
  async ping(): Promise<void> {
    if (!this.hasConnected()) await this.firstConnection();
    const answer = await this.redis.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
  }

  private firstConnection(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.redis.off('ready', onReady);
        this.redis.off('end', onEnd);
      };
      const onReady = () => {
        done();
        resolve();
      };
      const onEnd = () => {
        done();
        reject(new Error('Redis connection closed before it was first opened'));
      };
      this.redis.on('ready', onReady);
      this.redis.on('end', onEnd);
      // A caller's timeout must not leave the listeners behind.
      setTimeout(done, 30_000).unref();
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}
