import { INestApplication, INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule, AppOverrides } from '../../app.module';
import { WorkerModule } from '../../worker.module';
import { AppConfig } from '../config/app-config';
import type { Logger } from '../logging/root-logger';
import { assignRequestId } from '../logging/logging.module';
import { HttpErrorFilter } from '../http/http-error.filter';
import { refuseNulInput, RefuseNulPipe } from '../http/input-guards';
import { cspNonce, cspNonceSource, registerWebAssets, STATIC_PREFIXES } from '../../web/web-assets';
import type { NextFunction, Request, Response } from 'express';
import { webErrorPages } from '../../web/web-errors';
import { RefusalRecorder } from '../../audit/refusal-recorder';

export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Domestic Homicide Review engine')
    .setDescription(
      'Case management and workflow for Domestic Homicide Reviews (England and Wales): ' +
        'notification, decision, panel, IMRs, meetings, sign-off, Home Office QA, publication ' +
        'and action plan monitoring.',
    )
    .setVersion('0.1.0')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Nest's own log lines, through pino, less one false alarm: `npm start` runs the API and the
 * worker as two Nest applications in one process, each with its own TypeORM DataSource named
 * "default", and @nestjs/typeorm's process-wide name registry warns that they "will override
 * each other". They do not: each application's container holds its own DataSource (TypeORM 0.3
 * keeps no global connection manager). The warning matters only within one application, where
 * DatabaseModule registers a single data source.
 */
/**
 * Nest's start-up chatter (a line per module initialised and per route mapped, some 300 of
 * them): debug level, so the default level's start-up output is a few lines a person reads.
 */
export const NEST_START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

export class NestLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}
  log(message: unknown, ...rest: unknown[]) {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && NEST_START_UP_CONTEXTS.has(context)) {
      this.inner.debug?.(message, ...rest);
      return;
    }
    this.inner.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.inner.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    if (typeof message === 'string' && message.startsWith('A data source with the default name is already registered')) return;
    this.inner.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.inner.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.inner.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.inner.fatal?.(message, ...rest);
  }
}

/** The HTTP API, configured but not yet listening (tests call init(), main calls listen()). */
export async function createApiApp(
  config: AppConfig,
  logger: Logger,
  overrides: AppOverrides = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, overrides), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(new NestLogger(app.get(PinoNestLogger)));
  // What the modules logged while being built, and from now on each line as it is logged (Nest
  // would otherwise hold every line back until listen(), which an app that is only init()ed,
  // in a test, never calls).
  app.flushLogs();
  // An idle keep-alive connection stays open longer than a load balancer's idle timeout (60 s on
  // the common ones): with Node's 5 s, the server closes connections a proxy or client is about to
  // reuse, and that request fails ("other side closed", a 502 at the proxy).
  const server = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // The request id first, so that every response carries one and every access log row has it,
  // even of a request refused before Nest's routing (the request logger reuses it).
  app.use((req: Request, res: Response, next: NextFunction) => {
    assignRequestId(req, res);
    next();
  });
  // Then, so every refused request (a 4xx, even the body parser's) reaches the access log.
  app.use(app.get(RefusalRecorder).middleware);
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: false });
  // POST /imports takes the spreadsheet's CSV as well as JSON.
  app.useBodyParser('text', { type: 'text/csv', limit: config.http.bodyLimit });
  // U+0000 in any text input (path, query, JSON, form, CSV, multipart fields) is a 400 naming
  // the field: PostgreSQL cannot store it, and it must never reach a query.
  app.use(refuseNulInput);
  app.useGlobalPipes(new RefuseNulPipe());
  app.disable('x-powered-by');
  // Behind a reverse proxy, the client's address (for rate limits and the access log) is in
  // X-Forwarded-For; believe it only from the proxies TRUST_PROXY names.
  app.set('trust proxy', config.http.trustProxy);
  // A fresh nonce per response: the web pages' one inline script (govuk-frontend's `js-enabled`
  // line) carries it; every other script must come from 'self'.
  app.use(cspNonce);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", cspNonceSource],
          // Swagger UI (at /api/docs) sets inline styles.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: config.env === 'production',
    }),
  );
  // CORS is off (no CORS headers at all) unless CORS_ORIGINS names the origins to allow.
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: config.http.corsOrigins, credentials: true, maxAge: 600 });
  }
  // Case content (API answers and web pages alike) is never kept by a browser or proxy cache;
  // only the static assets below set their own caching.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!STATIC_PREFIXES.some((prefix) => req.path.startsWith(prefix))) res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // The web pages' CSS, JS, fonts and images (govuk-frontend) and their own static files.
  registerWebAssets(app);
  app.useGlobalFilters(new HttpErrorFilter(webErrorPages));
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
  return app;
}

/** The worker: an application context (no HTTP) whose WorkerHost starts on init(). */
export async function createWorkerApp(
  config: AppConfig,
  logger: Logger,
  overrides: AppOverrides = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, logger, overrides), {
    bufferLogs: true,
  });
  app.useLogger(new NestLogger(app.get(PinoNestLogger)));
  return app;
}
