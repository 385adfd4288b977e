import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
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
