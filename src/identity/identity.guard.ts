import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { IdentityService } from './identity.service';

const PUBLIC = 'identity:public';
/** Routes anyone may call without identifying themselves (health checks). */
export const Public = () => SetMetadata(PUBLIC, true);

const HEADER_ACTOR = /^[\p{L}\p{N} .@'_+-]{1,200}$/u;

export interface RequestIdentity {
  /** Who is acting, for the history and the access log; null when nobody said. */
  actor: string | null;
  userId: string | null;
  /** How the actor was established. */
  via: 'token' | 'header' | null;
}

export type IdentifiedRequest = Request & { identity?: RequestIdentity };

/**
 * Establishes who is calling, on every route. A bearer token (Authorization: Bearer dhr_…)
 * identifies a user; a bad, unknown or revoked token is a 401, never a fallback. Outside
 * production a caller may instead name themself in X-Actor (local use and tests, until
 * sign-in lands); in production that header is ignored and every non-public route needs a
 * token. Authorisation (who may do what) is the access-control issue's policy table.
 */
@Injectable()
export class IdentityGuard implements CanActivate {
  constructor(
    private readonly identities: IdentityService,
    private readonly reflector: Reflector,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<IdentifiedRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]);
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const user = match ? await this.identities.authenticate(match[1], this.clock.now()) : null;
      if (!user) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Authorization: the token is not valid (unknown, revoked, or the user is disabled)' });
      req.identity = { actor: user.email, userId: user.id, via: 'token' };
      return true;
    }
    const header = req.headers['x-actor'];
    const headerActor = typeof header === 'string' && HEADER_ACTOR.test(header.trim()) ? header.trim() : null;
    if (this.config.env !== 'production' && headerActor) {
      req.identity = { actor: headerActor, userId: null, via: 'header' };
      return true;
    }
    req.identity = { actor: null, userId: null, via: null };
    if (this.config.env === 'production' && !isPublic) {
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Authorization: a bearer token is required' });
    }
    return true;
  }
}
