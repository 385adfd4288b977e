import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { reviewAtSignOff } from './support/scenarios';
import { startTestApp, TestContext } from './support/test-app';

/**
 * The reviews list's search (`GET /reviews?q=`): by any part of the reference, the police
 * reference, a person's pseudonym, the chair's name (appointment or review team) and an agency on
 * the panel, any case, each only on reviews where the caller may read that field; never by a
 * real name; never a review the caller may not see.
 */
describe('searching the reviews (GET /reviews?q=)', () => {
  let ctx: TestContext;
  const tokens: Record<string, string> = {};
  let main: { id: string; reference: string };
  let other: { id: string; reference: string };
  let foreign: { id: string; reference: string };
  let signOff: { id: string; reference: string };

  const search = async (who: string, q: string): Promise<string[]> => {
    const res = await request(ctx.api.getHttpServer()).get('/reviews').query({ q, pageSize: '100' }).set('Authorization', `Bearer ${tokens[who]}`);
    expect(res.status).toBe(200);
    return (res.body.items as Array<{ id: string }>).map((i) => i.id).sort();
  };

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const http = () => request(ctx.api.getHttpServer());
    const lead = reviewApi(ctx.api, 'setup.lead@test.invalid');
    const chair = new CaseFileApi(ctx.api, 'setup.chair@test.invalid');
    const cspA = await lead.createCsp('SRCHA');
    const cspB = await lead.createCsp('SRCHB');
    const northshire = await chair.agency('Northshire Mental Health Trust', 'health');
    const police = await chair.agency('Eastshire Constabulary', 'police');

    const openWith = async (cspId: string, policeReference: string, pseudonym: string, realName: string) => {
      const review = await lead.openReview(cspId, { dateOfDeath: '2026-01-03', notifiedOn: '2026-01-05', policeReference });
      await lead.accept(review.id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2026-01-28' });
      await lead.accept(review.id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-29' });
      await http().post(`/reviews/${review.id}/people`).set('X-Actor', 'setup').send({ role: 'victim', realName, pseudonym }).expect(201);
      return review;
    };
    main = await openWith(cspA.id, 'ESX/2026/0142', 'Adult Quince', 'Janet Realperson');
    await http()
      .post(`/reviews/${main.id}/appointments`)
      .set('X-Actor', 'setup')
      .send({ role: 'chair', name: 'Priya Appointedchair', organisation: 'Independent Reviews Ltd', appointedOn: '2026-02-01', independenceStatement: 'No involvement.' })
      .expect(201);
    await chair.addPanelMember(main.id, northshire, 'Rep Northshire');
    other = await openWith(cspA.id, 'KNT/2026/0777', 'Child Rowan', 'Other Realperson');
    // Another CSP's review with the same pseudonym and agency: never found by CSP A's people.
    foreign = await openWith(cspB.id, 'ESX/2026/0043', 'Adult Quince', 'Foreign Realperson');
    await chair.addPanelMember(foreign.id, northshire, 'Rep Northshire B');
    const atSignOff = await reviewAtSignOff(ctx.api, cspA.id, [police]);
    signOff = { id: atSignOff.id, reference: (await http().get(`/reviews/${atSignOff.id}`).set('X-Actor', 'setup').expect(200)).body.reference };
    await http().post(`/reviews/${signOff.id}/people`).set('X-Actor', 'setup').send({ role: 'victim', realName: 'Signoff Realperson', pseudonym: 'Adult Sorrel' }).expect(201);

    const identities = ctx.api.get(IdentityService);
    const user = async (who: string, displayName: string, role?: 'csp_lead' | 'rag_member' | 'administrator', cspCode?: string) => {
      const u = await identities.addUser({ email: `${who}@test.invalid`, displayName, role, cspCode });
      tokens[who] = (await identities.issueToken(u.id, 'search')).token;
      return u;
    };
    await user('leadA', 'Lead A', 'csp_lead', 'SRCHA');
    await user('leadB', 'Lead B', 'csp_lead', 'SRCHB');
    await user('ragA', 'RAG A', 'rag_member', 'SRCHA');
    await user('admin', 'Admin', 'administrator');
    const members: Array<[string, string, string, string | undefined]> = [
      ['teamChair', 'Morgan Teamchair', 'chair', undefined],
      ['panel', 'Panel Person', 'panel_member', northshire],
      ['author', 'Author Person', 'imr_author', northshire],
    ];
    for (const [who, name, role, agencyId] of members) {
      const u = await user(who, name, undefined);
      await http().post(`/reviews/${main.id}/members`).set('X-Actor', 'setup').send({ email: u.email, role, agencyId }).expect(201);
    }
  }, 180_000);
  afterAll(() => ctx.close());

  it('finds by any part of the reference, the police reference, a pseudonym, the chair and a panel agency, in any case', async () => {
    const suffix = main.reference.slice(-8); // e.g. 2026-001
    expect(await search('leadA', suffix.toLowerCase())).toEqual([main.id]);
    expect(await search('leadA', main.reference.toLowerCase())).toEqual([main.id]);
    expect(await search('leadA', 'esx/2026/0142')).toEqual([main.id]);
    expect(await search('leadA', '0777')).toEqual([other.id]);
    expect(await search('leadA', 'quince')).toEqual([main.id]);
    expect(await search('leadA', 'Appointedchair')).toEqual([main.id]);
    expect(await search('leadA', 'teamchair')).toEqual([main.id]);
    expect(await search('leadA', 'northshire mental')).toEqual([main.id]);
    expect(await search('leadA', 'Eastshire')).toEqual([signOff.id]);
  });

  it('never searches real names, and takes %, _ and \\ literally', async () => {
    expect(await search('leadA', 'Realperson')).toEqual([]);
    expect(await search('leadA', 'Janet')).toEqual([]);
    expect(await search('leadA', '%')).toEqual([]);
    expect(await search('leadA', 'ESX_2026')).toEqual([]);
    expect(await search('leadA', '\\')).toEqual([]);
  });

  it('never finds a review the caller may not see', async () => {
    // The same pseudonym and agency are on CSP B's review: CSP A's lead finds only their own.
    expect(await search('leadA', 'Adult Quince')).toEqual([main.id]);
    expect(await search('leadB', 'Adult Quince')).toEqual([foreign.id]);
    expect(await search('leadB', 'Northshire')).toEqual([foreign.id]);
    expect(await search('leadB', 'ESX/2026')).toEqual([foreign.id]);
    // Members see only the review they are on.
    expect(await search('panel', 'ESX/2026')).toEqual([main.id]);
    // The RAG sees only the review at sign-off; the administrator none at all.
    expect(await search('ragA', 'ESX/2026')).toEqual([signOff.id]);
    expect(await search('admin', 'ESX/2026')).toEqual([]);
    expect(await search('admin', 'Quince')).toEqual([]);
  });

  it('never finds a review by a field the caller may not read on it', async () => {
    // An IMR author reads people, but not the appointments, the team or the panel.
    expect(await search('author', 'Quince')).toEqual([main.id]);
    expect(await search('author', 'ESX/2026/0142')).toEqual([main.id]);
    expect(await search('author', 'Appointedchair')).toEqual([]);
    expect(await search('author', 'Teamchair')).toEqual([]);
    expect(await search('author', 'Northshire')).toEqual([]);
    // A panel member reads the appointments and the panel, not the review team.
    expect(await search('panel', 'Appointedchair')).toEqual([main.id]);
    expect(await search('panel', 'Northshire')).toEqual([main.id]);
    expect(await search('panel', 'Teamchair')).toEqual([]);
    // The chair reads the team.
    expect(await search('teamChair', 'Teamchair')).toEqual([main.id]);
    // The RAG reads the review at sign-off, not its people, appointments or panel.
    expect(await search('ragA', signOff.reference)).toEqual([signOff.id]);
    expect(await search('ragA', 'Adult Sorrel')).toEqual([]);
    expect(await search('ragA', 'Independent Chair')).toEqual([]);
    expect(await search('ragA', 'Eastshire')).toEqual([]);
    expect(await search('leadA', 'Adult Sorrel')).toEqual([signOff.id]);
    expect(await search('leadA', 'Independent Chair')).toEqual([signOff.id]);
  });

  it('refuses an empty or overlong search with a 400 naming q', async () => {
    const http = () => request(ctx.api.getHttpServer());
    const empty = await http().get('/reviews').query({ q: '   ' }).set('Authorization', `Bearer ${tokens.leadA}`).expect(400);
    expect(JSON.stringify(empty.body)).toContain('q');
    expect(JSON.stringify(empty.body)).toContain('must not be empty');
    const long = await http().get('/reviews').query({ q: 'x'.repeat(101) }).set('Authorization', `Bearer ${tokens.leadA}`).expect(400);
    expect(JSON.stringify(long.body)).toContain('must be at most 100 characters');
  });
});

