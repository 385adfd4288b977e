import { AppConfig } from '../config/app-config';
import { ConfigError, loadConfig } from '../config/load-config';
import { ResolvedService, resolvePostgres, ServiceUnavailableError } from '../local-services/postgres';
import { resolveRedis } from '../local-services/redis';
import { createRootLogger, Logger } from '../logging/root-logger';
import { startLocalMailCapture } from '../../reminders/mail/local-mail-capture';

export interface Booted {
  config: AppConfig;
  logger: Logger;
  /** What we found or started; stopped last on shutdown, in reverse order. */
  services: ResolvedService[];
}

export interface BootOptions {
  /** May start an embedded PostgreSQL and a local redis-server (the single-machine start, the command line). */
  mayStart: boolean;
  mail?: boolean;
  quiet?: boolean;
  /** false: no Redis at all (the command line and migrations only write to PostgreSQL). */
  redis?: boolean;
  /** Use the embedded PostgreSQL a running `npm start` has on this DATA_DIR rather than stop it (the command line). */
  shareRunning?: boolean;
}

/**
 * Validates the configuration and finds PostgreSQL and Redis (starting local ones only when
 * `mayStart`, i.e. in the single-machine start). Their URLs are filled into the config.
 */
export async function boot(name: string, options: BootOptions): Promise<Booted> {
  const config = loadConfig();
  // Command-line tools print their own answer; only warnings from the machinery.
  if (options.quiet && config.log.level === 'info') config.log.level = 'warn';
  const logger = createRootLogger(config, name);
  const services: ResolvedService[] = [];
  try {
    const postgres = await resolvePostgres(config, logger, options);
    services.push(postgres);
    config.database.url = postgres.url;
    const redis = options.redis === false ? null : await resolveRedis(config, logger, options);
    if (redis) {
      services.push(redis);
      config.redis.url = redis.url;
    }
    if (options.mail && !config.mail.smtpUrl) {
      if (!options.mayStart) {
        throw new ServiceUnavailableError(
          'SMTP_URL is not set: the worker sends reminder emails and needs an SMTP server (smtp://user:password@host:587).',
        );
      }
      // Single-machine start: mail goes to a folder of .eml files a person can open.
      const capture = await startLocalMailCapture(config.mail.captureDir, logger);
      services.push({ url: capture.url, source: 'embedded', stop: capture.stop });
      config.mail.smtpUrl = capture.url;
      logger.info({ dir: config.mail.captureDir }, 'no SMTP_URL: emails are written to the local mail folder');
    }
    logger.info({ postgres: postgres.source, redis: redis?.source ?? 'not needed' }, 'services resolved');
    return { config, logger, services };
  } catch (error) {
    await stopServices(services);
    throw error;
  }
}

export async function stopServices(services: ResolvedService[]): Promise<void> {
  for (const service of [...services].reverse()) {
    await service.stop().catch(() => undefined);
  }
}

/** The hint PostgreSQL gave with an error (TypeORM keeps the driver's error beside its own). */
export function hintOf(error: unknown): string | null {
  const hint = (error as { hint?: unknown })?.hint ?? (error as { driverError?: { hint?: unknown } })?.driverError?.hint;
  return typeof hint === 'string' && hint.trim() !== '' ? hint : null;
}

/** Start-up failures end the process with a message a person can act on, and exit code 1. */
export function failStartup(error: unknown): never {
  if (error instanceof ConfigError || error instanceof ServiceUnavailableError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${(error as Error)?.stack ?? String(error)}\n`);
    // PostgreSQL's hint (a migration's RAISE … USING HINT: what an administrator must run),
    // last, where it is seen.
    const hint = hintOf(error);
    if (hint) process.stderr.write(`\n${hint}\n`);
  }
  process.exit(1);
}

/**
 * On SIGINT or SIGTERM, runs the closers in order once (a second signal forces exit), then
 * exits 0. Closers stop servers before the services they depend on.
 */
const CLOSE_TIMEOUT_MS = 10000;

export function closeOnSignal(logger: Logger, closers: Array<() => Promise<unknown>>): void {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    for (const close of closers) {
      try {
        // A closer waiting on a service that is already gone must not stop the rest (such as
        // stopping the embedded PostgreSQL) from running.
        await Promise.race([close(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), CLOSE_TIMEOUT_MS).unref())]);
      } catch (error) {
        logger.error({ err: (error as Error).message }, 'error during shutdown');
      }
    }
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
