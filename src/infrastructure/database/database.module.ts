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
          // The API and the worker log in as their own role, a member of dhr_app only (no UPDATE,
          // DELETE or TRUNCATE on the append-only tables; see app-login.ts), and run as
          // DB_APP_ROLE; migrations run as the owner (see migrate.ts).
          ...dataSourceOptions(config.database.appUrl ?? resolvedUrl(config, 'database'), config.database.poolSize, config.database.appRole, { prepare: config.database.prepareStatements }),
          // Fail start-up rather than retry for ever; the single-machine start has already
          // waited for the server.
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
    };
  }
}