describe('searching on the reviews page (/cases?q=)', () => {
  let ctx: TestContext;
  const tokens: Record<string, string> = {};
  let reference: string;

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const http = () => request(ctx.api.getHttpServer());
    const lead = reviewApi(ctx.api, 'setup.lead@test.invalid');
    const csp = await lead.createCsp('SRCHP');
    const review = await lead.openReview(csp.id, { dateOfDeath: '2026-01-03', notifiedOn: '2026-01-05', policeReference: 'WMP/2026/5150' });
    reference = review.reference;
    await http().post(`/reviews/${review.id}/people`).set('X-Actor', 'setup').send({ role: 'victim', realName: 'Pagereal Name', pseudonym: 'Adult Tamsin' }).expect(201);
    const identities = ctx.api.get(IdentityService);
    for (const [who, role] of [['lead', 'csp_lead'], ['rag', 'rag_member']] as const) {
      const u = await identities.addUser({ email: `${who}@page.invalid`, displayName: who, role, cspCode: 'SRCHP' });
      tokens[who] = (await identities.issueToken(u.id, 'search')).token;
    }
  }, 120_000);
  afterAll(() => ctx.close());

  const page = (who: string, q: string) => request(ctx.api.getHttpServer()).get('/cases').query({ q }).set('Authorization', `Bearer ${tokens[who]}`);

  it('finds the review by police reference and pseudonym, keeps the search in its field, and never by a real name', async () => {
    for (const q of ['wmp/2026/5150', 'tamsin']) {
      const found = await page('lead', q).expect(200);
      expect(found.text).toContain(reference);
      expect(found.text).toContain(`value="${q}"`);
    }
    const none = await page('lead', 'Pagereal').expect(200);
    expect(none.text).not.toContain(reference);
    expect(none.text).toContain('No reviews match these filters.');
  });

  it('shows nothing to a caller who may not see the review (the RAG before sign-off)', async () => {
    const res = await page('rag', '5150').expect(200);
    expect(res.text).not.toContain(reference);
  });

  it('an overlong search is a 400 page naming the field', async () => {
    const res = await page('lead', 'x'.repeat(101)).expect(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toMatch(/Search must be at most 100 characters/);
  });
});
