import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { IdentifiedRequest } from '../identity/identity.guard';
import { withoutCsrfToken } from '../identity/session-rules';
import { from, Observable } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { Clock } from '../infrastructure/clock/clock';
import { isUuid } from '../infrastructure/http/validation';
import type { AccessLogEntry } from './access-log.entity';
import { AccessLogWriter } from './access-log-writer';
import { markRecorded } from './refusal-recorder';

/**
 * Records every successful read and change of a review's case content (any route with the
 * review in its path: the API's /reviews/:id… and the web pages' /cases/:reviewId…) before the
 * response leaves, so a read that is not logged is not served. Routes that write the response
 * themselves (the web pages, the diagram, the calendar invitation) call
 * `recordAccessBeforeSending` just before they send; the row is written once. Document
 * downloads are also recorded in document_downloads. Changes are also in the review's history;
 * a change whose log row fails to insert after its transaction committed is answered with an
 * error. The path keeps its query string (`?include=realNames` shows who read real names), but
 * not a CSRF token an upload form carries there (`_csrf`, a secret of the session). The actor
 * is who the identity guard established; without one, `anonymous`.
 */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  constructor(
    private readonly writer: AccessLogWriter,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<IdentifiedRequest & { id?: string }>();
    const route = (req.route?.path as string | undefined) ?? '';
    const param = req.params?.reviewId ?? (route.startsWith('/reviews/:id') ? req.params?.id : undefined);
    const reviewId = typeof param === 'string' ? param : undefined;
    if (!reviewId || !isUuid(reviewId)) return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    let written = false;
    const write = async (status: number) => {
      if (written) return;
      await this.writer.write({ ...accessLogRow(req, status, this.clock.now()), reviewId });
      written = true;
      markRecorded(req);
    };
    (req as LoggedRequest)[BEFORE_SENDING] = write;
    return next.handle().pipe(
      mergeMap((body) =>
        from(
          (async () => {
            await write(res.statusCode);
            return body;
          })(),
        ),
      ),
    );
  }
}

/**
 * The access log row of a request, but for the review it names: who (the actor the identity
 * guard established, else `anonymous`), the route and the path as asked (its query kept, a CSRF
 * token taken out), where from, the status and the outcome (any 4xx: refused), each cut to its
 * column's length. Reports add one row per review they hold.
 */
export function accessLogRow(req: Request, status: number, at: Date): Omit<AccessLogEntry, 'id' | 'review' | 'reviewId' | 'reason' | 'attemptedEmail'> {
  const identified = req as IdentifiedRequest & { id?: unknown };
  const route = (req.route?.path as string | undefined) ?? req.path;
  return {
    actor: identified.identity?.actor ?? 'anonymous',
    method: req.method,
    route: route.slice(0, 300),
    path: withoutCsrfToken(req.originalUrl).slice(0, 500),
    status,
    ip: (req.ip ?? null)?.slice(0, 64) ?? null,
    userAgent: (req.headers['user-agent'] ?? '').slice(0, 300) || null,
    requestId: typeof identified.id === 'string' ? identified.id.slice(0, 64) : null,
    at,
    outcome: status >= 400 ? 'refused' : 'allowed',
  };
}

const BEFORE_SENDING = Symbol('access log: record before sending');
type LoggedRequest = Request & { [BEFORE_SENDING]?: (status: number) => Promise<void> };

/**
 * For a route that sends its own response (a web page, a redirect after a form, a file): writes
 * the access log row now, with the status about to be sent, so that nothing is served unlogged.
 * Does nothing on routes the access log does not cover (no review in the path).
 */
export async function recordAccessBeforeSending(req: Request, status: number): Promise<void> {
  await (req as LoggedRequest)[BEFORE_SENDING]?.(status);
}

/**
 * A report's rows in the access log: one per review it holds (under that review, so its CSP lead
 * sees who reported on it), or one naming none when it holds none. One statement whatever the
 * number (the review ids as one array parameter): a report of tens of thousands of reviews would
 * otherwise pass PostgreSQL's limit of 65,535 parameters in one INSERT.
 */
export async function recordReportAccess(db: { query: (sql: string, params: unknown[]) => Promise<unknown> }, req: Request, status: number, at: Date, reviewIds: readonly string[]): Promise<void> {
  const row = accessLogRow(req, status, at);
  await db.query(
    `INSERT INTO access_log (review_id, actor, method, route, path, status, ip, user_agent, request_id, at, outcome)
     SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM unnest($1::uuid[]) AS id`,
    [reviewIds.length > 0 ? [...new Set(reviewIds)] : [null], row.actor, row.method, row.route, row.path, row.status, row.ip, row.userAgent, row.requestId, row.at, row.outcome],
  );
}
