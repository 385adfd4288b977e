import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ROOT_LOGGER } from '../logging/logging.module';
import type { Logger } from '../logging/root-logger';
import { PRODUCER_REDIS, QueueProducer } from './queue-producer';
import { createProducerConnection } from './redis-connections';
import { resolvedUrl } from '../config/resolved-config';

@Global()
@Module({})
export class QueueModule {
  static forProducers(): DynamicModule {
    return {
      module: QueueModule,
      providers: [
        {
          provide: PRODUCER_REDIS,
          inject: [APP_CONFIG, ROOT_LOGGER],
          useFactory: (config: AppConfig, logger: Logger) =>
            createProducerConnection(resolvedUrl(config, 'redis'), config, logger),
        },
        QueueProducer,
      ],
      exports: [QueueProducer],
    };
  }
}
