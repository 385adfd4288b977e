import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable, isNulRefusal } from './database-unavailable';
import { RequestValidationError } from './errors';
import { NUL_MESSAGE } from './input-guards';
import { noteRefusal, refusalReasonOf } from './refusal-note';

/** Renders errors of web pages as HTML (src/web); the API's errors stay JSON. */
export interface HtmlErrorPages {
  wantsHtml(req: Request): boolean;
  render(req: Request, res: Response, status: number, exception: unknown): void;
}

/**
 * Every error leaves as JSON with a status code, a short error name and a message; nothing
 * internal (stack, SQL, driver text) reaches the client. Unexpected errors are logged with
 * the request id and answered 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  constructor(private readonly pages?: HtmlErrorPages) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request & { id?: string }>();
    // A NUL that got past the edge checks: PostgreSQL refused it; still the client's input.
    if (isNulRefusal(exception)) exception = new RequestValidationError([{ field: 'body', message: NUL_MESSAGE }]);
    if (isDatabaseUnavailable(exception)) {
      // PostgreSQL is down or restarting: a 503 the client may retry, a warning (not an error
      // with a stack per request) in the log.
      this.logger.warn({ requestId: req.id, reason: (exception as Error)?.message }, 'database unavailable: answered 503');
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      if (this.pages?.wantsHtml(req)) {
        res.status(HttpStatus.SERVICE_UNAVAILABLE).type('text').send('Sorry, the service is unavailable. Try again in a few moments.');
        return;
      }
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: 'The database is unavailable; try again in a few moments.',
        requestId: req.id,
      });
      return;
    }
    // Why a request was refused, for the access log (src/audit/refusal-recorder.ts); 4xx only,
    // so nothing internal is kept.
    const refusedWith = exception instanceof HttpException ? exception.getStatus() : ((exception as { status?: unknown })?.status as number | undefined);
    if (typeof refusedWith === 'number' && refusedWith >= 400 && refusedWith < 500) {
      const reason = exception instanceof HttpException ? refusalReasonOf(exception.getResponse()) : refusalReasonOf(exception);
      noteRefusal(req, { reason }, { keepReason: true });
    }
    if (this.pages?.wantsHtml(req)) {
      const own = (exception as { status?: unknown })?.status;
      const status =
        exception instanceof HttpException
          ? exception.getStatus()
          : typeof own === 'number' && own >= 400 && own < 500
            ? own
            : HttpStatus.INTERNAL_SERVER_ERROR;
      if (status >= 500) this.logger.error({ err: exception, requestId: req.id }, 'unhandled error');
      try {
        this.pages.render(req, res, status, exception);
      } catch (error) {
        this.logger.error({ err: error, requestId: req.id }, 'error page failed to render');
        if (!res.headersSent) res.status(status).type('text').send('Sorry, there is a problem with the service.');
      }
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const json = typeof body === 'string' ? { statusCode: status, message: body } : (body as Record<string, unknown>);
      if (status === HttpStatus.BAD_REQUEST && !('errors' in json)) {
        // Nest turns the JSON body parser's SyntaxError into a bare 400: name the field.
        const message = `body: is not valid JSON (${String(json.message)})`;
        res.status(status).json({ statusCode: status, error: 'Bad Request', message, errors: [{ field: 'body', message: 'is not valid JSON' }] });
        return;
      }
      res.status(status).json(json);
      return;
    }
    // Errors thrown by Express middleware (body parser) carry their own 4xx status.
    const status = (exception as { status?: number; statusCode?: number })?.status ?? (exception as { statusCode?: number })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (exception as { type?: string }).type;
      const reason =
        type === 'entity.parse.failed'
          ? 'is not valid JSON'
          : type === 'entity.too.large'
            ? 'is larger than the size limit'
            : ((exception as Error).message ?? 'is not acceptable');
      res.status(status).json({
        statusCode: status,
        error: status === 413 ? 'Payload Too Large' : 'Bad Request',
        message: `body: ${reason}`,
        errors: [{ field: 'body', message: reason }],
      });
      return;
    }
    this.logger.error({ err: exception, requestId: req.id }, 'unhandled error');
    res.status(HttpStatus.INTERNAL_SERVER_ERROR).json({
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message: 'Something went wrong on our side; it has been logged.',
      requestId: req.id,
    });
  }
}
