import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { IdentifiedRequest } from '../identity/identity.guard';
import { from, Observable } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { DataSource } from 'typeorm';
import { Clock } from '../infrastructure/clock/clock';
import { isUuid } from '../infrastructure/http/validation';
import { AccessLogEntry } from './access-log.entity';

/**
 * Records every successful read of a review's case content (any GET under /reviews/:id)
 * before the response leaves, so a read that is not logged is not served (routes that write
 * the response themselves, the diagram and document downloads, are logged just after;
 * downloads are also recorded in document_downloads). The actor is who the identity guard
 * established (token, or X-Actor outside production); without one, `anonymous`.
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
    const param = req.params?.reviewId ?? req.params?.id;
    const reviewId = typeof param === 'string' ? param : undefined;
    const route = (req.route?.path as string | undefined) ?? '';
    if (req.method !== 'GET' || !route.startsWith('/reviews/:') || !reviewId || !isUuid(reviewId)) return next.handle();
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
              path: req.path.slice(0, 500),
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
