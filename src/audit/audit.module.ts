import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessLogController } from './access-log.controller';
import { AccessLogInterceptor } from './access-log.interceptor';

/** The access log: every read of case content, attributable, append-only. */
@Module({ controllers: [AccessLogController], providers: [{ provide: APP_INTERCEPTOR, useClass: AccessLogInterceptor }] })
export class AuditModule {}
