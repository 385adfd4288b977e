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

/**
 * Writes plain text (not a log line) to the logger's destination, after every line logged so
 * far: pino writes asynchronously, so process.stdout.write could come before them.
 */
export function writeAfterLogs(logger: Logger, text: string): void {
  (logger as unknown as Record<symbol, { write(text: string): void }>)[pino.symbols.streamSym].write(text);
}

export type { Logger };
