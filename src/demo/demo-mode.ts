import { NestFactory } from '@nestjs/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { NestLogger } from '../infrastructure/bootstrap/applications';
import type { AppConfig } from '../infrastructure/config/app-config';
import type { Logger } from '../infrastructure/logging/root-logger';
import { assertDemoAllowed, formatDemoSummary, seedDemo } from './demo-seed';

/**
 * The start-up step of demo mode (`npm run demo`, i.e. DEMO=true with `npm start`), run right
 * after the migrations: seeds the demo data (nothing is created on a database that has it
 * already) and prints the demo users, their roles and the password once. Does nothing unless
 * DEMO is on; refuses (a configuration error, before touching anything) with APP_ENV=production.
 *
 * It seeds through the API's own services in an application context of its own, closed again
 * before the worker starts: the worker then sees the seeded reviews as they are, so it sends
 * reminders only for the deadlines that are really open (a backdated IMR received a moment
 * after it was commissioned sends nothing).
 */
export async function demoModeOnStart(
  config: AppConfig,
  logger: Logger,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  if (!config.demo.enabled) return;
  assertDemoAllowed(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger), { bufferLogs: true });
  try {
    app.useLogger(new NestLogger(app.get(PinoNestLogger)));
    const result = await seedDemo(app, { config });
    logger.info({ created: result.created, passwordsSet: result.passwordsSet }, 'demo mode: demo data ready');
    write(formatDemoSummary(result, config.demo.password, config.http.publicBaseUrl));
  } finally {
    await app.close();
  }
}
