import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './infrastructure/config/app-config';
import { ClockModule } from './infrastructure/clock/clock.module';
import { ConfigModule } from './infrastructure/config/config.module';
import { DatabaseModule } from './infrastructure/database/database.module';
import { HeartbeatJob } from './infrastructure/health/heartbeat.job';
import { LoggingModule } from './infrastructure/logging/logging.module';
import type { Logger } from './infrastructure/logging/root-logger';
import { JOB_HANDLERS, WorkerHost } from './infrastructure/queue/worker-host';

/** Every job handler, listed once; the worker host checks them against the declared jobs. */
const HANDLERS = [HeartbeatJob];

/** The worker: BullMQ processors and their dependencies, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger, { http: false }),
        ClockModule.forRoot(),
        DatabaseModule.forRoot(config),
      ],
      providers: [
        ...HANDLERS,
        { provide: JOB_HANDLERS, inject: HANDLERS, useFactory: (...handlers) => handlers },
        WorkerHost,
      ],
    };
  }
}
