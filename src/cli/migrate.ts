import 'reflect-metadata';
import { boot, failStartup, stopServices } from '../infrastructure/bootstrap/boot';
import { resolvedUrl } from '../infrastructure/config/resolved-config';
import { runMigrations } from '../infrastructure/database/migrate';

/** `npm run migrate`: applies pending migrations to the configured (or local) PostgreSQL. */
async function main() {
  const { config, logger, services } = await boot('dhr-migrate', { mayStart: true, shareRunning: true, redis: false });
  try {
    const applied = await runMigrations(resolvedUrl(config, 'database'));
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema already up to date');
  } finally {
    await stopServices(services);
  }
}

main().catch(failStartup);
