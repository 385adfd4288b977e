import {
  Body,
  Controller,
  Delete,
  ExecutionContext,
  Get,
  HttpCode,
  Inject,
  Injectable,
  NestMiddleware,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { openApiBody } from '../infrastructure/http/openapi';
import { noteRefusal } from '../infrastructure/http/refusal-note';
import { parseInput } from '../infrastructure/http/validation';
import type { User } from './identity.entities';
import { CsrfExempt } from './identity.guard';
import type { IdentifiedRequest } from './identity.guard';
import { clearedSessionCookieHeader, sessionCookieHeader } from './session-rules';
import type { UserSession } from './sessions.entity';
import { SessionService, SignInError } from './sessions.service';

export const signInSchema = z
  .object({
    email: z.string().trim().min(1, 'is required').max(320, 'must be at most 320 characters').regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'),
    password: z.string().min(1, 'is required').max(1024, 'must be at most 1024 characters'),
    // A sign-in form may carry the field every other form carries; it is not needed here.
    _csrf: z.string().max(200).optional(),
  })
  .strict();

const SIGN_IN_RATE_LIMIT = 'dhrSignInRateLimitPerMinute';

/**
 * The limit per client address and minute of a sign-in route, for
 * `@Throttle(SIGN_IN_THROTTLE)`: read per request from the
 * configuration (SIGN_IN_RATE_LIMIT_PER_MINUTE), which SignInRateLimitMiddleware (registered
 * by IdentityModule on every route) puts there, since decorators run before any configuration
 * exists.
 */
export function signInRateLimit(context: ExecutionContext): number {
  const req = context.switchToHttp().getRequest<Request & { [SIGN_IN_RATE_LIMIT]?: number }>();
  return req[SIGN_IN_RATE_LIMIT] ?? 10;
}

/**
 * The throttle of every sign-in route (the API's, the web page's, OpenID Connect's): one count
 * per client address across all of them, so having several doors does not multiply the
 * attempts an address may make.
 */
export const SIGN_IN_THROTTLE = {
  default: {
    limit: signInRateLimit,
    ttl: 60_000,
    generateKey: (_context: ExecutionContext, tracker: string, name: string) => `sign-in:${name}:${tracker}`,
  },
};

@Injectable()
export class SignInRateLimitMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(req: Request & { [SIGN_IN_RATE_LIMIT]?: number }, _res: Response, next: NextFunction): void {
    req[SIGN_IN_RATE_LIMIT] = this.config.identity.signInRateLimitPerMinute;
    next();
  }
}

function sessionView(user: User, session: UserSession) {
  return {
    user: { id: user.id, email: user.email, displayName: user.displayName },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}

/**
 * Sign-in for people: a session in an HttpOnly cookie (dhr_session, or __Host-dhr_session when
 * Secure) and a CSRF token the page sends back on every write.
 */
@ApiTags('identity')
@Controller('auth')
export class SessionsController {
  constructor(
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('sessions')
  @CsrfExempt()
  @Throttle(SIGN_IN_THROTTLE)
  @HttpCode(201)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody(openApiBody(signInSchema, 'SignIn'))
  @ApiCreatedResponse({ description: 'Signed in: the session cookie is set; the body has the user and the CSRF token for writes.' })
  @ApiUnauthorizedResponse({ description: 'Refused, with one message whatever the reason (no such user, wrong password, locked, disabled).' })
  @ApiTooManyRequestsResponse({ description: 'Too many sign-in attempts from this address (SIGN_IN_RATE_LIMIT_PER_MINUTE); see Retry-After.' })
  async signIn(@Req() req: IdentifiedRequest, @Res({ passthrough: true }) res: Response, @Body() body: unknown) {
    const { email, password } = parseInput(signInSchema, body);
    let signedIn;
    try {
      signedIn = await this.sessions.signIn(email, password, { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null });
    } catch (error) {
      if (error instanceof SignInError) noteRefusal(req, { reason: `sign-in refused: ${error.reason ?? 'refused'}`, attemptedEmail: email });
      if (error instanceof SignInError) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: error.message });
      throw error;
    }
    // A browser that was signed in already gets a new session, never keeps the old one.
    if (req.identity?.via === 'session' && req.identity.sessionId) await this.sessions.signOut(req.identity.sessionId, this.clock.now());
    const secure = this.config.identity.sessionCookieSecure;
    res.setHeader('Cache-Control', 'no-store');
    res.append('Set-Cookie', sessionCookieHeader(signedIn.sessionToken, { secure, maxAgeSeconds: this.config.identity.sessionMaxHours * 3600 }));
    return sessionView(signedIn.user, signedIn.session);
  }

  @Get('session')
  @ApiOkResponse({ description: 'Who is signed in on this session, and its CSRF token.' })
  @ApiUnauthorizedResponse({ description: 'No session cookie, or its session is over.' })
  current(@Req() req: IdentifiedRequest, @Res({ passthrough: true }) res: Response) {
    if (!req.signedIn) {
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Not signed in: no session cookie, or the session is over' });
    }
    res.setHeader('Cache-Control', 'no-store');
    return sessionView(req.signedIn.user, req.signedIn.session);
  }

  @Delete('sessions/current')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session is over and the cookie cleared (also when there was none).' })
  signOutCurrent(@Req() req: IdentifiedRequest, @Res({ passthrough: true }) res: Response) {
    return this.signOut(req, res);
  }

  @Post('sign-out')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The same as DELETE /auth/sessions/current, for HTML forms.' })
  signOutForm(@Req() req: IdentifiedRequest, @Res({ passthrough: true }) res: Response) {
    return this.signOut(req, res);
  }

  private async signOut(req: IdentifiedRequest, res: Response): Promise<void> {
    if (req.identity?.via === 'session' && req.identity.sessionId) await this.sessions.signOut(req.identity.sessionId, this.clock.now());
    res.setHeader('Cache-Control', 'no-store');
    res.append('Set-Cookie', clearedSessionCookieHeader(this.config.identity.sessionCookieSecure));
  }
}
