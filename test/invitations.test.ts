import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { SessionService } from '../src/identity/sessions.service';
import { startSmtpSink } from './support/smtp-sink';
import { reviewApi } from './support/review-api';
import { startTestApp, TestClock, TestContext } from './support/test-app';

/**
 * Invitations to a review team (issue 14 item 2): the CSP lead (or the chair, for agency roles)
 * adds someone who is not yet a user by email and name; their membership is pending and an
 * email with a single-use link goes out through the real mail transport; the link makes them
 * a user with their review roles only. Expired, used and withdrawn links say so and write
 * nothing; every step is in the review's history with who and when.
 */

const LEAD = 'lead@maldon.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const INVITEE = 'new.chair@independent-reviews.example';
const PASSWORD = 'a long enough test password';

jest.setTimeout(60_000);

describe('invitations to a review team', () => {
  const clock = new TestClock(new Date('2026-03-16T10:00:00Z'));
  let ctx: TestContext;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let api: ReturnType<typeof reviewApi>;
  let reviewId: string;
  let reference: string;
  let agencyId: string;
  const http = () => request(ctx.api.getHttpServer());
  // Real callers (API tokens), so the policy and the lead/chair rules apply as they do to people.
  const tokens: Record<string, string> = {};
  const as = (actor: string) => ({
    post: (path: string, body: Record<string, unknown> = {}) => http().post(path).set('Authorization', `Bearer ${tokens[actor]}`).send(body),
    get: (path: string) => http().get(path).set('Authorization', `Bearer ${tokens[actor]}`),
  });
  const linkIn = (text: string) => /https?:\/\/\S+\/sign-in\/invitations\/([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;
  const history = async () => (await as(LEAD).get(`/reviews/${reviewId}/history`).expect(200)).body as Array<{ type: string; actor: string; payload: Record<string, unknown>; recordedAt: string }>;
  const members = async () => (await as(LEAD).get(`/reviews/${reviewId}/members`).expect(200)).body as Array<{ id: string; email: string; pending: boolean; userId: string | null; endedAt: string | null; invitation: { expiresAt: string } | null }>;
  const userCount = async (email: string) => Number((await ctx.api.get(DataSource).query(`SELECT count(*) AS n FROM users WHERE email = $1`, [email]))[0].n);

  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx = await startTestApp({ clock, defaultActor: null, env: { SMTP_URL: sink.url, PUBLIC_BASE_URL: 'https://dhr.example.gov.uk' } });
    api = reviewApi(ctx.api, LEAD);
    const csp = await api.createCsp('MALDON');
    const identities = ctx.api.get(IdentityService);
    for (const [email, name, role] of [[LEAD, 'Carol Okafor', 'csp_lead'], [CHAIR, 'Chris Rowe', undefined]] as const) {
      const user = await identities.addUser({ email, displayName: name, role, cspCode: role ? 'MALDON' : undefined });
      tokens[email] = (await identities.issueToken(user.id, 'test', { now: clock.now(), lifetimeDays: 365 })).token;
    }
    await identities.addUser({ email: 'lead.b@other.gov.uk', displayName: 'B lead', role: 'csp_lead', cspCode: (await api.createCsp('OTHER')).code });
    agencyId = (await http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Essex Police', kind: 'police' }).expect(201)).body.id;
    const review = await api.openReview(csp.id);
    reviewId = review.id;
    reference = review.reference;
    await as(LEAD).post(`/reviews/${reviewId}/members`, { email: CHAIR, role: 'chair' }).expect(201);
  });

  afterAll(async () => {
    await ctx?.close();
    await sink?.stop();
  });

  it('an unknown email without a name is a 400 naming the field, and nothing is written or sent', async () => {
    const before = (await history()).length;
    const res = await as(LEAD).post(`/reviews/${reviewId}/members`, { email: INVITEE, role: 'chair' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('name: is required to invite someone who is not yet a user of this service');
    expect((await history()).length).toBe(before);
    expect((await members()).filter((m) => m.email === INVITEE)).toEqual([]);
    expect(sink.received).toHaveLength(0);
  });

  it('a failed send saves nothing (503 saying so)', async () => {
    sink.reject(true);
    try {
      const res = await as(LEAD).post(`/reviews/${reviewId}/members`, { email: INVITEE, name: 'Nadia Chowdhury', role: 'chair' });
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/^The invitation email to new\.chair@independent-reviews\.example could not be sent, so nothing was saved/);
    } finally {
      sink.reject(false);
    }
    expect((await members()).filter((m) => m.email === INVITEE)).toEqual([]);
    expect((await history()).filter((h) => h.type.startsWith('INVITATION_'))).toEqual([]);
  });

  let firstToken: string;
  it('the CSP lead invites someone who is not a user: a pending membership, an email with a link, both in the history', async () => {
    const res = await as(LEAD).post(`/reviews/${reviewId}/members`, { email: INVITEE.toUpperCase(), name: 'Nadia Chowdhury', role: 'chair' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: INVITEE, displayName: 'Nadia Chowdhury', role: 'chair', userId: null, pending: true, invitation: { expiresAt: '2026-03-30T10:00:00.000Z' } });
    const [mail] = await sink.waitFor(1);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(INVITEE);
    expect(mail.subject).toBe(`You are invited to the review team of ${reference}`);
    expect(mail.text).toContain('Carol Okafor has added you to the team of the domestic homicide review');
    expect(mail.text).toContain('as the independent chair');
    expect(mail.text).toContain('until 30 March 2026');
    expect(mail.text).toMatch(/https:\/\/dhr\.example\.gov\.uk\/sign-in\/invitations\/[A-Za-z0-9_-]{43}/);
    firstToken = linkIn(mail.text ?? '')!;
    // Only the token's hash is stored.
    const stored = await ctx.api.get(DataSource).query(`SELECT token_hash FROM review_invitations WHERE email = $1`, [INVITEE]);
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(firstToken);
    expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    const entries = (await history()).slice(-2);
    expect(entries.map((h) => [h.type, h.actor])).toEqual([
      ['MEMBER_ADDED', LEAD],
      ['INVITATION_SENT', LEAD],
    ]);
    expect(entries[1].payload).toMatchObject({ email: INVITEE, name: 'Nadia Chowdhury', resent: false, expiresAt: '2026-03-30T10:00:00.000Z' });
    // A second role while the invitation is open is refused when it is the same, allowed (one invitation) when not.
    expect((await as(LEAD).post(`/reviews/${reviewId}/members`, { email: INVITEE, name: 'Nadia Chowdhury', role: 'chair' })).status).toBe(409);
  });

  it('the chair may invite agency roles only; a CSP lead of another CSP still cannot be made a member', async () => {
    const refused = await as(CHAIR).post(`/reviews/${reviewId}/members`, { email: 'someone@else.example', name: 'Some One', role: 'report_writer' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/^role: only the CSP lead/);
    const panel = await as(CHAIR).post(`/reviews/${reviewId}/members`, { email: 'di.grant@essex.police.uk', name: 'Dana Grant', role: 'panel_member', agencyId });
    expect(panel.status).toBe(201);
    expect(panel.body).toMatchObject({ pending: true, agency: 'Essex Police' });
    const mails = await sink.waitFor(2);
    expect(mails[1].text).toContain('Chris Rowe has added you');
    expect(mails[1].text).toContain('as a panel member for Essex Police');
    const foreign = await as(LEAD).post(`/reviews/${reviewId}/members`, { email: 'lead.b@other.gov.uk', name: 'B lead', role: 'chair' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toMatch(/^email: is a CSP lead of another CSP/);
  });

  it('the link: a short password is refused (400, no user); a good one makes the user with only their review role, signed in on My work', async () => {
    const page = await http().get(`/sign-in/invitations/${firstToken}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Nadia Chowdhury, you are invited to the team of the domestic homicide review');
    expect(page.text).toContain('until 30 March 2026');
    const short = await http().post(`/sign-in/invitations/${firstToken}`).type('form').send({ password: 'too short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('must be at least 12 characters');
    expect(await userCount(INVITEE)).toBe(0);

    clock.set('2026-03-18T09:00:00Z');
    const accepted = await http().post(`/sign-in/invitations/${firstToken}`).type('form').send({ password: PASSWORD });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.location).toBe('/my-work');
    const cookie = ([] as string[]).concat(accepted.headers['set-cookie'] ?? []).find((c) => c.startsWith('dhr_session='))!;
    expect(cookie).toBeTruthy();
    const session = cookie.split(';')[0];
    // Access follows the membership: the review reads; roles of a CSP they do not have.
    expect((await http().get(`/reviews/${reviewId}`).set('Cookie', session)).status).toBe(200);
    const me = await http().get('/auth/session').set('Cookie', session).expect(200);
    expect(JSON.stringify(me.body)).toContain(INVITEE);
    expect(JSON.stringify(me.body)).toContain('Nadia Chowdhury');
    const grants = await ctx.api.get(DataSource).query(`SELECT r.* FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.email = $1`, [INVITEE]);
    expect(grants).toEqual([]);
    const mine = (await members()).find((m) => m.email === INVITEE)!;
    expect(mine).toMatchObject({ pending: false, userId: expect.any(String) });
    const last = (await history()).at(-1)!;
    expect(last).toMatchObject({ type: 'INVITATION_ACCEPTED', actor: INVITEE, recordedAt: '2026-03-18T09:00:00.000Z', payload: { email: INVITEE, newUser: true } });
    // They sign in with the password they chose.
    expect((await http().post('/auth/sessions').send({ email: INVITEE, password: PASSWORD })).status).toBe(201);
  });

  it('a used link says so plainly (410) and writes nothing', async () => {
    const before = (await history()).length;
    const again = await http().post(`/sign-in/invitations/${firstToken}`).type('form').send({ password: 'another long password' });
    expect(again.status).toBe(410);
    expect(again.text).toContain('This invitation was already used on 18 March 2026');
    expect((await http().get(`/sign-in/invitations/${firstToken}`)).status).toBe(410);
    expect((await history()).length).toBe(before);
    expect(await userCount(INVITEE)).toBe(1);
    expect((await http().get('/sign-in/invitations/not-a-real-token-at-all-0000')).status).toBe(404);
  });

  it('an expired link says so, notes the expiry in the history once, and makes no user; a resend gives a new link and the old one stops working', async () => {
    const email = 'writer@reports.example';
    const invited = await as(LEAD).post(`/reviews/${reviewId}/members`, { email, name: 'Rita Wells', role: 'report_writer' }).expect(201);
    const mails = await sink.waitFor(3);
    const old = linkIn(mails[2].text ?? '')!;
    clock.set('2026-04-02T09:00:01Z'); // 15 days later: past the 14
    const expired = await http().get(`/sign-in/invitations/${old}`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('This invitation expired on 1 April 2026. Ask the person who invited you to send it again.');
    expect((await http().post(`/sign-in/invitations/${old}`).type('form').send({ password: PASSWORD })).status).toBe(410);
    expect(await userCount(email)).toBe(0);
    expect((await history()).filter((h) => h.type === 'INVITATION_EXPIRED').map((h) => [h.actor, h.payload.email])).toEqual([[email, email]]);

    const resent = await as(LEAD).post(`/reviews/${reviewId}/members/${invited.body.id}/resend-invitation`).expect(200);
    expect(resent.body.invitation.expiresAt).toBe('2026-04-16T09:00:01.000Z');
    const fresh = linkIn((await sink.waitFor(4))[3].text ?? '')!;
    expect(fresh).not.toBe(old);
    expect((await http().get(`/sign-in/invitations/${old}`)).status).toBe(404);
    expect((await http().get(`/sign-in/invitations/${fresh}`)).status).toBe(200);
    expect((await history()).at(-1)).toMatchObject({ type: 'INVITATION_SENT', actor: LEAD, payload: { resent: true } });
  });

  it('the team page’s one form: a panel member invited with their panel place in one transaction; a missing declaration writes and sends nothing', async () => {
    const lead = await ctx.api.get(DataSource).query(`SELECT id FROM users WHERE email = $1`, [LEAD]);
    await ctx.api.get(SessionService).setPassword(lead[0].id, PASSWORD);
    const signedIn = await http().post('/auth/sessions').send({ email: LEAD, password: PASSWORD }).expect(201);
    const cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('dhr_session='))!.split(';')[0];
    const csrf = (await http().get('/auth/session').set('Cookie', cookie).expect(200)).body.csrfToken as string;
    const form = { _csrf: csrf, name: 'Ola Ade', email: 'ola.ade@essex.police.uk', role: 'panel_member', agencyId, roleInAgency: 'Superintendent' };
    const sent = sink.received.length;
    const before = (await history()).length;

    const refused = await http().post(`/cases/${reviewId}/team/members`).set('Cookie', cookie).type('form').send(form);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('is required for a panel member');
    expect((await members()).filter((m) => m.email === 'ola.ade@essex.police.uk')).toEqual([]);
    expect((await history()).length).toBe(before);
    expect(sink.received.length).toBe(sent);

    const added = await http().post(`/cases/${reviewId}/team/members`).set('Cookie', cookie).type('form').send({ ...form, noDirectCaseManagementDeclared: 'true' });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe(`/cases/${reviewId}/team?done=INVITED`);
    const ola = (await members()).filter((m) => m.email === 'ola.ade@essex.police.uk');
    expect(ola).toHaveLength(1);
    const panel = (await as(LEAD).get(`/reviews/${reviewId}/panel-members`).expect(200)).body as Array<{ name: string; role: string; memberId: string; noDirectCaseManagementDeclaredAt: string | null }>;
    expect(panel.find((p) => p.name === 'Ola Ade')).toMatchObject({ role: 'Superintendent', memberId: ola[0].id, noDirectCaseManagementDeclaredAt: expect.any(String) });
    expect((await history()).slice(before).map((h) => h.type)).toEqual(['MEMBER_ADDED', 'PANEL_MEMBER_ADDED', 'INVITATION_SENT']);
    await sink.waitFor(sent + 1);
  });

  it('a withdrawn invitation: the membership ends, the link says it was withdrawn, and the history says who', async () => {
    const pending = (await members()).find((m) => m.email === 'writer@reports.example' && !m.endedAt)!;
    const token = linkIn(sink.received[3].text ?? '')!;
    await as(LEAD).post(`/reviews/${reviewId}/members/${pending.id}/end`).expect(200);
    const res = await http().get(`/sign-in/invitations/${token}`);
    expect(res.status).toBe(410);
    expect(res.text).toContain('This invitation was withdrawn.');
    expect((await history()).slice(-2).map((h) => [h.type, h.actor])).toEqual([
      ['MEMBER_ENDED', LEAD],
      ['INVITATION_WITHDRAWN', LEAD],
    ]);
    expect((await as(LEAD).post(`/reviews/${reviewId}/members/${pending.id}/resend-invitation`)).status).toBe(409);
  });
});
