import 'reflect-metadata';
import { boot, failStartup, stopServices } from '../infrastructure/bootstrap/boot';
import { resolvedUrl } from '../infrastructure/config/resolved-config';
import { useApplicationLogin } from '../infrastructure/database/app-login';
import { runMigrations } from '../infrastructure/database/migrate';

/** `npm run migrate`: applies pending migrations to the configured (or local) PostgreSQL. */
async function main() {
  const { config, logger, services } = await boot('dhr-migrate', { mayStart: true, shareRunning: true, redis: false });
  try {
    const applied = await runMigrations(resolvedUrl(config, 'database'));
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema already up to date');
    // The login the API, the worker and the command line use (APP_DATABASE_URL, or dhr_app_login).
    await useApplicationLogin(config, logger, { migrates: true });
  } finally {
    await stopServices(services);
  }
}

main().catch(failStartup);
