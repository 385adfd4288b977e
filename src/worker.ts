import 'reflect-metadata';
import { createWorkerApp } from './infrastructure/bootstrap/applications';
import { useApplicationLogin } from './infrastructure/database/app-login';
import { boot, closeOnSignal, failStartup, stopServices } from './infrastructure/bootstrap/boot';

/** The worker alone: BullMQ processors, no HTTP. Run as many as the load needs. */
async function main() {
  const { config, logger, services } = await boot('dhr-worker', { mayStart: false, mail: true });
  await useApplicationLogin(config, logger, { migrates: false });
  const worker = await createWorkerApp(config, logger);
  await worker.init();
  closeOnSignal(logger, [() => worker.close(), () => stopServices(services)]);
}

main().catch(failStartup);
