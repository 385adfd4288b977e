import pino, { Logger } from 'pino';
import { AppConfig } from '../config/app-config';

/** The process-wide JSON logger (stdout); Nest's request logger is built on the same settings. */
export function createRootLogger(config: Pick<AppConfig, 'log'>, name = 'dhr'): Logger {
  return pino({
    name,
    level: config.log.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'databaseUrl', 'redisUrl'],
  });
}

export type { Logger };
