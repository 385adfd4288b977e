import { DynamicModule, Module } from '@nestjs/common';
import { ClockModule } from '../infrastructure/clock/clock.module';
import type { AppConfig } from '../infrastructure/config/app-config';
import { ConfigModule } from '../infrastructure/config/config.module';
import { DatabaseModule } from '../infrastructure/database/database.module';
import { LoggingModule } from '../infrastructure/logging/logging.module';
import type { Logger } from '../infrastructure/logging/root-logger';
import { ImportsModule } from './imports.module';

/** What `npm run cli -- import` needs: the database and the import service, no HTTP, no queue. */
@Module({})
export class ImportCliModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: ImportCliModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(logger, { http: false }), ClockModule.forRoot(), DatabaseModule.forRoot(config), ImportsModule],
    };
  }
}
