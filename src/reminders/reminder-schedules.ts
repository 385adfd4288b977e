import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { resolvedUrl } from '../infrastructure/config/resolved-config';
import { ROOT_LOGGER } from '../infrastructure/logging/logging.module';
import type { Logger } from '../infrastructure/logging/root-logger';
import { REMINDERS_QUEUE, ReminderScheduler } from './reminder-scheduler';

export const RELAY_EVERY_MS = 1000;
export const RECONCILE_EVERY_MS = 10 * 60 * 1000;

/**
 * At worker start: registers the periodic relay and reconcile jobs and the daily digest
 * (BullMQ job schedulers, idempotent across workers) and re-arms every open deadline once, so
 * reminders lost with an emptied Redis come back at once.
 */
@Injectable()
export class ReminderSchedules implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly queue: Queue;

  constructor(
    private readonly scheduler: ReminderScheduler,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.queue = new Queue(REMINDERS_QUEUE, {
      connection: { url: resolvedUrl(config, 'redis'), maxRetriesPerRequest: null },
      prefix: config.queue.prefix,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const keep = { removeOnComplete: 10, removeOnFail: 50 };
    await this.queue.upsertJobScheduler('relay-outbox', { every: RELAY_EVERY_MS }, { name: 'relay-outbox', opts: keep });
    await this.queue.upsertJobScheduler('reconcile', { every: RECONCILE_EVERY_MS }, { name: 'reconcile', opts: keep });
    // Daily digests at 09:30 UK time (GMT or BST: the cron runs in Europe/London), after the
    // day's reminders (09:00) are queued, so nothing waits a day in the digest.
    await this.queue.upsertJobScheduler('send-digests', { pattern: '30 9 * * *', tz: 'Europe/London' }, {
      name: 'send-digests',
      opts: { ...keep, attempts: 6, backoff: { type: 'exponential', delay: 60_000 } },
    });
    const deadlines = await this.scheduler.reconcileAll();
    this.logger.info({ deadlines }, 'reminders reconciled at start');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
