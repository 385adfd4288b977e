import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InvitationsService } from '../access/invitations';
import { BaseClient, errors, generators, Issuer, custom } from 'openid-client';
import { DataSource } from 'typeorm';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { User } from './identity.entities';
import { localReturnTo, OIDC_STATE_MINUTES, pendingSignIns, sealPendingSignIn, stateCookieKey, withoutPendingSignIn, withPendingSignIn } from './oidc-state';
import { ClientInfo, SessionService, SignedIn, SignInError } from './sessions.service';

/** A sign-in through the provider that did not happen: the status and a message for the person. */
export class OidcRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 503,
    message: string,
    /** The email the provider gave, when it gave one (recorded in the access log). */
    readonly attemptedEmail?: string,
  ) {
    super(message);
    this.name = 'OidcRefusal';
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DEFAULT_RETURN = '/my-work';

/**
 * Sign-in through the organisation's OpenID Connect provider (authorization code flow with
 * PKCE, openid-client 5). The provider proves who the person is; this service only lets in
 * someone who already has an enabled account with that email address (no accounts are
 * created here), then starts the same session as a password sign-in (SessionService).
 *
 * On only when OIDC_ISSUER_URL is set. Discovery happens at the first use and is cached; a
 * failed discovery is tried again at the next sign-in.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private readonly settings: AppConfig['oidc'];
  private client: Promise<BaseClient> | null = null;
  private readonly cookieKey: Buffer | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'oidc'>,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {
    this.settings = config.oidc;
    this.cookieKey = this.settings.issuerUrl && this.settings.clientSecret ? stateCookieKey(this.settings.clientSecret) : null;
  }

  get enabled(): boolean {
    return this.cookieKey !== null;
  }

  /**
   * Leaving for the provider: the address to send the browser to, and the sealed cookie that
   * remembers state, nonce, PKCE verifier and where to come back to (only a local path).
   */
  async begin(returnTo: unknown, cookieValue: string | null = null): Promise<{ authorizationUrl: string; cookieValue: string }> {
    const client = await this.getClient();
    const state = generators.state();
    const nonce = generators.nonce();
    const codeVerifier = generators.codeVerifier();
    const authorizationUrl = client.authorizationUrl({
      scope: this.settings.scopes,
      state,
      nonce,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    const sealed = sealPendingSignIn(
      {
        state,
        nonce,
        codeVerifier,
        returnTo: localReturnTo(returnTo) ?? DEFAULT_RETURN,
        expiresAt: this.clock.now().getTime() + OIDC_STATE_MINUTES * 60_000,
      },
      this.key(),
    );
    // Sign-ins already pending in other tabs are kept.
    return { authorizationUrl, cookieValue: withPendingSignIn(cookieValue, sealed, this.key(), this.clock.now()) };
  }

  /**
   * Coming back from the provider: checks the state against the cookie, exchanges the code
   * with the PKCE verifier, has openid-client validate the ID token (signature against the
   * provider's keys, issuer, audience, nonce, expiry), takes the email address from
   * OIDC_EMAIL_CLAIM and signs in the enabled user who has it.
   */
  async complete(callbackUrl: string, cookieValue: string | null, client: ClientInfo): Promise<{ signedIn: SignedIn; returnTo: string }> {
    // The pending sign-in of the state the provider sent back; with none of that state, the
    // newest one, so that openid-client refuses the answer as a state mismatch.
    const pendings = pendingSignIns(cookieValue, this.key(), this.clock.now());
    const answeredState = callbackState(callbackUrl);
    const pending = (pendings.find((p) => p.pending.state === answeredState) ?? pendings[pendings.length - 1])?.pending ?? null;
    if (!pending) {
      throw new OidcRefusal(
        400,
        `Signing in with your organisation's account could not be finished: it took longer than ${OIDC_STATE_MINUTES} minutes, or it was started in another browser. Start again from the sign-in page.`,
      );
    }
    const oidc = await this.getClient();
    let claims: Record<string, unknown>;
    try {
      const params = oidc.callbackParams(callbackUrl);
      const tokens = await oidc.callback(this.settings.redirectUrl, params, {
        state: pending.state,
        nonce: pending.nonce,
        code_verifier: pending.codeVerifier,
        response_type: 'code',
      });
      claims = tokens.claims() as Record<string, unknown>;
    } catch (error) {
      throw this.refusalOf(error);
    }
    const email = this.emailOf(claims);
    const user = (await this.dataSource.manager.findOne(User, { where: { email } })) ?? (await this.acceptInvitation(email));
    if (!user) {
      this.logger.warn({ email, sub: claims.sub }, 'OIDC sign-in refused: no account with this email');
      throw new OidcRefusal(403, `There is no account for ${email} in this service; ask an administrator to create one, then sign in again.`, email);
    }
    if (user.disabledAt) throw this.disabled(user.id, email);
    try {
      return { signedIn: await this.sessions.signInVerified(user.id, client, 'oidc'), returnTo: pending.returnTo };
    } catch (error) {
      // Disabled between the look-up and the session.
      if (error instanceof SignInError) throw this.disabled(user.id, email);
      throw error;
    }
  }

  /**
   * Someone invited to a review team by this email who signs in with their organisation's
   * account instead of opening the link: the invitation is accepted the same way (a user with
   * no password, their pending review roles attached). Looked up lazily: the access module,
   * where invitations live, depends on this one.
   */
  private async acceptInvitation(email: string): Promise<User | null> {
    const invitations = this.moduleRef?.get(InvitationsService, { strict: false });
    const user = invitations ? await invitations.acceptByVerifiedEmail(email) : null;
    if (user) this.logger.log({ userId: user.id }, 'OIDC sign-in accepted an invitation to a review team');
    return user;
  }

  /** The cookie value once the sign-in the provider answered is used up (null: clear it). */
  remainingAfter(callbackUrl: string, cookieValue: string | null): string | null {
    if (!this.cookieKey) return null;
    return withoutPendingSignIn(cookieValue, callbackState(callbackUrl), this.key(), this.clock.now());
  }

  private disabled(userId: string, email: string): OidcRefusal {
    this.logger.warn({ userId }, 'OIDC sign-in refused: the account is disabled');
    return new OidcRefusal(403, `The account for ${email} is disabled; ask an administrator.`, email);
  }

  /** The address from the configured claim, lower-case; with `email`, only a verified one. */
  private emailOf(claims: Record<string, unknown>): string {
    const claim = this.settings.emailClaim;
    const value = claims[claim];
    if (typeof value !== 'string' || value.trim().length > 320 || !EMAIL.test(value.trim())) {
      this.logger.warn({ sub: claims.sub, claim }, 'OIDC sign-in refused: no email address in the claim');
      throw new OidcRefusal(
        403,
        `Your organisation's sign-in did not give an email address (claim "${claim}"), so no account can be found; ask an administrator (OIDC_EMAIL_CLAIM may need to be preferred_username).`,
      );
    }
    const email = value.trim().toLowerCase();
    // Providers that say whether they checked the address (email_verified) must have.
    if (claim === 'email' && 'email_verified' in claims && claims.email_verified !== true && claims.email_verified !== 'true') {
      this.logger.warn({ sub: claims.sub }, 'OIDC sign-in refused: email not verified by the provider');
      throw new OidcRefusal(403, `Your organisation's sign-in says the email address ${email} is not verified, so it cannot be used to sign in here; ask an administrator.`, email);
    }
    return email;
  }

  /** What an error of openid-client means for the person: refused (4xx) or the provider unavailable (503). */
  private refusalOf(error: unknown): unknown {
    if (error instanceof errors.OPError) {
      const status = (error.response as { statusCode?: number } | undefined)?.statusCode;
      if (status !== undefined && status >= 500) return this.unavailable(error);
      this.logger.warn({ error: error.error, description: error.error_description }, 'OIDC sign-in refused by the provider');
      if (error.error === 'access_denied') {
        return new OidcRefusal(403, "Your organisation's sign-in was cancelled or refused (access_denied), so you are not signed in.");
      }
      const description = error.error_description ? `: ${error.error_description.slice(0, 200)}` : '';
      return new OidcRefusal(400, `Your organisation's sign-in refused this sign-in (${String(error.error).slice(0, 100)}${description}). Start again from the sign-in page.`);
    }
    if (error instanceof errors.RPError) {
      if (/timed out/.test(error.message)) return this.unavailable(error);
      this.logger.warn({ reason: error.message }, 'OIDC sign-in refused: the response failed validation');
      return new OidcRefusal(400, `The answer from your organisation's sign-in failed the checks (${error.message.slice(0, 200)}), so you are not signed in. Start again from the sign-in page.`);
    }
    if (isNetworkError(error)) return this.unavailable(error);
    return error;
  }

  private unavailable(error: unknown): OidcRefusal {
    this.logger.error({ err: error, issuer: this.settings.issuerUrl }, 'OIDC provider unavailable');
    return new OidcRefusal(
      503,
      `The OpenID Connect provider (${this.settings.issuerUrl}) cannot be reached or answered with an error, so signing in with your organisation's account is not possible now; try again in a few minutes.`,
    );
  }

  private key(): Buffer {
    if (!this.cookieKey) throw new Error('OpenID Connect sign-in is not configured');
    return this.cookieKey;
  }

  /** The client, discovered once; a failed discovery is forgotten, so the next sign-in tries again. */
  private async getClient(): Promise<BaseClient> {
    if (!this.client) {
      const attempt = this.discover();
      this.client = attempt;
      attempt.catch(() => {
        if (this.client === attempt) this.client = null;
      });
    }
    try {
      return await this.client;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private async discover(): Promise<BaseClient> {
    const { issuerUrl, clientId, clientSecret, redirectUrl } = this.settings;
    const issuer = await Issuer.discover(issuerUrl!);
    const client = new issuer.Client({
      client_id: clientId!,
      client_secret: clientSecret!,
      redirect_uris: [redirectUrl],
      response_types: ['code'],
    });
    // Some leeway between the provider's clock and ours for iat/exp/nbf.
    client[custom.clock_tolerance] = 30;
    this.logger.log({ issuer: issuer.metadata.issuer }, 'OIDC provider discovered');
    return client;
  }
}

/** Connection refused, reset, DNS failure…: Node's system errors carry an upper-case code. */
function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z_]+$/.test(code);
}

/** The `state` parameter of the provider's redirect back, if there is one. */
function callbackState(callbackUrl: string): string | null {
  return new URL(callbackUrl, 'http://localhost').searchParams.get('state');
}
