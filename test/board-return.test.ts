import request from 'supertest';
import { DataSource } from 'typeorm';
import { SignOffRounds1765000000000 } from '../migrations/1765000000000-SignOffRounds';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { fixtures, MIME } from './support/document-fixtures';
import { reviewApi } from './support/review-api';
import { reviewAtSignOff, SignOffReview } from './support/scenarios';
import { startTestApp, TestContext } from './support/test-app';

/**
 * The board's return loop (issue 14 item 4): a RAG member who returns the report keeps read
 * access to what they returned; the report cannot be agreed again without a new version of the
 * overview report; each time it reaches the board a new sign-off clock starts, and a returned
 * round is `returned`, not met; an approval is final (no return after it).
 */
describe('the board returns the report', () => {
  let ctx: TestContext;
  let review: SignOffReview;
  let ragAuth: string;
  const http = () => request(ctx.api.getHttpServer());
  const lead = () => reviewApi(ctx.api, 'setup.lead@test.invalid');
  const asRag = (method: 'get' | 'post', path: string) => http()[method](path).set('Authorization', ragAuth);
  const signOffClocks = async () =>
    ((await http().get(`/reviews/${review.id}`).set('X-Actor', 'setup.lead@test.invalid').expect(200)).body.clocks as Array<{ kind: string; status: string; title: string; subjectId: string }>).filter((c) => c.kind === 'rag_sign_off');

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const csp = await lead().createCsp('RETN');
    const chair = new CaseFileApi(ctx.api, 'setup.chair@test.invalid');
    review = await reviewAtSignOff(ctx.api, csp.id, [await chair.agency('Police', 'police')]);
    const identities = ctx.api.get(IdentityService);
    const rag = await identities.addUser({ email: 'rag@test.invalid', displayName: 'RAG Member', role: 'rag_member', cspCode: 'RETN' });
    ragAuth = `Bearer ${(await identities.issueToken(rag.id, 'board')).token}`;
  }, 120_000);
  afterAll(() => ctx.close());

  it('a RAG member who returns the report keeps reading the review and the report versions they saw, and nothing more', async () => {
    expect(await signOffClocks()).toEqual([expect.objectContaining({ status: 'open', subjectId: review.id })]);
    const returned = await asRag('post', `/reviews/${review.id}/events`).send({ type: 'RAG_RETURN', comments: 'Say more about the missed risk assessment.' });
    expect(returned.status).toBe(200);
    expect(returned.body.status).toBe('drafting');
    expect(returned.body.allowedEvents).not.toContain('AGREE_REPORT');

    // Still readable: the review (with the comments), the list, the report and its first version.
    const read = await asRag('get', `/reviews/${review.id}`).expect(200);
    expect(read.body.lifecycle.ragReturns).toEqual([expect.objectContaining({ comments: 'Say more about the missed risk assessment.' })]);
    // The summary as for the review it is: the board's clock, and why the report cannot be agreed yet.
    expect(read.body.clocks.filter((c: { kind: string }) => c.kind === 'rag_sign_off').map((c: { status: string }) => c.status)).toEqual(['returned']);
    expect(read.body.facts).toEqual({ draftOverviewReport: true, draftExecutiveSummary: true, overviewReportRevisedSinceReturn: false });
    expect((await asRag('get', '/reviews').expect(200)).body.items.map((r: { id: string }) => r.id)).toContain(review.id);
    const docs = (await asRag('get', `/reviews/${review.id}/documents`).expect(200)).body as Array<{ id: string; kind: string }>;
    expect(docs.map((d) => d.kind).sort()).toEqual(['executive_summary', 'overview_report']);
    await asRag('get', `/reviews/${review.id}/documents/${review.overviewId}/versions/1/content`).expect(200);
    expect((await asRag('get', `/reviews/${review.id}/rag-decisions`)).status).toBe(200);

    // Read only, and no more than at sign-off: no decision now, no IMRs, no agency papers.
    const again = await asRag('post', `/reviews/${review.id}/events`).send({ type: 'RAG_APPROVE', approvedAt: new Date().toISOString().slice(0, 10) });
    expect(again.status).toBe(403);
    expect((await asRag('get', `/reviews/${review.id}/imrs`)).status).toBe(403);
    expect((await asRag('get', `/reviews/${review.id}/documents/${review.imrDocumentId}`)).status).toBe(404);

    // The round the board answered by a return is "returned", not met.
    expect(await signOffClocks()).toEqual([expect.objectContaining({ status: 'returned', subjectId: review.id })]);

    // GET /deadlines shows them the same running clocks as the review does (not none because the review left sign-off).
    const running = (read.body.clocks as Array<{ id: string; status: string }>).filter((c) => c.status === 'open' || c.status === 'paused').map((c) => c.id);
    expect(running.length).toBeGreaterThan(0);
    const listed = (await asRag('get', `/deadlines?reviewId=${review.id}`).expect(200)).body as Array<{ id: string }>;
    expect(listed.map((c) => c.id).sort()).toEqual([...running].sort());
  });

  it('the migration shows a sign-off clock that a return closed as met (before rounds existed) as returned', async () => {
    // As the schema's owner (the migrations' login), not the application's.
    const db = await new DataSource({ type: 'postgres', url: ctx.database.url }).initialize();
    await db.query(`UPDATE deadlines SET status = 'met' WHERE review_id = $1 AND kind = 'rag_sign_off'`, [review.id]);
    const runner = db.createQueryRunner();
    try {
      await new SignOffRounds1765000000000().up(runner);
    } finally {
      await runner.release();
    }
    const rows: Array<{ status: string }> = await db.query(`SELECT status FROM deadlines WHERE review_id = $1 AND kind = 'rag_sign_off'`, [review.id]);
    expect(rows.map((r) => r.status)).toEqual(['returned']);
    await db.destroy();
  });

  it('agreeing the report again needs a new version of the overview report, uploaded after the return', async () => {
    const refused = await lead().event(review.id, { type: 'AGREE_REPORT' });
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('No new version of the overview report has been uploaded since the board returned it on');
    const blocked = (await http().get(`/reviews/${review.id}`).set('X-Actor', 'setup.lead@test.invalid').expect(200)).body.blockedEvents as Array<{ type: string; reasons: string[] }>;
    expect(blocked.find((b) => b.type === 'AGREE_REPORT')?.reasons).toEqual([expect.stringMatching(/^No new version of the overview report has been uploaded since the board returned it on /)]);

    // A new executive summary is not a new overview report.
    await new CaseFileApi(ctx.api, 'setup.chair@test.invalid').uploadDraft(review.id, 'executive_summary');
    expect((await lead().event(review.id, { type: 'AGREE_REPORT' })).status).toBe(409);

    await http()
      .post(`/reviews/${review.id}/documents/${review.overviewId}/versions`)
      .set('X-Actor', 'setup.chair@test.invalid')
      .set('If-Match', '"1"')
      .attach('file', fixtures.pdf('revised overview'), { filename: 'overview-v2.pdf', contentType: MIME.pdf })
      .expect(201);

    // While revising, the RAG member does not see the new version (nor the new summary).
    const overview = (await asRag('get', `/reviews/${review.id}/documents/${review.overviewId}`).expect(200)).body;
    expect(overview.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect((await asRag('get', `/reviews/${review.id}/documents/${review.overviewId}/versions/2/content`)).status).toBe(404);
    expect(((await asRag('get', `/reviews/${review.id}/documents`).expect(200)).body as unknown[]).length).toBe(2);

    const agreed = await lead().accept(review.id, { type: 'AGREE_REPORT' });
    expect(agreed.status).toBe('rag_sign_off');
  });

  it('a new sign-off clock starts when the report goes back to the board; an approval is final', async () => {
    const clocks = await signOffClocks();
    expect(clocks).toEqual([
      expect.objectContaining({ status: 'returned', subjectId: review.id, title: 'Sign-off by the CSP board' }),
      expect.objectContaining({ status: 'open', title: 'Sign-off by the CSP board (round 2)' }),
    ]);
    expect(clocks[1].subjectId).not.toBe(review.id);
    // Back at sign-off, the board reads the new version.
    await asRag('get', `/reviews/${review.id}/documents/${review.overviewId}/versions/2/content`).expect(200);

    await asRag('post', `/reviews/${review.id}/events`).send({ type: 'RAG_APPROVE', approvedAt: new Date().toISOString().slice(0, 10) }).expect(200);
    const after = await asRag('get', `/reviews/${review.id}`).expect(200);
    expect(after.body.allowedEvents).not.toContain('RAG_RETURN');
    expect(after.body.allowedEvents).not.toContain('RAG_APPROVE');
    const returnAfter = await asRag('post', `/reviews/${review.id}/events`).send({ type: 'RAG_RETURN', comments: 'Changed our mind.' });
    expect(returnAfter.status).toBe(409);
    expect(JSON.stringify(returnAfter.body)).toContain('The board (RAG) already approved this draft');
    expect((await signOffClocks()).map((c) => c.status)).toEqual(['returned', 'met']);
  });
});
