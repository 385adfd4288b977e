import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { resolvedUrl } from '../infrastructure/config/resolved-config';
import { JobHandler } from '../infrastructure/queue/job-handler';

/**
 * Sign-in records (when, from which address and browser) are personal data kept for
 * investigating misuse, not for ever: a session last active more than SESSION_RETENTION_DAYS
 * ago is deleted. Such a session is certainly over (the idle timeout is at most a day).
 * The access log, which is the record of what was read and changed, is not touched.
 */
@Injectable()
export class PurgeEndedSessionsJob implements JobHandler<'maintenance'> {
  readonly queue = 'maintenance' as const;
  readonly job = 'purge-sessions' as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(): Promise<{ deleted: number }> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.identity.sessionRetentionDays * 86_400_000);
    const [, deleted] = (await this.dataSource.query(
      'DELETE FROM user_sessions WHERE GREATEST(last_seen_at, COALESCE(ended_at, last_seen_at)) < $1',
      [cutoff],
    )) as [unknown, number];
    return { deleted };
  }
}

/** At worker start: the daily purge (a BullMQ job scheduler, idempotent across workers). */
@Injectable()
export class SessionRetentionSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly queue: Queue;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.queue = new Queue('maintenance', {
      connection: { url: resolvedUrl(config, 'redis'), maxRetriesPerRequest: null },
      prefix: config.queue.prefix,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler('purge-sessions', { pattern: '15 3 * * *', tz: 'Europe/London' }, {
      name: 'purge-sessions',
      opts: { removeOnComplete: 10, removeOnFail: 50 },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
