import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Response } from 'express';
import { InvitationsService, InvitationUnusableError } from '../../access/invitations';
import { CsrfExempt } from '../../identity/identity.guard';
import { OidcService } from '../../identity/oidc.service';
import { clearedSessionCookieHeader, sessionCookieHeader } from '../../identity/session-rules';
import { SIGN_IN_THROTTLE, signInSchema } from '../../identity/sessions.controller';
import { PasswordRejectedError, SessionService, SignInError } from '../../identity/sessions.service';
import { PASSWORD_MIN_LENGTH } from '../../identity/passwords';
import { dateInWords } from '../../shared/display-dates';
import { Clock } from '../../infrastructure/clock/clock';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { noteRefusal } from '../../infrastructure/http/refusal-note';
import { FieldSpec, formBody, FormProblem, formView, readForm, refusalOf } from '../forms';
import { isPagePath } from '../web-errors';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';

const SIGN_IN_FIELDS: FieldSpec[] = [
  { name: 'email', label: 'Email address', kind: 'email', autocomplete: 'email', classes: 'govuk-!-width-two-thirds' },
  { name: 'password', label: 'Password', kind: 'password', autocomplete: 'current-password', classes: 'govuk-!-width-two-thirds' },
];

const INVITATION_FIELDS: FieldSpec[] = [
  {
    name: 'password',
    label: 'Choose a password',
    kind: 'password',
    autocomplete: 'new-password',
    hint: `At least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a good one.`,
    classes: 'govuk-!-width-two-thirds',
  },
];

/** Where to go after signing in: a page of this service, never another site. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/my-work';
  const path = value.split(/[?#]/)[0];
  return isPagePath(path) && path !== '/sign-in' && path !== '/sign-out' ? value : '/my-work';
}

/**
 * Signing in and out through pages: the sessions service checks the password and starts the
 * session, and the page sets the same cookie as POST /auth/sessions (session-rules' helper).
 */
@ApiExcludeController()
@Controller()
export class SignInPagesController {
  constructor(
    private readonly sessions: SessionService,
    private readonly views: WebViews,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oidc: OidcService,
    private readonly invitations: InvitationsService,
  ) {}

