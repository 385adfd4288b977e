import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessLogController, InstallationAccessLogController } from './access-log.controller';
import { AccessLogInterceptor } from './access-log.interceptor';
import { AccessLogWriter } from './access-log-writer';
import { RefusalRecorder } from './refusal-recorder';

/** The access log: every read of case content and every refused request, attributable, append-only. */
@Module({
  controllers: [AccessLogController, InstallationAccessLogController],
  providers: [{ provide: APP_INTERCEPTOR, useClass: AccessLogInterceptor }, AccessLogWriter, RefusalRecorder],
  exports: [RefusalRecorder],
})
export class AuditModule {}
