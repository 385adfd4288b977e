import type { LoggerService } from '@nestjs/common';
import { NestLogger } from './applications';

describe("NestLogger: Nest's start-up chatter at debug, everything else as given", () => {
  function recorder() {
    const calls: Array<[string, unknown[]]> = [];
    const inner: LoggerService = {
      log: (...args: unknown[]) => calls.push(['log', args]),
      error: (...args: unknown[]) => calls.push(['error', args]),
      warn: (...args: unknown[]) => calls.push(['warn', args]),
      debug: (...args: unknown[]) => calls.push(['debug', args]),
    };
    return { calls, logger: new NestLogger(inner) };
  }

  it.each(['RouterExplorer', 'RoutesResolver', 'InstanceLoader', 'NestFactory', 'NestApplication'])(
    'sends %s lines to debug, not dropped',
    (context) => {
      const { calls, logger } = recorder();
      logger.log('Mapped {/health, GET} route', context);
      expect(calls).toEqual([['debug', ['Mapped {/health, GET} route', context]]]);
    },
  );

  it('keeps the application\'s own lines, and warnings and errors of any context, at their level', () => {
    const { calls, logger } = recorder();
    logger.log('worker started', 'WorkerHost');
    logger.warn('slow', 'RouterExplorer');
    logger.error('failed', 'InstanceLoader');
    expect(calls.map(([level]) => level)).toEqual(['log', 'warn', 'error']);
  });
});
