import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { runMigrations } from '../src/infrastructure/database/migrate';
import { createTestDatabase } from './support/databases';
import { reviewApi } from './support/review-api';
import { runEntryPoint } from './support/processes';
import { startTestApp, TestClock, TestContext } from './support/test-app';

/** `npm run cli -- users:add …` as an administrator runs it (the compiled entry point). */
async function usersAdd(databaseUrl: string, ...args: string[]) {
  const proc = runEntryPoint('cli/index.js', { DATABASE_URL: databaseUrl, REDIS_URL: process.env.TEST_REDIS_URL }, ['users:add', ...args]);
  const code = await proc.exited;
  const token = proc.lines.map((l) => /^token: (\S+)$/.exec(l)?.[1]).find(Boolean);
  return { code, token, out: proc.lines.join('\n'), err: proc.stderr() };
}

describe('identity: API tokens', () => {
  let ctx: TestContext;
  let cspId: string;
  beforeAll(async () => {
    ctx = await startTestApp();
    cspId = (await reviewApi(ctx.api).createCsp('EPPING')).id;
  });
  afterAll(() => ctx.close());

  it('users:add --token prints a token that identifies the user, and writes are attributed to them', async () => {
    const added = await usersAdd(ctx.database.url, '--email', 'Lead@Epping.gov.uk', '--name', 'CSP Lead', '--role', 'csp_lead', '--csp', 'EPPING', '--reason', 'Leads Epping reviews', '--token');
    expect(added.code).toBe(0);
    expect(added.out).toContain('user lead@epping.gov.uk');
    expect(added.token).toMatch(/^dhr_[A-Za-z0-9_-]{43}$/);
    const opened = await request(ctx.api.getHttpServer())
      .post('/reviews')
      .set('Authorization', `Bearer ${added.token}`)
      .set('X-Actor', 'someone-else') // a token wins over the header
      .send({ cspId, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'E/1', circumstances: 'x' })
      .expect(201);
    const history = (await request(ctx.api.getHttpServer()).get(`/reviews/${opened.body.id}/history`).set('Authorization', `Bearer ${added.token}`).expect(200)).body;
    expect(history[0].actor).toBe('lead@epping.gov.uk');
  });

  it('refuses an unknown or revoked token with 401, never falling back to X-Actor', async () => {
    const { token } = await usersAdd(ctx.database.url, '--email', 'script@epping.gov.uk', '--token');
    const http = () => request(ctx.api.getHttpServer());
    expect((await http().get('/reviews').set('Authorization', 'Bearer dhr_not-a-real-token').set('X-Actor', 'x')).status).toBe(401);
    const mine = (await http().get('/me/tokens').set('Authorization', `Bearer ${token}`).expect(200)).body;
    expect(mine).toHaveLength(1);
    const second = (await http().post('/me/tokens').set('Authorization', `Bearer ${token}`).send({ name: 'nightly export' }).expect(201)).body;
    expect(second.token).toMatch(/^dhr_/);
    await http().post(`/me/tokens/${mine[0].id}/revoke`).set('Authorization', `Bearer ${token}`).expect(200);
    const refused = await http().get('/reviews').set('Authorization', `Bearer ${token}`);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/^Authorization:/);
    await http().get('/reviews').set('Authorization', `Bearer ${second.token}`).expect(200);
    // Managing tokens needs a token, not a header.
    expect((await http().get('/me/tokens').set('X-Actor', 'someone')).status).toBe(401);
  });

  it('the command line refuses bad input with a message and exit code 2', async () => {
    const noCsp = await usersAdd(ctx.database.url, '--email', 'rag@epping.gov.uk', '--role', 'rag_member', '--reason', 'Sits on the RAG');
    expect(noCsp.code).toBe(2);
    expect(noCsp.err).toContain('--csp is required');
    const badRole = await usersAdd(ctx.database.url, '--email', 'x@epping.gov.uk', '--role', 'king');
    expect(badRole.code).toBe(2);
    expect(badRole.err).toContain('--role: must be one of');
  });
});

describe('identity in production', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({ env: { APP_ENV: 'production' } });
  });
  afterAll(() => ctx.close());

  it('ignores X-Actor and requires a bearer token on every route but the health checks', async () => {
    const http = () => request(ctx.api.getHttpServer());
    await http().get('/health').expect(200);
    const read = await http().get('/reviews').set('X-Actor', 'csp.lead@epping.gov.uk');
    expect(read.status).toBe(401);
    const write = await http().post('/csps').set('X-Actor', 'admin').send({ code: 'HARLOW', name: 'Harlow CSP' });
    expect(write.status).toBe(401);
    const { token } = await usersAdd(ctx.database.url, '--email', 'admin@essex.gov.uk', '--role', 'administrator', '--reason', 'Runs the service', '--token');
    await http().post('/csps').set('Authorization', `Bearer ${token}`).send({ code: 'HARLOW', name: 'Harlow CSP' }).expect(201);
  });
});

