import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { reviewAtSignOff } from './support/scenarios';
import { startTestApp, TestContext } from './support/test-app';

/**
 * README, "The history": `GET /reviews/:id/history` shows each caller only the entries about
 * records they may read; proceedings and the action plan only to those who may read them.
 * The policy table says who that is:
 * - proceedings (`proceedings.read`): the CSP lead, the chair and the report writer; not a
 *   panel member, an IMR author or the RAG (even at sign-off);
 * - the action plan (`actions.read`): the CSP lead, the chair, the report writer, a panel
 *   member and the RAG at sign-off; not an IMR author.
 * Each caller is a real user with a bearer token, holding the role on this review (or for its CSP).
 */
type Entry = { sequence: number; type: string; actor: string; payload: Record<string, unknown> | null };
type Who = 'lead' | 'chair' | 'writer' | 'panel' | 'author' | 'rag';

const PROCEEDINGS_TYPES = ['PROCEEDINGS_RECORDED', 'PROCEEDINGS_CORRECTED', 'PROCEEDINGS_STATUS_CHANGED'];
const ACTION_TYPES = ['ACTION_ADDED', 'ACTION_UPDATED', 'ACTION_COMPLETED'];
const isProceedings = (e: Entry) => e.type.startsWith('PROCEEDINGS_');
const isAction = (e: Entry) => e.type.startsWith('ACTION_');

const SEES_PROCEEDINGS: Record<Who, boolean> = { lead: true, chair: true, writer: true, panel: false, author: false, rag: false };
const SEES_ACTIONS: Record<Who, boolean> = { lead: true, chair: true, writer: true, panel: true, author: false, rag: true };
const EVERYONE = Object.keys(SEES_PROCEEDINGS) as Who[];

