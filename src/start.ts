import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { demoModeOnStart } from './demo/demo-mode';
import { firstAdministratorOnStart, printFirstStartNotice } from './identity/first-administrator';
import { createApiApp, createWorkerApp } from './infrastructure/bootstrap/applications';
import { writeAfterLogs } from './infrastructure/logging/root-logger';
import { boot, closeOnSignal, failStartup, stopServices } from './infrastructure/bootstrap/boot';
import { resolvedUrl } from './infrastructure/config/resolved-config';
import { useApplicationLogin } from './infrastructure/database/app-login';
import { runMigrations } from './infrastructure/database/migrate';

/**
 * The single-machine start (`npm start`): finds or starts PostgreSQL and Redis, applies
 * migrations, then runs the API and the worker in this one process. Ctrl-C stops all of it,
 * including any PostgreSQL or Redis it started; their data stays in DATA_DIR.
 */
async function main() {
  const { config, logger, services } = await boot('dhr', { mayStart: true, mail: true });
  let closers: Array<() => Promise<unknown>> = [() => stopServices(services)];
  closeOnSignal(logger, closers);
  try {
    const applied = await runMigrations(resolvedUrl(config, 'database'));
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    // From here on, the application's own login (a member of dhr_app only), never the owner.
    await useApplicationLogin(config, logger, { migrates: true });
    // Demo mode only (DEMO=true, `npm run demo`): demo users and reviews, seeded before the
    // worker starts, and the users printed once (src/demo/).
    // Its summary (the demo users and password) is printed after the "ready" line, with the
    // first administrator's block: last, where a person sees them.
    const afterReady: string[] = [];
    await demoModeOnStart(config, logger, (text) => afterReady.push(text));
    const worker = await createWorkerApp(config, logger);
    await worker.init();
    const api = await createApiApp(config, logger);
    // No users yet (a new installation): an administrator, its password printed once.
    const first = await firstAdministratorOnStart(api.get(DataSource), config, logger);
    await api.listen(config.http.port, config.http.host);
    closers.unshift(() => api.close(), () => worker.close());
    logger.info(
      { url: `http://${config.http.host}:${config.http.port}`, docs: '/api/docs' },
      'DHR engine ready (API and worker)',
    );
    // Last, where a person looking at the terminal sees it: a generated administrator password.
    for (const text of afterReady) writeAfterLogs(logger, text);
    printFirstStartNotice(first, (text) => writeAfterLogs(logger, text));
  } catch (error) {
    await stopServices(services);
    throw error;
  }
}

main().catch(failStartup);