describe('identity: API tokens expire', () => {
  const clock = new TestClock(new Date('2026-03-02T10:00:00Z'));
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({ clock, defaultActor: null, env: { API_TOKEN_LIFETIME_DAYS: '2' } });
  });
  afterAll(() => ctx.close());
  const http = () => request(ctx.api.getHttpServer());

  it('a token is valid API_TOKEN_LIFETIME_DAYS, says when it expires, and is then a 401 saying it expired', async () => {
    const ids = ctx.api.get(IdentityService);
    const user = await ids.addUser({ email: 'script@harlow.gov.uk', displayName: 'Script' });
    const first = await ids.issueToken(user.id, 'first', { now: clock.now(), lifetimeDays: 2 });
    const made = (await http().post('/me/tokens').set('Authorization', `Bearer ${first.token}`).send({ name: 'export' }).expect(201)).body;
    expect(made.expiresAt).toBe('2026-03-04T10:00:00.000Z');
    const listed = (await http().get('/me/tokens').set('Authorization', `Bearer ${made.token}`).expect(200)).body;
    expect(listed.map((t: { name: string; expiresAt: string }) => [t.name, t.expiresAt])).toEqual([
      ['first', '2026-03-04T10:00:00.000Z'],
      ['export', '2026-03-04T10:00:00.000Z'],
    ]);
    clock.set('2026-03-04T09:59:59Z');
    await http().get('/reviews').set('Authorization', `Bearer ${made.token}`).expect(200);
    clock.set('2026-03-04T10:00:00Z');
    const refused = await http().get('/reviews').set('Authorization', `Bearer ${made.token}`);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe(
      'Authorization: the token expired at 2026-03-04T10:00:00.000Z; create a new one (POST /me/tokens, or ask an administrator)',
    );
    // Not a fallback to anything else, and a bad token still says only that it is not valid.
    expect((await http().get('/reviews').set('Authorization', 'Bearer dhr_unknown')).body.message).toMatch(/not valid/);
  });

  it('users:add --token prints the expiry; --token-days sets another lifetime and is checked', async () => {
    const env = { DATABASE_URL: ctx.database.url, REDIS_URL: process.env.TEST_REDIS_URL ?? '', API_TOKEN_LIFETIME_DAYS: '7' };
    const run = async (...args: string[]) => {
      const proc = runEntryPoint('cli/index.js', env, ['users:add', ...args]);
      const code = await proc.exited;
      return { code, out: proc.lines.join('\n'), err: proc.stderr() };
    };
    const expiryIn = (out: string) => {
      const m = /^token expires: (\S+) \(in (\d+) days\)$/m.exec(out);
      return m ? { at: Date.parse(m[1]), days: Number(m[2]) } : null;
    };
    const start = Date.now();
    const byDefault = await run('--email', 'a@harlow.gov.uk', '--token');
    expect(byDefault.code).toBe(0);
    const d = expiryIn(byDefault.out)!;
    expect(d.days).toBe(7);
    expect(d.at).toBeGreaterThanOrEqual(start + 7 * 86_400_000 - 1000);
    expect(d.at).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
    const shorter = await run('--email', 'b@harlow.gov.uk', '--token', '--token-days', '1');
    expect(shorter.code).toBe(0);
    expect(expiryIn(shorter.out)!.days).toBe(1);
    const bad = await run('--email', 'c@harlow.gov.uk', '--token', '--token-days', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--token-days: expected an integer number of days from 1 to 3650');
    const withoutToken = await run('--email', 'c@harlow.gov.uk', '--token-days', '5');
    expect(withoutToken.code).toBe(2);
    expect(withoutToken.err).toContain('--token-days: only with --token');
  });
});

describe('identity: the token expiry migration', () => {
  it('gives tokens issued before it an expiry of now plus the lifetime', async () => {
    const database = await createTestDatabase();
    const dataSource = await new DataSource(dataSourceOptions(database.url, 2)).initialize();
    try {
      const hasColumn = async () =>
        (await dataSource.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'api_tokens' AND column_name = 'expires_at'`)).length > 0;
      while (await hasColumn()) await dataSource.undoLastMigration({ transaction: 'each' });
      const [user] = await dataSource.query(`INSERT INTO users (email, display_name) VALUES ('old@harlow.gov.uk', 'Old') RETURNING id`);
      await dataSource.query(`INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, 'old', repeat('a', 64))`, [user.id]);
      const before = Date.now();
      await runMigrations(database.url);
      const [row] = await dataSource.query(`SELECT expires_at FROM api_tokens`);
      const at = new Date(row.expires_at).getTime();
      expect(at).toBeGreaterThanOrEqual(before + 90 * 86_400_000 - 5000);
      expect(at).toBeLessThanOrEqual(Date.now() + 90 * 86_400_000 + 5000);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
