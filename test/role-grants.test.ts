import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileSql } from './support/casefile-sql';
import { runEntryPoint } from './support/processes';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

interface Change {
  change: 'grant' | 'revoke';
  role: string;
  cspCode: string | null;
  reason: string;
  changedBy: string;
  at: string;
  grantId: string | null;
}

/**
 * Issue 13 item 3: role grants and revocations are recorded (who, when, why) and visible; an
 * administrator cannot give themself (or take from themself) a case role; a revoked role stops
 * giving access at once.
 */
describe('role grants and revocations (real PostgreSQL)', () => {
  let ctx: TestContext;
  let sql: CaseFileSql;
  let reviewId: string;
  const ids = {} as Record<'adminA' | 'adminB' | 'target', string>;
  const tokens = {} as Record<'adminA' | 'adminB' | 'target', string>;
  const http = () => request(ctx.api.getHttpServer());
  const as = (who: keyof typeof tokens) => ({
    get: (path: string) => http().get(path).auth(tokens[who], { type: 'bearer' }),
    post: (path: string, body: unknown) => http().post(path).auth(tokens[who], { type: 'bearer' }).send(body as object),
  });
  const counts = async () => {
    const [row] = await sql.query<{ roles: string; changes: string }>(
      `SELECT (SELECT count(*) FROM user_roles) AS roles, (SELECT count(*) FROM user_role_changes) AS changes`,
    );
    return row;
  };

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null });
    sql = new CaseFileSql(ctx.database.url);
    const api = reviewApi(ctx.api);
    const csp = await api.createCsp('GRANTS');
    reviewId = (await api.openReview(csp.id)).id;
    await http().post(`/reviews/${reviewId}/people`).set('X-Actor', 'setup').send({ role: 'victim', realName: 'Jane Fictional', pseudonym: 'Adult A' }).expect(201);
    const identities = ctx.api.get(IdentityService);
    for (const [key, email, role] of [
      ['adminA', 'admin.a@grants.gov.uk', 'administrator'],
      ['adminB', 'admin.b@grants.gov.uk', 'administrator'],
      ['target', 'new.lead@grants.gov.uk', undefined],
    ] as const) {
      const user = await identities.addUser({ email, displayName: key, role });
      ids[key] = user.id;
      tokens[key] = (await identities.issueToken(user.id, 'test')).token;
    }
  });
  afterAll(() => ctx.close());

  it('records a grant with who, when and why, shows it through the API and on the user’s page, and the role works at once', async () => {
    const before = Date.now();
    await as('target').get(`/reviews/${reviewId}`).expect(404);
    const granted = await as('adminA').post(`/users/${ids.target}/roles`, { role: 'csp_lead', cspCode: 'GRANTS', reason: 'Ticket 4411: new CSP lead for Grants' });
    expect(granted.status).toBe(200);
    expect(granted.body.roles).toEqual([expect.objectContaining({ role: 'csp_lead', cspCode: 'GRANTS' })]);

    const changes = (await as('adminA').get(`/users/${ids.target}/role-changes`).expect(200)).body as Change[];
    expect(changes).toEqual([
      expect.objectContaining({
        change: 'grant',
        role: 'csp_lead',
        cspCode: 'GRANTS',
        reason: 'Ticket 4411: new CSP lead for Grants',
        changedBy: 'admin.a@grants.gov.uk',
        grantId: granted.body.roles[0].id,
      }),
    ]);
    expect(new Date(changes[0].at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const [row] = await sql.query(`SELECT changed_by_user_id FROM user_role_changes WHERE user_id = $1`, [ids.target]);
    expect(row.changed_by_user_id).toBe(ids.adminA);

    // The administrator's page about the user shows it.
    const page = await as('adminA').get(`/admin/users/${ids.target}`).expect(200);
    expect(page.text).toContain('Ticket 4411: new CSP lead for Grants');
    expect(page.text).toContain('admin.a@grants.gov.uk');
    expect(page.text).toContain(`/admin/users/${ids.target}/roles/${granted.body.roles[0].id}/revoke`);

    // The new lead reads the review now.
    await as('target').get(`/reviews/${reviewId}`).expect(200);
  });

  it('refuses a grant without a reason (400 naming it) and writes nothing', async () => {
    const before = await counts();
    const res = await as('adminA').post(`/users/${ids.target}/roles`, { role: 'rag_member', cspCode: 'GRANTS' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    const blank = await as('adminA').post(`/users/${ids.target}/roles`, { role: 'rag_member', cspCode: 'GRANTS', reason: '   ' });
    expect(blank.status).toBe(400);
    const created = await as('adminA').post('/users', { email: 'someone@grants.gov.uk', displayName: 'Someone', roles: [{ role: 'rag_member', cspCode: 'GRANTS' }] });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    expect(await counts()).toEqual(before);
  });

  it('refuses an administrator giving themself a case role (403 saying why), through the API and the page, and writes nothing', async () => {
    const before = await counts();
    for (const role of ['csp_lead', 'rag_member']) {
      const res = await as('adminA').post(`/users/${ids.adminA}/roles`, { role, cspCode: 'GRANTS', reason: 'I need to look at a case' });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(`role: you cannot give yourself the case role ${role}; another administrator must do it`);
    }
    const page = await http()
      .post(`/admin/users/${ids.adminA}/roles`)
      .auth(tokens.adminA, { type: 'bearer' })
      .type('form')
      .send({ role: 'csp_lead', cspCode: 'GRANTS', reason: 'I need to look at a case' });
    expect(page.status).toBe(403);
    expect(page.text).toContain('you cannot give yourself the case role csp_lead');
    expect(await counts()).toEqual(before);
    // And they still read no real names.
    await as('adminA').get(`/reviews/${reviewId}/people?include=realNames`).expect(404);
  });

  it('revokes a role with a reason: recorded, shown, and access ends with the next request', async () => {
    const grantId = ((await as('adminB').get('/users').expect(200)).body as Array<{ id: string; roles: Array<{ id: string; role: string }> }>)
      .find((u) => u.id === ids.target)!
      .roles.find((r) => r.role === 'csp_lead')!.id;
    await as('target').get(`/reviews/${reviewId}/people?include=realNames`).expect(200);

    const noReason = await as('adminB').post(`/users/${ids.target}/roles/${grantId}/revoke`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);

    const revoked = await as('adminB').post(`/users/${ids.target}/roles/${grantId}/revoke`, { reason: 'Left the council on 30 November' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.roles).toEqual([]);
    // At once: the very next request is decided without the role.
    await as('target').get(`/reviews/${reviewId}/people?include=realNames`).expect(404);
    await as('target').get(`/reviews/${reviewId}`).expect(404);

    const changes = (await as('adminA').get(`/users/${ids.target}/role-changes`).expect(200)).body as Change[];
    expect(changes.map((c) => [c.change, c.role, c.cspCode, c.changedBy, c.reason, c.grantId])).toEqual([
      ['revoke', 'csp_lead', 'GRANTS', 'admin.b@grants.gov.uk', 'Left the council on 30 November', grantId],
      ['grant', 'csp_lead', 'GRANTS', 'admin.a@grants.gov.uk', 'Ticket 4411: new CSP lead for Grants', grantId],
    ]);
    const page = await as('adminA').get(`/admin/users/${ids.target}`).expect(200);
    expect(page.text).toContain('Left the council on 30 November');
    expect(page.text).toContain('Revoked');

    // A role already revoked, or another user's, is a 404.
    expect((await as('adminB').post(`/users/${ids.target}/roles/${grantId}/revoke`, { reason: 'again' })).status).toBe(404);
  });

  it('gives and revokes through the pages, with the reason on the forms', async () => {
    const form = () => http().post(`/admin/users/${ids.target}/roles`).auth(tokens.adminA, { type: 'bearer' }).type('form');
    const noReason = await form().send({ role: 'rag_member', cspCode: 'GRANTS', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Reason');
    const given = await form().send({ role: 'rag_member', cspCode: 'GRANTS', reason: 'Joins the RAG' });
    expect(given.status).toBe(303);
    expect(given.headers.location).toBe(`/admin/users/${ids.target}?done=ROLE_GRANTED`);
    const users = (await as('adminA').get('/users').expect(200)).body as Array<{ id: string; roles: Array<{ id: string; role: string }> }>;
    const grantId = users.find((u) => u.id === ids.target)!.roles.find((r) => r.role === 'rag_member')!.id;
    const [first] = (await as('adminA').get(`/users/${ids.target}/role-changes`).expect(200)).body as Change[];
    expect(first).toMatchObject({ change: 'grant', role: 'rag_member', reason: 'Joins the RAG', changedBy: 'admin.a@grants.gov.uk', grantId });

    const revokeForm = await as('adminA').get(`/admin/users/${ids.target}/roles/${grantId}/revoke`).expect(200);
    expect(revokeForm.text).toContain('Reason');
    const empty = await http().post(`/admin/users/${ids.target}/roles/${grantId}/revoke`).auth(tokens.adminA, { type: 'bearer' }).type('form').send({ reason: '' });
    expect(empty.status).toBe(400);
    const done = await http()
      .post(`/admin/users/${ids.target}/roles/${grantId}/revoke`)
      .auth(tokens.adminA, { type: 'bearer' })
      .type('form')
      .send({ reason: 'Left the RAG' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/admin/users/${ids.target}?done=ROLE_REVOKED`);
    const [latest] = (await as('adminA').get(`/users/${ids.target}/role-changes`).expect(200)).body as Change[];
    expect(latest).toMatchObject({ change: 'revoke', role: 'rag_member', reason: 'Left the RAG', changedBy: 'admin.a@grants.gov.uk' });
  });

  it('refuses an administrator revoking a case role from themself, or their own administrator role', async () => {
    // Another administrator may give them a case role…
    const granted = await as('adminB').post(`/users/${ids.adminA}/roles`, { role: 'csp_lead', cspCode: 'GRANTS', reason: 'Acting CSP lead during leave' });
    expect(granted.status).toBe(200);
    const roles = granted.body.roles as Array<{ id: string; role: string }>;
    const before = await counts();
    const caseRole = await as('adminA').post(`/users/${ids.adminA}/roles/${roles.find((r) => r.role === 'csp_lead')!.id}/revoke`, { reason: 'Back from leave' });
    expect(caseRole.status).toBe(403);
    expect(caseRole.body.message).toBe('role: you cannot revoke from yourself the case role csp_lead; another administrator must do it');
    const adminRole = await as('adminA').post(`/users/${ids.adminA}/roles/${roles.find((r) => r.role === 'administrator')!.id}/revoke`, { reason: 'Leaving' });
    expect(adminRole.status).toBe(409);
    expect(await counts()).toEqual(before);
  });

  it('keeps user_role_changes append-only for the application', async () => {
    const db = ctx.api.get(DataSource);
    await expect(db.query(`UPDATE user_role_changes SET reason = 'changed'`)).rejects.toMatchObject({ code: '42501' });
    await expect(db.query(`DELETE FROM user_role_changes`)).rejects.toMatchObject({ code: '42501' });
    await expect(sql.query(`UPDATE user_role_changes SET reason = 'changed'`)).rejects.toThrow(/append-only/);
  });

  it('records grants and revocations made on the command line, which needs a reason for them', async () => {
    const cli = async (...args: string[]) => {
      const proc = runEntryPoint('cli/index.js', { DATABASE_URL: ctx.database.url, REDIS_URL: process.env.TEST_REDIS_URL }, args);
      const code = await proc.exited;
      return { code, out: proc.lines.join('\n'), err: proc.stderr() };
    };
    const noReason = await cli('users:add', '--email', 'cli.rag@grants.gov.uk', '--role', 'rag_member', '--csp', 'GRANTS');
    expect(noReason.code).toBe(2);
    expect(noReason.err).toContain('--reason');
    expect(await sql.query(`SELECT 1 FROM users WHERE email = 'cli.rag@grants.gov.uk'`)).toEqual([]);

    expect((await cli('users:add', '--email', 'cli.rag@grants.gov.uk', '--role', 'rag_member', '--csp', 'GRANTS', '--reason', 'Board member from January')).code).toBe(0);
    const revoked = await cli('users:revoke', '--email', 'cli.rag@grants.gov.uk', '--role', 'rag_member', '--csp', 'GRANTS', '--reason', 'Stood down');
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain('no longer has the role rag_member for GRANTS');
    const listed = await cli('users:roles', '--email', 'cli.rag@grants.gov.uk');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/grant rag_member GRANTS by command line \([^)]+\): Board member from January/);
    expect(listed.out).toMatch(/revoke rag_member GRANTS by command line \([^)]+\): Stood down/);
    const rows = await sql.query(
      `SELECT c.change, c.reason, c.changed_by FROM user_role_changes c JOIN users u ON u.id = c.user_id WHERE u.email = 'cli.rag@grants.gov.uk' ORDER BY c.at`,
    );
    expect(rows.map((r) => [r.change, r.reason])).toEqual([
      ['grant', 'Board member from January'],
      ['revoke', 'Stood down'],
    ]);
    expect(String(rows[0].changed_by)).toMatch(/^command line \(/);
  }, 60_000);
});
