import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as argon2 from 'argon2';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RefusalRecorder } from '../src/audit/refusal-recorder';
import { ensureFirstAdministrator } from '../src/identity/first-administrator';
import { IdentityService } from '../src/identity/identity.service';
import * as passwords from '../src/identity/passwords';
import { PurgeEndedSessionsJob } from '../src/identity/session-retention.job';
import { PasswordRejectedError, SessionService } from '../src/identity/sessions.service';
import { Clock } from '../src/infrastructure/clock/clock';
import { loadConfig } from '../src/infrastructure/config/load-config';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { testPort } from './support/ports';
import { createTestDatabase, testRedisUrl, TestDatabase, uniqueQueuePrefix } from './support/databases';
import { runEntryPoint, RunningProcess, waitForLog } from './support/processes';
import { startTestApp, TestClock, TestContext } from './support/test-app';

const PASSWORD = 'correct horse battery staple';
const START = '2026-03-02T09:00:00.000Z';
const REFUSED = /^The email address or password is not right, or the account cannot sign in now\. After repeated failed attempts an account is locked for 15 minutes: try again later\.$/;
const CSRF_REFUSED = { statusCode: 403, error: 'Forbidden', message: 'X-CSRF-Token: missing or does not match this session' };

function advance(clock: TestClock, minutes: number): void {
  clock.set(new Date(clock.now().getTime() + minutes * 60_000).toISOString());
}

/** `name=value` of the session cookie a response set. */
function sessionCookie(res: request.Response): string {
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const found = setCookie.find((c) => /^(__Host-)?dhr_session=/.test(c));
  if (!found) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return found.split(';')[0];
}