describe('the history served by the API hides proceedings and action-plan entries by role', () => {
  let ctx: TestContext;
  let reviewId: string;
  let proceedingId: string;
  let actionId: string;
  const auth = {} as Record<Who, string>;

  const historyOf = async (who: Who): Promise<Entry[]> =>
    (await request(ctx.api.getHttpServer()).get(`/reviews/${reviewId}/history`).set('Authorization', auth[who]).expect(200)).body;

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const http = () => request(ctx.api.getHttpServer());
    const LEAD = 'setup.lead@test.invalid';
    const lead = reviewApi(ctx.api, LEAD);
    const setup = new CaseFileApi(ctx.api, LEAD);
    const csp = await lead.createCsp('HISTVIS');
    const police = await setup.agency('Police', 'police');
    const health = await setup.agency('Health Trust', 'health');
    // At RAG sign-off, so that the RAG reads the review (and, by the table, its action plan).
    const review = await reviewAtSignOff(ctx.api, csp.id, [police, health]);
    reviewId = review.id;

    // Criminal proceedings: recorded, corrected, concluded (three history entries).
    proceedingId = await setup.criminalProceedings(reviewId, 'active');
    await lead.versioned().patch(`/reviews/${reviewId}/proceedings/${proceedingId}`).set('X-Actor', LEAD).send({ description: 'Murder trial, Chelmsford Crown Court' }).expect(200);
    await setup.concludeProceedings(reviewId, proceedingId, '2026-06-10');

    // The action plan: an action added, progressed, completed (three history entries).
    const recommendations = (await http().get(`/reviews/${reviewId}/recommendations`).set('X-Actor', LEAD).expect(200)).body as Array<{ id: string }>;
    expect(recommendations).toHaveLength(1);
    const recommendationId = recommendations[0].id;
    actionId = await setup.action(reviewId, recommendationId);
    await lead
      .versioned()
      .patch(`/reviews/${reviewId}/recommendations/${recommendationId}/actions/${actionId}`)
      .set('X-Actor', LEAD)
      .send({ status: 'in_progress' })
      .expect(200);
    await setup.completeAction(reviewId, recommendationId, actionId);

    // Real users: the CSP roles for the review's CSP, the review roles as members of this review.
    const identities = ctx.api.get(IdentityService);
    const cspUsers: Array<[Who, 'csp_lead' | 'rag_member']> = [
      ['lead', 'csp_lead'],
      ['rag', 'rag_member'],
    ];
    for (const [who, role] of cspUsers) {
      const user = await identities.addUser({ email: `${who}@test.invalid`, displayName: who, role, cspCode: 'HISTVIS' });
      auth[who] = `Bearer ${(await identities.issueToken(user.id, 'history')).token}`;
    }
    const members: Array<[Who, string, string | undefined]> = [
      ['chair', 'chair', undefined],
      ['writer', 'report_writer', undefined],
      ['panel', 'panel_member', police],
      ['author', 'imr_author', health],
    ];
    for (const [who, role, agencyId] of members) {
      const user = await identities.addUser({ email: `${who}@test.invalid`, displayName: who });
      auth[who] = `Bearer ${(await identities.issueToken(user.id, 'history')).token}`;
      await http().post(`/reviews/${reviewId}/members`).set('X-Actor', 'setup').send({ email: user.email, role, agencyId }).expect(201);
    }
  }, 120_000);
  afterAll(() => ctx.close());

  it('the CSP lead sees every proceedings and action-plan entry, in order, with their payloads', async () => {
    const all = await historyOf('lead');
    expect(all.filter(isProceedings).map((e) => e.type)).toEqual(PROCEEDINGS_TYPES);
    expect(all.filter(isAction).map((e) => e.type)).toEqual(ACTION_TYPES);
    expect(all.filter(isProceedings).every((e) => e.payload?.proceedingId === proceedingId)).toBe(true);
    expect(all.filter(isAction).every((e) => e.payload?.actionId === actionId)).toBe(true);
  });

  it.each(EVERYONE)('%s: proceedings entries shown or hidden as the README says', async (who) => {
    const lead = (await historyOf('lead')).filter(isProceedings);
    const history = await historyOf(who);
    // Everyone who reads the review still gets its history, with the review's own stages.
    expect(history.some((e) => e.type === 'AGREE_REPORT')).toBe(true);
    if (SEES_PROCEEDINGS[who]) {
      expect(history.filter(isProceedings)).toEqual(lead);
    } else {
      expect(history.filter(isProceedings)).toEqual([]);
      // Nothing else in the answer names the proceeding either.
      expect(JSON.stringify(history)).not.toContain(proceedingId);
    }
  });

  it.each(EVERYONE)('%s: action-plan entries shown or hidden as the README says', async (who) => {
    const lead = (await historyOf('lead')).filter(isAction);
    const history = await historyOf(who);
    expect(history.some((e) => e.type === 'AGREE_REPORT')).toBe(true);
    if (SEES_ACTIONS[who]) {
      expect(history.filter(isAction)).toEqual(lead);
    } else {
      expect(history.filter(isAction)).toEqual([]);
      expect(JSON.stringify(history)).not.toContain(actionId);
    }
  });

  it('the chair gets exactly the CSP lead’s history; the review page’s history follows the same rule', async () => {
    expect(await historyOf('chair')).toEqual(await historyOf('lead'));
    // The page's filtered lists (README: `?history=family|recommendations`), each short enough for one page.
    const page = async (who: Who, kind: string) =>
      (await request(ctx.api.getHttpServer()).get(`/cases/${reviewId}?history=${kind}`).set('Authorization', auth[who]).expect(200)).text;
    for (const who of EVERYONE) {
      const proceedings = await page(who, 'family');
      expect([who, proceedings.includes('Parallel proceedings recorded'), proceedings.includes('Parallel proceedings status changed')]).toEqual([
        who,
        SEES_PROCEEDINGS[who],
        SEES_PROCEEDINGS[who],
      ]);
      const actions = await page(who, 'recommendations');
      expect([who, actions.includes('Action added to the action plan'), actions.includes('Action completed')]).toEqual([who, SEES_ACTIONS[who], SEES_ACTIONS[who]]);
    }
  });
});
