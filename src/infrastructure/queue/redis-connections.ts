import IORedis, { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';
import type { Logger } from '../logging/root-logger';

/**
 * For the HTTP path: commands fail at once while Redis is away (no offline queue, one retry)
 * and never wait longer than REDIS_COMMAND_TIMEOUT_MS, so a request answers 503 instead of
 * hanging. Reconnection still goes on in the background.
 */
export function createProducerConnection(
  redisUrl: string,
  config: AppConfig,
  logger: Logger,
  extra: { keyPrefix?: string; role?: string } = {},
): Redis {
  const options: RedisOptions = {
    ...(extra.keyPrefix ? { keyPrefix: extra.keyPrefix } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(config.redis.commandTimeoutMs, 1000),
    commandTimeout: config.redis.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  };
  return watch(new IORedis(redisUrl, options), extra.role ?? 'producer', logger);
}

/** For BullMQ workers: block and retry for ever, as BullMQ requires. */
export function createWorkerConnection(redisUrl: string, logger: Logger): Redis {
  return watch(
    new IORedis(redisUrl, {
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
    }),
    'worker',
    logger,
  );
}

function watch(connection: Redis, role: string, logger: Logger): Redis {
  let down = false;
  connection.on('error', (error: Error) => {
    if (!down) logger.warn({ role, err: error.message }, 'Redis connection error');
    down = true;
  });
  connection.on('ready', () => {
    if (down) logger.info({ role }, 'Redis connection restored');
    down = false;
  });
  return connection;
}