describe('sign-in and sessions', () => {
  let ctx: TestContext;
  const clock = new TestClock(new Date(START));
  const http = () => request(ctx.api.getHttpServer());
  let n = 0;

  /** A user with a password (IdentityService + setPassword, as the command line does). */
  async function person(password: string | null = PASSWORD) {
    const email = `person${++n}@maldon.gov.uk`;
    const user = await ctx.api.get(IdentityService).addUser({ email, displayName: `Person ${n}` });
    if (password) await ctx.api.get(SessionService).setPassword(user.id, password);
    return { ...user, email };
  }

  /** `count` sign-ins with a wrong password, each refused. */
  async function wrongPasswords(email: string, count: number) {
    for (let i = 0; i < count; i++) await http().post('/auth/sessions').send({ email, password: `wrong ${i}` }).expect(401);
  }

  async function signIn(email: string, password = PASSWORD) {
    const res = await http().post('/auth/sessions').send({ email, password }).expect(201);
    return { cookie: sessionCookie(res), csrfToken: res.body.csrfToken as string, body: res.body, res };
  }

  beforeAll(async () => {
    // X-Actor stays trusted here (testConfig) but nobody sends it: identity comes from cookies
    // and tokens only. The sign-in limit is raised: this file signs in many times.
    ctx = await startTestApp({ clock, defaultActor: null, env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000' } });
  });
  afterAll(() => ctx.close());

  it('sign-in sets an HttpOnly, SameSite=Lax, Path=/ cookie (not Secure locally) that then identifies the user', async () => {
    const user = await person();
    const res = await http().post('/auth/sessions').send({ email: user.email.toUpperCase(), password: PASSWORD }).expect(201);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie']);
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^dhr_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      user: { id: user.id, email: user.email, displayName: user.displayName },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: '2026-03-02T21:00:00.000Z',
    });
    const cookie = sessionCookie(res);

    const me = await http().get('/auth/session').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual(res.body);
    expect((await http().get('/me/tokens').set('Cookie', cookie).expect(200)).body).toEqual([]);

    // Only the SHA-256 of the cookie value is stored, with where the sign-in came from.
    const value = cookie.split('=')[1];
    const rows = await ctx.api.get(DataSource).query(`SELECT * FROM user_sessions WHERE user_id = $1`, [user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(value).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(value);
    expect(rows[0].ip).toMatch(/127\.0\.0\.1/);
  });

  it('takes a urlencoded form too, and a bad body is a 400 naming the field', async () => {
    const user = await person();
    await http().post('/auth/sessions').type('form').send({ email: user.email, password: PASSWORD }).expect(201);
    const noPassword = await http().post('/auth/sessions').send({ email: user.email }).expect(400);
    expect(noPassword.body.errors).toEqual([{ field: 'password', message: 'Required' }]);
    const badEmail = await http().post('/auth/sessions').type('form').send({ email: 'not an email', password: PASSWORD }).expect(400);
    expect(badEmail.body.errors.map((e: { field: string }) => e.field)).toEqual(['email']);
  });

  it('refuses a wrong password and an unknown email with the identical 401', async () => {
    const user = await person();
    const wrong = await http().post('/auth/sessions').send({ email: user.email, password: 'not the password' }).expect(401);
    const unknown = await http().post('/auth/sessions').send({ email: 'nobody@maldon.gov.uk', password: PASSWORD }).expect(401);
    const noPassword = await http().post('/auth/sessions').send({ email: (await person(null)).email, password: PASSWORD }).expect(401);
    expect(wrong.body.message).toMatch(REFUSED);
    expect(unknown.body).toEqual(wrong.body);
    expect(noPassword.body).toEqual(wrong.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('locks the account after 5 failures in a row, refusing the right password until the lock has passed', async () => {
    clock.set(START);
    const user = await person();
    const failures = (count: number) => wrongPasswords(user.email, count);
    // A success resets the count: 4 + success + 4 locks nothing.
    await failures(4);
    await signIn(user.email);
    await failures(4);
    await signIn(user.email);

    await failures(5);
    const locked = await http().post('/auth/sessions').send({ email: user.email, password: PASSWORD }).expect(401);
    expect(locked.body.message).toMatch(REFUSED);
    // The access log tells the failure that locked it, and the refusal while it is locked, apart.
    await ctx.api.get(RefusalRecorder).flush();
    const reasons = await ctx.api.get(DataSource).query(`SELECT reason FROM access_log WHERE attempted_email = $1 ORDER BY id DESC LIMIT 2`, [user.email]);
    expect(reasons.map((r: { reason: string }) => r.reason).reverse()).toEqual(['sign-in refused: wrong password: account now locked', 'sign-in refused: account locked']);
    advance(clock, 14);
    await http().post('/auth/sessions').send({ email: user.email, password: PASSWORD }).expect(401);
    advance(clock, 1);
    await signIn(user.email);
    const [row] = await ctx.api.get(DataSource).query(`SELECT failed_sign_ins, locked_until FROM users WHERE id = $1`, [user.id]);
    expect(row).toEqual({ failed_sign_ins: 0, locked_until: null });
  });

  it('does not count attempts during a lock nor extend it; after it the count starts again from zero', async () => {
    clock.set(START);
    const user = await person();
    const failures = (count: number) => wrongPasswords(user.email, count);
    const lockOf = async () => {
      const [row] = await ctx.api.get(DataSource).query(`SELECT locked_until FROM users WHERE id = $1`, [user.id]);
      return row.locked_until === null ? null : (row.locked_until as Date).toISOString();
    };
    await failures(5);
    const lockedUntil = await lockOf();
    expect(lockedUntil).toBe(new Date(Date.parse(START) + 15 * 60_000).toISOString());
    advance(clock, 10);
    await failures(3);
    expect(await lockOf()).toBe(lockedUntil);
    advance(clock, 5);
    // Four more after the lock: not locked again (the three during it did not count)…
    await failures(4);
    const now = clock.now().getTime();
    const afterFour = await lockOf();
    expect(afterFour === null || Date.parse(afterFour) <= now).toBe(true);
    // …the fifth locks it.
    await failures(1);
    expect(await lockOf()).toBe(new Date(now + 15 * 60_000).toISOString());
  });

  it('a new password lifts a lock and ends the sessions; a short one is refused', async () => {
    clock.set(START);
    const user = await person();
    const first = await signIn(user.email);
    await wrongPasswords(user.email, 5);
    await expect(ctx.api.get(SessionService).setPassword(user.id, 'too short')).rejects.toThrow(PasswordRejectedError);
    await ctx.api.get(SessionService).setPassword(user.id, 'a brand new passphrase');
    await http().get('/auth/session').set('Cookie', first.cookie).expect(401);
    await signIn(user.email, 'a brand new passphrase');
    await http().post('/auth/sessions').send({ email: user.email, password: PASSWORD }).expect(401);
  });

  it('replaces a password hash made with older settings at the next successful sign-in, and only then', async () => {
    const user = await person(null);
    const db = ctx.api.get(DataSource);
    // As an earlier release might have stored it: argon2id with a sixteenth of the memory, one lane.
    const old = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 1 });
    await db.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [user.id, old]);
    const storedHash = async () => (await db.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id]))[0].password_hash as string;

    await wrongPasswords(user.email, 1);
    expect(await storedHash()).toBe(old);

    await signIn(user.email);
    const current = await storedHash();
    expect(current).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$/);
    expect(await argon2.verify(current, PASSWORD)).toBe(true);
    // The new hash signs in, and is kept as it is.
    await signIn(user.email);
    expect(await storedHash()).toBe(current);
  });

  it('verifies an unknown email, and an account with no password, against a hash of the same argon2 settings as a real one', async () => {
    const known = await person();
    const withoutPassword = await person(null);
    const verify = jest.spyOn(passwords, 'verifyPassword');
    try {
      await http().post('/auth/sessions').send({ email: known.email, password: 'a wrong password here' }).expect(401);
      await http().post('/auth/sessions').send({ email: 'nobody.at.all@maldon.gov.uk', password: 'a wrong password here' }).expect(401);
      await http().post('/auth/sessions').send({ email: withoutPassword.email, password: 'a wrong password here' }).expect(401);
      // One argon2 verification each; its parameters (memory, passes, lanes) are the cost.
      const parameters = (hash: string) => hash.split('$').slice(1, 4).join('$');
      const hashes = verify.mock.calls.map(([hash]) => hash);
      expect(hashes).toHaveLength(3);
      const [stored] = await ctx.api.get(DataSource).query(`SELECT password_hash FROM users WHERE id = $1`, [known.id]);
      expect(hashes[0]).toBe(stored.password_hash);
      expect(parameters(hashes[1])).toBe('argon2id$v=19$m=65536,t=3,p=4');
      expect(parameters(hashes[1])).toBe(parameters(stored.password_hash));
      expect(parameters(hashes[2])).toBe(parameters(stored.password_hash));
      // A real hash, not a string that fails at once: it is a hash of something.
      expect(hashes[1]).not.toBe(stored.password_hash);
      expect(await argon2.verify(hashes[1], 'a wrong password here')).toBe(false);
    } finally {
      verify.mockRestore();
    }
  });

  it('sign-out ends the session and clears the cookie; the old cookie is refused afterwards', async () => {
    clock.set(START);
    const user = await person();
    const viaDelete = await signIn(user.email);
    const out = await http().delete('/auth/sessions/current').set('Cookie', viaDelete.cookie).set('X-CSRF-Token', viaDelete.csrfToken).expect(204);
    expect(([] as string[]).concat(out.headers['set-cookie'])[0]).toMatch(/^dhr_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
    await http().get('/auth/session').set('Cookie', viaDelete.cookie).expect(401);
    await http().get('/me/tokens').set('Cookie', viaDelete.cookie).expect(401);

    // POST /auth/sign-out from an HTML form, the token in its _csrf field.
    const viaForm = await signIn(user.email);
    await http().post('/auth/sign-out').set('Cookie', viaForm.cookie).type('form').send({ _csrf: viaForm.csrfToken }).expect(204);
    await http().get('/auth/session').set('Cookie', viaForm.cookie).expect(401);
  });

  it('signing in again replaces the browser’s session', async () => {
    clock.set(START);
    const user = await person();
    const first = await signIn(user.email);
    const second = await http().post('/auth/sessions').set('Cookie', first.cookie).send({ email: user.email, password: PASSWORD }).expect(201);
    await http().get('/auth/session').set('Cookie', first.cookie).expect(401);
    await http().get('/auth/session').set('Cookie', sessionCookie(second)).expect(200);
  });

  it('a cookie-authenticated write needs the session’s CSRF token: none or a wrong one is a 403 and writes nothing', async () => {
    clock.set(START);
    const user = await person();
    const { cookie, csrfToken } = await signIn(user.email);
    const missing = await http().post('/me/tokens').set('Cookie', cookie).send({ name: 'export' }).expect(403);
    expect(missing.body).toEqual(CSRF_REFUSED);
    const wrong = await http().post('/me/tokens').set('Cookie', cookie).set('X-CSRF-Token', `${csrfToken.slice(0, -1)}${csrfToken.endsWith('A') ? 'B' : 'A'}`).send({ name: 'export' }).expect(403);
    expect(wrong.body).toEqual(CSRF_REFUSED);
    const otherSession = (await signIn(user.email)).csrfToken;
    await http().post('/me/tokens').set('Cookie', cookie).set('X-CSRF-Token', otherSession).send({ name: 'export' }).expect(403);
    expect((await http().get('/me/tokens').set('Cookie', cookie).expect(200)).body).toEqual([]);

    const created = await http().post('/me/tokens').set('Cookie', cookie).set('X-CSRF-Token', csrfToken).send({ name: 'export' }).expect(201);
    expect(created.body.token).toMatch(/^dhr_/);
    // The form field works for urlencoded forms, and is not passed on to the route's schema.
    await http().post('/me/tokens').set('Cookie', cookie).type('form').send({ name: 'form', _csrf: csrfToken }).expect(201);
    const tokens = (await http().get('/me/tokens').set('Cookie', cookie).expect(200)).body;
    expect(tokens.map((t: { name: string }) => t.name)).toEqual(['export', 'form']);

    // A bearer token needs no CSRF token.
    await http().post('/me/tokens').set('Authorization', `Bearer ${created.body.token}`).send({ name: 'script' }).expect(201);
  });

  it('a multipart upload (a page’s no-JavaScript form) may carry the CSRF token as ?_csrf= instead; nothing else may, and no log keeps it', async () => {
    clock.set(START);
    const csp = (await http().post('/csps').set('X-Actor', 'setup').send({ code: 'CSRFTEST', name: 'CSRF Test CSP' }).expect(201)).body;
    const email = `lead${++n}@maldon.gov.uk`;
    const lead = await ctx.api.get(IdentityService).addUser({ email, displayName: 'CSP Lead', role: 'csp_lead', cspCode: 'CSRFTEST' });
    await ctx.api.get(SessionService).setPassword(lead.id, PASSWORD);
    const review = (
      await http()
        .post('/reviews')
        .set('X-Actor', 'setup')
        .send({ cspId: csp.id, dateOfDeath: '2026-02-20', notifiedOn: '2026-02-25', policeForce: 'Essex Police', policeReference: 'ESX/26/0001', circumstances: 'Test.' })
        .expect(201)
    ).body;
    const { cookie, csrfToken } = await signIn(email);
    const pdf = Buffer.from('%PDF-1.4\n% test\n%%EOF\n', 'latin1');
    const upload = (query: string) =>
      http()
        .post(`/reviews/${review.id}/documents${query}`)
        .set('Cookie', cookie)
        .field('kind', 'chronology')
        .field('title', 'Chronology')
        .attach('file', pdf, { filename: 'chronology.pdf', contentType: 'application/pdf' });

    // Without a token, with a wrong one, or with one in the body (read only after the check): 403, nothing written.
    expect((await upload('').expect(403)).body).toEqual(CSRF_REFUSED);
    const wrong = `${csrfToken.slice(0, -1)}${csrfToken.endsWith('A') ? 'B' : 'A'}`;
    expect((await upload(`?_csrf=${wrong}`).expect(403)).body).toEqual(CSRF_REFUSED);
    await http()
      .post(`/reviews/${review.id}/documents`)
      .set('Cookie', cookie)
      .field('_csrf', csrfToken)
      .field('kind', 'chronology')
      .field('title', 'Chronology')
      .attach('file', pdf, { filename: 'chronology.pdf', contentType: 'application/pdf' })
      .expect(403);
    expect((await http().get(`/reviews/${review.id}/documents`).set('Cookie', cookie).expect(200)).body).toEqual([]);

    // With the session's token in the URL: accepted.
    const created = await upload(`?_csrf=${csrfToken}`).expect(201);
    expect(created.body).toMatchObject({ kind: 'chronology', title: 'Chronology', versionCount: 1 });

    // Only a multipart POST reads the query string: a urlencoded form or a JSON body must still carry it themselves.
    await http().post(`/me/tokens?_csrf=${csrfToken}`).set('Cookie', cookie).type('form').send({ name: 'form' }).expect(403);
    await http().post(`/me/tokens?_csrf=${csrfToken}`).set('Cookie', cookie).send({ name: 'json' }).expect(403);

    // The access log keeps the upload's path without the token (a secret of the session).
    const log = (await http().get(`/reviews/${review.id}/access-log`).set('Cookie', cookie).expect(200)).body as Array<{ method: string; path: string; status: number }>;
    const posted = log.filter((e) => e.method === 'POST' && e.status < 400);
    expect(posted).toEqual([expect.objectContaining({ path: `/reviews/${review.id}/documents`, status: 201 })]);
    // The refused uploads are there too (issue 13), and keep no token either.
    expect(log.filter((e) => e.method === 'POST' && e.status === 403).length).toBeGreaterThan(0);
    expect(JSON.stringify(log)).not.toContain(csrfToken);
  });

  it('writes a session’s and a token’s last use at most once a minute, not on every request', async () => {
    clock.set(START);
    const user = await person();
    const session = await signIn(user.email);
    const token = (await ctx.api.get(IdentityService).issueToken(user.id, 'last use')).token;
    const db = ctx.api.get(DataSource);
    const lastSeen = async () => (await db.query(`SELECT last_seen_at AS at FROM user_sessions WHERE user_id = $1`, [user.id]))[0].at.toISOString();
    const lastUsed = async () => (await db.query(`SELECT last_used_at AS at FROM api_tokens WHERE user_id = $1`, [user.id]))[0].at?.toISOString() ?? null;
    await http().get('/auth/session').set('Cookie', session.cookie).expect(200);
    await http().get('/me/tasks').set('Authorization', `Bearer ${token}`).expect(200);
    expect(await lastSeen()).toBe(START);
    expect(await lastUsed()).toBe(START);
    clock.set(new Date(Date.parse(START) + 59_000).toISOString());
    await http().get('/auth/session').set('Cookie', session.cookie).expect(200);
    await http().get('/me/tasks').set('Authorization', `Bearer ${token}`).expect(200);
    expect(await lastSeen()).toBe(START);
    expect(await lastUsed()).toBe(START);
    const later = new Date(Date.parse(START) + 61_000).toISOString();
    clock.set(later);
    await http().get('/auth/session').set('Cookie', session.cookie).expect(200);
    await http().get('/me/tasks').set('Authorization', `Bearer ${token}`).expect(200);
    expect(await lastSeen()).toBe(later);
    expect(await lastUsed()).toBe(later);
  });

  it('refuses a session after 30 minutes idle or 12 hours in all, and a disabled user’s at once', async () => {
    clock.set(START);
    const user = await person();
    const idle = await signIn(user.email);
    advance(clock, 29);
    await http().get('/auth/session').set('Cookie', idle.cookie).expect(200);
    advance(clock, 29); // 58 minutes in, 29 idle
    await http().get('/auth/session').set('Cookie', idle.cookie).expect(200);
    advance(clock, 30);
    await http().get('/auth/session').set('Cookie', idle.cookie).expect(401);

    clock.set(START);
    const busy = await signIn(user.email);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      clock.set(new Date(Date.parse(START) + minutes * 60_000).toISOString());
      await http().get('/auth/session').set('Cookie', busy.cookie).expect(200);
    }
    clock.set('2026-03-02T21:00:00.000Z');
    await http().get('/auth/session').set('Cookie', busy.cookie).expect(401);

    clock.set(START);
    const disabled = await signIn(user.email);
    await ctx.api.get(DataSource).query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [user.id]);
    await http().get('/auth/session').set('Cookie', disabled.cookie).expect(401);
    // Refused with the same message as any other refusal: it does not say the account exists.
    const refused = await http().post('/auth/sessions').send({ email: user.email, password: PASSWORD }).expect(401);
    const unknown = await http().post('/auth/sessions').send({ email: 'nobody.at.all@maldon.gov.uk', password: PASSWORD }).expect(401);
    expect(refused.body.message).toMatch(REFUSED);
    expect(refused.body).toEqual(unknown.body);
  });

  it('users:add --password (DHR_PASSWORD) and --password-stdin give a person a password, never printing it', async () => {
    const env = { DATABASE_URL: ctx.database.url, REDIS_URL: testRedisUrl(), DHR_PASSWORD: 'set from the environment' };
    const proc = runEntryPoint('cli/index.js', env, ['users:add', '--email', 'Chair@Maldon.gov.uk', '--name', 'Chair', '--password']);
    expect(await proc.exited).toBe(0);
    expect(proc.lines.join('\n')).toContain('password set');
    expect(proc.lines.join('\n') + proc.stderr()).not.toContain('set from the environment');
    await signIn('chair@maldon.gov.uk', 'set from the environment');

    const viaStdin = await cli(env, ['users:add', '--email', 'chair@maldon.gov.uk', '--password-stdin'], 'typed into standard input\n');
    expect(viaStdin.code).toBe(0);
    await signIn('chair@maldon.gov.uk', 'typed into standard input');

    const short = await cli(env, ['users:add', '--email', 'chair@maldon.gov.uk', '--password-stdin'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.err).toContain('password: must be at least 12 characters');
    await signIn('chair@maldon.gov.uk', 'typed into standard input');

    const asArgument = await cli(env, ['users:add', '--email', 'chair@maldon.gov.uk', '--password', 'typed as an argument'], '');
    expect(asArgument.code).toBe(2);
    expect(asArgument.err).toContain('--password takes no value');
    expect(asArgument.err).not.toContain('typed as an argument');
    const missing = await cli({ ...env, DHR_PASSWORD: '' }, ['users:add', '--email', 'chair@maldon.gov.uk', '--password'], '');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--password: set the password in the environment variable DHR_PASSWORD');
  });

  it('deletes session records SESSION_RETENTION_DAYS (90) after their last use, and keeps the rest', async () => {
    const user = await person();
    const old = await signIn(user.email);
    advance(clock, 60 * 24 * 91);
    const recent = await signIn(user.email);
    const dataSource = ctx.api.get(DataSource);
    const hashOf = (cookie: string) => createHash('sha256').update(cookie.split('=')[1]).digest('hex');
    const { deleted } = await new PurgeEndedSessionsJob(dataSource, clock, ctx.config).handle();
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = (await dataSource.query('SELECT token_hash FROM user_sessions WHERE user_id = $1', [user.id])) as Array<{ token_hash: string }>;
    expect(left.map((r) => r.token_hash)).toEqual([hashOf(recent.cookie)]);
    expect(hashOf(old.cookie)).not.toBe(hashOf(recent.cookie));
    await http().get('/auth/session').set('Cookie', recent.cookie).expect(200);
  });
});

