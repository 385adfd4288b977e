import { CaseFileApi } from './support/casefile-api';
import { CaseFileSql } from './support/casefile-sql';
import { REVIEW_EVENT_TYPES } from '../src/reviews/lifecycle';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';
import { answerHomeOfficeChecklist } from './support/home-office';

const LEAD = 'csp.lead@maldon.gov.uk';
const CHAIR = 'independent.chair@example.org';
const RAG = 'rag.member@maldon.gov.uk';

describe('review lifecycle over HTTP (real PostgreSQL)', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let casefile: CaseFileApi;
  let cspId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    api = reviewApi(ctx.api, LEAD);
    casefile = new CaseFileApi(ctx.api, CHAIR);
    cspId = (await api.createCsp('MALDON')).id;
  });
  afterAll(() => ctx.close());

  it('drives one review from notification to closed, recording every step with its actor', async () => {
    const opened = await api.openReview(cspId);
    expect(opened.status).toBe('notified');
    expect(opened.reference).toMatch(/^DHR-MALDON-2026-\d{3}$/);
    const id = opened.id;

    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met: intimate partner homicide', decidedAt: '2026-02-01' });
    await api.accept(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-02-02' });

    // Terms of reference need a chair and a panel: refused, with the reasons, until they exist.
    const blocked = await api.get(id);
    const torBlock = blocked.blockedEvents.find((b: { type: string }) => b.type === 'AGREE_TERMS_OF_REFERENCE');
    expect(torBlock.reasons.join(' ')).toMatch(/chair/i);
    expect(torBlock.reasons.join(' ')).toMatch(/panel/i);
    const agency = await casefile.agency('Essex Police');
    await casefile.appointChair(id);
    await casefile.addPanelMember(id, agency);
    expect((await api.get(id)).allowedEvents).toContain('AGREE_TERMS_OF_REFERENCE');
    await api.accept(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' }, CHAIR);

    const imr = await casefile.commissionImr(id, agency);
    await casefile.receiveImr(id, imr);
    await casefile.holdMeetingConsidering(id, [imr]);
    await api.accept(id, { type: 'BEGIN_DRAFTING', occurredAt: '2026-07-01' }, CHAIR);

    await casefile.uploadDraft(id, 'overview_report');
    await casefile.uploadDraft(id, 'executive_summary');
    const rec = await casefile.recommendation(id);
    const action = await casefile.action(id, rec);
    await casefile.familyEngagement(id, 'draft_offered');
    await api.accept(id, { type: 'AGREE_REPORT', occurredAt: '2026-08-20' }, CHAIR);
    await api.accept(id, { type: 'RAG_APPROVE', approvedAt: '2026-09-03', comments: 'Approved at the September meeting' }, RAG);
    await answerHomeOfficeChecklist(ctx.api, id);
    await api.accept(id, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-09-10' });
    await api.accept(id, { type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: '2026-10-01', notes: 'No changes' });

    await casefile.confirmAnonymisation(id);
    await casefile.familyEngagement(id, 'told_of_publication');
    await api.accept(id, { type: 'PUBLISH', publishedAt: '2026-10-15', url: 'https://www.maldon.gov.uk/dhr/2026-1' });

    expect((await api.event(id, { type: 'CLOSE' })).status).toBe(409);
    await casefile.completeAction(id, rec, action);
    const closed = await api.accept(id, { type: 'CLOSE' });
    expect(closed.status).toBe('closed');
    expect(closed.allowedEvents).toEqual(['REOPEN']);

    const history = await api.history(id);
    const lifecycleTypes: string[] = ['NOTIFICATION_RECORDED', ...REVIEW_EVENT_TYPES];
    const caseFileEntries = history.filter((h) => !lifecycleTypes.includes(h.type));
    expect(caseFileEntries.map((h) => [h.type, h.actor])).toEqual(
      [
        'CHAIR_APPOINTED',
        'PANEL_MEMBER_ADDED',
        'IMR_COMMISSIONED',
        'IMR_RECEIVED',
        'PANEL_MEETING_SCHEDULED',
        'PANEL_MEETING_HELD',
        'DRAFT_UPLOADED',
        'DRAFT_UPLOADED',
        'RECOMMENDATION_RECORDED',
        'RECOMMENDATION_AGREED',
        'ACTION_ADDED',
        'FAMILY_OFFERED_DRAFT',
        // The CSP lead's checklist before submission, one entry per item.
        ...Array(6).fill('HOME_OFFICE_CHECKLIST_ANSWERED'),
        'ANONYMISATION_CONFIRMED',
        'FAMILY_TOLD_OF_PUBLICATION',
        'ACTION_COMPLETED',
      ].map((type) => [type, type === 'HOME_OFFICE_CHECKLIST_ANSWERED' ? 'setup.lead@test.invalid' : CHAIR]),
    );
    expect(caseFileEntries.every((h) => h.fromStatus === h.toStatus)).toBe(true);
    const transitions = history.filter((h) => lifecycleTypes.includes(h.type));
    expect(transitions.map((h) => [h.type, h.actor, h.fromStatus, h.toStatus])).toEqual([
      ['NOTIFICATION_RECORDED', LEAD, null, 'notified'],
      ['DECIDE', LEAD, 'notified', 'establishing'],
      ['NOTIFY_HOME_OFFICE', LEAD, 'establishing', 'establishing'],
      ['AGREE_TERMS_OF_REFERENCE', CHAIR, 'establishing', 'information_gathering'],
      ['BEGIN_DRAFTING', CHAIR, 'information_gathering', 'drafting'],
      ['AGREE_REPORT', CHAIR, 'drafting', 'rag_sign_off'],
      ['RAG_APPROVE', RAG, 'rag_sign_off', 'rag_sign_off'],
      ['SUBMIT_TO_HOME_OFFICE', LEAD, 'rag_sign_off', 'home_office_qa'],
      ['RECORD_QA_OUTCOME', LEAD, 'home_office_qa', 'awaiting_publication'],
      ['PUBLISH', LEAD, 'awaiting_publication', 'action_plan_monitoring'],
      ['CLOSE', LEAD, 'action_plan_monitoring', 'closed'],
    ]);
    expect(history.map((h) => h.sequence)).toEqual(history.map((_, i) => i + 1));
    expect(closed.version).toBe(history.length);
  });

  it('follows the not-proceeding path: a "no", the Home Office told, the Secretary of State directs a review', async () => {
    const { id } = await api.openReview(cspId);
    await api.accept(id, { type: 'DECIDE', outcome: 'not_proceed', rationale: 'Death by natural causes', decidedAt: '2026-02-01' });
    expect((await api.get(id)).status).toBe('not_proceeding');

    const early = await api.event(id, { type: 'CLOSE' });
    expect(early.status).toBe(409);
    expect(early.body.reasons.join(' ')).toMatch(/Home Office/);

    await api.accept(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-02-03' });
    const reopened = await api.accept(id, { type: 'DIRECT_REVIEW', directedAt: '2026-03-01', note: 'QA Panel disagreed' });
    expect(reopened.status).toBe('establishing');
    expect((await api.history(id)).map((h) => h.toStatus)).toEqual([
      'notified',
      'not_proceeding',
      'not_proceeding',
      'establishing',
    ]);
  });

  it('follows the hold path: held for criminal proceedings, progress refused, resumed', async () => {
    const { id } = await api.openReview(cspId);
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-02-01' });
    await api.accept(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-02-02' });
    const agency = await casefile.agency('Mid and South Essex NHS');
    await casefile.appointChair(id);
    await casefile.addPanelMember(id, agency);

    const held = await api.accept(id, {
      type: 'PLACE_ON_HOLD',
      reason: 'criminal_proceedings',
      detail: 'Trial listed at Chelmsford Crown Court',
      expectedEnd: '2027-03-01',
    });
    expect(held).toMatchObject({ status: 'establishing', onHold: true, hold: { reason: 'criminal_proceedings' } });

    const refused = await api.event(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
    expect(refused.status).toBe(409);
    expect(refused.body.reasons.join(' ')).toMatch(/on hold/i);
    expect((await api.get(id)).version).toBe(held.version);

    const resumed = await api.accept(id, { type: 'RESUME', note: 'Verdict given' });
    expect(resumed.onHold).toBe(false);
    expect(resumed.hold).toBeNull();
    expect(resumed.heldMs).toBeGreaterThanOrEqual(0);
    expect(resumed.lifecycle.holds).toHaveLength(1);
    await api.accept(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
    expect((await api.history(id)).map((h) => [h.type, h.toOnHold])).toEqual([
      ['NOTIFICATION_RECORDED', false],
      ['DECIDE', false],
      ['NOTIFY_HOME_OFFICE', false],
      ['CHAIR_APPOINTED', false],
      ['PANEL_MEMBER_ADDED', false],
      ['PLACE_ON_HOLD', true],
      ['RESUME', false],
      ['AGREE_TERMS_OF_REFERENCE', false],
    ]);
  });

  it('a RAG return sends the report back to drafting with the comments', async () => {
    const { id } = await api.openReview(cspId);
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-02-01' });
    await api.accept(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-02-02' });
    const agency = await casefile.agency('Essex County Council');
    await casefile.appointChair(id);
    await casefile.addPanelMember(id, agency);
    await api.accept(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
    const imr = await casefile.commissionImr(id, agency);
    await casefile.receiveImr(id, imr);
    await casefile.holdMeetingConsidering(id, [imr]);
    await api.accept(id, { type: 'BEGIN_DRAFTING' });
    await casefile.uploadDraft(id, 'overview_report');
    await casefile.uploadDraft(id, 'executive_summary');
    await casefile.recommendation(id);
    await casefile.familyEngagement(id, 'draft_offered');
    await api.accept(id, { type: 'AGREE_REPORT' });
    const returned = await api.accept(id, { type: 'RAG_RETURN', comments: 'Section 5 needs the GP records' }, RAG);
    expect(returned.status).toBe('drafting');
    expect(JSON.stringify(returned.lifecycle)).toContain('Section 5 needs the GP records');
  });
});

describe('reviews API: bad input, conflicts and concurrency', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let cspId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    api = reviewApi(ctx.api, LEAD);
    cspId = (await api.createCsp('BRAINTREE')).id;
  });
  afterAll(() => ctx.close());

  async function countRows(table: string): Promise<number> {
    const sql = new CaseFileSql(ctx.database.url);
    const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return n;
  }

  it('refuses a malformed notification with 400 naming each field, writing nothing', async () => {
    const before = await countRows('reviews');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ dateOfDeath: '2099-01-01' }, 'dateOfDeath'],
      [{ notifiedOn: '2026-01-01', dateOfDeath: '2026-01-05' }, 'notifiedOn'],
      [{ policeForce: '' }, 'policeForce'],
      [{ cspId: 'not-a-uuid' }, 'cspId'],
      [{ cspId: '00000000-0000-4000-8000-000000000000' }, 'cspId'],
      [{ guidanceVersion: '2020' }, 'guidanceVersion'],
      [{ dateOfDeath: '2026-02-30' }, 'dateOfDeath'],
      [{ circumstances: 'x'.repeat(20001) }, 'circumstances'],
      [{ victimName: 'A real name' }, 'victimName'],
    ];
    for (const [override, field] of cases) {
      const res = await api
        .http()
        .post('/reviews')
        .set('X-Actor', LEAD)
        .send({
          cspId,
          dateOfDeath: '2026-01-10',
          notifiedOn: '2026-01-14',
          policeForce: 'Essex Police',
          policeReference: 'ESX/1',
          circumstances: 'Stabbing at home.',
          ...override,
        });
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const malformed = await api.http().post('/reviews').set('X-Actor', LEAD).set('Content-Type', 'application/json').send('{"cspId":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/body/);
    expect(await countRows('reviews')).toBe(before);
  });

  it('answers 400 naming the field for a malformed event, 409 with reasons for a refused one, 404 for no review', async () => {
    const { id } = await api.openReview(cspId);
    const unknownType = await api.event(id, { type: 'FAST_FORWARD' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.errors[0].field).toBe('type');

    const badEnum = await api.event(id, { type: 'DECIDE', outcome: 'maybe', rationale: 'x', decidedAt: '2026-02-01' });
    expect(badEnum.status).toBe(400);
    expect(badEnum.body.errors.map((e: { field: string }) => e.field)).toContain('outcome');

    const future = await api.event(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'x', decidedAt: '2099-02-01' });
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([{ field: 'decidedAt', message: 'must not be in the future' }]);

    const extra = await api.event(id, { type: 'BEGIN_DRAFTING', sneaky: true });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body.errors)).toContain('sneaky');

    const refused = await api.event(id, { type: 'BEGIN_DRAFTING' });
    expect(refused.status).toBe(409);
    expect(refused.body.reasons.length).toBeGreaterThan(0);

    for (const missing of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await api.event(missing, { type: 'CLOSE' });
      expect(res.status).toBe(404);
      expect((await api.http().get(`/reviews/${missing}`)).status).toBe(404);
    }
    const history = await api.history(id);
    expect(history).toHaveLength(1);
  });

  it('returns an ETag; a stale If-Match gets 412 and writes nothing', async () => {
    const { id } = await api.openReview(cspId);
    const read = await api.http().get(`/reviews/${id}`).expect(200);
    expect(read.headers.etag).toBe('"1"');
    await api
      .http()
      .post(`/reviews/${id}/events`)
      .set('X-Actor', LEAD)
      .set('If-Match', read.headers.etag)
      .send({ type: 'PLACE_ON_HOLD', reason: 'inquest', detail: 'Inquest opened' })
      .expect(200);
    const stale = await api
      .http()
      .post(`/reviews/${id}/events`)
      .set('X-Actor', LEAD)
      .set('If-Match', read.headers.etag)
      .send({ type: 'RESUME' });
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(2);
    expect((await api.get(id)).onHold).toBe(true);
    const badHeader = await api.http().post(`/reviews/${id}/events`).set('X-Actor', LEAD).set('If-Match', 'yesterday').send({ type: 'RESUME' });
    expect(badHeader.status).toBe(400);
  });

  it('of 20 concurrent conflicting events exactly one is applied and the history stays consistent', async () => {
    const { id } = await api.openReview(cspId);
    const outcomes = ['proceed', 'not_proceed'] as const;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.event(id, { type: 'DECIDE', outcome: outcomes[i % 2], rationale: `decision ${i}`, decidedAt: '2026-02-01' }, `officer-${i}`),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = responses.find((r) => r.status === 200)!;
    const history = await api.history(id);
    expect(history.map((h) => h.type)).toEqual(['NOTIFICATION_RECORDED', 'DECIDE']);
    expect(history[1].actor).toBe(winner.request.getHeader('X-Actor'));
    const review = await api.get(id);
    expect(review.version).toBe(2);
    expect(review.status).toBe(winner.body.status);
  });

  it('lists reviews filtered by status, CSP and hold, paginated; refuses a bad filter', async () => {
    const other = (await api.createCsp('COLCHESTER')).id;
    const a = await api.openReview(other);
    const b = await api.openReview(other);
    await api.accept(b.id, { type: 'PLACE_ON_HOLD', reason: 'family', detail: 'Family asked for time' });
    const all = (await api.http().get(`/reviews?cspId=${other}`).expect(200)).body;
    expect(all.total).toBe(2);
    const held = (await api.http().get(`/reviews?cspId=${other}&onHold=true`).expect(200)).body;
    expect(held.items.map((r: { id: string }) => r.id)).toEqual([b.id]);
    const page = (await api.http().get(`/reviews?cspId=${other}&pageSize=1&page=2`).expect(200)).body;
    expect(page.items).toHaveLength(1);
    expect([a.id, b.id]).toContain(page.items[0].id);
    const notified = (await api.http().get(`/reviews?cspId=${other}&status=notified`).expect(200)).body;
    expect(notified.total).toBe(2);
    const bad = await api.http().get('/reviews?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('status');
  });

  it('serves the statechart as SVG with the current stage marked, or as Mermaid', async () => {
    const { id } = await api.openReview(cspId);
    const svg = await api.http().get(`/reviews/${id}/diagram`).expect(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    const text = svg.body instanceof Buffer ? svg.body.toString() : svg.text;
    expect(text).toMatch(/^<svg|^<\?xml/);
    expect(text).toContain('notified');
    const mermaid = await api.http().get(`/reviews/${id}/diagram?format=mermaid`).expect(200);
    expect(mermaid.text).toContain('stateDiagram-v2');
    expect(mermaid.text).toMatch(/class notified current|notified:::current/);
  });

  it('the history table refuses UPDATE and DELETE', async () => {
    const { id } = await api.openReview(cspId);
    const sql = new CaseFileSql(ctx.database.url);
    await expect(sql.query(`UPDATE review_events SET actor = 'someone else' WHERE review_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM review_events WHERE review_id = $1`, [id])).rejects.toThrow(/append-only/);
    expect((await api.history(id))[0].actor).toBe(LEAD);
  });

  it('refuses, with a clear 409, a snapshot written by a machine version it cannot read', async () => {
    const { id } = await api.openReview(cspId);
    const sql = new CaseFileSql(ctx.database.url);
    await sql.query(`UPDATE reviews SET machine_version = 99 WHERE id = $1`, [id]);
    const res = await api.http().get(`/reviews/${id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('snapshot_unreadable');
    expect(res.body.message).toMatch(/99/);
    const event = await api.event(id, { type: 'WITHDRAW', reason: 'test' });
    expect(event.status).toBe(409);
  });
});
