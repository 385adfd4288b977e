import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue, RepeatOptions } from 'bullmq';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { resolvedUrl } from '../config/resolved-config';
import { ROOT_LOGGER } from '../logging/logging.module';
import type { Logger } from '../logging/root-logger';
import { QueueName } from './queues';

interface ScheduleDefinition {
  queue: QueueName;
  id: string;
  repeat: Omit<RepeatOptions, 'key'>;
  opts?: Record<string, unknown>;
}

const KEEP = { removeOnComplete: 10, removeOnFail: 50 };

/** The worker's timed jobs: BullMQ job schedulers, kept in Redis. */
export const WORKER_SCHEDULES: ScheduleDefinition[] = [
  // Sessions ended long ago are deleted at 03:15 UK time.
  { queue: 'maintenance', id: 'purge-sessions', repeat: { pattern: '15 3 * * *', tz: 'Europe/London' } },
  // Daily digests at 09:30 UK time (GMT or BST: the cron runs in Europe/London), after the
  // day's reminders (09:00) are queued, so nothing waits a day in the digest.
  {
    queue: 'reminders',
    id: 'send-digests',
    repeat: { pattern: '30 9 * * *', tz: 'Europe/London' },
    opts: { attempts: 6, backoff: { type: 'exponential', delay: 60_000 } },
  },
];

/** Schedulers of earlier versions that are no longer used (the relay and reconciler now run in the worker's own loops). */
const RETIRED: Array<{ queue: QueueName; id: string }> = [
  { queue: 'reminders', id: 'relay-outbox' },
  { queue: 'reminders', id: 'reconcile' },
];

/** How often the worker checks that Redis still has its schedulers. */
export const SCHEDULE_CHECK_EVERY_MS = 15_000;

/**
 * Registers the worker's job schedulers at start (idempotent across workers), and puts back any
 * that Redis has lost (flushed, failed over to an empty replica, replaced by a new instance)
 * within SCHEDULE_CHECK_EVERY_MS, without a restart.
 */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const { queue, id } of RETIRED) await this.queue(queue).removeJobScheduler(id);
    for (const definition of WORKER_SCHEDULES) await this.register(definition);
    this.timer = setInterval(() => void this.restoreMissing(), SCHEDULE_CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** Registers every scheduler Redis does not have; returns their ids. */
  async restoreMissing(): Promise<string[]> {
    if (this.checking) return [];
    this.checking = true;
    const restored: string[] = [];
    try {
      for (const definition of WORKER_SCHEDULES) {
        if (await this.queue(definition.queue).getJobScheduler(definition.id)) continue;
        await this.register(definition);
        restored.push(definition.id);
      }
      if (restored.length > 0) this.logger.warn({ restored }, 'Redis had lost job schedulers: registered again');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'could not check the job schedulers in Redis');
    } finally {
      this.checking = false;
    }
    return restored;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  private register({ queue, id, repeat, opts }: ScheduleDefinition) {
    return this.queue(queue).upsertJobScheduler(id, repeat, { name: id, opts: { ...KEEP, ...opts } });
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: { url: resolvedUrl(this.config, 'redis'), maxRetriesPerRequest: null },
        prefix: this.config.queue.prefix,
      });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }
}
