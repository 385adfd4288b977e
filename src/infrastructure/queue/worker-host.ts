import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { resolvedUrl } from '../config/resolved-config';
import { ROOT_LOGGER } from '../logging/logging.module';
import type { Logger } from '../logging/root-logger';
import { cappedBackoff } from './retry';
import { indexHandlers, JobHandler } from './job-handler';
import { QUEUES } from './queues';
import { createWorkerConnection } from './redis-connections';

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');

/** Runs one BullMQ worker per queue and routes each job by name to its one handler. */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly workers: Worker[] = [];
  private connection?: Redis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(JOB_HANDLERS) private readonly handlers: JobHandler[],
  ) {}

  onApplicationBootstrap(): void {
    const index = indexHandlers(QUEUES, this.handlers);
    this.connection = createWorkerConnection(resolvedUrl(this.config, 'redis'), this.logger);
    for (const [queue, byJob] of index) {
      const worker = new Worker(
        queue,
        async (job) => {
          const handler = byJob.get(job.name);
          if (!handler) throw new Error(`no handler for ${queue}/${job.name}`);
          return handler.handle(job);
        },
        {
          connection: this.connection,
          prefix: this.config.queue.prefix,
          concurrency: this.config.queue.concurrency,
          lockDuration: this.config.queue.lockMs,
          stalledInterval: this.config.queue.lockMs,
          // A job whose worker died is run again however often that happens (BullMQ's default
          // fails it after one stall, and a failed reminder would wait for the lease for nothing).
          maxStalledCount: 1000,
          // Sends retried while they are owed (RETRY_WHILE_OWED) back off with this.
          settings: { backoffStrategy: cappedBackoff(this.config.reminders) },
        },
      );
      worker.on('failed', (job, error) =>
        this.logger.warn({ queue, job: job?.name, jobId: job?.id, err: error.message }, 'job failed'),
      );
      worker.on('error', (error) => this.logger.warn({ queue, err: error.message }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.info({ queues: [...index.keys()] }, 'worker started');
  }

  async onApplicationShutdown(): Promise<void> {
    // Let running jobs finish; anything not acknowledged goes back to the queue (at-least-once).
    await Promise.all(this.workers.map((w) => w.close()));
    this.connection?.disconnect();
  }
}
