import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { firstAdministratorOnStart, printFirstStartNotice } from './identity/first-administrator';
import { createApiApp } from './infrastructure/bootstrap/applications';
import { writeAfterLogs } from './infrastructure/logging/root-logger';
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
  const first = await firstAdministratorOnStart(app.get(DataSource), config, logger);
  await app.listen(config.http.port, config.http.host);
  logger.info({ url: `http://${config.http.host}:${config.http.port}` }, 'API listening');
  // Last, where a person looking at the terminal sees it: a generated administrator password.
  printFirstStartNotice(first, (text) => writeAfterLogs(logger, text));
  closeOnSignal(logger, [() => app.close(), () => stopServices(services)]);
}

main().catch(failStartup);
