import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { createWorkerApp } from './infrastructure/bootstrap/applications';
import { useApplicationLogin } from './infrastructure/database/app-login';
import { boot, closeOnSignal, failStartup, stopServices } from './infrastructure/bootstrap/boot';

/** The worker alone: BullMQ processors, no HTTP. Run as many as the load needs. */
async function main() {
  const { config, logger, services } = await boot('dhr-worker', { mayStart: false, mail: true });
  await useApplicationLogin(config, logger, { migrates: false });
  // Before the worker is made (making it starts it and logs "worker started"): a SIGTERM from
  // then on is a clean stop, not Node's default of dying at once.
  let worker: INestApplicationContext | undefined;
  closeOnSignal(logger, [async () => worker?.close(), () => stopServices(services)]);
  worker = await createWorkerApp(config, logger);
  await worker.init();
}

main().catch(failStartup);
