import { CaseFileSql } from './support/casefile-sql';
import { sendingCurrentVersion } from './support/if-match';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';
import { answerHomeOfficeChecklist } from './support/home-office';

const LEAD = 'csp.lead@maldon.gov.uk';
const CHAIR = 'independent.chair@example.org';
const RAG = 'rag.member@maldon.gov.uk';
const NOBODY = '00000000-0000-4000-8000-000000000000';
const PAST = '2026-04-01T10:00:00+01:00';
const FUTURE = '2099-01-01T10:00:00Z';

type Json = Record<string, unknown>;

describe('panel meetings, family involvement, proceedings and publication over HTTP (real PostgreSQL)', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let sql: CaseFileSql;
  let cspId: string;
  let agencyId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    api = reviewApi(ctx.api, LEAD);
    sql = new CaseFileSql(ctx.database.url);
    cspId = (await api.createCsp('BRAINTREE')).id;
    agencyId = (await api.http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Essex Police', kind: 'police' }).expect(201)).body.id;
  });
  afterAll(() => ctx.close());

  const post = (path: string, body: Json, ifMatch?: string, actor = CHAIR) => {
    const req = api.http().post(path).set('X-Actor', actor);
    return (ifMatch ? req.set('If-Match', ifMatch) : sendingCurrentVersion(req, api.http, path)).send(body);
  };
  const patch = (path: string, body: Json, ifMatch?: string, actor = CHAIR) => {
    const req = api.http().patch(path).set('X-Actor', actor);
    return (ifMatch ? req.set('If-Match', ifMatch) : sendingCurrentVersion(req, api.http, path)).send(body);
  };
  const put = (path: string, body: Json, ifMatch?: string, actor = LEAD) => {
    const req = api.http().put(path).set('X-Actor', actor);
    return (ifMatch ? req.set('If-Match', ifMatch) : sendingCurrentVersion(req, api.http, path)).send(body);
  };
  const get = async (path: string) => (await api.http().get(path).expect(200)).body;

  const commissionImr = async (reviewId: string) =>
    (
      await post(`/reviews/${reviewId}/imrs`, { agencyId, kind: 'imr', requestedOn: '2026-03-01', dueOn: '2026-04-12' }).expect(201)
    ).body as { id: string };
  const schedule = async (reviewId: string, body: Json = {}) =>
    (await post(`/reviews/${reviewId}/meetings`, { startsAt: PAST, location: 'Braintree Council Chamber', ...body }).expect(201))
      .body as { id: string; version: number };

  const count = async (table: string, reviewId: string) =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE review_id = $1`, [reviewId]))[0].n;
  const counts = async (reviewId: string) => ({
    meetings: await count('panel_meetings', reviewId),
    links: await count('panel_meeting_imrs', reviewId),
    family: await count('family_engagements', reviewId),
    proceedings: await count('proceedings', reviewId),
    publications: await count('publications', reviewId),
    history: await count('review_events', reviewId),
  });
  const historySince = async (reviewId: string, from: number) => (await api.history(reviewId)).slice(from);

  describe('panel meetings', () => {
    it('schedules, reschedules, records attendance and IMRs, then holds a meeting: history and facts follow at once', async () => {
      const { id } = await api.openReview(cspId);
      const imr = await commissionImr(id);
      const scheduled = await schedule(id, { startsAt: '2026-03-25T10:00:00Z', agenda: '1. Terms of reference\n2. IMRs' });
      expect(scheduled).toMatchObject({ status: 'scheduled', startsAt: '2026-03-25T10:00:00.000Z', imrIds: [], attendance: [], version: 1 });

      const updated = (
        await patch(
          `/reviews/${id}/meetings/${scheduled.id}`,
          {
            startsAt: PAST,
            onlineLink: 'https://teams.example.org/meet/123',
            papersCirculatedOn: '2026-03-24',
            attendance: [
              { name: 'DI Jane Smith', agencyId, status: 'attended' },
              { name: 'Dr A. Jones', status: 'apologies' },
            ],
            imrIds: [imr.id],
          },
          '"1"',
        ).expect(200)
      ).body;
      expect(updated).toMatchObject({
        startsAt: '2026-04-01T09:00:00.000Z',
        location: 'Braintree Council Chamber',
        onlineLink: 'https://teams.example.org/meet/123',
        papersCirculatedOn: '2026-03-24',
        imrIds: [imr.id],
        version: 2,
      });
      expect(updated.attendance).toEqual([
        { name: 'DI Jane Smith', agencyId, status: 'attended' },
        { name: 'Dr A. Jones', status: 'apologies' },
      ]);
      // Not held yet: the lifecycle does not count it.
      expect((await api.get(id)).facts.meetingsConsideringImrs).toBe(0);

      const held = (
        await post(`/reviews/${id}/meetings/${scheduled.id}/held`, { minutes: 'IMR from Essex Police considered.', decisions: 'Request chronology.' }, '"2"').expect(200)
      ).body;
      expect(held).toMatchObject({ status: 'held', minutes: 'IMR from Essex Police considered.', decisions: 'Request chronology.', imrIds: [imr.id] });
      expect((await api.get(id)).facts.meetingsConsideringImrs).toBe(1);

      const history = await api.history(id);
      expect(history.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', LEAD],
        ['IMR_COMMISSIONED', CHAIR],
        ['PANEL_MEETING_SCHEDULED', CHAIR],
        ['PANEL_MEETING_RESCHEDULED', CHAIR],
        ['PANEL_MEETING_PAPERS_CIRCULATED', CHAIR],
        ['PANEL_MEETING_HELD', CHAIR],
      ]);
      const payloads = history.map((h) => (h as unknown as { payload: Json }).payload);
      expect(payloads[3]).toMatchObject({ meetingId: scheduled.id, previousStartsAt: '2026-03-25T10:00:00.000Z', startsAt: '2026-04-01T09:00:00.000Z', placeChanged: true });
      // The papers recorded as circulated: its own entry, dated the day they went out.
      expect(payloads[4]).toMatchObject({ meetingId: scheduled.id, papersCirculatedOn: '2026-03-24', previousPapersCirculatedOn: null });
      expect(new Date((history[4] as unknown as { occurredAt: string }).occurredAt).toISOString().slice(0, 10)).toBe('2026-03-24');
      expect(payloads[5]).toMatchObject({ meetingId: scheduled.id, imrCount: 1, imrIds: [imr.id] });
      expect((await api.get(id)).version).toBe(history.length);

      // A held meeting is fixed: no more changes, no cancellation, not held twice.
      expect((await patch(`/reviews/${id}/meetings/${scheduled.id}`, { agenda: 'x' })).status).toBe(409);
      expect((await post(`/reviews/${id}/meetings/${scheduled.id}/cancel`, { reason: 'x' })).status).toBe(409);
      expect((await post(`/reviews/${id}/meetings/${scheduled.id}/held`, {})).status).toBe(409);

      const list = await get(`/reviews/${id}/meetings`);
      expect(list.map((m: Json) => [m.id, m.status])).toEqual([[scheduled.id, 'held']]);
      expect(await get(`/reviews/${id}/meetings/${scheduled.id}`)).toMatchObject({ status: 'held', imrIds: [imr.id] });
      expect((await api.history(id)).length).toBe(history.length);
    });

    it('cancels a meeting with a reason; a cancelled meeting cannot be held (409) and a stale If-Match is 412', async () => {
      const { id } = await api.openReview(cspId);
      const imr = await commissionImr(id);
      const meeting = await schedule(id);
      const before = await api.history(id);

      const stale = await post(`/reviews/${id}/meetings/${meeting.id}/cancel`, { reason: 'Chair unwell' }, '"5"');
      expect(stale.status).toBe(412);
      expect((await patch(`/reviews/${id}/meetings/${meeting.id}`, { agenda: 'New' }, '"9"')).status).toBe(412);
      expect((await post(`/reviews/${id}/meetings/${meeting.id}/held`, {}, '"9"')).status).toBe(412);

      const cancelled = (await post(`/reviews/${id}/meetings/${meeting.id}/cancel`, { reason: 'Chair unwell' }, '"1"').expect(200)).body;
      expect(cancelled).toMatchObject({ status: 'cancelled', cancellationReason: 'Chair unwell', version: 2 });

      const hold = await post(`/reviews/${id}/meetings/${meeting.id}/held`, { imrIds: [imr.id] });
      expect(hold.status).toBe(409);
      expect(hold.body.message).toMatch(/cancelled \(Chair unwell\)/);
      expect((await patch(`/reviews/${id}/meetings/${meeting.id}`, { startsAt: PAST })).status).toBe(409);
      expect((await post(`/reviews/${id}/meetings/${meeting.id}/cancel`, { reason: 'again' })).status).toBe(409);
      expect(await count('panel_meeting_imrs', id)).toBe(0);

      const after = await historySince(id, before.length);
      expect(after.map((h) => [h.type, h.actor])).toEqual([['PANEL_MEETING_CANCELLED', CHAIR]]);
      expect((after[0] as unknown as { payload: Json }).payload).toMatchObject({ meetingId: meeting.id, reason: 'Chair unwell' });
      expect((await api.get(id)).facts.meetingsConsideringImrs).toBe(0);
    });

    it('refuses to hold a meeting before it starts (400 naming startsAt), and attendance before it starts (400)', async () => {
      const { id } = await api.openReview(cspId);
      const meeting = await schedule(id, { startsAt: FUTURE, location: undefined, onlineLink: 'https://teams.example.org/meet/9' });
      const early = await post(`/reviews/${id}/meetings/${meeting.id}/held`, {});
      expect(early.status).toBe(400);
      expect(early.body.errors).toEqual([{ field: 'startsAt', message: expect.stringMatching(/cannot be recorded as held before it starts/) }]);
      // Apologies may arrive beforehand; attendance cannot.
      await patch(`/reviews/${id}/meetings/${meeting.id}`, { attendance: [{ name: 'Dr A. Jones', status: 'apologies' }] }).expect(200);
      const attended = await patch(`/reviews/${id}/meetings/${meeting.id}`, { attendance: [{ name: 'DI Smith', status: 'attended' }] });
      expect(attended.status).toBe(400);
      expect(attended.body.errors.map((e: { field: string }) => e.field)).toEqual(['attendance.0.status']);
      expect(await get(`/reviews/${id}/meetings/${meeting.id}`)).toMatchObject({
        status: 'scheduled',
        attendance: [{ name: 'Dr A. Jones', status: 'apologies' }],
        version: 2,
      });
    });
  });

  describe('family and friends involvement', () => {
    it('logs contact, advocacy, consent, the draft and publication; the lifecycle entries go into the history without personal data', async () => {
      const { id } = await api.openReview(cspId);
      const entry = (body: Json) => post(`/reviews/${id}/family-engagements`, body);

      await entry({ kind: 'contact_attempt', occurredOn: '2026-02-10', contactName: 'Mary Victimsmother', notes: 'Letter and Home Office leaflet sent' }).expect(201);
      await entry({ kind: 'advocacy_offered', occurredOn: '2026-02-10', advocateOrganisation: 'aafda' }).expect(201);
      const advocate = (
        await entry({ kind: 'advocate_appointed', occurredOn: '2026-02-20', advocateOrganisation: 'national_homicide_service', advocateName: 'Sam Advocate' }).expect(201)
      ).body;
      expect(advocate).toMatchObject({ advocateOrganisation: 'national_homicide_service', advocateName: 'Sam Advocate', consentGiven: null });
      await entry({ kind: 'consent', occurredOn: '2026-02-21', contactName: 'Mary Victimsmother', consentGiven: true, preferredContribution: 'through_advocate' }).expect(201);
      expect((await api.get(id)).facts).toMatchObject({ familyOfferedDraft: false, familyToldOfPublication: false });

      // Comments on a draft the family was never offered: refused.
      const early = await entry({ kind: 'draft_comments', occurredOn: '2026-06-01', contactName: 'Mary Victimsmother' });
      expect(early.status).toBe(409);

      await entry({ kind: 'draft_offered', occurredOn: '2026-05-20', contactName: 'Mary Victimsmother', notes: 'Draft sent via advocate' }).expect(201);
      expect((await api.get(id)).facts).toMatchObject({ familyOfferedDraft: true, familyToldOfPublication: false });
      const tooEarly = await entry({ kind: 'draft_comments', occurredOn: '2026-05-19' });
      expect(tooEarly.status).toBe(400);
      expect(tooEarly.body.errors[0].field).toBe('occurredOn');
      await entry({ kind: 'draft_comments', occurredOn: '2026-06-01', contactName: 'Mary Victimsmother', notes: 'Wants her daughter described as kind' }).expect(201);
      await entry({ kind: 'told_of_publication', occurredOn: '2026-10-01', contactName: 'Mary Victimsmother' }).expect(201);
      expect((await api.get(id)).facts).toMatchObject({ familyOfferedDraft: true, familyToldOfPublication: true });

      const history = await api.history(id);
      expect(history.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', LEAD],
        ['FAMILY_OFFERED_DRAFT', CHAIR],
        ['FAMILY_COMMENTS_RECEIVED', CHAIR],
        ['FAMILY_TOLD_OF_PUBLICATION', CHAIR],
      ]);
      const text = JSON.stringify(history);
      for (const personal of ['Mary', 'Victimsmother', 'Letter and Home Office leaflet', 'Draft sent via advocate', 'described as kind', 'Sam Advocate']) {
        expect(text).not.toContain(personal);
      }

      // The list shows the contact names (access control comes later), oldest first.
      const list = await get(`/reviews/${id}/family-engagements`);
      expect(list.map((e: Json) => e.kind)).toEqual([
        'contact_attempt',
        'advocacy_offered',
        'advocate_appointed',
        'consent',
        'draft_offered',
        'draft_comments',
        'told_of_publication',
      ]);
      expect(list[0]).toMatchObject({ contactName: 'Mary Victimsmother', notes: 'Letter and Home Office leaflet sent', createdBy: CHAIR });
      expect(list[3]).toMatchObject({ consentGiven: true, preferredContribution: 'through_advocate' });
      expect(await get(`/reviews/${id}/family-engagements/${advocate.id}`)).toMatchObject({ advocateName: 'Sam Advocate' });
    });
  });

  describe('parallel proceedings', () => {
    it('records a criminal trial that blocks publication, then its conclusion; history and facts follow at once', async () => {
      const { id } = await api.openReview(cspId);
      const trial = (
        await post(
          `/reviews/${id}/proceedings`,
          { type: 'criminal', status: 'active', description: 'R v Partner', keyDates: [{ label: 'Charged', date: '2026-01-12' }, { label: 'Trial listed', date: '2099-03-01' }] },
          undefined,
          LEAD,
        ).expect(201)
      ).body;
      expect(trial).toMatchObject({ status: 'active', blocksPublication: true, version: 1 });
      await post(`/reviews/${id}/proceedings`, { type: 'inquest', status: 'active' }, undefined, LEAD).expect(201);
      expect((await api.get(id)).facts.activeCriminalProceedings).toBe(true);

      const updated = (
        await patch(`/reviews/${id}/proceedings/${trial.id}`, { keyDates: [{ label: 'Charged', date: '2026-01-12' }, { label: 'Verdict', date: '2026-09-30' }] }, '"1"', LEAD).expect(200)
      ).body;
      expect(updated.keyDates).toEqual([
        { label: 'Charged', date: '2026-01-12' },
        { label: 'Verdict', date: '2026-09-30' },
      ]);
      expect((await post(`/reviews/${id}/proceedings/${trial.id}/status`, { status: 'concluded', on: '2026-10-02' }, '"1"', LEAD)).status).toBe(412);
      const concluded = (await post(`/reviews/${id}/proceedings/${trial.id}/status`, { status: 'concluded', on: '2026-10-02' }, '"2"', LEAD).expect(200)).body;
      expect(concluded).toMatchObject({ status: 'concluded', statusChangedOn: '2026-10-02', blocksPublication: false, version: 3 });
      expect((await api.get(id)).facts.activeCriminalProceedings).toBe(false);
      expect((await post(`/reviews/${id}/proceedings/${trial.id}/status`, { status: 'concluded', on: '2026-10-03' }, undefined, LEAD)).status).toBe(409);

      const history = await api.history(id);
      expect(history.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', LEAD],
        ['PROCEEDINGS_RECORDED', LEAD],
        ['PROCEEDINGS_RECORDED', LEAD],
        ['PROCEEDINGS_CORRECTED', LEAD],
        ['PROCEEDINGS_STATUS_CHANGED', LEAD],
      ]);
      // A correction keeps what it replaced (the history entry shows only to those who read proceedings).
      expect((history[3] as unknown as { payload: Json }).payload).toEqual({
        proceedingId: trial.id,
        type: 'criminal',
        changes: {
          keyDates: {
            from: [{ label: 'Charged', date: '2026-01-12' }, { label: 'Trial listed', date: '2099-03-01' }],
            to: [{ label: 'Charged', date: '2026-01-12' }, { label: 'Verdict', date: '2026-09-30' }],
          },
        },
      });
      expect((history[4] as unknown as { payload: Json }).payload).toEqual({ proceedingId: trial.id, type: 'criminal', from: 'active', to: 'concluded', on: '2026-10-02' });
      expect(JSON.stringify(history)).not.toContain('R v Partner');
      expect((await get(`/reviews/${id}/proceedings`)).map((p: Json) => [p.type, p.status])).toEqual([
        ['criminal', 'concluded'],
        ['inquest', 'active'],
      ]);
    });
  });

  describe('publication record', () => {
    it('records pseudonyms and redactions, confirms anonymisation, and withdraws the confirmation if the text changes', async () => {
      const { id } = await api.openReview(cspId);
      const path = `/reviews/${id}/publication`;
      expect((await api.http().get(path)).status).toBe(404);
      expect((await post(`${path}/anonymisation-confirmation`, { confirmedBy: 'Head of Community Safety' }, undefined, LEAD)).status).toBe(409);

      const created = (await put(path, { pseudonyms: ['Adult A', 'Adult B'], redactionLog: 'Removed street names' }).expect(200)).body;
      expect(created).toMatchObject({ pseudonyms: ['Adult A', 'Adult B'], redactionLog: 'Removed street names', anonymisationConfirmedBy: null, version: 1, publishedAt: null });
      expect((await put(path, { pseudonyms: ['Adult A'] }, '"3"')).status).toBe(412);

      const confirmed = (await post(`${path}/anonymisation-confirmation`, { confirmedBy: 'Head of Community Safety' }, '"1"', LEAD).expect(200)).body;
      expect(confirmed).toMatchObject({ anonymisationConfirmedBy: 'Head of Community Safety', version: 2 });
      expect(confirmed.anonymisationConfirmedAt).toEqual(expect.any(String));
      expect((await api.get(id)).facts.anonymisationConfirmed).toBe(true);
      expect((await post(`${path}/anonymisation-confirmation`, { confirmedBy: 'Someone else' }, undefined, LEAD)).status).toBe(409);

      // The same text again changes nothing; a changed text needs a new confirmation.
      expect((await put(path, { pseudonyms: ['Adult A', 'Adult B'], redactionLog: 'Removed street names' }, '"2"').expect(200)).body.version).toBe(2);
      const changed = (await put(path, { pseudonyms: ['Adult A', 'Adult B', 'Child C'], redactionLog: 'Removed street names' }, '"2"').expect(200)).body;
      expect(changed).toMatchObject({ anonymisationConfirmedBy: null, anonymisationConfirmedAt: null, version: 3 });
      expect((await api.get(id)).facts.anonymisationConfirmed).toBe(false);

      const history = await api.history(id);
      expect(history.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', LEAD],
        ['ANONYMISATION_CONFIRMED', LEAD],
        ['ANONYMISATION_CONFIRMATION_WITHDRAWN', LEAD],
      ]);
      expect(await get(path)).toMatchObject({ pseudonyms: ['Adult A', 'Adult B', 'Child C'], version: 3 });
    });
  });

  describe('RAG decisions, QA rounds and publication through the lifecycle', () => {
    it('shows a returned then approved report, a resubmission and an approval, then the published date and URL', async () => {
      const { id } = await api.openReview(cspId);
      await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-02-01' });
      await api.accept(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-02-02' });
      const sqlAgency = await sql.agency('Braintree District Council', 'local_authority');
      await sql.appointChair(id);
      await sql.addPanelMember(id, sqlAgency);
      await api.accept(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' }, CHAIR);

      const imr = await commissionImr(id);
      await post(`/reviews/${id}/imrs/${imr.id}/receipt`, { receivedOn: '2026-03-30' }).expect(200);
      const meeting = await schedule(id);
      await post(`/reviews/${id}/meetings/${meeting.id}/held`, { imrIds: [imr.id], decisions: 'Begin drafting' }).expect(200);
      await api.accept(id, { type: 'BEGIN_DRAFTING', occurredAt: '2026-05-01' }, CHAIR);

      await sql.uploadDraft(id, 'overview_report');
      await sql.uploadDraft(id, 'executive_summary');
      await sql.recommendation(id, 1);
      await post(`/reviews/${id}/family-engagements`, { kind: 'draft_offered', occurredOn: '2026-06-01' }).expect(201);
      await api.accept(id, { type: 'AGREE_REPORT', occurredAt: '2026-06-10' }, CHAIR);
      await api.accept(id, { type: 'RAG_RETURN', comments: 'Strengthen the analysis of the GP contact', occurredAt: '2026-06-20' }, RAG);
      expect((await api.get(id)).status).toBe('drafting');
      await sql.uploadDraft(id, 'overview_report'); // the revised report: agreeing again needs it
      await api.accept(id, { type: 'AGREE_REPORT', occurredAt: '2026-07-15' }, CHAIR);
      await api.accept(id, { type: 'RAG_APPROVE', approvedAt: '2026-08-01', comments: 'Approved' }, RAG);
      await answerHomeOfficeChecklist(ctx.api, id);
      await api.accept(id, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-08-05' });
      await api.accept(id, { type: 'RECORD_QA_OUTCOME', outcome: 'resubmit', letterDate: '2026-09-01', notes: 'Add the learning on coercive control' });
      expect((await api.get(id)).status).toBe('drafting');
      await api.accept(id, { type: 'AGREE_REPORT', occurredAt: '2026-09-10' }, CHAIR);
      await api.accept(id, { type: 'RAG_APPROVE', approvedAt: '2026-09-15' }, RAG);
      await api.accept(id, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-09-20' });

      const rag = await get(`/reviews/${id}/rag-decisions`);
      expect(rag.map((r: Json) => [r.decision, r.comments, r.approvedAt, r.actor])).toEqual([
        ['returned', 'Strengthen the analysis of the GP contact', null, RAG],
        ['approved', 'Approved', '2026-08-01', RAG],
        ['approved', null, '2026-09-15', RAG],
      ]);
      expect(rag[0].at).toEqual(expect.any(String));

      let rounds = await get(`/reviews/${id}/qa-rounds`);
      expect(rounds).toHaveLength(2);
      expect(rounds[0]).toMatchObject({ round: 1, submittedAt: '2026-08-05', submittedBy: LEAD, outcome: 'resubmit', letterDate: '2026-09-01', notes: 'Add the learning on coercive control', outcomeRecordedBy: LEAD });
      expect(rounds[1]).toMatchObject({ round: 2, submittedAt: '2026-09-20', outcome: null, letterDate: null });

      await api.accept(id, { type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: '2026-10-10' });
      rounds = await get(`/reviews/${id}/qa-rounds`);
      expect(rounds[1]).toMatchObject({ round: 2, outcome: 'approved', letterDate: '2026-10-10', notes: null });

      // Publication waits for criminal proceedings, anonymisation and the family.
      const trial = (await post(`/reviews/${id}/proceedings`, { type: 'criminal', status: 'active' }, undefined, LEAD).expect(201)).body;
      await put(`/reviews/${id}/publication`, { pseudonyms: ['Adult A'] }).expect(200);
      await post(`/reviews/${id}/publication/anonymisation-confirmation`, { confirmedBy: 'CSP manager' }, undefined, LEAD).expect(200);
      await post(`/reviews/${id}/family-engagements`, { kind: 'told_of_publication', occurredOn: '2026-10-20' }).expect(201);
      const blocked = await api.event(id, { type: 'PUBLISH', publishedAt: '2026-11-01', url: 'https://www.braintree.gov.uk/dhr/1' });
      expect(blocked.status).toBe(409);
      await post(`/reviews/${id}/proceedings/${trial.id}/status`, { status: 'concluded', on: '2026-10-25' }, undefined, LEAD).expect(200);
      await api.accept(id, { type: 'PUBLISH', publishedAt: '2026-11-01', url: 'https://www.braintree.gov.uk/dhr/1' });

      expect(await get(`/reviews/${id}/publication`)).toMatchObject({
        publishedAt: '2026-11-01',
        url: 'https://www.braintree.gov.uk/dhr/1',
        pseudonyms: ['Adult A'],
        anonymisationConfirmedBy: 'CSP manager',
      });
      expect((await put(`/reviews/${id}/publication`, { pseudonyms: ['Adult Z'] })).status).toBe(409);
      expect((await post(`/reviews/${id}/publication/anonymisation-confirmation`, { confirmedBy: 'x' }, undefined, LEAD)).status).toBe(409);

      // The views are empty for a review with no such events, and 404 for no review.
      const fresh = await api.openReview(cspId);
      expect(await get(`/reviews/${fresh.id}/rag-decisions`)).toEqual([]);
      expect(await get(`/reviews/${fresh.id}/qa-rounds`)).toEqual([]);
      expect((await api.http().get(`/reviews/${NOBODY}/rag-decisions`)).status).toBe(404);
      expect((await api.http().get(`/reviews/${NOBODY}/qa-rounds`)).status).toBe(404);
    });
  });

  it('refuses ids from another review: 404 for the record, 400 for an IMR in imrIds, never linked', async () => {
    const a = await api.openReview(cspId);
    const b = await api.openReview(cspId);
    const imrOfA = await commissionImr(a.id);
    const meetingOfA = await schedule(a.id);
    const proceedingOfA = (await post(`/reviews/${a.id}/proceedings`, { type: 'criminal', status: 'active' }).expect(201)).body;
    const entryOfA = (await post(`/reviews/${a.id}/family-engagements`, { kind: 'contact_attempt', occurredOn: '2026-02-01', contactName: 'Private Person' }).expect(201)).body;
    const before = { a: await counts(a.id), b: await counts(b.id) };

    const attempts: Array<[string, () => Promise<{ status: number; body: unknown }>]> = [
      ['GET meeting', () => api.http().get(`/reviews/${b.id}/meetings/${meetingOfA.id}`)],
      ['PATCH meeting', () => patch(`/reviews/${b.id}/meetings/${meetingOfA.id}`, { agenda: 'x' })],
      ['hold meeting', () => post(`/reviews/${b.id}/meetings/${meetingOfA.id}/held`, {})],
      ['cancel meeting', () => post(`/reviews/${b.id}/meetings/${meetingOfA.id}/cancel`, { reason: 'x' })],
      ['GET proceeding', () => api.http().get(`/reviews/${b.id}/proceedings/${proceedingOfA.id}`)],
      ['PATCH proceeding', () => patch(`/reviews/${b.id}/proceedings/${proceedingOfA.id}`, { description: 'x' })],
      ['proceeding status', () => post(`/reviews/${b.id}/proceedings/${proceedingOfA.id}/status`, { status: 'concluded', on: '2026-03-01' })],
      ['GET family entry', () => api.http().get(`/reviews/${b.id}/family-engagements/${entryOfA.id}`)],
      ['unknown review', () => post(`/reviews/${NOBODY}/meetings`, { startsAt: PAST, location: 'x' })],
    ];
    for (const [what, attempt] of attempts) {
      const res = await attempt();
      expect({ what, status: res.status }).toEqual({ what, status: 404 });
      expect(JSON.stringify(res.body)).not.toContain('Private Person');
    }

    // An IMR of review A named in a meeting of review B: 400 naming imrIds, nothing linked.
    const meetingOfB = await schedule(b.id);
    const beforeLink = await counts(b.id);
    for (const res of [
      await patch(`/reviews/${b.id}/meetings/${meetingOfB.id}`, { imrIds: [imrOfA.id] }),
      await post(`/reviews/${b.id}/meetings/${meetingOfB.id}/held`, { imrIds: [imrOfA.id] }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['imrIds.0']);
    }
    expect(await counts(b.id)).toEqual(beforeLink);
    expect(await get(`/reviews/${b.id}/meetings/${meetingOfB.id}`)).toMatchObject({ status: 'scheduled', imrIds: [], version: 1 });
    // The database refuses the cross-review link too (composite foreign key).
    await expect(
      sql.query(`INSERT INTO panel_meeting_imrs (meeting_id, imr_id, review_id, created_by) VALUES ($1, $2, $3, 'x')`, [meetingOfB.id, imrOfA.id, b.id]),
    ).rejects.toThrow(/FK_panel_meeting_imrs_imr/);

    expect(await counts(a.id)).toEqual(before.a);
    expect(await get(`/reviews/${a.id}/meetings/${meetingOfA.id}`)).toMatchObject({ status: 'scheduled', version: 1 });
    expect(await get(`/reviews/${a.id}/proceedings/${proceedingOfA.id}`)).toMatchObject({ status: 'active', version: 1 });
  });

  it('answers bad input on every endpoint with 400 naming the field, and writes nothing', async () => {
    const { id } = await api.openReview(cspId);
    const imr = await commissionImr(id);
    const meeting = await schedule(id);
    const future = await schedule(id, { startsAt: FUTURE });
    const proceeding = (await post(`/reviews/${id}/proceedings`, { type: 'criminal', status: 'active' }).expect(201)).body;
    await post(`/reviews/${id}/proceedings/${proceeding.id}/status`, { status: 'concluded', on: '2026-05-01' }).expect(200);
    await post(`/reviews/${id}/family-engagements`, { kind: 'draft_offered', occurredOn: '2026-05-01' }).expect(201);
    await put(`/reviews/${id}/publication`, { pseudonyms: ['Adult A'] }).expect(200);

    const m = `/reviews/${id}/meetings`;
    const f = `/reviews/${id}/family-engagements`;
    const p = `/reviews/${id}/proceedings`;
    const pub = `/reviews/${id}/publication`;
    const long = (n: number) => 'x'.repeat(n);
    const cases: Array<['POST' | 'PATCH' | 'PUT', string, Json, string, string?]> = [
      // Schedule
      ['POST', m, { startsAt: '2026-04-01 10:00', location: 'Hall' }, 'startsAt'],
      ['POST', m, { startsAt: '2026-04-01T10:00:00', location: 'Hall' }, 'startsAt'],
      ['POST', m, { startsAt: PAST }, 'location'],
      ['POST', m, { startsAt: PAST, onlineLink: 'ftp://example.org/x' }, 'onlineLink'],
      ['POST', m, { startsAt: PAST, location: long(501) }, 'location'],
      ['POST', m, { startsAt: PAST, location: 'Hall', agenda: long(10_001) }, 'agenda'],
      ['POST', m, { startsAt: PAST, location: 'Hall', papersCirculatedOn: '2099-01-01' }, 'papersCirculatedOn'],
      ['POST', m, { startsAt: PAST, location: 'Hall', status: 'held' }, 'status'],
      // Reschedule / update
      ['PATCH', `${m}/${meeting.id}`, {}, 'body'],
      ['PATCH', `${m}/${meeting.id}`, { location: null }, 'location'],
      ['PATCH', `${m}/${meeting.id}`, { startsAt: 'tomorrow' }, 'startsAt'],
      ['PATCH', `${m}/${meeting.id}`, { attendance: [{ name: 'A', status: 'late' }] }, 'attendance.0.status'],
      ['PATCH', `${m}/${meeting.id}`, { attendance: [{ name: 'A', status: 'attended', agencyId: NOBODY }] }, 'attendance.0.agencyId'],
      ['PATCH', `${m}/${meeting.id}`, { attendance: [{ name: '', status: 'attended' }] }, 'attendance.0.name'],
      ['PATCH', `${m}/${meeting.id}`, { attendance: [{ name: 'A', status: 'attended', role: 'chair' }] }, 'role'],
      ['PATCH', `${m}/${meeting.id}`, { imrIds: [NOBODY] }, 'imrIds.0'],
      ['PATCH', `${m}/${meeting.id}`, { imrIds: [imr.id, imr.id] }, 'imrIds.1'],
      ['PATCH', `${m}/${meeting.id}`, { imrIds: ['not-a-uuid'] }, 'imrIds.0'],
      ['PATCH', `${m}/${meeting.id}`, { agenda: 'x' }, 'If-Match', 'version 1'],
      ['PATCH', `${m}/${future.id}`, { attendance: [{ name: 'A', status: 'attended' }] }, 'attendance.0.status'],
      // Held
      ['POST', `${m}/${meeting.id}/held`, { minutes: long(50_001) }, 'minutes'],
      ['POST', `${m}/${meeting.id}/held`, { decisions: 42 }, 'decisions'],
      ['POST', `${m}/${meeting.id}/held`, { imrIds: [NOBODY] }, 'imrIds.0'],
      ['POST', `${m}/${meeting.id}/held`, { heldOn: '2026-04-01' }, 'heldOn'],
      // Cancel
      ['POST', `${m}/${meeting.id}/cancel`, {}, 'reason'],
      ['POST', `${m}/${meeting.id}/cancel`, { reason: '   ' }, 'reason'],
      ['POST', `${m}/${meeting.id}/cancel`, { reason: long(2001) }, 'reason'],
      // Family
      ['POST', f, { kind: 'gossip', occurredOn: '2026-02-01' }, 'kind'],
      ['POST', f, { kind: 'contact_attempt', occurredOn: '2099-02-01' }, 'occurredOn'],
      ['POST', f, { kind: 'contact_attempt', occurredOn: '2026-02-30' }, 'occurredOn'],
      ['POST', f, { kind: 'contact_attempt', occurredOn: '2026-02-01', contactName: long(201) }, 'contactName'],
      ['POST', f, { kind: 'contact_attempt', occurredOn: '2026-02-01', notes: long(10_001) }, 'notes'],
      ['POST', f, { kind: 'contact_attempt', occurredOn: '2026-02-01', address: '1 High St' }, 'address'],
      ['POST', f, { kind: 'advocate_appointed', occurredOn: '2026-02-01', advocateName: 'Sam' }, 'advocateOrganisation'],
      ['POST', f, { kind: 'advocate_appointed', occurredOn: '2026-02-01', advocateOrganisation: 'aafda' }, 'advocateName'],
      ['POST', f, { kind: 'advocacy_offered', occurredOn: '2026-02-01', advocateOrganisation: 'refuge' }, 'advocateOrganisation'],
      ['POST', f, { kind: 'meeting', occurredOn: '2026-02-01', advocateOrganisation: 'aafda' }, 'advocateOrganisation'],
      ['POST', f, { kind: 'consent', occurredOn: '2026-02-01' }, 'consentGiven'],
      ['POST', f, { kind: 'consent', occurredOn: '2026-02-01', consentGiven: 'yes' }, 'consentGiven'],
      ['POST', f, { kind: 'contact_attempt', occurredOn: '2026-02-01', consentGiven: true }, 'consentGiven'],
      ['POST', f, { kind: 'consent', occurredOn: '2026-02-01', consentGiven: true, preferredContribution: 'carrier_pigeon' }, 'preferredContribution'],
      ['POST', f, { kind: 'draft_offered', occurredOn: '2026-02-01', preferredContribution: 'in_writing' }, 'preferredContribution'],
      ['POST', f, { kind: 'draft_comments', occurredOn: '2026-04-30' }, 'occurredOn'],
      // Proceedings
      ['POST', p, { type: 'civil', status: 'active' }, 'type'],
      ['POST', p, { type: 'criminal', status: 'paused' }, 'status'],
      ['POST', p, { type: 'criminal' }, 'status'],
      ['POST', p, { type: 'criminal', status: 'active', description: long(5001) }, 'description'],
      ['POST', p, { type: 'criminal', status: 'active', keyDates: [{ label: 'Trial', date: '2026-13-01' }] }, 'keyDates.0.date'],
      ['POST', p, { type: 'criminal', status: 'active', keyDates: [{ label: '', date: '2026-03-01' }] }, 'keyDates.0.label'],
      ['POST', p, { type: 'criminal', status: 'active', keyDates: [{ label: 'Trial', date: '2026-03-01', court: 'Chelmsford' }] }, 'court'],
      ['POST', p, { type: 'criminal', status: 'active', keyDates: Array.from({ length: 51 }, () => ({ label: 'x', date: '2026-03-01' })) }, 'keyDates'],
      ['PATCH', `${p}/${proceeding.id}`, {}, 'body'],
      ['PATCH', `${p}/${proceeding.id}`, { status: 'active' }, 'status'],
      ['PATCH', `${p}/${proceeding.id}`, { keyDates: 'soon' }, 'keyDates'],
      ['PATCH', `${p}/${proceeding.id}`, { description: 'x' }, 'If-Match', 'W/x'],
      ['POST', `${p}/${proceeding.id}/status`, { status: 'active' }, 'on'],
      ['POST', `${p}/${proceeding.id}/status`, { status: 'active', on: '2099-01-01' }, 'on'],
      ['POST', `${p}/${proceeding.id}/status`, { status: 'active', on: '2026-04-30' }, 'on'],
      ['POST', `${p}/${proceeding.id}/status`, { status: 'suspended', on: '2026-06-01' }, 'status'],
      // Publication
      ['PUT', pub, {}, 'pseudonyms'],
      ['PUT', pub, { pseudonyms: 'Adult A' }, 'pseudonyms'],
      ['PUT', pub, { pseudonyms: [long(101)] }, 'pseudonyms.0'],
      ['PUT', pub, { pseudonyms: ['Adult A', 'adult a'] }, 'pseudonyms.1'],
      ['PUT', pub, { pseudonyms: Array.from({ length: 101 }, (_, i) => `Adult ${i}`) }, 'pseudonyms'],
      ['PUT', pub, { pseudonyms: [], redactionLog: long(50_001) }, 'redactionLog'],
      ['PUT', pub, { pseudonyms: [], url: 'https://example.org' }, 'url'],
      ['POST', `${pub}/anonymisation-confirmation`, {}, 'confirmedBy'],
      ['POST', `${pub}/anonymisation-confirmation`, { confirmedBy: long(201) }, 'confirmedBy'],
      ['POST', `${pub}/anonymisation-confirmation`, { confirmedBy: 'A', confirmedAt: '2026-01-01' }, 'confirmedAt'],
    ];
    const before = await counts(id);
    const snapshot = async () => ({
      meeting: await get(`${m}/${meeting.id}`),
      future: await get(`${m}/${future.id}`),
      proceeding: await get(`${p}/${proceeding.id}`),
      publication: await get(pub),
      review: (await api.get(id)).version,
    });
    const state = await snapshot();
    for (const [method, path, body, field, ifMatch] of cases) {
      let req = method === 'POST' ? api.http().post(path) : method === 'PATCH' ? api.http().patch(path) : api.http().put(path);
      req = req.set('X-Actor', CHAIR);
      req = ifMatch ? req.set('If-Match', ifMatch) : sendingCurrentVersion(req, api.http, path);
      const res = await req.send(body);
      expect({ method, path, field, status: res.status }).toEqual({ method, path, field, status: 400 });
      expect({ method, path, fields: res.body.errors.map((e: { field: string }) => e.field).join(',') }).toEqual({
        method,
        path,
        fields: expect.stringContaining(field),
      });
    }
    expect(await counts(id)).toEqual(before);
    expect(await snapshot()).toEqual(state);
  });
});
