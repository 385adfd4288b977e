import request from 'supertest';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';
import { answerHomeOfficeChecklist } from './support/home-office';

/**
 * The three journeys our users came for, over HTTP against real PostgreSQL, each ending in the
 * state the user expects.
 */
const LEAD = 'community.safety@maldon.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const RAG = 'rag.member@maldon.gov.uk';

describe('user journeys', () => {
  let ctx: TestContext;
  let lead: ReturnType<typeof reviewApi>;
  let chair: CaseFileApi;
  let cspId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    lead = reviewApi(ctx.api, LEAD);
    chair = new CaseFileApi(ctx.api, CHAIR);
    cspId = (await lead.createCsp('MALDON')).id;
  });
  afterAll(() => ctx.close());

  /** The CSP lead opens a review after the police notification and records the decision. */
  async function openAndDecide() {
    const opened = await lead.openReview(cspId, {
      dateOfDeath: '2026-01-03',
      notifiedOn: '2026-01-05',
      policeReference: 'ESX/26/1107',
    });
    expect(opened.status).toBe('notified');
    expect((await lead.get(opened.id)).allowedEvents).toContain('DECIDE');
    await lead.accept(opened.id, {
      type: 'DECIDE',
      outcome: 'proceed',
      rationale: 'Death of a woman aged 34; partner charged with murder. Criteria of s.9 met.',
      decidedAt: '2026-01-28',
    });
    await lead.accept(opened.id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-29' });
    return opened.id;
  }

  /** The chair runs the review up to drafting: IMRs, an extension, a meeting, recommendations. */
  async function chairToDrafting(reviewId: string) {
    const police = await chair.agency('Essex Police');
    const health = await chair.agency('Mid and South Essex NHS Foundation Trust', 'health');
    const council = await chair.agency('Maldon District Council', 'local_authority');
    await chair.appointChair(reviewId);
    for (const agency of [police, health, council]) await chair.addPanelMember(reviewId, agency, `Rep of ${agency.slice(0, 4)}`);
    await reviewApi(ctx.api, CHAIR).accept(reviewId, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });

    const imrs = [
      await chair.commissionImr(reviewId, police),
      await chair.commissionImr(reviewId, health),
      await chair.commissionImr(reviewId, council),
    ];
    await chair.extendImr(reviewId, imrs[1], '2026-04-14', 'GP records held by another trust');
    const blocked = (await lead.get(reviewId)).blockedEvents.find((b: { type: string }) => b.type === 'BEGIN_DRAFTING');
    expect(blocked.reasons.join(' ')).toMatch(/3 commissioned IMRs/);
    for (const imr of imrs) await chair.receiveImr(reviewId, imr, '2026-03-30');
    await chair.holdMeetingConsidering(reviewId, imrs);
    await chair.recommendation(reviewId, 'GPs should ask about domestic abuse when injuries are seen');
    await chair.recommendation(reviewId, 'Police should refer to MARAC after a second call-out');
    const drafting = await reviewApi(ctx.api, CHAIR).accept(reviewId, { type: 'BEGIN_DRAFTING', occurredAt: '2026-05-01' });
    return { drafting, imrs };
  }

  async function draftAgreed(reviewId: string) {
    const overviewId = await chair.uploadDraft(reviewId, 'overview_report');
    await chair.uploadDraft(reviewId, 'executive_summary');
    await chair.familyEngagement(reviewId, 'draft_offered', '2026-06-01');
    const agreed = await reviewApi(ctx.api, CHAIR).accept(reviewId, { type: 'AGREE_REPORT', occurredAt: '2026-08-20' });
    expect(agreed.status).toBe('rag_sign_off');
    return overviewId;
  }

  it('the CSP lead opens a review from a police notification and records the decision', async () => {
    const id = await openAndDecide();
    const review = await lead.get(id);
    expect(review).toMatchObject({
      status: 'establishing',
      onHold: false,
      notification: { dateOfDeath: '2026-01-03', notifiedOn: '2026-01-05', policeReference: 'ESX/26/1107' },
      lifecycle: { decision: { outcome: 'proceed', decidedAt: '2026-01-28' } },
    });
    expect(review.reference).toMatch(/^DHR-MALDON-2026-\d{3}$/);
    const listed = (await request(ctx.api.getHttpServer()).get(`/reviews?cspId=${cspId}&status=establishing`).expect(200)).body;
    expect(listed.items.map((r: { id: string }) => r.id)).toContain(id);
    expect((await lead.history(id)).map((h) => [h.type, h.actor])).toEqual([
      ['NOTIFICATION_RECORDED', LEAD],
      ['DECIDE', LEAD],
      ['NOTIFY_HOME_OFFICE', LEAD],
    ]);
  });

  it('the chair commissions IMRs, extends one, records their receipt, holds a meeting, records recommendations and begins drafting', async () => {
    const id = await openAndDecide();
    const { drafting, imrs } = await chairToDrafting(id);
    expect(drafting.status).toBe('drafting');
    expect(drafting.facts).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 0, meetingsConsideringImrs: 1, recommendationsCount: 2 });

    const tracker = (await request(ctx.api.getHttpServer()).get(`/reviews/${id}/imrs`).expect(200)).body;
    expect(tracker.map((i: { id: string; state: string }) => [i.id, i.state])).toEqual(imrs.map((imr) => [imr, 'received']));
    const extended = tracker.find((i: { id: string }) => i.id === imrs[1]);
    expect(extended).toMatchObject({ dueOn: '2026-04-14', extensions: [{ previousDueOn: '2026-03-24', reason: 'GP records held by another trust' }] });
    const recommendations = (await request(ctx.api.getHttpServer()).get(`/reviews/${id}/recommendations`).expect(200)).body;
    expect(recommendations.map((r: { number: number; status: string }) => [r.number, r.status])).toEqual([
      [1, 'agreed'],
      [2, 'agreed'],
    ]);
    const chairEntries = (await lead.history(id)).filter((h) => h.actor === CHAIR).map((h) => h.type);
    expect(chairEntries).toEqual(expect.arrayContaining(['IMR_EXTENDED', 'IMR_RECEIVED', 'PANEL_MEETING_HELD', 'RECOMMENDATION_AGREED', 'BEGIN_DRAFTING']));
  });

  it('a RAG member reads the final report and approves it; another report is returned with comments and goes back to drafting', async () => {
    const approvedId = await openAndDecide();
    await chairToDrafting(approvedId);
    const overviewId = await draftAgreed(approvedId);

    // The RAG member reads the report (the download is recorded against them) and approves.
    const content = await request(ctx.api.getHttpServer())
      .get(`/reviews/${approvedId}/documents/${overviewId}/versions/1/content`)
      .set('X-Actor', RAG)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect((content.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const downloads = (await request(ctx.api.getHttpServer()).get(`/reviews/${approvedId}/documents/${overviewId}/downloads`).set('X-Actor', LEAD).expect(200)).body;
    expect(JSON.stringify(downloads)).toContain(RAG);

    const approved = await reviewApi(ctx.api, RAG).accept(approvedId, { type: 'RAG_APPROVE', approvedAt: '2026-09-10', comments: 'Approved at the RAG of 10 September' });
    expect(approved.status).toBe('rag_sign_off');
    expect(approved.allowedEvents).toContain('SUBMIT_TO_HOME_OFFICE');
    const decisions = (await request(ctx.api.getHttpServer()).get(`/reviews/${approvedId}/rag-decisions`).expect(200)).body;
    expect(JSON.stringify(decisions)).toContain('Approved at the RAG of 10 September');
    await answerHomeOfficeChecklist(ctx.api, approvedId);
    const submitted = await lead.accept(approvedId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-09-12' });
    expect(submitted.status).toBe('home_office_qa');

    const returnedId = await openAndDecide();
    await chairToDrafting(returnedId);
    await draftAgreed(returnedId);
    const returned = await reviewApi(ctx.api, RAG).accept(returnedId, {
      type: 'RAG_RETURN',
      comments: 'The analysis of the GP contact in section 5 needs strengthening.',
    });
    expect(returned.status).toBe('drafting');
    // Agreeing again waits for a new version of the overview report (test/board-return.test.ts).
    expect(returned.blockedEvents.find((b: { type: string }) => b.type === 'AGREE_REPORT')?.reasons).toEqual([
      expect.stringMatching(/^No new version of the overview report has been uploaded since the board returned it on /),
    ]);
    const returnedDecisions = (await request(ctx.api.getHttpServer()).get(`/reviews/${returnedId}/rag-decisions`).expect(200)).body;
    expect(JSON.stringify(returnedDecisions)).toContain('section 5 needs strengthening');
    expect((await lead.history(returnedId)).at(-1)).toMatchObject({ type: 'RAG_RETURN', actor: RAG, fromStatus: 'rag_sign_off', toStatus: 'drafting' });
  });
});
