import { Injectable } from '@nestjs/common';
import { JobHandler } from '../infrastructure/queue/job-handler';
import { ReminderScheduler } from './reminder-scheduler';

/** Every second: outbox messages from committed transactions become reminder jobs. */
@Injectable()
export class RelayOutboxJob implements JobHandler<'reminders'> {
  readonly queue = 'reminders' as const;
  readonly job = 'relay-outbox' as const;
  constructor(private readonly scheduler: ReminderScheduler) {}
  async handle(): Promise<{ relayed: number }> {
    let relayed = 0;
    for (let batch = await this.scheduler.relayOutbox(); batch > 0; batch = await this.scheduler.relayOutbox()) relayed += batch;
    return { relayed };
  }
}

/** Every ten minutes (and at worker start): every open deadline's reminders are in Redis. */
@Injectable()
export class ReconcileRemindersJob implements JobHandler<'reminders'> {
  readonly queue = 'reminders' as const;
  readonly job = 'reconcile' as const;
  constructor(private readonly scheduler: ReminderScheduler) {}
  async handle(): Promise<{ deadlines: number }> {
    return { deadlines: await this.scheduler.reconcileAll() };
  }
}
