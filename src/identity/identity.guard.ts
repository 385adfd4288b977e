import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import type { User } from './identity.entities';
import { IdentityService } from './identity.service';
import { csrfTokenMatches, isSafeMethod, readSessionCookie } from './session-rules';
import type { UserSession } from './sessions.entity';
import { SessionService } from './sessions.service';

const CSRF_EXEMPT = 'identity:csrf-exempt';
/** Cookie-carrying writes to this route need no CSRF token (sign-in: there is no session yet). */
export const CsrfExempt = () => SetMetadata(CSRF_EXEMPT, true);

const HEADER_ACTOR = /^[\p{L}\p{N} .@'_+-]{1,200}$/u;

export const CSRF_HEADER = 'X-CSRF-Token';
export const CSRF_FORM_FIELD = '_csrf';

export interface RequestIdentity {
  /** Who is acting, for the history and the access log (the user's email); null when nobody said. */
  actor: string | null;
  userId: string | null;
  /** How the actor was established. */
  via: 'token' | 'session' | 'header' | null;
  /** The signed-in session, when `via` is 'session'. */
  sessionId: string | null;
}

export type IdentifiedRequest = Request & {
  identity?: RequestIdentity;
  /** The session and its user, when the session cookie identified the caller. */
  signedIn?: { user: User; session: UserSession };
  /** What the access guard asked to be read with the API token (the review and the caller's roles on it). */
  readWithToken?: Record<string, unknown>;
};

const ANONYMOUS: RequestIdentity = { actor: null, userId: null, via: null, sessionId: null };

/**
 * Establishes who is calling, on every route, in this order:
 *
 * 1. `Authorization: Bearer dhr_…` (scripts): a bad, unknown, revoked or expired token is a 401,
 *    never a fallback.
 * 2. The session cookie (people who signed in). A cookie whose session is over identifies
 *    nobody. A write (any method but GET, HEAD, OPTIONS) must also carry the session's CSRF
 *    token in X-CSRF-Token, or in the form field _csrf of a urlencoded form (a multipart POST:
 *    `?_csrf=` in its URL), else 403: the cookie alone is sent by the browser even when another
 *    site makes the request.
 * 3. `X-Actor: name`, only where TRUST_ACTOR_HEADER is on (tests, local scripts; never in
 *    production): the caller names themself.
 *
 * Without TRUST_ACTOR_HEADER every route the access policy does not mark public needs one of
 * the first two (src/access/route-actions.ts; the access guard answers 401 otherwise).
 * Authorisation (who may do what) is the policy's, not this guard's.
 */
@Injectable()
export class IdentityGuard implements CanActivate {
  constructor(
    private readonly identities: IdentityService,
    private readonly sessions: SessionService,
    private readonly reflector: Reflector,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `along`: columns to read in the same statement as an API token (the access guard's review and
   * roles, with the token's user as `u`); they are left on the request as `readWithToken`.
   */
  async canActivate(context: ExecutionContext, along?: { join: string; select: string; params: unknown[] }): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<IdentifiedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const { user, row } = match ? await this.identities.authenticate(match[1], this.clock.now(), along) : { user: null, row: null };
      if (row && along) req.readWithToken = row;
      if (user && 'expired' in user) {
        throw new UnauthorizedException({
          statusCode: 401,
          error: 'Unauthorized',
          message: `Authorization: the token expired at ${user.expiresAt.toISOString()}; create a new one (POST /me/tokens, or ask an administrator)`,
        });
      }
      if (!user) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Authorization: the token is not valid (unknown, revoked, or the user is disabled)' });
      req.identity = { actor: user.email, userId: user.id, via: 'token', sessionId: null };
      return true;
    }
    const cookie = readSessionCookie(req.headers.cookie, this.config.identity.sessionCookieSecure);
    const signedIn = cookie ? await this.sessions.authenticate(cookie, this.clock.now()) : null;
    if (signedIn) {
      if (!isSafeMethod(req.method) && !this.reflector.getAllAndOverride<boolean>(CSRF_EXEMPT, targets)) {
        this.checkCsrf(req, signedIn.session.csrfToken);
      }
      req.identity = { actor: signedIn.user.email, userId: signedIn.user.id, via: 'session', sessionId: signedIn.session.id };
      req.signedIn = signedIn;
      return true;
    }
    if (this.config.identity.trustActorHeader) {
      const header = req.headers['x-actor'];
      const headerActor = typeof header === 'string' && HEADER_ACTOR.test(header.trim()) ? header.trim() : null;
      if (headerActor) {
        req.identity = { actor: headerActor, userId: null, via: 'header', sessionId: null };
        return true;
      }
    }
    // Nobody: whether that is enough for this route is the access policy's to say (its route
    // table marks the public ones; every other route answers 401).
    req.identity = { ...ANONYMOUS };
    return true;
  }

  /**
   * 403 unless the request carries the session's CSRF token; a form's _csrf is then removed from
   * its body. A multipart POST (a file upload from a page, which cannot set a header without
   * JavaScript) may carry it as `?_csrf=` in its URL instead: its body is parsed only after this
   * check, by the route's upload interceptor. Nowhere else is the query string read.
   */
  private checkCsrf(req: IdentifiedRequest, expected: string): void {
    const header = req.headers[CSRF_HEADER.toLowerCase()];
    const body = req.body as Record<string, unknown> | undefined;
    const fromForm = req.is('application/x-www-form-urlencoded') && body && typeof body === 'object' ? body[CSRF_FORM_FIELD] : undefined;
    const fromQuery = req.method === 'POST' && req.is('multipart/form-data') ? (req.query as Record<string, unknown> | undefined)?.[CSRF_FORM_FIELD] : undefined;
    const given = typeof header === 'string' ? header : (fromForm ?? fromQuery);
    if (!csrfTokenMatches(expected, given)) {
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: `${CSRF_HEADER}: missing or does not match this session` });
    }
    if (fromForm !== undefined && body) delete body[CSRF_FORM_FIELD];
  }
}
