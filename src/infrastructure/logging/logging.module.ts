import { randomUUID } from 'node:crypto';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withoutCsrfToken } from '../../identity/session-rules';
import type { Logger } from './root-logger';
import { safeErrorSerializer } from './safe-error';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request's id: a well-formed X-Request-Id it came with, or a new one; given once (the first
 * middleware gives it, so that a request refused before Nest's routing, by the body parser say,
 * has one too) and echoed in the response's X-Request-Id.
 */
export function assignRequestId(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * JSON logs through pino. In the API every line written during a request carries its
 * requestId (taken from a well-formed X-Request-Id header, or new), echoed in the response.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger, options: { http: boolean }): DynamicModule {
    const imports = options.http
      ? [
          LoggerModule.forRoot({
            pinoHttp: {
              logger,
              customAttributeKeys: { reqId: 'requestId' },
              genReqId: assignRequestId,
              autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
              serializers: {
                // An upload form's CSRF token (`?_csrf=`) is a secret of the session: not logged.
                req: (req: { method: string; url: string }) => ({ method: req.method, url: withoutCsrfToken(req.url) }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
                // Never the SQL or its bound values (QueryFailedError's query and parameters).
                err: safeErrorSerializer,
              },
              quietReqLogger: true,
            },
          }),
        ]
      : [LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] })];
    return {
      module: LoggingModule,
      imports,
      providers: [{ provide: ROOT_LOGGER, useValue: logger }],
      exports: [ROOT_LOGGER],
    };
  }
}
