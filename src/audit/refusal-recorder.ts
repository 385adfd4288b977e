import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import type { IdentifiedRequest } from '../identity/identity.guard';
import { hashToken, TOKEN_PREFIX } from '../identity/identity.service';
import { hashSessionSecret, readSessionCookie, withoutCsrfToken } from '../identity/session-rules';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { refusalNoteOf } from '../infrastructure/http/refusal-note';
import { isUuid } from '../infrastructure/http/validation';
import { AccessLogEntry } from './access-log.entity';

const RECORDED = Symbol('access log: row written');
type MarkedRequest = Request & { [RECORDED]?: true };

/** The access log interceptor wrote this request's row already (before sending). */
export function markRecorded(req: Request): void {
  (req as MarkedRequest)[RECORDED] = true;
}

/** The routes where people sign in with an email and a password (a refusal there names who was tried). */
const SIGN_IN_PATHS = new Set(['/auth/sessions', '/sign-in']);
const REVIEW_IN_PATH = /^\/(?:reviews|cases)\/([0-9a-fA-F-]{36})(?:\/|$)/;

/** PostgreSQL text cannot hold NUL; the rest is kept as given, cut to the column's length. */
function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value.replace(/\u0000/g, '\uFFFD').slice(0, max);
}

type Row = Omit<AccessLogEntry, 'id' | 'review'> & {
  /**
   * When no guard established who was calling (no route matched, or the body parser refused the
   * body first) but the request carried a token or a session cookie: its SHA-256, to name the
   * user at write time. Never stored.
   */
  credential?: { kind: 'token' | 'session'; hash: string };
};

/**
 * Records every refused request (any 4xx: 400, 401, 403, 404, 409, 412, 428, 429…) in the
 * access log, including those that name no review, and failed sign-ins one row each with the
 * email tried and the real reason. It writes after the response has gone (on the response's
 * `finish`), in batches, so a refusal is not slowed by its own record; a batch that cannot be
 * written is tried once more and then logged at error level (never dropped silently). The
 * application's pending rows are written before it closes.
 *
 * Requests whose row the access log interceptor wrote before sending (a web form answered 400
 * with its problems) are not written twice.
 */
@Injectable()
export class RefusalRecorder implements OnModuleDestroy {
  private readonly logger = new Logger('AccessLog');
  private pending: Row[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Express middleware, registered first so that even the body parser's refusals are seen. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const at = this.clock.now();
    res.once('finish', () => {
      if (res.statusCode < 400 || res.statusCode >= 500 || (req as MarkedRequest)[RECORDED]) return;
      try {
        this.enqueue(this.rowOf(req as IdentifiedRequest & { id?: string }, res.statusCode, at));
      } catch (error) {
        this.logger.error({ err: { message: (error as Error).message }, requestId: (req as { id?: unknown }).id }, 'a refused request could not be recorded in the access log');
      }
    });
    next();
  };

  private rowOf(req: IdentifiedRequest & { id?: string }, status: number, at: Date): Row {
    const note = refusalNoteOf(req);
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const fromParams = req.params?.reviewId ?? undefined;
    const candidate = typeof fromParams === 'string' ? fromParams : REVIEW_IN_PATH.exec(path)?.[1];
    const body = req.body as Record<string, unknown> | undefined;
    const triedEmail =
      note.attemptedEmail ?? (req.method === 'POST' && SIGN_IN_PATHS.has(path) && body && typeof body === 'object' ? body.email : undefined);
    return {
      reviewId: candidate && isUuid(candidate) ? candidate.toLowerCase() : null,
      actor: text(req.identity?.actor, 200) ?? 'anonymous',
      method: (req.method ?? '').slice(0, 10),
      route: text(req.route?.path, 300) ?? '',
      path: text(withoutCsrfToken(req.originalUrl ?? req.url ?? ''), 500) ?? '',
      status,
      ip: text(req.ip, 64),
      userAgent: text(req.headers['user-agent'], 300),
      requestId: text(req.id, 64),
      at,
      outcome: 'refused',
      reason: text(note.reason, 500),
      attemptedEmail: text(typeof triedEmail === 'string' ? triedEmail.trim().toLowerCase() : undefined, 320),
      credential: req.identity ? undefined : this.credentialOf(req),
    };
  }

  private credentialOf(req: Request): Row['credential'] {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) return bearer.startsWith(TOKEN_PREFIX) && bearer.length <= 200 ? { kind: 'token', hash: hashToken(bearer) } : undefined;
    const cookie = readSessionCookie(req.headers.cookie, this.config.identity.sessionCookieSecure);
    return cookie ? { kind: 'session', hash: hashSessionSecret(cookie) } : undefined;
  }

  /** The users the batch's credentials belong to (token or session hash → email). */
  private async credentialOwners(batch: Row[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    for (const [kind, table] of [
      ['token', 'api_tokens'],
      ['session', 'user_sessions'],
    ] as const) {
      const hashes = [...new Set(batch.filter((r) => r.credential?.kind === kind).map((r) => r.credential!.hash))];
      if (!hashes.length) continue;
      const rows = (await this.dataSource.query(
        `SELECT c."token_hash" AS "hash", u."email" FROM "${table}" c JOIN "users" u ON u."id" = c."user_id" WHERE c."token_hash" = ANY($1::text[])`,
        [hashes],
      )) as Array<{ hash: string; email: string }>;
      for (const row of rows) owners.set(`${kind}:${row.hash.trim()}`, row.email);
    }
    return owners;
  }

  private enqueue(row: Row): void {
    this.pending.push(row);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      const work = this.write(batch).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    });
  }

  private async write(batch: Row[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A review id that names no review (a probe with a made-up id) is kept in the path only.
        const ids = [...new Set(batch.map((r) => r.reviewId).filter((id): id is string => id !== null))];
        const known = ids.length
          ? new Set((await this.dataSource.query(`SELECT "id" FROM "reviews" WHERE "id" = ANY($1::uuid[])`, [ids]) as Array<{ id: string }>).map((r) => r.id))
          : new Set<string>();
        const owners = await this.credentialOwners(batch);
        await this.dataSource.manager.insert(
          AccessLogEntry,
          batch.map(({ credential, ...r }) => ({
            ...r,
            reviewId: r.reviewId && known.has(r.reviewId) ? r.reviewId : null,
            actor: (credential && owners.get(`${credential.kind}:${credential.hash}`)) ?? r.actor,
          })),
        );
        return;
      } catch (error) {
        if (attempt < 2) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          continue;
        }
        // The driver's message and code only: never the query's parameters.
        const { message, code } = error as { message?: string; code?: string };
        this.logger.error(
          { err: { message, code }, lost: batch.length, requestIds: batch.map((r) => r.requestId).slice(0, 50) },
          'refused requests could not be recorded in the access log',
        );
        return;
      }
    }
  }

  /** Writes what is pending now (and waits for batches already being written). */
  async flush(): Promise<void> {
    if (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      await this.write(batch);
    }
    await Promise.all([...this.inFlight]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }
}