/** The compiled command line with something on standard input. */
function cli(env: Record<string, string>, args: string[], stdin: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'src', 'cli', 'index.js'), ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

describe('the session cookie with SESSION_COOKIE_SECURE=true', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { SESSION_COOKIE_SECURE: 'true' } });
  });
  afterAll(() => ctx.close());

  it('is Secure and named __Host-dhr_session; the plain name is not read', async () => {
    const user = await ctx.api.get(IdentityService).addUser({ email: 'secure@maldon.gov.uk', displayName: 'Secure' });
    await ctx.api.get(SessionService).setPassword(user.id, PASSWORD);
    const res = await request(ctx.api.getHttpServer()).post('/auth/sessions').send({ email: user.email, password: PASSWORD }).expect(201);
    const [setCookie] = ([] as string[]).concat(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-dhr_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const value = sessionCookie(res).split('=')[1];
    await request(ctx.api.getHttpServer()).get('/auth/session').set('Cookie', `__Host-dhr_session=${value}`).expect(200);
    await request(ctx.api.getHttpServer()).get('/auth/session').set('Cookie', `dhr_session=${value}`).expect(401);
  });
});

describe('the sign-in rate limit', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => ctx.close());

  it('answers 429 with Retry-After once a client has tried SIGN_IN_RATE_LIMIT_PER_MINUTE times in a minute', async () => {
    const attempt = () => request(ctx.api.getHttpServer()).post('/auth/sessions').send({ email: 'someone@maldon.gov.uk', password: 'guess number one' });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Only sign-in is held to it.
    await request(ctx.api.getHttpServer()).get('/health').expect(200);
  });

  it('counts the API and the web sign-in page together for an address', async () => {
    const other = { 'X-Forwarded-For': '198.51.100.7' };
    const limited = await startTestApp({ defaultActor: null, env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1' } });
    try {
      const http = () => request(limited.api.getHttpServer());
      for (let i = 0; i < 2; i++) expect((await http().post('/auth/sessions').set(other).send({ email: 'someone@maldon.gov.uk', password: 'guess number one' })).status).toBe(401);
      const page = () => http().post('/sign-in').set(other).type('form').send({ email: 'someone@maldon.gov.uk', password: 'guess number two' });
      expect((await page()).status).not.toBe(429);
      expect((await page()).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('X-Actor without TRUST_ACTOR_HEADER (the default)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'false' } });
  });
  afterAll(() => ctx.close());

  it('is ignored: every route but the public ones needs a session or a token', async () => {
    const http = () => request(ctx.api.getHttpServer());
    const read = await http().get('/csps').set('X-Actor', 'csp.lead@maldon.gov.uk');
    expect(read.status).toBe(401);
    expect(read.body.message).toMatch(/^Authorization: sign in/);
    expect((await http().post('/csps').set('X-Actor', 'admin').send({ code: 'MALDON', name: 'Maldon CSP' })).status).toBe(401);
    expect((await http().get('/csps')).status).toBe(401);
    await http().get('/health').expect(200);

    const user = await ctx.api.get(IdentityService).addUser({ email: 'lead@maldon.gov.uk', displayName: 'Lead' });
    await ctx.api.get(SessionService).setPassword(user.id, PASSWORD);
    const signedIn = await http().post('/auth/sessions').send({ email: user.email, password: PASSWORD }).expect(201);
    const me = await http().get('/auth/session').set('Cookie', sessionCookie(signedIn)).set('X-Actor', 'someone-else').expect(200);
    expect(me.body.user.email).toBe('lead@maldon.gov.uk');
  });

  it('configuration refuses TRUST_ACTOR_HEADER=true with APP_ENV=production, and the API will not start', async () => {
    expect(() => loadConfig({ APP_ENV: 'production', TRUST_ACTOR_HEADER: 'true' })).toThrow(/TRUST_ACTOR_HEADER: must not be true when APP_ENV=production/);
    const proc = runEntryPoint('main.js', { APP_ENV: 'production', TRUST_ACTOR_HEADER: 'true' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('TRUST_ACTOR_HEADER: must not be true when APP_ENV=production');
  });
});

describe('the first administrator', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const config = loadConfig({});
  beforeEach(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url, 2)).initialize();
  });
  afterEach(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  function capture() {
    const out: string[] = [];
    const logs: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = (fields: Record<string, unknown>, message: string) => logs.push({ fields, message });
    return { out, logs, options: { write: (text: string) => out.push(text), logger: { info: log, warn: log } } };
  }

  it('is created once, with a generated password printed once, that signs in', async () => {
    const first = capture();
    expect(await ensureFirstAdministrator(dataSource, { adminEmail: null, adminPassword: null }, first.options)).toEqual({
      created: true,
      email: 'admin@localhost',
      generated: true,
    });
    const printed = first.out.join('');
    const password = /password: +(\S+)/.exec(printed)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(printed).toContain('will not be shown again');
    expect(JSON.stringify(first.logs)).not.toContain(password);
    expect(first.logs.map((l) => l.message)).toEqual(['first administrator created']);

    const again = capture();
    expect(await ensureFirstAdministrator(dataSource, { adminEmail: null, adminPassword: null }, again.options)).toEqual({ created: false });
    expect(again.out).toEqual([]);
    const admins = await dataSource.query(`SELECT u.email, r.role FROM users u JOIN user_roles r ON r.user_id = u.id`);
    expect(admins).toEqual([{ email: 'admin@localhost', role: 'administrator' }]);
    // Its grant is a row of the append-only user_role_changes, as every grant is.
    const changes = await dataSource.query(`SELECT u.email, c.role, c.change, c.csp_id AS "cspId", c.reason <> '' AS "hasReason", c.changed_by <> '' AS "hasChangedBy" FROM user_role_changes c JOIN users u ON u.id = c.user_id`);
    expect(changes).toEqual([{ email: 'admin@localhost', role: 'administrator', change: 'grant', cspId: null, hasReason: true, hasChangedBy: true }]);

    const signedIn = await new SessionService(dataSource, new Clock(), config).signIn('admin@localhost', password!);
    expect(signedIn.user.email).toBe('admin@localhost');
  });

  it('takes ADMIN_EMAIL and ADMIN_PASSWORD, printing nothing', async () => {
    const run = capture();
    const result = await ensureFirstAdministrator(dataSource, { adminEmail: 'Chief@Essex.gov.uk', adminPassword: 'from the environment' }, run.options);
    expect(result).toEqual({ created: true, email: 'chief@essex.gov.uk', generated: false });
    expect(run.out).toEqual([]);
    expect(JSON.stringify(run.logs)).not.toContain('from the environment');
    await new SessionService(dataSource, new Clock(), config).signIn('chief@essex.gov.uk', 'from the environment');
  });

  it('is left alone when any user exists', async () => {
    await new IdentityService(dataSource).addUser({ email: 'someone@essex.gov.uk', displayName: 'Someone' });
    const run = capture();
    expect(await ensureFirstAdministrator(dataSource, { adminEmail: null, adminPassword: null }, run.options)).toEqual({ created: false });
    expect(run.out).toEqual([]);
  });

  async function startApi(env: Record<string, string>): Promise<{ proc: RunningProcess; port: number }> {
    const port = await testPort();
    const proc = runEntryPoint('main.js', {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    });
    await waitForLog(proc, (l) => l.msg === 'API listening', 60000);
    return { proc, port };
  }

  async function stop(proc: RunningProcess) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }

  it('the API (start:api) prints a generated password once on its first start, outside the JSON log, and nothing on the next', async () => {
    const first = await startApi({});
    const blockLines = first.proc.lines.filter((line) => /^ +password: /.test(line));
    expect(blockLines).toHaveLength(1);
    const password = /password: +(\S+)/.exec(blockLines[0])![1];
    expect(first.proc.lines.filter((line) => line.includes(password))).toHaveLength(1);
    expect(first.proc.logs.find((l) => l.msg === 'first administrator created')).toMatchObject({ email: 'admin@localhost' });
    expect(JSON.stringify(first.proc.logs)).not.toContain(password);
    const res = await fetch(`http://127.0.0.1:${first.port}/auth/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });
    expect(res.status).toBe(201);
    await stop(first.proc);

    const second = await startApi({});
    expect(second.proc.lines.filter((line) => /password/.test(line) && !line.startsWith('{'))).toEqual([]);
    expect(second.proc.logs.find((l) => l.msg === 'first administrator created')).toBeUndefined();
    await stop(second.proc);
  }, 120000);

  it('the API never prints a password given in ADMIN_PASSWORD', async () => {
    const { proc, port } = await startApi({ ADMIN_EMAIL: 'chief@essex.gov.uk', ADMIN_PASSWORD: 'kept out of every log' });
    expect(proc.logs.find((l) => l.msg === 'first administrator created')).toMatchObject({ email: 'chief@essex.gov.uk' });
    const res = await fetch(`http://127.0.0.1:${port}/auth/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'chief@essex.gov.uk', password: 'kept out of every log' }),
    });
    expect(res.status).toBe(201);
    await stop(proc);
    expect(proc.lines.join('\n') + proc.stderr()).not.toContain('kept out of every log');
  }, 120000);
});
