import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { SharedRateLimitStorage } from './infrastructure/http/rate-limit-storage';
import { AccessModule } from './access/access.module';
import { AuditModule } from './audit/audit.module';
import { CaseFileModule } from './casefile/casefile.module';
import { CspsModule } from './csps/csps.module';
import { IdentityModule } from './identity/identity.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { Clock } from './infrastructure/clock/clock';
import { ClockModule } from './infrastructure/clock/clock.module';
import { AppConfig } from './infrastructure/config/app-config';
import { ConfigModule } from './infrastructure/config/config.module';
import { DatabaseModule } from './infrastructure/database/database.module';
import { HealthModule } from './infrastructure/health/health.module';
import { LoggingModule } from './infrastructure/logging/logging.module';
import type { Logger } from './infrastructure/logging/root-logger';
import { QueueModule } from './infrastructure/queue/queue.module';
import { NotificationPreferencesModule } from './reminders/notification-preferences.module';
import { ImportsModule } from './imports/imports.module';
import { ReportsModule } from './reports/reports.module';
import { PartnershipOversightModule } from './reports/oversight/oversight.module';
import { RecommendationsRegisterModule } from './reports/register/register.module';
import { ReviewsModule } from './reviews/reviews.module';
import { WebModule } from './web/web.module';
import { WorkModule } from './work/work.module';

export interface AppOverrides {
  /** Tests pass a clock they control. */
  clock?: Clock;
}

/** The HTTP API: every feature module plus the infrastructure it stands on. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger, { http: true }),
        // Counted in Redis, shared by every API process (in memory while Redis is away).
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.http.rateLimitPerMinute }],
          storage: SharedRateLimitStorage.create(config, logger),
        }),
        ClockModule.forRoot(overrides.clock),
        DatabaseModule.forRoot(config),
        QueueModule.forProducers(),
        HealthModule,
        IdentityModule,
        AccessModule,
        AuditModule,
        CspsModule,
        ReviewsModule,
        CaseFileModule,
        ImportsModule,
        DeadlinesModule,
        NotificationPreferencesModule,
        ReportsModule,
        PartnershipOversightModule,
        RecommendationsRegisterModule,
        // Last: its page routes come after the API's.
        WorkModule,
        WebModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
