import request from 'supertest';
import { HIDDEN_REASON } from '../src/access/history-visibility';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { reviewAtSignOff } from './support/scenarios';
import { startTestApp, TestContext } from './support/test-app';

/**
 * The review summary (GET /reviews/:id: `facts` and each blocked event's `reasons`) shows each
 * member only what is about records they may read: an IMR author nothing of other agencies'
 * IMRs, a panel member nothing of the family, the proceedings or the publication.
 */
describe('the review summary, per caller', () => {
  let ctx: TestContext;
  let reviewId: string;
  let policeImr: string;
  let healthImr: string;
  const tokens: Record<string, string> = {};
  type Summary = { facts: Record<string, unknown>; allowedEvents: string[]; blockedEvents: Array<{ type: string; reasons: string[] }> };

  const summaryOf = async (who: string): Promise<Summary> =>
    (await request(ctx.api.getHttpServer()).get(`/reviews/${reviewId}`).set('Authorization', `Bearer ${tokens[who]}`).expect(200)).body;
  const reasonsOf = (s: Summary, type: string) => s.blockedEvents.find((b) => b.type === type)?.reasons;

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const http = () => request(ctx.api.getHttpServer());
    const lead = reviewApi(ctx.api, 'setup.lead@test.invalid');
    const chair = new CaseFileApi(ctx.api, 'setup.chair@test.invalid');
    const csp = await lead.createCsp('SUMM');
    const police = await chair.agency('Police', 'police');
    const health = await chair.agency('Health Trust', 'health');
    reviewId = (await lead.openReview(csp.id, { dateOfDeath: '2026-01-03', notifiedOn: '2026-01-05' })).id;
    await lead.accept(reviewId, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2026-01-28' });
    await lead.accept(reviewId, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-29' });
    await chair.appointChair(reviewId);
    await chair.addPanelMember(reviewId, police, 'Rep Police');
    await lead.accept(reviewId, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
    policeImr = await chair.commissionImr(reviewId, police);
    healthImr = await chair.commissionImr(reviewId, health);
    await chair.receiveImr(reviewId, healthImr, '2026-03-20');

    const identities = ctx.api.get(IdentityService);
    const members: Array<[string, string, string | undefined]> = [
      ['chair', 'chair', undefined],
      ['panel', 'panel_member', police],
      ['author', 'imr_author', health],
    ];
    for (const [who, role, agencyId] of members) {
      const user = await identities.addUser({ email: `${who}@test.invalid`, displayName: who });
      tokens[who] = (await identities.issueToken(user.id, 'summary')).token;
      await http().post(`/reviews/${reviewId}/members`).set('X-Actor', 'setup').send({ email: user.email, role, agencyId }).expect(201);
    }
  }, 120_000);
  afterAll(() => ctx.close());

  it('an IMR author sees no counts of, and no reasons about, other agencies’ IMRs', async () => {
    const chair = await summaryOf('chair');
    expect(chair.facts).toMatchObject({ imrsCommissioned: 2, imrsOutstanding: 1, chairAppointed: true, panelMemberCount: 1 });
    expect(reasonsOf(chair, 'BEGIN_DRAFTING')).toEqual(['1 commissioned IMR is neither received nor waived', 'No panel meeting has considered the IMRs yet']);

    const author = await summaryOf('author');
    // They read their own agency's IMR only, and none of the other records the facts count.
    expect(author.facts).toEqual({});
    expect(reasonsOf(author, 'BEGIN_DRAFTING')).toEqual([HIDDEN_REASON]);
    expect(JSON.stringify(author.blockedEvents)).not.toMatch(/IMR|panel/i);
    // Every blocked event is still listed, with the same types as the chair's.
    expect(author.blockedEvents.map((b) => b.type)).toEqual(chair.blockedEvents.map((b) => b.type));
    expect(author.allowedEvents).toEqual(chair.allowedEvents);

    // A panel member reads every IMR and meeting, so sees these counts and reasons as the chair does.
    const panel = await summaryOf('panel');
    expect(panel.facts).toMatchObject({ imrsCommissioned: 2, imrsOutstanding: 1 });
    expect(reasonsOf(panel, 'BEGIN_DRAFTING')).toEqual(reasonsOf(chair, 'BEGIN_DRAFTING'));
  });

  it('a panel member sees no facts or reasons about the family, the proceedings or the publication', async () => {
    const chairApi = new CaseFileApi(ctx.api, 'setup.chair@test.invalid');
    await chairApi.receiveImr(reviewId, policeImr, '2026-03-21');
    await chairApi.holdMeetingConsidering(reviewId, [policeImr, healthImr]);
    await reviewApi(ctx.api, 'setup.lead@test.invalid').accept(reviewId, { type: 'BEGIN_DRAFTING', occurredAt: '2026-04-15' });

    const chair = await summaryOf('chair');
    expect(chair.facts).toMatchObject({ familyOfferedDraft: false, activeCriminalProceedings: false, anonymisationConfirmed: false, familyToldOfPublication: false });
    expect(reasonsOf(chair, 'AGREE_REPORT')).toContain('The family has not been offered the draft report');

    const panel = await summaryOf('panel');
    for (const fact of ['familyOfferedDraft', 'familyToldOfPublication', 'activeCriminalProceedings', 'anonymisationConfirmed']) expect(panel.facts).not.toHaveProperty(fact);
    expect(panel.facts).toMatchObject({ draftOverviewReport: false, recommendationsCount: 0 });
    expect(reasonsOf(panel, 'AGREE_REPORT')).toEqual(reasonsOf(chair, 'AGREE_REPORT')!.filter((r) => !/family/i.test(r)));
    expect(reasonsOf(panel, 'AGREE_REPORT')!.length).toBeGreaterThan(0);

    const author = await summaryOf('author');
    expect(author.facts).toEqual({});
    expect(reasonsOf(author, 'AGREE_REPORT')).toEqual([HIDDEN_REASON]);
  });
});

describe('the review summary of the RAG at sign-off', () => {
  let ctx: TestContext;
  afterAll(() => ctx.close());

  it('shows the RAG nothing of the proceedings or the family, in the API or on the publication checklist', async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const lead = reviewApi(ctx.api, 'setup.lead@test.invalid');
    const chairApi = new CaseFileApi(ctx.api, 'setup.chair@test.invalid');
    const csp = await lead.createCsp('RAGS');
    const review = await reviewAtSignOff(ctx.api, csp.id, [await chairApi.agency('Police', 'police')]);
    await chairApi.criminalProceedings(review.id, 'active');
    const identities = ctx.api.get(IdentityService);
    const rag = await identities.addUser({ email: 'rag@test.invalid', displayName: 'RAG', role: 'rag_member', cspCode: 'RAGS' });
    const leadUser = await identities.addUser({ email: 'lead@test.invalid', displayName: 'Lead', role: 'csp_lead', cspCode: 'RAGS' });
    const as = async (userId: string) => `Bearer ${(await identities.issueToken(userId, 'summary')).token}`;
    const ragAuth = await as(rag.id);
    const leadAuth = await as(leadUser.id);
    const http = () => request(ctx.api.getHttpServer());

    const leadFacts = (await http().get(`/reviews/${review.id}`).set('Authorization', leadAuth).expect(200)).body.facts;
    expect(leadFacts).toMatchObject({ activeCriminalProceedings: true, familyOfferedDraft: true });
    const ragFacts = (await http().get(`/reviews/${review.id}`).set('Authorization', ragAuth).expect(200)).body.facts;
    for (const fact of ['activeCriminalProceedings', 'familyOfferedDraft', 'familyToldOfPublication', 'imrsCommissioned', 'panelMemberCount', 'chairAppointed']) {
      expect(ragFacts).not.toHaveProperty(fact);
    }
    // The RAG reads the report and the recommendations, so sees those facts.
    expect(ragFacts).toMatchObject({ draftOverviewReport: true, draftExecutiveSummary: true, recommendationsCount: 1 });

    const leadPage = (await http().get(`/cases/${review.id}/publication`).set('Authorization', leadAuth).expect(200)).text;
    expect(leadPage).toContain('Proceedings are still active');
    expect(leadPage).toContain('Tell the family about the publication');
    const ragPage = (await http().get(`/cases/${review.id}/publication`).set('Authorization', ragAuth).expect(200)).text;
    expect(ragPage).not.toContain('Criminal proceedings');
    expect(ragPage).not.toContain('Proceedings are still active');
    expect(ragPage).not.toContain('Tell the family about the publication');

    // The answer to an event the RAG applies is narrowed the same way.
    const approvedAt = new Date().toISOString().slice(0, 10);
    const approved = (await http().post(`/reviews/${review.id}/events`).set('Authorization', ragAuth).send({ type: 'RAG_APPROVE', approvedAt }).expect(200)).body;
    expect(approved.facts).not.toHaveProperty('activeCriminalProceedings');
    expect(approved.facts).not.toHaveProperty('familyToldOfPublication');
    expect(approved.facts).toMatchObject({ recommendationsCount: 1 });
  }, 120_000);
});
