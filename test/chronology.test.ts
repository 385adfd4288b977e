import fc from 'fast-check';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CHRONOLOGY_RULES, chronologyConflicts, FACT_KINDS } from '../src/reviews/chronology';
import { caseFileFacts, reviewDatedFacts } from '../src/reviews/chronology.query';
import { migrateSnapshot } from '../src/reviews/lifecycle';
import { Review } from '../src/reviews/review.entity';
import { CaseFileApi } from './support/casefile-api';
import { sendingCurrentVersion } from './support/if-match';
import { startTestApp, TestClock, type TestContext } from './support/test-app';
import { answerHomeOfficeChecklist } from './support/home-office';

/**
 * The chronology (src/reviews/chronology.ts) through the API: every rule refused with a 400 that
 * names both facts and both dates, nothing of a refused write stored, and a property test that
 * drives random events and case-file writes with random dates and finds no stored review that
 * breaks a rule.
 */
const NOW = '2026-12-04T12:00:00Z';
const DEATH = '2024-01-05';
const NOTIFIED = '2024-01-10';
const LEAD = 'csp.lead@maldon.gov.uk';

type Res = { status: number; body: any };

describe('one chronology for every dated fact (real PostgreSQL)', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let cspId: string;
  let agency: string;
  let casefile: CaseFileApi;

  const post = async (path: string, body: Record<string, unknown>): Promise<Res> => {
    const http = () => request(ctx.api.getHttpServer());
    const res = await sendingCurrentVersion(http().post(path).set('X-Actor', LEAD), http, path).send(body);
    if (res.status >= 500) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const ok = async (path: string, body: Record<string, unknown>) => {
    const res = await post(path, body);
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const ev = (id: string, body: Record<string, unknown>) => post(`/reviews/${id}/events`, body);
  const okEv = (id: string, body: Record<string, unknown>) => ok(`/reviews/${id}/events`, body);
  const version = async (id: string) => (await request(ctx.api.getHttpServer()).get(`/reviews/${id}`).set('X-Actor', LEAD).expect(200)).body.version as number;

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    casefile = new CaseFileApi(ctx.api, LEAD);
    cspId = (await request(ctx.api.getHttpServer()).post('/csps').set('X-Actor', 'admin').send({ code: 'CHRONO', name: 'Chronology CSP' }).expect(201)).body.id;
    agency = await casefile.agency('Essex Police');
  });
  afterAll(() => ctx.close());

  // Building blocks: a review told in order, from the notification (10 January 2024).
  const openBody = (over: Record<string, unknown> = {}) => ({
    cspId,
    dateOfDeath: DEATH,
    notifiedOn: NOTIFIED,
    policeForce: 'Essex Police',
    policeReference: 'ESX/24/0001',
    circumstances: 'Death at home.',
    ...over,
  });
  const open = async () => (await ok('/reviews', openBody())).id as string;
  const decide = (id: string, decidedAt = '2024-01-20', outcome = 'proceed') => okEv(id, { type: 'DECIDE', outcome, rationale: 'Criteria met', decidedAt });
  const tell = (id: string, sentAt = '2024-01-22') => okEv(id, { type: 'NOTIFY_HOME_OFFICE', sentAt });
  const chair = async (id: string, appointedOn = '2024-01-25') =>
    (await ok(`/reviews/${id}/appointments`, { role: 'chair', name: 'Independent Chair', organisation: 'Reviews Ltd', appointedOn, independenceStatement: 'No involvement.' })).id as string;
  const panel = async (id: string, joinedOn = '2024-01-26') =>
    (await ok(`/reviews/${id}/panel-members`, { name: 'Panel Member', agencyId: agency, role: 'Senior representative', joinedOn, noDirectCaseManagementDeclared: true })).id as string;
  const established = async (id: string) => {
    await decide(id);
    await tell(id);
    await chair(id);
    await panel(id);
  };
  const gathering = async (id: string) => {
    await established(id);
    await okEv(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2024-02-01' });
  };
  const imr = async (id: string, requestedOn = '2024-02-05') =>
    (await ok(`/reviews/${id}/imrs`, { agencyId: agency, kind: 'imr', authorName: 'IMR Author', requestedOn, dueOn: '2024-03-05' })).id as string;
  const receive = (id: string, imrId: string, receivedOn = '2024-03-01') => post(`/reviews/${id}/imrs/${imrId}/receipt`, { receivedOn });
  const meeting = async (id: string, startsAt = '2024-03-10T10:00:00Z', imrIds: string[] = []) => {
    const m = await ok(`/reviews/${id}/meetings`, { startsAt, location: 'Council Offices', agenda: 'IMRs' });
    await ok(`/reviews/${id}/meetings/${m.id}/held`, { minutes: 'Considered.', decisions: 'Draft.', imrIds });
    return m.id as string;
  };
  const drafting = async (id: string) => {
    await gathering(id);
    const i = await imr(id);
    await receive(id, i);
    await meeting(id, '2024-03-10T10:00:00Z', [i]);
    await okEv(id, { type: 'BEGIN_DRAFTING', occurredAt: '2024-03-15' });
    return i;
  };
  const agreed = async (id: string) => {
    await drafting(id);
    await casefile.uploadDraft(id, 'overview_report');
    await casefile.uploadDraft(id, 'executive_summary');
    await casefile.recommendation(id);
    await casefile.familyEngagement(id, 'draft_offered', '2024-04-01');
    await okEv(id, { type: 'AGREE_REPORT', occurredAt: '2024-04-10' });
  };
  const approved = async (id: string) => {
    await agreed(id);
    await okEv(id, { type: 'RAG_APPROVE', approvedAt: '2024-05-01' });
    await answerHomeOfficeChecklist(ctx.api, id, LEAD);
  };
  const submitted = async (id: string) => {
    await approved(id);
    await okEv(id, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2024-05-05' });
  };
  const qaApproved = async (id: string) => {
    await submitted(id);
    await okEv(id, { type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: '2024-06-01' });
    await casefile.confirmAnonymisation(id);
    await casefile.familyEngagement(id, 'told_of_publication', '2024-06-10');
  };
  const refusedNo = async (id: string) => {
    await decide(id, '2024-01-20', 'not_proceed');
  };

  /** For each rule: builds a review, then makes the one write that breaks it. */
  const CASES: Record<string, () => Promise<{ id: string | null; act: () => Promise<Res> }>> = {
    'death>notification': async () => ({ id: null, act: () => post('/reviews', openBody({ notifiedOn: '2024-01-01' })) }),
    'notification>decision': async () => {
      const id = await open();
      return { id, act: () => ev(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'x', decidedAt: '2024-01-08' }) };
    },
    'decision>homeOfficeTold': async () => {
      const id = await open();
      await decide(id);
      return { id, act: () => ev(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2024-01-15' }) };
    },
    'notification>refusal': async () => {
      const id = await open();
      return { id, act: () => ev(id, { type: 'DECIDE', outcome: 'not_proceed', rationale: 'x', decidedAt: '2024-01-08' }) };
    },
    'refusal>refusalToldHomeOffice': async () => {
      const id = await open();
      await refusedNo(id);
      return { id, act: () => ev(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2024-01-15' }) };
    },
    'refusal>direction': async () => {
      const id = await open();
      await refusedNo(id);
      await tell(id, '2024-01-22');
      return { id, act: () => ev(id, { type: 'DIRECT_REVIEW', directedAt: '2024-01-18' }) };
    },
    'refusalToldHomeOffice>direction': async () => {
      const id = await open();
      await refusedNo(id);
      await tell(id, '2024-01-25');
      return { id, act: () => ev(id, { type: 'DIRECT_REVIEW', directedAt: '2024-01-22' }) };
    },
    'homeOfficeTold>homeOfficeAgreement': async () => {
      const id = await open();
      await refusedNo(id);
      await tell(id, '2024-01-25');
      return { id, act: () => ev(id, { type: 'RECORD_HOME_OFFICE_AGREEMENT', receivedAt: '2024-01-23' }) };
    },
    'notification>appointment': async () => {
      const id = await open();
      return { id, act: () => post(`/reviews/${id}/appointments`, { role: 'chair', name: 'C', organisation: 'O', appointedOn: '2024-01-05', independenceStatement: 'None.' }) };
    },
    'appointment>appointmentEnded': async () => {
      const id = await open();
      const a = await chair(id, '2024-01-25');
      return { id, act: () => post(`/reviews/${id}/appointments/${a}/end`, { endedOn: '2024-01-24' }) };
    },
    'decision>termsOfReference': async () => {
      const id = await open();
      await decide(id, '2024-01-20');
      await tell(id);
      await chair(id, '2024-01-12');
      await panel(id, '2024-01-12');
      return { id, act: () => ev(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2024-01-15' }) };
    },
    'chairAppointed>termsOfReference': async () => {
      const id = await open();
      await established(id);
      return { id, act: () => ev(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2024-01-23' }) };
    },
    'notification>panelMemberJoined': async () => {
      const id = await open();
      return { id, act: () => post(`/reviews/${id}/panel-members`, { name: 'P', agencyId: agency, role: 'R', joinedOn: '2024-01-02', noDirectCaseManagementDeclared: true }) };
    },
    'panelMemberJoined>panelMemberLeft': async () => {
      const id = await open();
      const m = await panel(id, '2024-01-26');
      return { id, act: () => post(`/reviews/${id}/panel-members/${m}/leave`, { leftOn: '2024-01-20' }) };
    },
    'notification>scopingResponse': async () => {
      const id = await open();
      return { id, act: () => post(`/reviews/${id}/scoping-responses`, { agencyId: agency, hadContact: true, respondedOn: '2024-01-02' }) };
    },
    'notification>recordsSecured': async () => {
      const id = await open();
      return { id, act: () => post(`/reviews/${id}/records-secured`, { agencyId: agency, confirmedOn: '2024-01-02', confirmedBy: 'Records manager' }) };
    },
    'notification>familyContact': async () => {
      const id = await open();
      return { id, act: () => post(`/reviews/${id}/family-engagements`, { kind: 'contact_attempt', occurredOn: '2024-01-02' }) };
    },
    'notification>imrRequested': async () => {
      const id = await open();
      await gathering(id);
      return { id, act: () => post(`/reviews/${id}/imrs`, { agencyId: agency, kind: 'imr', authorName: 'A', requestedOn: '2024-01-02', dueOn: '2024-03-05' }) };
    },
    'imrRequested>imrExtended': async () => {
      const id = await open();
      await gathering(id);
      const i = await imr(id, '2024-02-05');
      return { id, act: () => post(`/reviews/${id}/imrs/${i}/extensions`, { newDueOn: '2024-04-01', reason: 'Leave', grantedOn: '2024-02-01' }) };
    },
    'imrRequested>imrReceived': async () => {
      const id = await open();
      await gathering(id);
      const i = await imr(id, '2024-02-05');
      return { id, act: () => receive(id, i, '2024-02-01') };
    },
    'imrReceived>imrQualityChecked': async () => {
      const id = await open();
      await gathering(id);
      const i = await imr(id);
      await receive(id, i, '2024-03-01');
      return { id, act: () => post(`/reviews/${id}/imrs/${i}/quality-check`, { checkedOn: '2024-02-20' }) };
    },
    'imrQualityChecked>imrSignedOff': async () => {
      const id = await open();
      await gathering(id);
      const i = await imr(id);
      await receive(id, i, '2024-03-01');
      await ok(`/reviews/${id}/imrs/${i}/quality-check`, { checkedOn: '2024-03-10' });
      return { id, act: () => post(`/reviews/${id}/imrs/${i}/sign-off`, { signedOffBy: 'Head of Safeguarding', signedOffOn: '2024-03-05' }) };
    },
    'imrReceived>imrSignedOff': async () => {
      const id = await open();
      await gathering(id);
      const i = await imr(id);
      await receive(id, i, '2024-03-01');
      return { id, act: () => post(`/reviews/${id}/imrs/${i}/sign-off`, { signedOffBy: 'Head of Safeguarding', signedOffOn: '2024-02-25' }) };
    },
    'notification>meetingStarts': async () => {
      const id = await open();
      return { id, act: () => post(`/reviews/${id}/meetings`, { startsAt: '2024-01-02T10:00:00Z', location: 'Offices', agenda: 'First meeting' }) };
    },
    'lastImrReceived>draftingBegun': async () => {
      const id = await open();
      await gathering(id);
      const i = await imr(id);
      await receive(id, i, '2024-03-01');
      await meeting(id, '2024-03-10T10:00:00Z', [i]);
      return { id, act: () => ev(id, { type: 'BEGIN_DRAFTING', occurredAt: '2024-02-20' }) };
    },
    'draftingBegun>panelAgreedReport': async () => {
      const id = await open();
      await drafting(id);
      await casefile.uploadDraft(id, 'overview_report');
      await casefile.uploadDraft(id, 'executive_summary');
      await casefile.recommendation(id);
      await casefile.familyEngagement(id, 'draft_offered', '2024-04-01');
      return { id, act: () => ev(id, { type: 'AGREE_REPORT', occurredAt: '2024-03-12' }) };
    },
    'panelAgreedReport>boardApproval': async () => {
      const id = await open();
      await agreed(id);
      return { id, act: () => ev(id, { type: 'RAG_APPROVE', approvedAt: '2024-04-05' }) };
    },
    'boardApproval>submission': async () => {
      const id = await open();
      await approved(id);
      return { id, act: () => ev(id, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2024-04-20' }) };
    },
    'submission>qaLetter': async () => {
      const id = await open();
      await submitted(id);
      return { id, act: () => ev(id, { type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: '2024-05-02' }) };
    },
    'qaApproval>publication': async () => {
      const id = await open();
      await qaApproved(id);
      return { id, act: () => ev(id, { type: 'PUBLISH', publishedAt: '2024-05-20', url: 'https://example.org/dhr' }) };
    },
    'notification>actionCompleted': async () => {
      const id = await open();
      await gathering(id);
      const rec = await casefile.recommendation(id);
      const action = await casefile.action(id, rec);
      return { id, act: () => post(`/reviews/${id}/recommendations/${rec}/actions/${action}/complete`, { completedOn: '2024-01-02', evidence: 'Done' }) };
    },
    'previousStageEntered>stageEntered': async () => {
      const id = await open();
      await decide(id, '2024-01-20');
      return { id, act: () => ev(id, { type: 'WITHDRAW', reason: 'Duplicate', occurredAt: '2024-01-15' }) };
    },
    'notification>holdStarted': async () => {
      const id = await open();
      return { id, act: () => ev(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial', occurredAt: '2024-01-02' }) };
    },
    'holdStarted>holdExpectedEnd': async () => {
      const id = await open();
      return { id, act: () => ev(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial', occurredAt: '2024-02-01', expectedEnd: '2024-01-25' }) };
    },
    'holdStarted>holdEnded': async () => {
      const id = await open();
      await okEv(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial', occurredAt: '2024-02-01' });
      return { id, act: () => ev(id, { type: 'RESUME', occurredAt: '2024-01-25' }) };
    },
    'previousHoldEnded>holdStarted': async () => {
      const id = await open();
      await okEv(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial', occurredAt: '2024-02-01' });
      await okEv(id, { type: 'RESUME', occurredAt: '2024-03-01' });
      return { id, act: () => ev(id, { type: 'PLACE_ON_HOLD', reason: 'inquest', detail: 'Inquest', occurredAt: '2024-02-15' }) };
    },
  };

  it('has a case below for every rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(CHRONOLOGY_RULES.map((r) => `${r.earlier}>${r.later}`).sort());
  });

  it.each(CHRONOLOGY_RULES.map((r) => [`${FACT_KINDS[r.later].label} before ${FACT_KINDS[r.earlier].label}`, r]))(
    'refuses %s with a 400 naming both facts and dates, storing nothing',
    async (_name, rule) => {
      const build = CASES[`${rule.earlier}>${rule.later}`]!;
      const { id, act } = await build();
      const before = id ? await version(id) : null;
      const res = await act();
      expect(res.status).toBe(400);
      // `errors` names the field the write gave (a date it sent, or the record whose date it is).
      expect(res.body.errors.length).toBeGreaterThan(0);
      for (const e of res.body.errors) expect(e.field).toMatch(/^[A-Za-z][\w.[\]]*$/);
      const conflict = (res.body.chronology as any[]).find((c) => c.earlier.kind === rule.earlier && c.later.kind === rule.later);
      expect(conflict).toBeDefined();
      expect(conflict.later.date < conflict.earlier.date).toBe(true);
      for (const side of [conflict.earlier, conflict.later]) {
        expect(res.body.message).toContain(side.fact);
        expect(res.body.message).toContain(side.date);
      }
      if (id) {
        // Nothing of it stored: the review's version (bumped by every write) did not move, and
        // its stored facts still keep the chronology.
        expect(await version(id)).toBe(before);
        expect(await conflictsOf(id)).toEqual([]);
      }
    },
  );

  it('refuses what was accepted before: each case the outside review found', async () => {
    // A decision dated before the notification and before the death.
    let id = await open();
    let res = await ev(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'x', decidedAt: '2024-01-01' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('the notification to the CSP (2024-01-10)');
    // A board approval before the panel agreed the report; then a submission before the approval.
    id = await open();
    await agreed(id);
    expect((await ev(id, { type: 'RAG_APPROVE', approvedAt: '2024-04-01' })).status).toBe(400);
    await okEv(id, { type: 'RAG_APPROVE', approvedAt: '2024-05-01' });
    expect((await ev(id, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2024-04-30' })).status).toBe(400);
    // Terms of reference agreed a year before the notification.
    id = await open();
    await established(id);
    res = await ev(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2023-01-10' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('the decision whether to hold a review (2024-01-20)');
    // An IMR signed off before it was received.
    id = await open();
    await gathering(id);
    const i = await imr(id);
    await receive(id, i, '2024-03-01');
    expect((await post(`/reviews/${id}/imrs/${i}/sign-off`, { signedOffBy: 'Head', signedOffOn: '2024-02-28' })).status).toBe(400);
    // A direction dated before the "no" and before the Home Office was told of it.
    id = await open();
    await refusedNo(id);
    await tell(id, '2024-01-25');
    res = await ev(id, { type: 'DIRECT_REVIEW', directedAt: '2024-01-15' });
    expect(res.status).toBe(400);
    expect(res.body.chronology.map((c: any) => c.earlier.kind)).toEqual(expect.arrayContaining(['refusal', 'refusalToldHomeOffice']));
    // A meeting in year 0000.
    res = await post(`/reviews/${id}/meetings`, { startsAt: '0000-03-10T10:00:00Z', location: 'Offices', agenda: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'startsAt', message: 'must be a date from 1900 on' }]);
  });

  async function conflictsOf(id: string) {
    const db = ctx.api.get(DataSource);
    const review = await db.manager.findOneByOrFail(Review, { id });
    const context = migrateSnapshot(review.snapshot, review.machineVersion).context;
    return chronologyConflicts(reviewDatedFacts(review, context, await caseFileFacts(db.manager, id)));
  }

  it('property: random events and case-file writes with random dates never leave a stored review out of order', async () => {
    const day = (offset: number) => new Date(Date.parse(`${NOTIFIED}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
    const OPS = [
      'DECIDE_YES', 'DECIDE_NO', 'NOTIFY_HOME_OFFICE', 'DIRECT_REVIEW', 'RECORD_HOME_OFFICE_AGREEMENT', 'chair', 'panel',
      'AGREE_TERMS_OF_REFERENCE', 'imr', 'receive', 'qualityCheck', 'signOff', 'extend', 'meeting', 'family',
      'BEGIN_DRAFTING', 'AGREE_REPORT', 'RAG_APPROVE', 'RAG_RETURN', 'SUBMIT_TO_HOME_OFFICE', 'QA_APPROVED', 'QA_RESUBMIT',
      'PLACE_ON_HOLD', 'RESUME', 'WITHDRAW', 'REOPEN', 'CLOSE', 'completeAction',
    ] as const;
    const op = fc.record({ kind: fc.constantFrom(...OPS), offset: fc.integer({ min: -15, max: 400 }), extra: fc.integer({ min: -30, max: 90 }) });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        runs += 1;
        const id = await open();
        await casefile.uploadDraft(id, 'overview_report');
        await casefile.uploadDraft(id, 'executive_summary');
        const rec = await casefile.recommendation(id);
        const action = await casefile.action(id, rec);
        const imrs: string[] = [];
        for (const { kind, offset, extra } of ops) {
          const on = day(offset);
          const last = imrs[imrs.length - 1];
          switch (kind) {
            case 'DECIDE_YES': await ev(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'x', decidedAt: on }); break;
            case 'DECIDE_NO': await ev(id, { type: 'DECIDE', outcome: 'not_proceed', rationale: 'x', decidedAt: on }); break;
            case 'NOTIFY_HOME_OFFICE': await ev(id, { type: kind, sentAt: on }); break;
            case 'DIRECT_REVIEW': await ev(id, { type: kind, directedAt: on }); break;
            case 'RECORD_HOME_OFFICE_AGREEMENT': await ev(id, { type: kind, receivedAt: on }); break;
            case 'chair': await post(`/reviews/${id}/appointments`, { role: 'chair', name: `Chair ${offset}`, organisation: 'O', appointedOn: on, independenceStatement: 'None.' }); break;
            case 'panel': await post(`/reviews/${id}/panel-members`, { name: `Member ${offset}`, agencyId: agency, role: 'R', joinedOn: on, noDirectCaseManagementDeclared: true }); break;
            case 'AGREE_TERMS_OF_REFERENCE': await ev(id, { type: kind, agreedAt: on }); break;
            case 'imr': {
              const res = await post(`/reviews/${id}/imrs`, { agencyId: agency, kind: 'short_report', authorName: 'A', requestedOn: on, dueOn: day(offset + 30) });
              if (res.status === 201) imrs.push(res.body.id);
              break;
            }
            case 'receive': if (last) await receive(id, last, on); break;
            case 'qualityCheck': if (last) await post(`/reviews/${id}/imrs/${last}/quality-check`, { checkedOn: on }); break;
            case 'signOff': if (last) await post(`/reviews/${id}/imrs/${last}/sign-off`, { signedOffBy: 'Head', signedOffOn: on }); break;
            case 'extend': if (last) await post(`/reviews/${id}/imrs/${last}/extensions`, { newDueOn: day(offset + 60), reason: 'Leave', grantedOn: on }); break;
            case 'meeting': {
              const res = await post(`/reviews/${id}/meetings`, { startsAt: `${on}T10:00:00Z`, location: 'Offices', agenda: 'IMRs' });
              if (res.status === 201) await post(`/reviews/${id}/meetings/${res.body.id}/held`, { minutes: 'm', decisions: 'd', imrIds: imrs.slice(-1) });
              break;
            }
            case 'family': await post(`/reviews/${id}/family-engagements`, { kind: 'draft_offered', occurredOn: on }); break;
            case 'BEGIN_DRAFTING': case 'AGREE_REPORT': case 'CLOSE':
              await ev(id, { type: kind, occurredAt: on }); break;
            case 'RAG_APPROVE': await ev(id, { type: kind, approvedAt: on }); break;
            case 'RAG_RETURN': await ev(id, { type: kind, comments: 'More', occurredAt: on }); break;
            case 'SUBMIT_TO_HOME_OFFICE': await answerHomeOfficeChecklist(ctx.api, id, LEAD); await ev(id, { type: kind, submittedAt: on }); break;
            case 'QA_APPROVED': await ev(id, { type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: on }); break;
            case 'QA_RESUBMIT': await ev(id, { type: 'RECORD_QA_OUTCOME', outcome: 'resubmit', letterDate: on }); break;
            case 'PLACE_ON_HOLD': await ev(id, { type: kind, reason: 'other', detail: 'd', occurredAt: on, expectedEnd: day(offset + extra) }); break;
            case 'RESUME': await ev(id, { type: kind, occurredAt: on }); break;
            case 'WITHDRAW': await ev(id, { type: kind, reason: 'r', occurredAt: on }); break;
            case 'REOPEN': await ev(id, { type: kind, reason: 'New information', occurredAt: on }); break;
            case 'completeAction': await post(`/reviews/${id}/recommendations/${rec}/actions/${action}/complete`, { completedOn: on, evidence: 'e' }); break;
          }
        }
        expect(await conflictsOf(id)).toEqual([]);
      }),
      { numRuns: 25, seed: Number(process.env.CHRONOLOGY_SEED ?? 20261204), endOnFailure: true },
    );
    expect(runs).toBe(25);
  }, 240_000); // 25 random histories: minutes on a loaded 2-core machine, not a speed goal

  it('does not freeze a review stored out of order before a rule existed: only conflicts a write brings in are refused', async () => {
    const id = await open();
    await decide(id, '2024-01-20');
    // As if stored before the rule: the notification after the decision.
    await ctx.api.get(DataSource).query(`UPDATE reviews SET notified_on = '2024-01-25' WHERE id = $1`, [id]);
    expect((await conflictsOf(id)).map((c) => [c.earlier.kind, c.later.kind])).toEqual([['notification', 'decision']]);
    // Writes that bring nothing new out of order go through, lifecycle and case file alike.
    await tell(id, '2024-01-26');
    await panel(id, '2024-01-27');
    // One that does is still refused, naming only its own conflict.
    const res = await post(`/reviews/${id}/appointments`, { role: 'chair', name: 'C', organisation: 'O', appointedOn: '2024-01-22', independenceStatement: 'None.' });
    expect(res.status).toBe(400);
    expect(res.body.chronology.map((c: any) => [c.earlier.kind, c.later.kind])).toEqual([['notification', 'appointment']]);
  });

  it('would catch a stored review out of order (the property can fail)', async () => {
    const id = await open();
    await decide(id, '2024-01-20');
    // Written behind the service's back: the checker must see it.
    await ctx.api.get(DataSource).query(`UPDATE reviews SET notified_on = '2024-02-01' WHERE id = $1`, [id]);
    expect((await conflictsOf(id)).map((c) => [c.earlier.kind, c.later.kind])).toEqual([['notification', 'decision']]);
  });
});
