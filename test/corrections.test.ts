import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { dayOf } from '../src/reviews/chronology';
import { CaseFileApi } from './support/casefile-api';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

const NOW = '2026-12-04T12:00:00Z';

type Json = any;

/**
 * Putting things right on the record: corrections (the notification, a decision's date and
 * rationale, any event's date), a transfer to another CSP, reopening, and the Home Office's
 * agreement with a "no". Each appears in the history with what it was, what it is now, the
 * reason and the actor; the lifecycle and the clocks follow; the chronology still holds.
 * Signed-in users with tokens, so the policy applies (only CSP leads correct and transfer).
 */
describe('corrections, transfers, reopening and the Home Office agreement (real PostgreSQL)', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  const tokens: Record<string, string> = {};
  let maldon: string;
  let braintree: string;
  let casefile: CaseFileApi;

  const as = (who: string) => ({
    post: (path: string, body: Record<string, unknown>) => request(ctx.api.getHttpServer()).post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    get: (path: string) => request(ctx.api.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[who]}`),
  });
  const lead = () => as('lead');
  const ok = async (res: Promise<{ status: number; body: Json }> | { status: number; body: Json }) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  beforeAll(async () => {
    ctx = await startTestApp({ clock, defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const http = () => request(ctx.api.getHttpServer());
    maldon = (await http().post('/csps').set('X-Actor', 'setup').send({ code: 'MALDON', name: 'Maldon CSP' }).expect(201)).body.id;
    braintree = (await http().post('/csps').set('X-Actor', 'setup').send({ code: 'BRAINTREE', name: 'Braintree CSP' }).expect(201)).body.id;
    const ids = ctx.api.get(IdentityService);
    const user = async (key: string, email: string, roles: Array<[string, string]>) => {
      let u;
      for (const [role, csp] of roles) u = await ids.addUser({ email, displayName: key, role: role as never, cspCode: csp });
      tokens[key] = (await ids.issueToken(u!.id, 'test')).token;
      return u!;
    };
    await user('lead', 'lead@maldon.gov.uk', [['csp_lead', 'MALDON']]);
    await user('county', 'dhr.team@essex.gov.uk', [['csp_lead', 'MALDON'], ['csp_lead', 'BRAINTREE']]);
    await user('braintree', 'lead@braintree.gov.uk', [['csp_lead', 'BRAINTREE']]);
    const chairUser = await ids.addUser({ email: 'chair@reviews.example', displayName: 'Chair' });
    tokens.chair = (await ids.issueToken(chairUser.id, 'test')).token;
    casefile = new CaseFileApi(ctx.api, 'setup');
  });
  afterAll(() => ctx.close());

  async function openDecided() {
    const review = await ok(lead().post('/reviews', {
      cspId: maldon, dateOfDeath: '2026-01-03', notifiedOn: '2026-01-05', policeForce: 'Essex Police', policeReference: 'ESX/26/1107', circumstances: 'Death at home.',
    }));
    await ok(lead().post(`/reviews/${review.id}/events`, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-01-28' }));
    return review.id as string;
  }
  const history = async (id: string): Promise<Json[]> => ok(lead().get(`/reviews/${id}/history`));
  const review = async (id: string, who = 'lead'): Promise<Json> => ok(as(who).get(`/reviews/${id}`));
  const clockOf = (r: Json, kind: string) => r.clocks.find((c: Json) => c.kind === kind);

  it('corrects a decision’s date and rationale: on the record, the stage and clocks follow', async () => {
    const id = await openDecided();
    const before = await review(id);
    expect(clockOf(before, 'home_office_notification')).toMatchObject({ dueDate: '2026-02-28' });
    const decideSeq = (await history(id)).find((h) => h.type === 'DECIDE').sequence;

    const after = await ok(lead().post(`/reviews/${id}/corrections`, {
      reason: 'The minutes show the chair decided on 21 January, not 28.',
      event: { sequence: decideSeq, changes: { decidedAt: '2026-01-21', rationale: 'Criteria of s.9 met: intimate partner.' } },
    }));
    expect(after.lifecycle.decision).toMatchObject({ decidedAt: '2026-01-21', rationale: 'Criteria of s.9 met: intimate partner.' });
    expect(dayOf(after.lifecycle.stageHistory.find((s: Json) => s.stage === 'establishing').enteredAt)).toBe('2026-01-21');
    // One month from the decision for telling the Home Office: it moved with the correction.
    expect(clockOf(after, 'home_office_notification')).toMatchObject({ dueDate: '2026-02-21' });
    expect(clockOf(after, 'completion_target')).toMatchObject({ dueDate: '2026-07-21' });

    const entry = (await history(id)).at(-1);
    expect(entry).toMatchObject({
      type: 'CORRECTION',
      actor: 'lead@maldon.gov.uk',
      origin: 'correction',
      recordedAt: new Date(NOW).toISOString(),
      payload: {
        reason: 'The minutes show the chair decided on 21 January, not 28.',
        target: { sequence: decideSeq, type: 'DECIDE' },
        changes: [
          { field: 'decidedAt', from: '2026-01-28', to: '2026-01-21' },
          { field: 'rationale', from: 'Criteria met.', to: 'Criteria of s.9 met: intimate partner.' },
        ],
      },
    });
    // The original entry is kept as it was (the history is append-only).
    expect((await history(id)).find((h) => h.type === 'DECIDE').payload.decidedAt).toBe('2026-01-28');
  });

  it('corrects the notification: the date of death, the police reference and the date notified, and the decision clock moves', async () => {
    const review0 = await ok(lead().post('/reviews', {
      cspId: maldon, dateOfDeath: '2026-11-01', notifiedOn: '2026-11-20', policeForce: 'Essex Police', policeReference: 'ESX/26/9999', circumstances: 'Death at home.',
    }));
    expect(clockOf(review0, 'decision_due')).toMatchObject({ dueDate: '2026-12-20' });
    const after = await ok(lead().post(`/reviews/${review0.id}/corrections`, {
      reason: 'The police notice was dated 10 November; the reference was mistyped.',
      notification: { dateOfDeath: '2026-10-30', notifiedOn: '2026-11-10', policeReference: 'ESX/26/9919' },
    }));
    expect(after.notification).toMatchObject({ dateOfDeath: '2026-10-30', notifiedOn: '2026-11-10', policeReference: 'ESX/26/9919' });
    expect(clockOf(after, 'decision_due')).toMatchObject({ dueDate: '2026-12-10' });
    expect((await history(review0.id)).at(-1).payload.changes).toEqual([
      { field: 'dateOfDeath', from: '2026-11-01', to: '2026-10-30' },
      { field: 'notifiedOn', from: '2026-11-20', to: '2026-11-10' },
      { field: 'policeReference', from: 'ESX/26/9999', to: 'ESX/26/9919' },
    ]);
  });

  it('refuses a correction that breaks the chronology, one that changes nothing, and one of a case-file entry; stores nothing', async () => {
    const id = await openDecided();
    const { version } = await review(id);
    const decideSeq = (await history(id)).find((h) => h.type === 'DECIDE').sequence;
    const early = await lead().post(`/reviews/${id}/corrections`, { reason: 'x', event: { sequence: decideSeq, changes: { decidedAt: '2026-01-02' } } });
    expect(early.status).toBe(400);
    expect(early.body.message).toContain('the notification to the CSP (2026-01-05)');
    expect(early.body.message).toContain('2026-01-02');
    const lateNotice = await lead().post(`/reviews/${id}/corrections`, { reason: 'x', notification: { notifiedOn: '2026-02-01' } });
    expect(lateNotice.status).toBe(400);
    expect(lateNotice.body.chronology[0]).toMatchObject({ earlier: { kind: 'notification', date: '2026-02-01' }, later: { kind: 'decision', date: '2026-01-28' } });
    const same = await lead().post(`/reviews/${id}/corrections`, { reason: 'x', event: { sequence: decideSeq, changes: { decidedAt: '2026-01-28' } } });
    expect(same.status).toBe(400);
    expect(same.body.errors).toEqual([{ field: 'event.changes', message: 'changes nothing: every value is already as given' }]);
    const notLifecycle = await lead().post(`/reviews/${id}/corrections`, { reason: 'x', event: { sequence: 1, changes: { notifiedOn: '2026-01-04' } } });
    expect(notLifecycle.status).toBe(400);
    const future = await lead().post(`/reviews/${id}/corrections`, { reason: 'x', event: { sequence: decideSeq, changes: { decidedAt: '2027-01-01' } } });
    expect(future.body.errors).toEqual([{ field: 'event.changes.decidedAt', message: 'must not be in the future' }]);
    expect((await review(id)).version).toBe(version);
    expect((await history(id)).some((h) => h.type === 'CORRECTION')).toBe(false);
  });

  it('corrects a hold’s dates: the hold moves and the IMR clock’s shift follows', async () => {
    const id = await openDecided();
    await ok(lead().post(`/reviews/${id}/events`, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-29' }));
    await casefile.appointChair(id);
    const agency = await casefile.agency('Essex Police');
    await casefile.addPanelMember(id, agency);
    await ok(lead().post(`/reviews/${id}/events`, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' }));
    const imr = await casefile.commissionImr(id, agency, '2026-03-24');
    await ok(lead().post(`/reviews/${id}/events`, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial', occurredAt: '2026-03-01' }));
    await ok(lead().post(`/reviews/${id}/events`, { type: 'RESUME', occurredAt: '2026-03-15' }));
    const imrClock = (r: Json) => r.clocks.find((c: Json) => c.kind === 'imr_due' && c.subjectId === imr);
    expect(imrClock(await review(id))).toMatchObject({ heldDays: 14, dueDate: '2026-04-07' });
    const holdSeq = (await history(id)).find((h) => h.type === 'PLACE_ON_HOLD').sequence;
    const after = await ok(lead().post(`/reviews/${id}/corrections`, { reason: 'The trial began on 8 March.', event: { sequence: holdSeq, changes: { occurredAt: '2026-03-08' } } }));
    expect(dayOf(after.lifecycle.holds[0].startedAt)).toBe('2026-03-08');
    expect(imrClock(after)).toMatchObject({ heldDays: 7, dueDate: '2026-03-31' });
  });

  it('transfers a review to another CSP: only a lead of both may; the history says who, when and why; access moves', async () => {
    const id = await openDecided();
    // A Maldon lead who does not lead Braintree may not hand the review to it.
    const refused = await lead().post(`/reviews/${id}/transfer`, { toCspId: braintree, reason: 'Address is in Braintree' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/toCspId: only a CSP lead of Braintree CSP/);
    // Braintree's lead cannot reach the review before the transfer.
    expect((await as('braintree').get(`/reviews/${id}`)).status).toBe(404);
    // The county team leads both.
    const moved = await ok(as('county').post(`/reviews/${id}/transfer`, { toCspId: braintree, reason: 'The victim lived in Braintree.' }));
    expect(moved.cspId).toBe(braintree);
    expect((await as('braintree').get(`/reviews/${id}`)).status).toBe(200);
    expect((await lead().get(`/reviews/${id}`)).status).toBe(404);
    const entry = (await ok(as('braintree').get(`/reviews/${id}/history`))).at(-1);
    expect(entry).toMatchObject({
      type: 'REVIEW_TRANSFERRED',
      actor: 'dhr.team@essex.gov.uk',
      payload: { reason: 'The victim lived in Braintree.', from: { cspId: maldon, code: 'MALDON' }, to: { cspId: braintree, code: 'BRAINTREE' } },
    });
    // The same CSP, or none, is a 400 naming the field.
    const again = await as('county').post(`/reviews/${id}/transfer`, { toCspId: braintree, reason: 'x' });
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual([{ field: 'toCspId', message: 'is the CSP the review already belongs to' }]);
  });

  it('reopens a closed "no" review with a reason, after recording the Home Office’s agreement; both in the history, clocks follow', async () => {
    const r = await ok(lead().post('/reviews', {
      cspId: maldon, dateOfDeath: '2026-06-01', notifiedOn: '2026-06-03', policeForce: 'Essex Police', policeReference: 'ESX/26/0601', circumstances: 'Death at home.',
    }));
    const event = (body: Json) => ok(lead().post(`/reviews/${r.id}/events`, body));
    await event({ type: 'DECIDE', outcome: 'not_proceed', rationale: 'Not a domestic relationship.', decidedAt: '2026-06-20' });
    await event({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-06-22' });
    const agreed = await event({ type: 'RECORD_HOME_OFFICE_AGREEMENT', receivedAt: '2026-08-01', note: 'QA panel letter agreeing.' });
    expect(agreed.lifecycle.homeOfficeAgreement).toMatchObject({ receivedAt: '2026-08-01', note: 'QA panel letter agreeing.' });
    const closed = await event({ type: 'CLOSE', occurredAt: '2026-08-05' });
    expect(closed.status).toBe('closed');
    expect(closed.clocks.every((c: Json) => c.status !== 'open')).toBe(true);

    const reopened = await event({ type: 'REOPEN', reason: 'The inquest found the two were partners.', occurredAt: '2026-11-02' });
    expect(reopened.status).toBe('not_proceeding');
    expect(reopened.lifecycle.reopenings).toEqual([
      expect.objectContaining({ reason: 'The inquest found the two were partners.', toStage: 'not_proceeding', closure: expect.objectContaining({ fromStage: 'not_proceeding' }) }),
    ]);
    // A direction can now follow, and the review runs again with its clocks.
    const directed = await event({ type: 'DIRECT_REVIEW', directedAt: '2026-11-10', note: 'Secretary of State letter.' });
    expect(directed.status).toBe('establishing');
    expect(clockOf(directed, 'completion_target')).toMatchObject({ status: 'open', dueDate: '2027-05-10' });

    const h = await history(r.id);
    expect(h.find((e) => e.type === 'RECORD_HOME_OFFICE_AGREEMENT')).toMatchObject({ actor: 'lead@maldon.gov.uk', payload: { receivedAt: '2026-08-01' } });
    const reopen = h.find((e) => e.type === 'REOPEN');
    expect(reopen).toMatchObject({ actor: 'lead@maldon.gov.uk', fromStatus: 'closed', toStatus: 'not_proceeding', payload: { reason: 'The inquest found the two were partners.' } });
    expect(dayOf(reopen.occurredAt)).toBe('2026-11-02');
    // Reopening is before the closure it undoes: refused.
    await event({ type: 'WITHDRAW', reason: 'Duplicate', occurredAt: '2026-11-12' });
    const early = await lead().post(`/reviews/${r.id}/events`, { type: 'REOPEN', reason: 'x', occurredAt: '2026-11-11' });
    expect(early.status).toBe(400);
  });

  it('lets only the CSP lead correct or transfer: the chair of the review may not', async () => {
    const id = await openDecided();
    await request(ctx.api.getHttpServer()).post(`/reviews/${id}/members`).set('Authorization', `Bearer ${tokens.lead}`).send({ email: 'chair@reviews.example', role: 'chair' }).expect(201);
    const seq = (await history(id)).find((h) => h.type === 'DECIDE').sequence;
    expect((await as('chair').post(`/reviews/${id}/corrections`, { reason: 'x', event: { sequence: seq, changes: { decidedAt: '2026-01-20' } } })).status).toBe(403);
    expect((await as('chair').post(`/reviews/${id}/transfer`, { toCspId: braintree, reason: 'x' })).status).toBe(403);
  });
});
