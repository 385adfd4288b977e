import request from 'supertest';
import { reviewApi } from './support/review-api';
import { runEntryPoint } from './support/processes';
import { startTestApp, TestContext } from './support/test-app';

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
