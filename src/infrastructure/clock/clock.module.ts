import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './clock';

/** Provides the one Clock; tests pass their own to control time. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new Clock()): DynamicModule {
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
