import { Logger } from '@nestjs/common';
import request from 'supertest';
import { RefusalRecorder } from '../src/audit/refusal-recorder';
import { IdentityService } from '../src/identity/identity.service';
import { SessionService } from '../src/identity/sessions.service';
import { CaseFileSql } from './support/casefile-sql';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

interface LogRow {
  actor: string;
  method: string;
  route: string;
  path: string;
  status: number;
  outcome: string;
  reason: string | null;
  attemptedEmail: string | null;
  ip: string | null;
  at: string;
}

/**
 * Issue 13 item 1: refused requests (every 4xx) and failed sign-ins are in the access log, one
 * row each with who, when, what, from where and the outcome; the CSP lead sees those on their
 * reviews (`?outcome=refused`) and not those on another CSP's.
 */
describe('refused requests and failed sign-ins in the access log (real PostgreSQL)', () => {
  let ctx: TestContext;
  let sql: CaseFileSql;
  let reviewA: string;
  let reviewB: string;
  let leadA: string;
  let leadB: string;
  const http = () => request(ctx.api.getHttpServer());

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null });
    sql = new CaseFileSql(ctx.database.url);
    const api = reviewApi(ctx.api);
    const cspA = await api.createCsp('REFUSEA');
    const cspB = await api.createCsp('REFUSEB');
    reviewA = (await api.openReview(cspA.id)).id;
    reviewB = (await api.openReview(cspB.id)).id;
    const identities = ctx.api.get(IdentityService);
    const a = await identities.addUser({ email: 'lead@refusea.gov.uk', displayName: 'Lead A', role: 'csp_lead', cspCode: 'REFUSEA' });
    const b = await identities.addUser({ email: 'lead@refuseb.gov.uk', displayName: 'Lead B', role: 'csp_lead', cspCode: 'REFUSEB' });
    leadA = (await identities.issueToken(a.id, 'test')).token;
    leadB = (await identities.issueToken(b.id, 'test')).token;
    await ctx.api.get(SessionService).setPassword(a.id, 'a long enough password');
  });
  afterAll(() => ctx.close());

  /** Waits for the recorder (it writes after the response has gone), then reads the rows as the owner. */
  async function rowsWhere(condition: string, params: unknown[], atLeast = 1): Promise<Array<Record<string, unknown>>> {
    for (let i = 0; i < 50; i++) {
      await ctx.api.get(RefusalRecorder).flush();
      const rows = (await sql.query(`SELECT * FROM access_log WHERE ${condition} ORDER BY id`, params)) as Array<Record<string, unknown>>;
      if (rows.length >= atLeast) return rows;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return (await sql.query(`SELECT * FROM access_log WHERE ${condition} ORDER BY id`, params)) as Array<Record<string, unknown>>;
  }

  it('records a denied request (403), a probe of another CSP’s review (404) and a bad input (400), with who, when, what, from where and why', async () => {
    const before = Date.now();
    // 403: a CSP lead may not write recommendations (the chair and the report writer do).
    await http().post(`/reviews/${reviewA}/recommendations`).auth(leadA, { type: 'bearer' }).set('User-Agent', 'refusal-test').send({ text: 'x' }).expect(403);
    // 404: another CSP's lead asks for review A's people: the signature of probing.
    await http().get(`/reviews/${reviewA}/people?include=realNames`).auth(leadB, { type: 'bearer' }).set('X-Request-Id', 'probe-1').expect(404);
    // 404 for a review that does not exist at all: kept, with its path, though it names no review.
    const madeUp = '00000000-0000-4000-8000-00000000abcd';
    await http().get(`/reviews/${madeUp}/imrs`).auth(leadB, { type: 'bearer' }).expect(404);
    // 400: a person without the required fields.
    await http().post(`/reviews/${reviewA}/people`).auth(leadA, { type: 'bearer' }).send({}).expect(400);
    // 401: nobody.
    await http().get(`/reviews/${reviewA}`).expect(401);

    const denied = await rowsWhere(`review_id = $1 AND status = 403`, [reviewA]);
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      actor: 'lead@refusea.gov.uk',
      method: 'POST',
      route: '/reviews/:reviewId/recommendations',
      path: `/reviews/${reviewA}/recommendations`,
      outcome: 'refused',
      user_agent: 'refusal-test',
    });
    expect(denied[0].reason).toMatch(/recommendations\.write/);
    expect(denied[0].ip).toBeTruthy();
    expect((denied[0].at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);

    const probe = await rowsWhere(`review_id = $1 AND status = 404`, [reviewA]);
    expect(probe).toHaveLength(1);
    expect(probe[0]).toMatchObject({
      actor: 'lead@refuseb.gov.uk',
      method: 'GET',
      path: `/reviews/${reviewA}/people?include=realNames`,
      outcome: 'refused',
      reason: 'No review with this id',
      request_id: 'probe-1',
    });

    const unknown = await rowsWhere(`path = $1`, [`/reviews/${madeUp}/imrs`]);
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ review_id: null, actor: 'lead@refuseb.gov.uk', status: 404, outcome: 'refused' });

    const bad = await rowsWhere(`review_id = $1 AND status = 400`, [reviewA]);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ actor: 'lead@refusea.gov.uk', method: 'POST', route: '/reviews/:reviewId/people', outcome: 'refused' });
    expect(bad[0].reason).toMatch(/pseudonym/);

    const nobody = await rowsWhere(`review_id = $1 AND status = 401`, [reviewA]);
    expect(nobody).toHaveLength(1);
    expect(nobody[0]).toMatchObject({ actor: 'anonymous', method: 'GET', outcome: 'refused' });
  });

  it('records refusals that name no review and that no route matched, including the body parser’s', async () => {
    await http().post('/csps').auth(leadA, { type: 'bearer' }).send({ code: 'NOPE', name: 'Nope' }).expect(403);
    await http().get('/no/such/route').auth(leadA, { type: 'bearer' }).expect(404);
    await http().post('/csps').auth(leadA, { type: 'bearer' }).set('Content-Type', 'application/json').send('{"code":').expect(400);
    const csps = await rowsWhere(`path = '/csps' AND actor = 'lead@refusea.gov.uk'`, [], 2);
    expect(csps.map((r) => [r.status, r.review_id, r.outcome])).toEqual([
      [403, null, 'refused'],
      [400, null, 'refused'],
    ]);
    expect(csps[1].reason).toMatch(/JSON/);
    const route = await rowsWhere(`path = '/no/such/route'`, []);
    // No API route matched, and yet the row names whose token it was.
    expect(route[0]).toMatchObject({ status: 404, outcome: 'refused', actor: 'lead@refusea.gov.uk', method: 'GET' });
  });

  it('names the user of a session cookie, too, on a request no route handled and on one the body parser refused', async () => {
    const { sessionToken } = await ctx.api.get(SessionService).signIn('lead@refusea.gov.uk', 'a long enough password');
    const cookie = `dhr_session=${sessionToken}`;
    await http().get('/no/such/page/for/a/cookie').set('Cookie', cookie).expect(404);
    await http().post('/reviews').set('Cookie', cookie).set('Content-Type', 'application/json').send('{"cspId":').expect(400);
    const [unrouted] = await rowsWhere(`path = '/no/such/page/for/a/cookie'`, []);
    expect(unrouted).toMatchObject({ status: 404, outcome: 'refused', actor: 'lead@refusea.gov.uk', method: 'GET' });
    const [unparsed] = await rowsWhere(`path = '/reviews' AND method = 'POST' AND status = 400 AND actor = 'lead@refusea.gov.uk'`, []);
    expect(unparsed).toMatchObject({ outcome: 'refused', review_id: null });
  });

  it('records each failed sign-in with the email tried, the real reason, the address and the time; a success is not a refusal', async () => {
    const wrong = await http().post('/auth/sessions').send({ email: 'Lead@RefuseA.gov.uk', password: 'not the password at all' });
    const unknown = await http().post('/auth/sessions').send({ email: 'nobody@refusea.gov.uk', password: 'not the password at all' });
    // The caller is told the same thing either way.
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.message).toBe(unknown.body.message);
    // And through the sign-in page.
    await http().post('/sign-in').type('form').send({ email: 'lead@refusea.gov.uk', password: 'still not the password' }).expect(401);
    await http().post('/auth/sessions').send({ email: 'lead@refusea.gov.uk', password: 'a long enough password' }).expect(201);

    const failures = await rowsWhere(`attempted_email IS NOT NULL`, [], 3);
    expect(failures.map((r) => [r.path, r.attempted_email, r.status, r.outcome, r.reason, r.review_id, r.actor])).toEqual([
      ['/auth/sessions', 'lead@refusea.gov.uk', 401, 'refused', 'sign-in refused: wrong password', null, 'anonymous'],
      ['/auth/sessions', 'nobody@refusea.gov.uk', 401, 'refused', 'sign-in refused: unknown account', null, 'anonymous'],
      ['/sign-in', 'lead@refusea.gov.uk', 401, 'refused', 'sign-in refused: wrong password', null, 'anonymous'],
    ]);
    for (const row of failures) {
      expect(row.ip).toBeTruthy();
      expect(row.at).toBeInstanceOf(Date);
    }
  });

  it('shows administrators the refusals that name no review, failed sign-ins among them, and nobody else', async () => {
    const identities = ctx.api.get(IdentityService);
    const admin = (await identities.issueToken((await identities.addUser({ email: 'admin@refuse.gov.uk', displayName: 'Admin', role: 'administrator' })).id, 'test')).token;
    await http().post('/auth/sessions').send({ email: 'ghost@refusea.gov.uk', password: 'whatever it may be' }).expect(401);
    await rowsWhere(`attempted_email = 'ghost@refusea.gov.uk'`, []);
    const seen = (await http().get('/access-log/refusals').auth(admin, { type: 'bearer' }).expect(200)).body as Array<LogRow & { reviewId?: string }>;
    expect(seen[0]).toMatchObject({ attemptedEmail: 'ghost@refusea.gov.uk', status: 401, reason: 'sign-in refused: unknown account', path: '/auth/sessions' });
    expect(seen[0].ip).toBeTruthy();
    // Only refusals naming no review: the probe of review A is its CSP lead's to see.
    expect(seen.some((r) => r.path.includes(reviewA))).toBe(false);
    await http().get('/access-log/refusals').auth(leadA, { type: 'bearer' }).expect(403);
  });

  it('shows the CSP lead the refusals on their review (?outcome=refused), not those on another CSP’s review', async () => {
    // Something refused on review B, by its own lead.
    await http().post(`/reviews/${reviewB}/recommendations`).auth(leadB, { type: 'bearer' }).send({ text: 'x' }).expect(403);
    await rowsWhere(`review_id = $1 AND status = 403`, [reviewB]);

    const refused = (await http().get(`/reviews/${reviewA}/access-log?outcome=refused`).auth(leadA, { type: 'bearer' }).expect(200)).body as LogRow[];
    expect(refused.every((r) => r.outcome === 'refused')).toBe(true);
    expect(refused.map((r) => [r.actor, r.method, r.status]).sort()).toEqual(
      [
        ['anonymous', 'GET', 401],
        ['lead@refusea.gov.uk', 'POST', 400],
        ['lead@refusea.gov.uk', 'POST', 403],
        ['lead@refuseb.gov.uk', 'GET', 404],
      ].sort(),
    );
    expect(refused.find((r) => r.status === 404)).toMatchObject({ path: `/reviews/${reviewA}/people?include=realNames`, reason: 'No review with this id' });
    expect(refused.some((r) => r.path.includes(reviewB))).toBe(false);

    const allowed = (await http().get(`/reviews/${reviewA}/access-log?outcome=allowed`).auth(leadA, { type: 'bearer' }).expect(200)).body as LogRow[];
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.every((r) => r.outcome === 'allowed' && r.status < 400)).toBe(true);

    // Lead B cannot read review A's log (it is hidden from them: a 404, itself recorded), and B's log holds only B's.
    await http().get(`/reviews/${reviewA}/access-log?outcome=refused`).auth(leadB, { type: 'bearer' }).expect(404);
    const ofB = (await http().get(`/reviews/${reviewB}/access-log?outcome=refused`).auth(leadB, { type: 'bearer' }).expect(200)).body as LogRow[];
    expect(ofB.map((r) => [r.actor, r.status])).toEqual([['lead@refuseb.gov.uk', 403]]);

    const badFilter = await http().get(`/reviews/${reviewA}/access-log?outcome=everything`).auth(leadA, { type: 'bearer' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.errors).toEqual([{ field: 'outcome', message: 'must be one of allowed, refused' }]);
  });

  it('answers a refusal even when its row cannot be written, and says so in the error log', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await sql.query(`CREATE FUNCTION refuse_refusal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.path = '/csps?unwritable=1' THEN RAISE EXCEPTION 'log store unavailable'; END IF; RETURN NEW; END $$`);
    await sql.query(`CREATE TRIGGER refuse_refusal BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION refuse_refusal()`);
    try {
      await http().post('/csps?unwritable=1').auth(leadA, { type: 'bearer' }).send({}).expect(403);
      for (let i = 0; i < 50 && !errors.mock.calls.some(([, m]) => m === 'refused requests could not be recorded in the access log'); i++) {
        await ctx.api.get(RefusalRecorder).flush();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const call = errors.mock.calls.find(([, m]) => m === 'refused requests could not be recorded in the access log');
      expect(call).toBeDefined();
      expect(call![0]).toMatchObject({ lost: 1, err: { message: 'log store unavailable' } });
      // Never the query's parameters (the path, the email tried…).
      expect(JSON.stringify(call![0])).not.toContain('unwritable');
    } finally {
      await sql.query(`DROP TRIGGER refuse_refusal ON access_log`);
      await sql.query(`DROP FUNCTION refuse_refusal()`);
      errors.mockRestore();
    }
  });

  it('does not make a refusal wait for its record', async () => {
    // Each insert of this request's row takes 2 seconds; the refusal must not.
    await sql.query(`CREATE FUNCTION slow_refusal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.path = '/csps?slow=1' THEN PERFORM pg_sleep(2); END IF; RETURN NEW; END $$`);
    await sql.query(`CREATE TRIGGER slow_refusal BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION slow_refusal()`);
    try {
      const started = Date.now();
      await http().post('/csps?slow=1').auth(leadA, { type: 'bearer' }).send({}).expect(403);
      expect(Date.now() - started).toBeLessThan(1500);
      // And it is recorded all the same, once the slow insert is done.
      const rows = await rowsWhere(`path = '/csps?slow=1'`, []);
      expect(rows).toHaveLength(1);
    } finally {
      await sql.query(`DROP TRIGGER slow_refusal ON access_log`);
      await sql.query(`DROP FUNCTION slow_refusal()`);
    }
  });

  it('records a conflict (409) and a rate-limited sign-in (429) like any other refusal', async () => {
    await http().post('/csps').set('X-Actor', 'setup@refuse.gov.uk').send({ code: 'REFUSEA', name: 'Again' }).expect(409);
    const conflict = await rowsWhere(`path = '/csps' AND status = 409`, []);
    expect(conflict[0]).toMatchObject({ actor: 'setup@refuse.gov.uk', outcome: 'refused' });
    expect(conflict[0].reason).toMatch(/REFUSEA/);
    // SIGN_IN_RATE_LIMIT_PER_MINUTE (10) per address: keep trying until refused.
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) {
      status = (await http().post('/auth/sessions').send({ email: 'hammer@refusea.gov.uk', password: 'guessing guessing' })).status;
    }
    expect(status).toBe(429);
    const limited = await rowsWhere(`attempted_email = 'hammer@refusea.gov.uk' AND status = 429`, []);
    expect(limited[0]).toMatchObject({ outcome: 'refused', path: '/auth/sessions', review_id: null });
    expect(limited[0].ip).toBeTruthy();
  });

  it('keeps the new columns append-only for the application', async () => {
    const db = ctx.api.get(RefusalRecorder)['dataSource'];
    await expect(db.query(`UPDATE access_log SET reason = 'changed' WHERE outcome = 'refused'`)).rejects.toMatchObject({ code: '42501' });
    await expect(db.query(`UPDATE access_log SET attempted_email = NULL`)).rejects.toMatchObject({ code: '42501' });
    await expect(db.query(`DELETE FROM access_log WHERE outcome = 'refused'`)).rejects.toMatchObject({ code: '42501' });
  });

  it('records a NUL refused at the edge (before any route) on its review, naming the field, without the value', async () => {
    await http()
      .post(`/reviews/${reviewA}/people`)
      .auth(leadA, { type: 'bearer' })
      .send({ role: 'victim', pseudonym: 'Ann', realName: 'Nul\u0000Secret' })
      .expect(400);
    const rows = await rowsWhere(`review_id = $1 AND status = 400 AND path = $2 AND reason LIKE '%NUL%'`, [reviewA, `/reviews/${reviewA}/people`]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'refused', actor: 'lead@refusea.gov.uk', method: 'POST' });
    expect(String(rows[0].reason)).toMatch(/realName/);
    expect(JSON.stringify(rows[0])).not.toMatch(/Secret/);
  });
});
