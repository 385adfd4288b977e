import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './infrastructure/config/app-config';
import { ConfigModule } from './infrastructure/config/config.module';
import { DatabaseModule } from './infrastructure/database/database.module';
import { HealthModule } from './infrastructure/health/health.module';
import { LoggingModule } from './infrastructure/logging/logging.module';
import type { Logger } from './infrastructure/logging/root-logger';
import { QueueModule } from './infrastructure/queue/queue.module';

/** The HTTP API: every feature module plus the infrastructure it stands on. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger, { http: true }),
        DatabaseModule.forRoot(config),
        QueueModule.forProducers(),
        HealthModule,
      ],
    };
  }
}
