import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { resolvedUrl } from '../config/resolved-config';
import type { Logger } from '../logging/root-logger';
import { createProducerConnection } from '../queue/redis-connections';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Where the rate limits (the API's per minute, sign-in's per address) count: in Redis, under
 * `QUEUE_PREFIX:rate-limit:`, so every API process shares one count per client and a restarted
 * process does not hand out a fresh allowance. The connection is the HTTP path's kind (no
 * offline queue, short command timeout). While Redis cannot be reached, each process counts in
 * its own memory and says so once: an outage of Redis loosens the limits to per-process ones for
 * its duration instead of refusing every request.
 */
export class SharedRateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private inMemory = false;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {
    this.shared = new ThrottlerStorageRedisService(redis);
  }

  static create(config: AppConfig, logger: Logger): SharedRateLimitStorage {
    const redis = createProducerConnection(resolvedUrl(config, 'redis'), config, logger, {
      keyPrefix: `${config.queue.prefix}:rate-limit:`,
      role: 'rate-limit',
    });
    return new SharedRateLimitStorage(redis, logger);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.inMemory) this.logger.info('rate limits counted in Redis again');
      this.inMemory = false;
      return record;
    } catch (error) {
      if (!this.inMemory) {
        this.logger.warn({ err: (error as Error).message }, 'Redis unreachable: rate limits counted in this process only until it is back');
      }
      this.inMemory = true;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    this.redis.disconnect();
  }
}
