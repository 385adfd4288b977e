import { Module } from '@nestjs/common';
import { DeadlineClocks } from './deadline-clocks.service';
import { DeadlinesController } from './deadlines.controller';

/** Clocks: rows kept in step with the lifecycle and case file, and the deadlines API. */
@Module({ controllers: [DeadlinesController], providers: [DeadlineClocks], exports: [DeadlineClocks] })
export class DeadlinesModule {}
