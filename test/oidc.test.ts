import { RefusalRecorder } from '../src/audit/refusal-recorder';
import { createServer } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { SessionService } from '../src/identity/sessions.service';
import { IdTokenForgery, TestOidcProvider } from './support/oidc-provider';
import { startTestApp, TestClock, TestContext } from './support/test-app';

const BASE = 'http://dhr.test';
const CALLBACK = `${BASE}/auth/oidc/callback`;

function setCookies(res: request.Response): string[] {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []);
}

/** `name=value` of a cookie a response set, or null. */
function cookieSet(res: request.Response, name: RegExp): string | null {
  const found = setCookies(res).find((c) => name.test(c.split('=')[0]));
  return found ? found.split(';')[0] : null;
}

const SESSION = /^(__Host-)?dhr_session$/;
const STATE = /^(__Host-)?dhr_oidc$/;

/** The session cookie, if the response set a non-empty one. */
function sessionSet(res: request.Response): string | null {
  const cookie = cookieSet(res, SESSION);
  return cookie && cookie.split('=')[1] !== '' ? cookie : null;
}

/** The settings of a service that signs people in through `provider`, and `more`. */
function oidcEnv(provider: TestOidcProvider, more: Record<string, string> = {}): Record<string, string> {
  return { PUBLIC_BASE_URL: BASE, OIDC_ISSUER_URL: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_CLIENT_SECRET: provider.clientSecret, ...more };
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('sign-in through an OpenID Connect provider', () => {
  let provider: TestOidcProvider;
  let ctx: TestContext;
  const clock = new TestClock(new Date());
  const http = () => request(ctx.api.getHttpServer());
  let n = 0;

  /** A user here and the same person at the provider (their email written differently there). */
  async function person(options: { emailAtProvider?: (email: string) => string; emailVerified?: boolean } = {}) {
    const email = `oidc.person${++n}@maldon.gov.uk`;
    const user = await ctx.api.get(IdentityService).addUser({ email, displayName: `OIDC Person ${n}` });
    const account = provider.addAccount({
      sub: `sub-${n}`,
      email: (options.emailAtProvider ?? ((e) => e))(email),
      ...(options.emailVerified === undefined ? {} : { email_verified: options.emailVerified }),
      name: `OIDC Person ${n}`,
    });
    return { user, email, account };
  }

  /** GET /auth/oidc/start, then the browser at the provider, who signs `sub` in (or refuses). */
  async function toProvider(sub: string | null, returnTo?: string) {
    provider.nextAccount = sub;
    const start = await http()
      .get('/auth/oidc/start')
      .query(returnTo === undefined ? {} : { returnTo })
      .expect(302);
    const stateCookie = cookieSet(start, STATE);
    if (!stateCookie) throw new Error(`no state cookie in ${JSON.stringify(setCookies(start))}`);
    const callbackUrl = await provider.follow(start.headers.location);
    return { start, stateCookie, callbackUrl };
  }

  /** The whole sign-in: start, provider, callback (with the state cookie). */
  async function signIn(sub: string | null, returnTo?: string) {
    const away = await toProvider(sub, returnTo);
    expect(away.callbackUrl.startsWith(`${CALLBACK}?`)).toBe(true);
    const callback = await http().get(pathOf(away.callbackUrl)).set('Cookie', away.stateCookie);
    return { ...away, callback };
  }

  beforeAll(async () => {
    provider = await TestOidcProvider.start([CALLBACK]);
    ctx = await startTestApp({
      clock,
      defaultActor: null,
      env: oidcEnv(provider, { SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000' }),
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await provider?.stop();
  });

  it('signs an existing user in end to end: provider, code with PKCE, ID token, the same session as a password sign-in', async () => {
    // The provider writes the address in capitals: matched ignoring case.
    const { user, email, account } = await person({ emailAtProvider: (e) => e.toUpperCase(), emailVerified: true });
    expect(ctx.config.oidc.redirectUrl).toBe(CALLBACK);

    const { start, callbackUrl, callback } = await signIn(account.sub, '/cases?stage=imrs');

    // Off to the provider with the authorization code flow, PKCE S256, state and nonce.
    const authorize = new URL(start.headers.location);
    expect(`${authorize.origin}`).toBe(provider.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: provider.clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid email profile',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    // The pending sign-in: sealed (neither state, nonce nor verifier readable), HttpOnly, Lax, 10 minutes.
    const stateHeader = setCookies(start).find((c) => c.startsWith('dhr_oidc='))!;
    expect(stateHeader).toMatch(/^dhr_oidc=[A-Za-z0-9_-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(stateHeader).not.toContain(authorize.searchParams.get('state')!);
    expect(start.headers['cache-control']).toBe('no-store');

    // Back with a code; signed in, the pending sign-in cleared, on to where the person was going.
    expect(new URL(callbackUrl).searchParams.get('code')).toBeTruthy();
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/cases?stage=imrs');
    expect(setCookies(callback)).toContainEqual(expect.stringMatching(/^dhr_oidc=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/));
    expect(setCookies(callback)).toContainEqual(expect.stringMatching(/^dhr_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/));
    const cookie = sessionSet(callback)!;

    const me = await http().get('/auth/session').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual({
      user: { id: user.id, email, displayName: user.displayName },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const rows = await ctx.api.get(DataSource).query(`SELECT count(*)::int AS n FROM user_sessions WHERE user_id = $1 AND ended_at IS NULL`, [user.id]);
    expect(rows[0].n).toBe(1);
  });

  it('the sign-in page offers the organisation account, carrying where to go back to', async () => {
    const page = await http().get('/sign-in').query({ returnTo: '/cases' }).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain(`<a href="/auth/oidc/start?returnTo=%2Fcases" draggable="false" class="govuk-button govuk-button--secondary">Sign in with your organisation's account</a>`);
  });

  it('goes to My work when returnTo is not a path of this service (//evil.example, an absolute URL)', async () => {
    const { account } = await person();
    for (const returnTo of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      const { callback } = await signIn(account.sub, returnTo);
      expect({ returnTo, status: callback.status, location: callback.headers.location }).toEqual({ returnTo, status: 303, location: '/my-work' });
    }
  });

  it('refuses a callback whose state was altered, and signs nobody in', async () => {
    const { account } = await person();
    const { stateCookie, callbackUrl } = await toProvider(account.sub);
    const tampered = new URL(callbackUrl);
    const state = tampered.searchParams.get('state')!;
    tampered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    const res = await http().get(pathOf(tampered.toString())).set('Cookie', stateCookie).expect(400);
    expect(res.body.message).toMatch(/^The answer from your organisation's sign-in failed the checks \(state mismatch/);
    expect(sessionSet(res)).toBeNull();
  });

  it('refuses a callback with no state cookie, or an altered one, or one older than 10 minutes', async () => {
    const { account } = await person();
    const { stateCookie, callbackUrl } = await toProvider(account.sub);
    const noCookie = await http().get(pathOf(callbackUrl)).expect(400);
    expect(noCookie.body.message).toMatch(/could not be finished: it took longer than 10 minutes, or it was started in another browser/);
    const [name, value] = stateCookie.split('=');
    const flipped = `${name}=${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`;
    expect(sessionSet(await http().get(pathOf(callbackUrl)).set('Cookie', flipped).expect(400))).toBeNull();

    const late = await toProvider(account.sub);
    clock.set(new Date(clock.now().getTime() + 11 * 60_000).toISOString());
    const res = await http().get(pathOf(late.callbackUrl)).set('Cookie', late.stateCookie).expect(400);
    expect(res.body.message).toMatch(/took longer than 10 minutes/);
    expect(sessionSet(res)).toBeNull();
  });

  it('keeps sign-ins started in two tabs apart: each finishes with its own state, whichever comes back first', async () => {
    const { account } = await person();
    const first = await http().get('/auth/oidc/start').query({ returnTo: '/cases' }).expect(302);
    const firstCookie = cookieSet(first, STATE)!;
    // The second tab's start is sent with the cookie the first left in the browser.
    const second = await http().get('/auth/oidc/start').query({ returnTo: '/my-work' }).set('Cookie', firstCookie).expect(302);
    const bothCookie = cookieSet(second, STATE)!;
    provider.nextAccount = account.sub;
    const secondBack = await provider.follow(second.headers.location);
    provider.nextAccount = account.sub;
    const firstBack = await provider.follow(first.headers.location);

    // The second tab comes back first: signed in, to its own page; the first tab's sign-in is kept.
    const secondDone = await http().get(pathOf(secondBack)).set('Cookie', bothCookie);
    expect([secondDone.status, secondDone.headers.location]).toEqual([303, '/my-work']);
    const left = cookieSet(secondDone, STATE)!;
    expect(left.split('=')[1]).not.toBe('');
    const firstDone = await http().get(pathOf(firstBack)).set('Cookie', left);
    expect([firstDone.status, firstDone.headers.location]).toEqual([303, '/cases']);
    expect(sessionSet(firstDone)).not.toBeNull();
    // Nothing is pending any more.
    expect(setCookies(firstDone)).toContainEqual(expect.stringMatching(/^dhr_oidc=; Max-Age=0;/));
  });

  it('refuses a code used a second time (the provider refuses it), and signs nobody in', async () => {
    const { account } = await person();
    const first = await signIn(account.sub);
    expect(first.callback.status).toBe(303);
    const replay = await http().get(pathOf(first.callbackUrl)).set('Cookie', first.stateCookie).expect(400);
    expect(replay.body.message).toMatch(/^Your organisation's sign-in refused this sign-in \(invalid_grant/);
    expect(sessionSet(replay)).toBeNull();
  });

  it('refuses, with 403, a person the provider knows but who has no account here: nobody is created', async () => {
    const stranger = provider.addAccount({ sub: 'stranger', email: 'Stranger@Elsewhere.gov.uk', email_verified: true });
    const { callback } = await signIn(stranger.sub);
    expect(callback.status).toBe(403);
    expect(callback.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'There is no account for stranger@elsewhere.gov.uk in this service; ask an administrator to create one, then sign in again.',
    });
    expect(sessionSet(callback)).toBeNull();
    const rows = await ctx.api.get(DataSource).query(`SELECT count(*)::int AS n FROM users WHERE email = 'stranger@elsewhere.gov.uk'`);
    expect(rows[0].n).toBe(0);
    // A failed sign-in, in the access log with the email the provider gave (written just after the answer).
    await ctx.api.get(RefusalRecorder).flush();
    const logged = await ctx.api.get(DataSource).query(`SELECT status, outcome, reason, route FROM access_log WHERE attempted_email = 'stranger@elsewhere.gov.uk'`);
    expect(logged).toEqual([expect.objectContaining({ status: 403, outcome: 'refused', route: '/auth/oidc/callback' })]);
    expect(logged[0].reason).toMatch(/^sign-in refused \(OpenID Connect\): There is no account/);
  });

  it('accepts an open invitation to a review team when the invited email signs in with the provider: a user without a password, their review role only', async () => {
    const db = ctx.api.get(DataSource);
    const csp = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'OIDCINV', name: 'Invitations Community Safety Partnership' }).expect(201)).body;
    const review = (
      await http()
        .post('/reviews')
        .set('X-Actor', 'lead@maldon.gov.uk')
        .send({ cspId: csp.id, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'ESX/1', circumstances: 'Death at home.' })
        .expect(201)
    ).body;
    // What inviting leaves behind (test/invitations.test.ts sends it through the pages and the API).
    const email = 'invited.chair@independent-reviews.example';
    await db.query(
      `INSERT INTO review_members (review_id, user_id, email, display_name, role, added_by, added_at) VALUES ($1, NULL, $2, 'Ines Vale', 'chair', 'lead@maldon.gov.uk', now())`,
      [review.id, email],
    );
    await db.query(
      `INSERT INTO review_invitations (review_id, email, display_name, token_hash, invited_by, sent_at, expires_at) VALUES ($1, $2, 'Ines Vale', $3, 'lead@maldon.gov.uk', $4, $5)`,
      [review.id, email, 'a'.repeat(64), clock.now(), new Date(clock.now().getTime() + 86_400_000)],
    );
    const account = provider.addAccount({ sub: 'invited-chair', email, email_verified: true, name: 'Ines Vale' });
    const { callback } = await signIn(account.sub, '/my-work');
    expect(callback.status).toBe(303);
    const cookie = sessionSet(callback)!;
    expect(cookie).toBeTruthy();
    expect((await http().get(`/reviews/${review.id}`).set('Cookie', cookie)).status).toBe(200);
    const [user] = await db.query(`SELECT id, display_name, password_hash FROM users WHERE email = $1`, [email]);
    expect(user).toMatchObject({ display_name: 'Ines Vale', password_hash: null });
    expect(await db.query(`SELECT * FROM user_roles WHERE user_id = $1`, [user.id])).toEqual([]);
    expect(await db.query(`SELECT role FROM review_members WHERE user_id = $1 AND ended_at IS NULL`, [user.id])).toEqual([{ role: 'chair' }]);
    const history = await db.query(`SELECT type, actor FROM review_events WHERE review_id = $1 ORDER BY sequence DESC LIMIT 1`, [review.id]);
    expect(history).toEqual([{ type: 'INVITATION_ACCEPTED', actor: email }]);
  });

  it('refuses a disabled account with 403', async () => {
    const { user, email, account } = await person();
    await ctx.api.get(DataSource).query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [user.id]);
    const { callback } = await signIn(account.sub);
    expect(callback.status).toBe(403);
    expect(callback.body.message).toBe(`The account for ${email} is disabled; ask an administrator.`);
    expect(sessionSet(callback)).toBeNull();
  });

  it('refuses an email address the provider says it has not verified', async () => {
    const { account } = await person({ emailVerified: false });
    const { callback } = await signIn(account.sub);
    expect(callback.status).toBe(403);
    expect(callback.body.message).toMatch(/says the email address oidc\.person\d+@maldon\.gov\.uk is not verified/);
    expect(sessionSet(callback)).toBeNull();
  });

  it('says so when the person cancels at the provider (error=access_denied), as a page for a browser', async () => {
    const { account } = await person();
    provider.refuseNext = true;
    const away = await toProvider(account.sub);
    expect(new URL(away.callbackUrl).searchParams.get('error')).toBe('access_denied');
    const res = await http().get(pathOf(away.callbackUrl)).set('Cookie', away.stateCookie).expect(403);
    expect(res.body.message).toBe("Your organisation's sign-in was cancelled or refused (access_denied), so you are not signed in.");
    expect(sessionSet(res)).toBeNull();

    provider.refuseNext = true;
    const again = await toProvider(account.sub);
    const page = await http().get(pathOf(again.callbackUrl)).set('Cookie', again.stateCookie).set('Accept', 'text/html').expect(403);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('cancelled or refused (access_denied), so you are not signed in.');
    expect(sessionSet(page)).toBeNull();
  });

  it('with OIDC_EMAIL_CLAIM=preferred_username (Entra ID), takes the address from that claim', async () => {
    const entra = await startTestApp({
      defaultActor: null,
      env: oidcEnv(provider, { OIDC_EMAIL_CLAIM: 'preferred_username' }),
    });
    try {
      const http2 = () => request(entra.api.getHttpServer());
      const user = await entra.api.get(IdentityService).addUser({ email: 'upn.person@maldon.gov.uk', displayName: 'UPN Person' });
      // No email claim at all, as Entra ID for an account without a mailbox.
      provider.addAccount({ sub: 'entra-upn', preferred_username: 'UPN.Person@maldon.gov.uk' });
      provider.nextAccount = 'entra-upn';
      const start = await http2().get('/auth/oidc/start').expect(302);
      const callbackUrl = await provider.follow(start.headers.location);
      const callback = await http2().get(pathOf(callbackUrl)).set('Cookie', cookieSet(start, STATE)!).expect(303);
      const me = await http2().get('/auth/session').set('Cookie', sessionSet(callback)!).expect(200);
      expect(me.body.user).toEqual({ id: user.id, email: 'upn.person@maldon.gov.uk', displayName: 'UPN Person' });
    } finally {
      await entra.close();
    }
  });

  it('refuses a forged ID token: a foreign signature, another issuer, another audience, another nonce, expired; signs nobody in', async () => {
    const { account } = await person({ emailVerified: true });
    const now = Math.floor(Date.now() / 1000);
    const forgeries: Array<[string, IdTokenForgery, RegExp]> = [
      ['signature', { signWith: 'foreign' }, /failed to validate JWT signature/],
      ['issuer', { claims: (c) => ({ ...c, iss: 'https://login.evil.example/tenant/v2.0' }) }, /unexpected iss value/],
      ['audience', { claims: (c) => ({ ...c, aud: 'another-client' }) }, /aud mismatch/],
      ['nonce', { claims: (c) => ({ ...c, nonce: 'a-nonce-of-another-sign-in' }) }, /nonce mismatch/],
      ['expiry', { claims: (c) => ({ ...c, iat: now - 7200, exp: now - 3600 }) }, /JWT expired/],
    ];
    for (const [what, forgery, reason] of forgeries) {
      provider.forgeNext = forgery;
      const { callback } = await signIn(account.sub);
      // The forgery reached the callback (the hook was used), and was refused for its own reason.
      expect(provider.forgeNext).toBeNull();
      expect({ what, status: callback.status, session: sessionSet(callback) }).toEqual({ what, status: 400, session: null });
      expect(callback.body.message).toMatch(/^The answer from your organisation's sign-in failed the checks \(/);
      expect({ what, message: callback.body.message }).toEqual({ what, message: expect.stringMatching(reason) });
    }
    // The same person, with an honest token, signs in: the refusals were the forgeries'.
    const { callback } = await signIn(account.sub);
    expect(callback.status).toBe(303);
    // Re-signing an unchanged token with the provider's own key is accepted: the hook alone
    // does not make a token fail.
    provider.forgeNext = { signWith: 'provider' };
    expect((await signIn(account.sub)).callback.status).toBe(303);
  });

  it('refuses a callback that carries no state, and signs nobody in', async () => {
    const { account } = await person();
    const { stateCookie, callbackUrl } = await toProvider(account.sub);
    const stateless = new URL(callbackUrl);
    stateless.searchParams.delete('state');
    const res = await http().get(pathOf(stateless.toString())).set('Cookie', stateCookie).expect(400);
    expect(res.body.message).toMatch(/^The answer from your organisation's sign-in failed the checks \(state missing/);
    expect(sessionSet(res)).toBeNull();
  });

  it('signs in a person whose password is locked, and leaves the lock as it is (it guards passwords only)', async () => {
    const { user, email, account } = await person();
    const sessions = ctx.api.get(SessionService);
    await sessions.setPassword(user.id, 'correct horse battery staple');
    for (let i = 0; i < 5; i++) await http().post('/auth/sessions').send({ email, password: `wrong ${i}` }).expect(401);
    const db = ctx.api.get(DataSource);
    const [before] = await db.query(`SELECT failed_sign_ins, locked_until FROM users WHERE id = $1`, [user.id]);
    expect(before.locked_until).not.toBeNull();

    const { callback } = await signIn(account.sub);
    expect(callback.status).toBe(303);
    const me = await http().get('/auth/session').set('Cookie', sessionSet(callback)!).expect(200);
    expect(me.body.user.id).toBe(user.id);

    const [after] = await db.query(`SELECT failed_sign_ins, locked_until FROM users WHERE id = $1`, [user.id]);
    expect(after).toEqual(before);
    // The right password is still refused until the lock ends.
    await http().post('/auth/sessions').send({ email, password: 'correct horse battery staple' }).expect(401);
  });

  it('a provider that stops answering gives 503 naming OpenID Connect, not 500', async () => {
    const { account } = await person();
    const { stateCookie, start } = await toProvider(account.sub);
    // The provider is discovered already (its keys too): now it is gone.
    await provider.stop();
    const state = new URL(start.headers.location).searchParams.get('state')!;
    const callback = `/auth/oidc/callback?${new URLSearchParams({ code: 'any', state, iss: provider.issuer })}`;
    const res = await http().get(callback).set('Cookie', stateCookie);
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 503, message: expect.any(String) });
    expect(res.body.message).toMatch(new RegExp(`^The OpenID Connect provider \\(${provider.issuer.replace(/\./g, '\\.')}\\) cannot be reached`));
    expect(sessionSet(res)).toBeNull();
  });
});

describe('OpenID Connect settings', () => {
  it('not configured: both routes answer 404 and the sign-in page offers no organisation account', async () => {
    const ctx = await startTestApp({ defaultActor: null });
    try {
      const http = () => request(ctx.api.getHttpServer());
      expect((await http().get('/auth/oidc/start').expect(404)).body.message).toMatch(/not configured \(OIDC_ISSUER_URL\)/);
      await http().get('/auth/oidc/callback?code=x&state=y').expect(404);
      const page = await http().get('/sign-in').set('Accept', 'text/html').expect(200);
      expect(page.text).not.toContain('/auth/oidc/start');
    } finally {
      await ctx.close();
    }
  });

  it('a provider that cannot be reached at the first sign-in gives 503 naming OpenID Connect', async () => {
    const port = await closedPort();
    const ctx = await startTestApp({
      defaultActor: null,
      env: {
        OIDC_ISSUER_URL: `http://127.0.0.1:${port}/tenant/v2.0`,
        OIDC_CLIENT_ID: 'id',
        OIDC_CLIENT_SECRET: 'secret',
      },
    });
    try {
      const res = await request(ctx.api.getHttpServer()).get('/auth/oidc/start').expect(503);
      expect(res.body.message).toMatch(new RegExp(`^The OpenID Connect provider \\(http://127\\.0\\.0\\.1:${port}/tenant/v2\\.0\\) cannot be reached`));
      expect(res.headers['set-cookie']).toBeUndefined();
      // Password sign-in does not depend on the provider.
      const user = await ctx.api.get(IdentityService).addUser({ email: 'password.person@maldon.gov.uk', displayName: 'Password Person' });
      await ctx.api.get(SessionService).setPassword(user.id, 'correct horse battery staple');
      const signedIn = await request(ctx.api.getHttpServer()).post('/auth/sessions').send({ email: 'password.person@maldon.gov.uk', password: 'correct horse battery staple' }).expect(201);
      expect(signedIn.body.user.id).toBe(user.id);
      // And the provider is still unreachable, not discovered meanwhile.
      await request(ctx.api.getHttpServer()).get('/auth/oidc/start').expect(503);
    } finally {
      await ctx.close();
    }
  });
});

describe('OpenID Connect and the sign-in rate limit', () => {
  it('counts the OpenID Connect routes with password sign-in: one allowance per address across them all', async () => {
    const provider = await TestOidcProvider.start([CALLBACK]);
    const ctx = await startTestApp({
      defaultActor: null,
      env: oidcEnv(provider, { SIGN_IN_RATE_LIMIT_PER_MINUTE: '4' }),
    });
    try {
      const http = () => request(ctx.api.getHttpServer());
      // Two password attempts, a start and a callback: the allowance of 4 is used up.
      await http().post('/auth/sessions').send({ email: 'nobody@maldon.gov.uk', password: 'not the password at all' }).expect(401);
      await http().post('/auth/sessions').send({ email: 'nobody@maldon.gov.uk', password: 'not the password at all' }).expect(401);
      const start = await http().get('/auth/oidc/start').expect(302);
      const state = new URL(start.headers.location).searchParams.get('state')!;
      await http().get(`/auth/oidc/callback?${new URLSearchParams({ code: 'any', state, iss: provider.issuer })}`).expect(400);
      // Each door is now refused, whichever was used before.
      for (const attempt of [
        () => http().get('/auth/oidc/start'),
        () => http().get(`/auth/oidc/callback?${new URLSearchParams({ code: 'any', state })}`),
        () => http().post('/auth/sessions').send({ email: 'nobody@maldon.gov.uk', password: 'not the password at all' }),
      ]) {
        const res = await attempt();
        expect(res.status).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Other routes keep their own, larger allowance.
      await http().get('/health').expect(200);
    } finally {
      await ctx.close();
      await provider.stop();
    }
  });
});
