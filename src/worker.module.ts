import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './infrastructure/config/app-config';
import { Clock } from './infrastructure/clock/clock';
import { ClockModule } from './infrastructure/clock/clock.module';
import { ConfigModule } from './infrastructure/config/config.module';
import { DatabaseModule } from './infrastructure/database/database.module';
import { PurgeEndedSessionsJob } from './identity/session-retention.job';
import { HeartbeatJob } from './infrastructure/health/heartbeat.job';
import { WorkerHealthServer } from './infrastructure/health/worker-health.server';
import { LoggingModule } from './infrastructure/logging/logging.module';
import type { Logger } from './infrastructure/logging/root-logger';
import { JobSchedules } from './infrastructure/queue/job-schedules';
import { JOB_HANDLERS, WorkerHost } from './infrastructure/queue/worker-host';
import { REMINDER_JOB_HANDLERS, RemindersModule } from './reminders/reminders.module';

/** Every job handler, listed once; the worker host checks them against the declared jobs. */
const HANDLERS = [HeartbeatJob, PurgeEndedSessionsJob, ...REMINDER_JOB_HANDLERS];

/** The worker: BullMQ processors and their dependencies, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger, overrides: { clock?: Clock } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger, { http: false }),
        ClockModule.forRoot(overrides.clock),
        DatabaseModule.forRoot(config),
        RemindersModule,
      ],
      providers: [
        HeartbeatJob,
        PurgeEndedSessionsJob,
        JobSchedules,
        WorkerHealthServer,
        { provide: JOB_HANDLERS, inject: HANDLERS, useFactory: (...handlers) => handlers },
        WorkerHost,
      ],
    };
  }
}
