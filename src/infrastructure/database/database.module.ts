import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { resolvedUrl } from '../config/resolved-config';
import { dataSourceOptions } from './data-source-options';

@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          // The API and the worker run as DB_APP_ROLE (dhr_app: no UPDATE, DELETE or TRUNCATE
          // on the append-only tables); migrations run as the login role (see migrate.ts).
          ...dataSourceOptions(resolvedUrl(config, 'database'), config.database.poolSize, config.database.appRole),
          // Fail start-up rather than retry for ever; the single-machine start has already
          // waited for the server.
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
    };
  }
}
