import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { IdentifiedRequest } from '../identity/identity.guard';
import { withoutCsrfToken } from '../identity/session-rules';
import { from, Observable } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { DataSource } from 'typeorm';
import { Clock } from '../infrastructure/clock/clock';
import { isUuid } from '../infrastructure/http/validation';
import { AccessLogEntry } from './access-log.entity';

/**
 * Records every successful read and change of a review's case content (any route with the
 * review in its path: the API's /reviews/:id… and the web pages' /cases/:reviewId…) before the
 * response leaves, so a read that is not logged is not served (routes that write the response
 * themselves, the diagram and document downloads, are logged just after; downloads are also
 * recorded in document_downloads). Changes are also in the review's history; a change whose
 * log row fails to insert after its transaction committed is answered with an error. The path
 * keeps its query string (`?include=realNames` shows who read real names), but not a CSRF
 * token an upload form carries there (`_csrf`, a secret of the session). The actor is who
 * the identity guard established; without one, `anonymous`.
 */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<IdentifiedRequest & { id?: string }>();
    const route = (req.route?.path as string | undefined) ?? '';
    const param = req.params?.reviewId ?? (route.startsWith('/reviews/:id') ? req.params?.id : undefined);
    const reviewId = typeof param === 'string' ? param : undefined;
    if (!reviewId || !isUuid(reviewId)) return next.handle();
    return next.handle().pipe(
      mergeMap((body) =>
        from(
          (async () => {
            const res = context.switchToHttp().getResponse<Response>();
            await this.dataSource.manager.insert(AccessLogEntry, {
              reviewId,
              actor: req.identity?.actor ?? 'anonymous',
              method: req.method,
              route: route.slice(0, 300),
              path: withoutCsrfToken(req.originalUrl).slice(0, 500),
              status: res.statusCode,
              ip: (req.ip ?? null)?.slice(0, 64) ?? null,
              userAgent: (req.headers['user-agent'] ?? '').slice(0, 300) || null,
              requestId: typeof req.id === 'string' ? req.id.slice(0, 64) : null,
              at: this.clock.now(),
            });
            return body;
          })(),
        ),
      ),
    );
  }
}
