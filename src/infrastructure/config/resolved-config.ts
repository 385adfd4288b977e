import { AppConfig } from './app-config';

/**
 * After start-up has found (or started) PostgreSQL and Redis, their URLs are filled into the
 * config; modules read them through this so a missing one is a clear error, not `null`.
 */
export function resolvedUrl(config: AppConfig, service: 'database' | 'redis'): string {
  const url = config[service].url;
  if (!url) throw new Error(`${service} URL was not resolved before the application started`);
  return url;
}
