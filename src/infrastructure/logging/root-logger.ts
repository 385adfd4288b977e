import pino, { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { safeErrorSerializer, withSafeErrors } from './safe-error';

/**
 * The process-wide JSON logger (stdout, or `destination` in tests); Nest's request logger is
 * built on the same settings. Errors are serialized without the SQL and its bound values
 * (safe-error.ts), in the API and the worker alike.
 */
export function createRootLogger(config: Pick<AppConfig, 'log'>, name = 'dhr', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level: config.log.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'databaseUrl', 'redisUrl'],
    serializers: { err: safeErrorSerializer, error: safeErrorSerializer },
    // An error under any other key of a log line is serialized the same way.
    formatters: { log: withSafeErrors },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Writes plain text (not a log line) to the logger's destination, after every line logged so
 * far: pino writes asynchronously, so process.stdout.write could come before them.
 */
export function writeAfterLogs(logger: Logger, text: string): void {
  (logger as unknown as Record<symbol, { write(text: string): void }>)[pino.symbols.streamSym].write(text);
}

export type { Logger };
