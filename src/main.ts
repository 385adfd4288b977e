import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { firstAdministratorOnStart } from './identity/first-administrator';
import { createApiApp } from './infrastructure/bootstrap/applications';
import { useApplicationLogin } from './infrastructure/database/app-login';
import { boot, closeOnSignal, failStartup, stopServices } from './infrastructure/bootstrap/boot';

/**
 * The HTTP API alone (production: one of several processes). It does not migrate: run
 * `npm run migrate` first; /health/ready reports pending migrations.
 */
async function main() {
  const { config, logger, services } = await boot('dhr-api', { mayStart: false });
  await useApplicationLogin(config, logger, { migrates: false });
  const app = await createApiApp(config, logger);
  // No users yet (a new installation): an administrator, its password printed once.
  await firstAdministratorOnStart(app.get(DataSource), config, logger);
  await app.listen(config.http.port, config.http.host);
  logger.info({ url: `http://${config.http.host}:${config.http.port}` }, 'API listening');
  closeOnSignal(logger, [() => app.close(), () => stopServices(services)]);
}

main().catch(failStartup);