  /** The link of an invitation to a review team: choose a password, or be told plainly why it cannot be used. */
  @Get('sign-in/invitations/:token')
  async invitationPage(@Req() req: WebRequest, @Res() res: Response, @Param('token') token: string) {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      const invitation = await this.invitations.open(token);
      return this.renderInvitation(req, res, token, invitation, [], 200);
    } catch (error) {
      return this.renderUnusable(req, res, error);
    }
  }

  /** Accepts the invitation: the user is made with the chosen password, their review roles attached, and they are signed in on My work. */
  @Post('sign-in/invitations/:token')
  @CsrfExempt()
  @Throttle(SIGN_IN_THROTTLE)
  async acceptInvitation(@Req() req: WebRequest, @Res() res: Response, @Param('token') token: string, @Body() raw: unknown) {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const body = formBody(raw);
    const { problems } = readForm(INVITATION_FIELDS, body);
    let accepted;
    try {
      const invitation = await this.invitations.open(token);
      if (problems.length > 0) return this.renderInvitation(req, res, token, invitation, problems, 400);
      try {
        accepted = await this.invitations.accept(token, body.password ?? '');
      } catch (error) {
        if (!(error instanceof PasswordRejectedError)) throw error;
        return this.renderInvitation(req, res, token, invitation, [{ field: 'password', message: error.message.replace(/^password: /, '') }], 400);
      }
    } catch (error) {
      return this.renderUnusable(req, res, error);
    }
    if (!accepted.created) {
      // The email was already a user's: the roles are theirs now, and they sign in as they always have.
      return res.redirect(303, '/sign-in?returnTo=%2Fmy-work');
    }
    if (req.identity?.via === 'session' && req.identity.sessionId) await this.sessions.signOut(req.identity.sessionId, this.clock.now());
    const signedIn = await this.sessions.signInVerified(accepted.user.id, { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null }, 'invitation');
    res.append(
      'Set-Cookie',
      sessionCookieHeader(signedIn.sessionToken, { secure: this.config.identity.sessionCookieSecure, maxAgeSeconds: this.config.identity.sessionMaxHours * 3600 }),
    );
    res.redirect(303, '/my-work');
  }

  private renderInvitation(
    req: WebRequest,
    res: Response,
    token: string,
    invitation: { displayName: string; email: string; reviewReference: string; expiresAt: Date },
    problems: FormProblem[],
    status: number,
  ) {
    const form = formView(INVITATION_FIELDS, { body: {}, problems });
    return this.views.render(
      req,
      res,
      'pages/invitation.njk',
      { pageTitle: 'Join the review team', invitation, expiresOn: dateInWords(invitation.expiresAt), fields: form.fields, errorList: form.errorList, action: `/sign-in/invitations/${token}` },
      status,
    );
  }

  private renderUnusable(req: WebRequest, res: Response, error: unknown) {
    if (!(error instanceof InvitationUnusableError)) throw error;
    const body = error.getResponse() as { message: string };
    return this.views.render(req, res, 'pages/invitation.njk', { pageTitle: 'This invitation link cannot be used', unusable: body.message }, error.getStatus());
  }

  @Get()
  home(@Req() req: WebRequest, @Res() res: Response) {
    res.redirect(303, req.identity?.actor ? '/my-work' : '/sign-in');
  }

  @Get('sign-in')
  signInPage(@Req() req: WebRequest, @Res() res: Response, @Query('returnTo') returnTo: unknown, @Query('signedOut') signedOut: unknown) {
    return this.render(req, res, {}, [], 200, { returnTo: safeReturnTo(returnTo), notice: signedOut === '1' ? 'You have signed out.' : null });
  }

  @Post('sign-in')
  @CsrfExempt()
  @Throttle(SIGN_IN_THROTTLE)
  async signIn(@Req() req: WebRequest, @Res() res: Response, @Body() raw: unknown) {
    const body = formBody(raw);
    const returnTo = safeReturnTo(body.returnTo);
    const { input } = readForm(SIGN_IN_FIELDS, body);
    const parsed = signInSchema.safeParse({ email: input.email ?? '', password: input.password ?? '' });
    if (!parsed.success) {
      return this.render(req, res, body, refusalOf(parsed.error)?.problems ?? [], 400, { returnTo });
    }
    let signedIn;
    try {
      signedIn = await this.sessions.signIn(parsed.data.email, parsed.data.password, { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null });
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      noteRefusal(req, { reason: `sign-in refused: ${error.reason ?? 'refused'}`, attemptedEmail: parsed.data.email });
      return this.render(req, res, { email: body.email ?? '' }, [{ field: 'email', message: error.message }], 401, { returnTo, refusedMessage: error.message });
    }
    // A browser that was signed in already gets a new session, never keeps the old one.
    if (req.identity?.via === 'session' && req.identity.sessionId) await this.sessions.signOut(req.identity.sessionId, this.clock.now());
    res.setHeader('Cache-Control', 'no-store');
    res.append(
      'Set-Cookie',
      sessionCookieHeader(signedIn.sessionToken, { secure: this.config.identity.sessionCookieSecure, maxAgeSeconds: this.config.identity.sessionMaxHours * 3600 }),
    );
    res.redirect(303, returnTo);
  }

  @Post('sign-out')
  async signOut(@Req() req: WebRequest, @Res() res: Response) {
    if (req.identity?.via === 'session' && req.identity.sessionId) await this.sessions.signOut(req.identity.sessionId, this.clock.now());
    res.setHeader('Cache-Control', 'no-store');
    res.append('Set-Cookie', clearedSessionCookieHeader(this.config.identity.sessionCookieSecure));
    res.redirect(303, '/sign-in?signedOut=1');
  }

  private render(
    req: WebRequest,
    res: Response,
    body: Record<string, string>,
    problems: FormProblem[],
    status: number,
    extra: { returnTo: string; notice?: string | null; refusedMessage?: string },
  ) {
    const form = formView(SIGN_IN_FIELDS, { body: { email: body.email ?? '' }, problems });
    // A refused sign-in is one message for every reason: it belongs to the form, not the email.
    const errorList = extra.refusedMessage ? [{ text: extra.refusedMessage, href: '#email' }] : form.errorList;
    const fields = extra.refusedMessage ? form.fields.map((f) => ({ ...f, error: null })) : form.fields;
    return this.views.render(req, res, 'pages/sign-in.njk', { pageTitle: 'Sign in', fields, errorList, returnTo: extra.returnTo, notice: extra.notice ?? null, oidcEnabled: this.oidc.enabled }, status);
  }
}
