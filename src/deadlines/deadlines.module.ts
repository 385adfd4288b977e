import { Module } from '@nestjs/common';
import { DeadlineClocks } from './deadline-clocks.service';
import { DeadlinesController } from './deadlines.controller';
import { DeadlinesService } from './deadlines.service';
import { NotificationsController } from './notifications.controller';

/** Clocks: rows kept in step with the lifecycle and case file, and the deadlines API. */
@Module({ controllers: [DeadlinesController, NotificationsController], providers: [DeadlineClocks, DeadlinesService], exports: [DeadlineClocks, DeadlinesService] })
export class DeadlinesModule {}
