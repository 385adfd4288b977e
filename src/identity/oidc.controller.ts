import { noteRefusal } from '../infrastructure/http/refusal-note';
import { Controller, Get, Inject, NotFoundException, Query, Req, Res } from '@nestjs/common';
import { ApiForbiddenResponse, ApiFoundResponse, ApiNotFoundResponse, ApiQuery, ApiSeeOtherResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { layoutContext, webEnvironment } from '../web/web-views';
import type { WebRequest } from '../web/web-views';
import { clearedOidcStateCookieHeader, oidcStateCookieHeader, readOidcStateCookie } from './oidc-state';
import { OidcRefusal, OidcService } from './oidc.service';
import { sessionCookieHeader } from './session-rules';
import { SIGN_IN_THROTTLE } from './sessions.controller';
import { SessionService } from './sessions.service';

/**
 * "Sign in with your organisation's account": GET /auth/oidc/start sends the browser to the
 * OpenID Connect provider, which sends it back to GET /auth/oidc/callback. Both answer 404
 * when OIDC_ISSUER_URL is not set. The callback is reached by a browser, so a refusal is a
 * page for a browser (Accept: text/html) and JSON for anything else.
 */
@ApiTags('identity')
@Controller('auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('start')
  @Throttle(SIGN_IN_THROTTLE)
  @ApiQuery({ name: 'returnTo', required: false, description: 'A path of this service to go to after signing in (default /my-work).' })
  @ApiFoundResponse({ description: 'To the provider; a short-lived cookie remembers the sign-in.' })
  @ApiNotFoundResponse({ description: 'OpenID Connect sign-in is not configured.' })
  @ApiServiceUnavailableResponse({ description: 'The provider cannot be reached.' })
  async start(@Req() req: WebRequest, @Res() res: Response, @Query('returnTo') returnTo: unknown) {
    this.mustBeOn();
    let started;
    try {
      started = await this.oidc.begin(returnTo, readOidcStateCookie(req.headers.cookie, this.config.identity.sessionCookieSecure));
    } catch (error) {
      if (error instanceof OidcRefusal) return this.refuse(req, res, error);
      throw error;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.append('Set-Cookie', oidcStateCookieHeader(started.cookieValue, this.config.identity.sessionCookieSecure));
    res.redirect(302, started.authorizationUrl);
  }

  @Get('callback')
  @Throttle(SIGN_IN_THROTTLE)
  @ApiSeeOtherResponse({ description: 'Signed in: the session cookie is set; on to the page asked for at the start.' })
  @ApiForbiddenResponse({ description: 'No enabled account with the email address the provider gave, or the provider refused.' })
  @ApiNotFoundResponse({ description: 'OpenID Connect sign-in is not configured.' })
  @ApiServiceUnavailableResponse({ description: 'The provider cannot be reached.' })
  async callback(@Req() req: WebRequest, @Res() res: Response) {
    this.mustBeOn();
    const secure = this.config.identity.sessionCookieSecure;
    res.setHeader('Cache-Control', 'no-store');
    // Whatever happens, this pending sign-in is used up (those of other tabs are kept).
    const cookieValue = readOidcStateCookie(req.headers.cookie, secure);
    const remaining = this.oidc.remainingAfter(req.originalUrl, cookieValue);
    res.append('Set-Cookie', remaining ? oidcStateCookieHeader(remaining, secure) : clearedOidcStateCookieHeader(secure));
    let done;
    try {
      done = await this.oidc.complete(req.originalUrl, cookieValue, {
        ip: req.ip ?? null,
        userAgent: req.headers['user-agent'] ?? null,
      });
    } catch (error) {
      if (error instanceof OidcRefusal) return this.refuse(req, res, error);
      throw error;
    }
    // A browser that was signed in already gets a new session, never keeps the old one.
    if (req.identity?.via === 'session' && req.identity.sessionId) await this.sessions.signOut(req.identity.sessionId, this.clock.now());
    res.append('Set-Cookie', sessionCookieHeader(done.signedIn.sessionToken, { secure, maxAgeSeconds: this.config.identity.sessionMaxHours * 3600 }));
    res.redirect(303, done.returnTo);
  }

  private mustBeOn(): void {
    if (!this.oidc.enabled) {
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'Sign-in with an OpenID Connect provider is not configured (OIDC_ISSUER_URL)' });
    }
  }

  private refuse(req: WebRequest, res: Response, refusal: OidcRefusal): void {
    // A failed sign-in, for the access log (written after the response).
    noteRefusal(req, { reason: `sign-in refused (OpenID Connect): ${refusal.message}`, ...(refusal.attemptedEmail ? { attemptedEmail: refusal.attemptedEmail } : {}) });
    res.status(refusal.status).setHeader('Cache-Control', 'no-store');
    if (req.accepts(['json', 'html']) === 'html') {
      const html = webEnvironment().render('pages/errors/problem.njk', {
        ...layoutContext(req, res),
        pageTitle: 'You are not signed in',
        status: refusal.status,
        message: refusal.message,
        requestId: req.id ?? null,
      });
      res.type('html').send(html);
      return;
    }
    res.json({ statusCode: refusal.status, error: STATUS_CODES[refusal.status], message: refusal.message });
  }
}
