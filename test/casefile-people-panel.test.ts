import { CaseFileSql } from './support/casefile-sql';
import { sendingCurrentVersion } from './support/if-match';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

const LEAD = 'csp.lead@maldon.gov.uk';
const CHAIR = 'independent.chair@example.org';
const NOBODY = '00000000-0000-4000-8000-000000000000';

type HistoryEntry = { type: string; actor: string; payload: Record<string, unknown> };

describe('people, appointments, panel and scoping over HTTP (real PostgreSQL)', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let sql: CaseFileSql;
  let cspId: string;
  let police: string;
  let health: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    api = reviewApi(ctx.api, LEAD);
    sql = new CaseFileSql(ctx.database.url);
    cspId = (await api.createCsp('MALDON')).id;
    const agency = async (name: string, kind: string) =>
      (await api.http().post('/agencies').set('X-Actor', 'admin').send({ name, kind }).expect(201)).body.id as string;
    police = await agency('Essex Police', 'police');
    health = await agency('Mid Essex NHS Trust', 'health');
  });
  afterAll(() => ctx.close());

  const post = (path: string, body: Record<string, unknown>, actor = LEAD) =>
    sendingCurrentVersion(api.http().post(path).set('X-Actor', actor), api.http, path).send(body);
  const patch = (path: string, body: Record<string, unknown>, ifMatch?: string, actor = LEAD) => {
    const req = api.http().patch(path).set('X-Actor', actor);
    return (ifMatch ? req.set('If-Match', ifMatch) : sendingCurrentVersion(req, api.http, path)).send(body);
  };
  const get = (path: string) => api.http().get(path);
  const history = async (reviewId: string) => (await get(`/reviews/${reviewId}/history`).expect(200)).body as HistoryEntry[];

  const victim = { role: 'victim', realName: 'Jane Realname', pseudonym: 'Anna', age: 34 };
  const perpetrator = { role: 'perpetrator', realName: 'John Realname', pseudonym: 'Ben', relationshipToVictim: 'partner', legalStatus: 'charged' };
  const chair = { role: 'chair', name: 'Pat Chair', organisation: 'Independent Reviews Ltd', appointedOn: '2026-02-01' };
  const member = (agencyId: string, name = 'DS Smith') => ({
    name,
    agencyId,
    role: 'Detective Superintendent',
    joinedOn: '2026-02-10',
    noDirectCaseManagementDeclared: true,
  });

  const TABLES = ['people', 'appointments', 'panel_members', 'scoping_responses', 'records_secured', 'review_events'];
  const counts = async (reviewId: string) => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      out[table] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE review_id = $1`, [reviewId]))[0].n;
    }
    return out;
  };

  describe('people in the case', () => {
    it('shows pseudonyms by default and real names only when asked for', async () => {
      const { id } = await api.openReview(cspId);
      const added = (await post(`/reviews/${id}/people`, victim).expect(201)).body;
      expect(added).toMatchObject({ role: 'victim', pseudonym: 'Anna', age: 34, legalStatus: null, version: 1, createdBy: LEAD });
      expect(added).not.toHaveProperty('realName');
      await post(`/reviews/${id}/people`, perpetrator).expect(201);
      await post(`/reviews/${id}/people`, { role: 'child', realName: 'Kid Realname', pseudonym: 'Cara', age: 6 }).expect(201);

      const list = await get(`/reviews/${id}/people`).expect(200);
      expect(list.body.map((p: { pseudonym: string }) => p.pseudonym)).toEqual(['Anna', 'Ben', 'Cara']);
      expect(JSON.stringify(list.body)).not.toContain('Realname');
      const one = await get(`/reviews/${id}/people/${added.id}`).expect(200);
      expect(one.body).not.toHaveProperty('realName');
      expect(JSON.stringify(one.body)).not.toContain('Realname');

      const withNames = (await get(`/reviews/${id}/people?include=realNames`).expect(200)).body;
      expect(withNames.map((p: { pseudonym: string; realName: string }) => [p.pseudonym, p.realName])).toEqual([
        ['Anna', 'Jane Realname'],
        ['Ben', 'John Realname'],
        ['Cara', 'Kid Realname'],
      ]);
      expect((await get(`/reviews/${id}/people/${added.id}?include=realNames`).expect(200)).body.realName).toBe('Jane Realname');
      expect(withNames[1]).toMatchObject({ role: 'perpetrator', legalStatus: 'charged', relationshipToVictim: 'partner' });

      const bad = await get(`/reviews/${id}/people?include=addresses`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('include');
      // Adding people is not a lifecycle change: the history is as it was.
      expect((await history(id)).map((h) => h.type)).toEqual(['NOTIFICATION_RECORDED']);
    });

    it('corrects a person under If-Match, naming the changed fields in the history but never the real name', async () => {
      const { id } = await api.openReview(cspId);
      const ben = (await post(`/reviews/${id}/people`, perpetrator).expect(201)).body;

      const stale = await patch(`/reviews/${id}/people/${ben.id}`, { legalStatus: 'convicted' }, '"9"', CHAIR);
      expect(stale.status).toBe(412);
      const corrected = (
        await patch(`/reviews/${id}/people/${ben.id}`, { legalStatus: 'convicted', realName: 'Jonathan Realname', age: 41 }, '"1"', CHAIR).expect(200)
      ).body;
      expect(corrected).toMatchObject({ legalStatus: 'convicted', age: 41, version: 2 });
      expect(corrected).not.toHaveProperty('realName');
      expect((await get(`/reviews/${id}/people/${ben.id}?include=realNames`).expect(200)).body.realName).toBe('Jonathan Realname');

      // The old version is now stale.
      expect((await patch(`/reviews/${id}/people/${ben.id}`, { age: 42 }, '"1"', CHAIR)).status).toBe(412);

      const entries = await history(id);
      const last = entries[entries.length - 1];
      expect(last).toMatchObject({ type: 'PERSON_CORRECTED', actor: CHAIR, payload: { personId: ben.id, pseudonym: 'Ben' } });
      expect((last.payload.changed as string[]).sort()).toEqual(['age', 'legalStatus', 'realName']);
      expect(JSON.stringify(entries)).not.toContain('Realname');
      expect((await api.get(id)).version).toBe(entries.length);

      // A role change away from perpetrator must clear the legal status too.
      const roleOnly = await patch(`/reviews/${id}/people/${ben.id}`, { role: 'friend' });
      expect(roleOnly.status).toBe(400);
      expect(roleOnly.body.errors[0].field).toBe('legalStatus');
      await patch(`/reviews/${id}/people/${ben.id}`, { role: 'friend', legalStatus: null }).expect(200);
    });

    it('keeps pseudonyms unique within the review and different from real names', async () => {
      const a = await api.openReview(cspId);
      const b = await api.openReview(cspId);
      await post(`/reviews/${a.id}/people`, victim).expect(201);
      const dup = await post(`/reviews/${a.id}/people`, { role: 'family', realName: 'Mum Realname', pseudonym: 'anna' });
      expect(dup.status).toBe(409);
      expect(dup.body.message).toMatch(/^pseudonym/);
      const realAsPseudonym = await post(`/reviews/${a.id}/people`, { role: 'friend', realName: 'Pal Realname', pseudonym: 'Jane Realname' });
      expect(realAsPseudonym.status).toBe(400);
      expect(realAsPseudonym.body.errors[0].field).toBe('pseudonym');
      // Another review may use the same pseudonym.
      await post(`/reviews/${b.id}/people`, victim).expect(201);
    });
  });

  describe('appointments', () => {
    it('appoints a chair and a report writer; facts and history follow; a second open chair is refused', async () => {
      const { id } = await api.openReview(cspId);
      expect((await api.get(id)).facts.chairAppointed).toBe(false);

      const appointed = (await post(`/reviews/${id}/appointments`, chair).expect(201)).body;
      expect(appointed).toMatchObject({ role: 'chair', state: 'active', independenceDeclared: false, independenceDeclaredAt: null, version: 1 });
      expect((await api.get(id)).facts.chairAppointed).toBe(true);

      const second = await post(`/reviews/${id}/appointments`, { ...chair, name: 'Other Chair' });
      expect(second.status).toBe(409);
      expect(second.body.message).toMatch(/already has a chair: Pat Chair/);

      const declared = (
        await post(`/reviews/${id}/appointments/${appointed.id}/independence-declaration`, {
          statement: 'I have no connection with any agency involved.',
          declaredAt: '2026-02-01T09:30:00Z',
        }).expect(200)
      ).body;
      expect(declared).toMatchObject({ independenceDeclared: true, independenceDeclaredAt: '2026-02-01T09:30:00.000Z', version: 2 });
      const again = await post(`/reviews/${id}/appointments/${appointed.id}/independence-declaration`, { statement: 'again' });
      expect(again.status).toBe(409);

      const writer = (
        await post(`/reviews/${id}/appointments`, {
          role: 'report_writer',
          name: 'Rita Writer',
          organisation: 'Writers LLP',
          email: 'rita@example.org',
          appointedOn: '2026-02-05',
          independenceStatement: 'Independent of all agencies.',
        }).expect(201)
      ).body;
      expect(writer).toMatchObject({ role: 'report_writer', independenceDeclared: true, email: 'rita@example.org' });

      expect((await post(`/reviews/${id}/appointments/${appointed.id}/end`, { endedOn: '2026-03-01' }).set('If-Match', '"1"')).status).toBe(412);
      const ended = (await post(`/reviews/${id}/appointments/${appointed.id}/end`, { endedOn: '2026-03-01' }).set('If-Match', '"2"').expect(200)).body;
      expect(ended).toMatchObject({ state: 'ended', endedOn: '2026-03-01' });
      expect((await api.get(id)).facts.chairAppointed).toBe(false);
      expect((await post(`/reviews/${id}/appointments/${appointed.id}/end`, { endedOn: '2026-03-02' })).status).toBe(409);

      // A replacement chair, now that the first has stood down.
      await post(`/reviews/${id}/appointments`, { ...chair, name: 'New Chair', appointedOn: '2026-03-02' }, CHAIR).expect(201);
      expect((await api.get(id)).facts.chairAppointed).toBe(true);

      const list = (await get(`/reviews/${id}/appointments`).expect(200)).body;
      expect(list.map((a: { name: string; state: string }) => [a.name, a.state])).toEqual([
        ['Pat Chair', 'ended'],
        ['Rita Writer', 'active'],
        ['New Chair', 'active'],
      ]);
      expect((await history(id)).map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', LEAD],
        ['CHAIR_APPOINTED', LEAD],
        ['INDEPENDENCE_DECLARED', LEAD],
        ['REPORT_WRITER_APPOINTED', LEAD],
        ['APPOINTMENT_ENDED', LEAD],
        ['CHAIR_APPOINTED', CHAIR],
      ]);
    });
  });

  describe('panel membership', () => {
    it('adds members with their declaration and lets them leave; panelMemberCount follows at once', async () => {
      const { id } = await api.openReview(cspId);
      const smith = (await post(`/reviews/${id}/panel-members`, member(police)).expect(201)).body;
      expect(smith).toMatchObject({ name: 'DS Smith', agencyId: police, state: 'active', leftOn: null, version: 1 });
      expect(smith.noDirectCaseManagementDeclaredAt).toEqual(expect.any(String));
      await post(`/reviews/${id}/panel-members`, member(health, 'Dr Jones'), CHAIR).expect(201);
      expect((await api.get(id)).facts.panelMemberCount).toBe(2);
      expect((await post(`/reviews/${id}/panel-members`, member(police))).status).toBe(409);

      expect((await post(`/reviews/${id}/panel-members/${smith.id}/leave`, { leftOn: '2026-04-01' }).set('If-Match', '"3"')).status).toBe(412);
      const left = (await post(`/reviews/${id}/panel-members/${smith.id}/leave`, { leftOn: '2026-04-01' }).set('If-Match', '"1"').expect(200)).body;
      expect(left).toMatchObject({ state: 'left', leftOn: '2026-04-01', version: 2 });
      expect((await api.get(id)).facts.panelMemberCount).toBe(1);
      expect((await post(`/reviews/${id}/panel-members/${smith.id}/leave`, { leftOn: '2026-04-02' })).status).toBe(409);
      // Someone who left may be added again (a new membership).
      await post(`/reviews/${id}/panel-members`, member(police)).expect(201);

      expect((await get(`/reviews/${id}/panel-members`).expect(200)).body).toHaveLength(3);
      const entries = await history(id);
      expect(entries.map((h) => [h.type, h.actor])).toEqual([
        ['NOTIFICATION_RECORDED', LEAD],
        ['PANEL_MEMBER_ADDED', LEAD],
        ['PANEL_MEMBER_ADDED', CHAIR],
        ['PANEL_MEMBER_LEFT', LEAD],
        ['PANEL_MEMBER_ADDED', LEAD],
      ]);
      expect(entries[1].payload).toMatchObject({ panelMemberId: smith.id, agency: 'Essex Police' });
    });
  });

  describe('scoping responses and records secured', () => {
    it('records one response per agency, corrects it under If-Match, and one records-secured confirmation per agency', async () => {
      const { id } = await api.openReview(cspId);
      const response = (
        await post(`/reviews/${id}/scoping-responses`, { agencyId: police, hadContact: true, summary: 'Three call-outs in 2025.', respondedOn: '2026-01-20' }).expect(201)
      ).body;
      expect(response).toMatchObject({ agencyId: police, hadContact: true, version: 1, createdBy: LEAD });
      await post(`/reviews/${id}/scoping-responses`, { agencyId: health, hadContact: false, respondedOn: '2026-01-21' }).expect(201);
      const dup = await post(`/reviews/${id}/scoping-responses`, { agencyId: police, hadContact: false, respondedOn: '2026-01-22' });
      expect(dup.status).toBe(409);
      expect(dup.body.id).toBe(response.id);

      expect((await patch(`/reviews/${id}/scoping-responses/${response.id}`, { summary: 'Four call-outs.' }, '"2"')).status).toBe(412);
      const corrected = (await patch(`/reviews/${id}/scoping-responses/${response.id}`, { summary: 'Four call-outs.' }, '"1"', CHAIR).expect(200)).body;
      expect(corrected).toMatchObject({ summary: 'Four call-outs.', version: 2 });
      const entries = await history(id);
      expect(entries[entries.length - 1]).toMatchObject({
        type: 'SCOPING_RESPONSE_CORRECTED',
        actor: CHAIR,
        payload: { scopingResponseId: response.id, agency: 'Essex Police', changed: ['summary'] },
      });
      expect((await get(`/reviews/${id}/scoping-responses`).expect(200)).body.map((r: { hadContact: boolean }) => r.hadContact)).toEqual([true, false]);

      const secured = (await post(`/reviews/${id}/records-secured`, { agencyId: police, confirmedOn: '2026-02-15', confirmedBy: 'DCI Brown' }).expect(201)).body;
      expect(secured).toMatchObject({ agencyId: police, confirmedOn: '2026-02-15', confirmedBy: 'DCI Brown', createdBy: LEAD });
      expect((await post(`/reviews/${id}/records-secured`, { agencyId: police, confirmedOn: '2026-02-16', confirmedBy: 'DCI Brown' })).status).toBe(409);
      expect((await get(`/reviews/${id}/records-secured/${secured.id}`).expect(200)).body.id).toBe(secured.id);
      expect((await get(`/reviews/${id}/records-secured`).expect(200)).body).toHaveLength(1);
    });
  });

  it('refuses ids from another review with 404, never cross-linking', async () => {
    const a = await api.openReview(cspId);
    const b = await api.openReview(cspId);
    const person = (await post(`/reviews/${a.id}/people`, victim).expect(201)).body;
    const appointment = (await post(`/reviews/${a.id}/appointments`, chair).expect(201)).body;
    const panelMember = (await post(`/reviews/${a.id}/panel-members`, member(police)).expect(201)).body;
    const response = (await post(`/reviews/${a.id}/scoping-responses`, { agencyId: police, hadContact: true, respondedOn: '2026-01-20' }).expect(201)).body;
    const secured = (await post(`/reviews/${a.id}/records-secured`, { agencyId: police, confirmedOn: '2026-02-15', confirmedBy: 'DCI Brown' }).expect(201)).body;
    const before = { a: await counts(a.id), b: await counts(b.id) };

    const attempts = [
      get(`/reviews/${b.id}/people/${person.id}?include=realNames`),
      patch(`/reviews/${b.id}/people/${person.id}`, { age: 35 }),
      get(`/reviews/${b.id}/appointments/${appointment.id}`),
      post(`/reviews/${b.id}/appointments/${appointment.id}/independence-declaration`, { statement: 'x' }),
      post(`/reviews/${b.id}/appointments/${appointment.id}/end`, { endedOn: '2026-03-01' }),
      get(`/reviews/${b.id}/panel-members/${panelMember.id}`),
      post(`/reviews/${b.id}/panel-members/${panelMember.id}/leave`, { leftOn: '2026-03-01' }),
      get(`/reviews/${b.id}/scoping-responses/${response.id}`),
      patch(`/reviews/${b.id}/scoping-responses/${response.id}`, { hadContact: false }),
      get(`/reviews/${b.id}/records-secured/${secured.id}`),
      get(`/reviews/${a.id}/people/not-a-uuid`),
    ];
    for (const [i, attempt] of attempts.entries()) {
      const res = await attempt;
      expect({ i, status: res.status }).toEqual({ i, status: 404 });
      expect(JSON.stringify(res.body)).not.toContain('Realname');
    }
    for (const path of ['people', 'appointments', 'panel-members', 'scoping-responses', 'records-secured']) {
      expect({ path, status: (await get(`/reviews/${NOBODY}/${path}`)).status }).toEqual({ path, status: 404 });
    }
    expect((await post(`/reviews/${NOBODY}/people`, victim)).status).toBe(404);
    expect({ a: await counts(a.id), b: await counts(b.id) }).toEqual(before);
  });

  it('documents every route with its body schema in OpenAPI', async () => {
    const doc = (await get('/api/docs-json').expect(200)).body;
    const body = (path: string, method: string) => doc.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema;
    expect(body('/reviews/{reviewId}/people', 'post')).toMatchObject({ title: 'AddPerson', additionalProperties: false });
    expect(body('/reviews/{reviewId}/people/{personId}', 'patch')).toMatchObject({ title: 'CorrectPerson' });
    expect(body('/reviews/{reviewId}/appointments', 'post')).toMatchObject({ title: 'Appoint' });
    expect(body('/reviews/{reviewId}/appointments/{appointmentId}/independence-declaration', 'post')).toMatchObject({ title: 'DeclareIndependence' });
    expect(body('/reviews/{reviewId}/appointments/{appointmentId}/end', 'post')).toMatchObject({ title: 'EndAppointment' });
    expect(body('/reviews/{reviewId}/panel-members', 'post')).toMatchObject({ title: 'AddPanelMember' });
    expect(body('/reviews/{reviewId}/panel-members/{memberId}/leave', 'post')).toMatchObject({ title: 'LeavePanel' });
    expect(body('/reviews/{reviewId}/scoping-responses', 'post')).toMatchObject({ title: 'RecordScopingResponse' });
    expect(body('/reviews/{reviewId}/scoping-responses/{responseId}', 'patch')).toMatchObject({ title: 'CorrectScopingResponse' });
    expect(body('/reviews/{reviewId}/records-secured', 'post')).toMatchObject({ title: 'ConfirmRecordsSecured' });
  });

  it('requires X-Actor on every write', async () => {
    const { id } = await api.openReview(cspId);
    for (const path of ['people', 'appointments', 'panel-members', 'scoping-responses', 'records-secured']) {
      expect({ path, status: (await api.http().post(`/reviews/${id}/${path}`).set('X-Actor', '').send({})).status }).toEqual({ path, status: 401 });
    }
  });

  it('answers bad input on every endpoint with 400 naming the field, and writes nothing', async () => {
    const { id } = await api.openReview(cspId);
    const person = (await post(`/reviews/${id}/people`, victim).expect(201)).body;
    await post(`/reviews/${id}/people`, perpetrator).expect(201);
    const appointment = (await post(`/reviews/${id}/appointments`, chair).expect(201)).body;
    const panelMember = (await post(`/reviews/${id}/panel-members`, member(police)).expect(201)).body;
    const response = (await post(`/reviews/${id}/scoping-responses`, { agencyId: police, hadContact: true, respondedOn: '2026-01-20' }).expect(201)).body;

    const p = `/reviews/${id}`;
    const long = (n: number) => 'x'.repeat(n);
    const cases: Array<['post' | 'patch', string, Record<string, unknown>, string]> = [
      // people
      ['post', `${p}/people`, { ...victim, role: 'neighbour' }, 'role'],
      ['post', `${p}/people`, { ...victim, pseudonym: 'Zed', realName: undefined }, 'realName'],
      ['post', `${p}/people`, { role: 'victim', realName: 'A Realname' }, 'pseudonym'],
      ['post', `${p}/people`, { ...victim, pseudonym: long(101) }, 'pseudonym'],
      ['post', `${p}/people`, { ...victim, pseudonym: 'Zed', notes: long(5001) }, 'notes'],
      ['post', `${p}/people`, { ...victim, pseudonym: 'Zed', age: -1 }, 'age'],
      ['post', `${p}/people`, { ...victim, pseudonym: 'Zed', age: 'thirty' }, 'age'],
      ['post', `${p}/people`, { ...perpetrator, pseudonym: 'Zed', legalStatus: undefined }, 'legalStatus'],
      ['post', `${p}/people`, { ...perpetrator, pseudonym: 'Zed', legalStatus: 'sentenced' }, 'legalStatus'],
      ['post', `${p}/people`, { ...victim, pseudonym: 'Zed', legalStatus: 'charged' }, 'legalStatus'],
      ['post', `${p}/people`, { ...victim, pseudonym: 'Zed', dateOfBirth: '1990-01-01' }, 'dateOfBirth'],
      ['patch', `${p}/people/${person.id}`, {}, 'body'],
      ['patch', `${p}/people/${person.id}`, { role: 'perpetrator' }, 'legalStatus'],
      ['patch', `${p}/people/${person.id}`, { realName: '' }, 'realName'],
      ['patch', `${p}/people/${person.id}`, { pseudonym: 'John Realname' }, 'pseudonym'],
      ['patch', `${p}/people/${person.id}`, { address: '1 High St' }, 'address'],
      // appointments
      ['post', `${p}/appointments`, { ...chair, role: 'deputy_chair' }, 'role'],
      ['post', `${p}/appointments`, { ...chair, role: 'report_writer', appointedOn: '2099-01-01' }, 'appointedOn'],
      ['post', `${p}/appointments`, { ...chair, role: 'report_writer', appointedOn: '2026-01-01' }, 'appointedOn'],
      ['post', `${p}/appointments`, { ...chair, role: 'report_writer', email: 'not-an-email' }, 'email'],
      ['post', `${p}/appointments`, { ...chair, role: 'report_writer', organisation: long(201) }, 'organisation'],
      ['post', `${p}/appointments`, { ...chair, role: 'report_writer', name: undefined }, 'name'],
      ['post', `${p}/appointments`, { ...chair, role: 'report_writer', fee: 500 }, 'fee'],
      ['post', `${p}/appointments/${appointment.id}/independence-declaration`, { statement: '' }, 'statement'],
      ['post', `${p}/appointments/${appointment.id}/independence-declaration`, { statement: 'ok', declaredAt: '2099-01-01T00:00:00Z' }, 'declaredAt'],
      ['post', `${p}/appointments/${appointment.id}/independence-declaration`, { statement: 'ok', declaredAt: 'yesterday' }, 'declaredAt'],
      ['post', `${p}/appointments/${appointment.id}/independence-declaration`, { statement: long(5001) }, 'statement'],
      ['post', `${p}/appointments/${appointment.id}/end`, { endedOn: '2099-01-01' }, 'endedOn'],
      ['post', `${p}/appointments/${appointment.id}/end`, { endedOn: '2026-01-31' }, 'endedOn'],
      ['post', `${p}/appointments/${appointment.id}/end`, {}, 'endedOn'],
      ['post', `${p}/appointments/${appointment.id}/end`, { endedOn: '2026-03-01', reason: 'x' }, 'reason'],
      // panel
      ['post', `${p}/panel-members`, { ...member(health), noDirectCaseManagementDeclared: false }, 'noDirectCaseManagementDeclared'],
      ['post', `${p}/panel-members`, { ...member(health), noDirectCaseManagementDeclared: undefined }, 'noDirectCaseManagementDeclared'],
      ['post', `${p}/panel-members`, { ...member(health), agencyId: NOBODY }, 'agencyId'],
      ['post', `${p}/panel-members`, { ...member(health), agencyId: 'police' }, 'agencyId'],
      ['post', `${p}/panel-members`, { ...member(health), joinedOn: '2099-01-01' }, 'joinedOn'],
      ['post', `${p}/panel-members`, { ...member(health), joinedOn: '2026-02-30' }, 'joinedOn'],
      ['post', `${p}/panel-members`, { ...member(health), role: long(201) }, 'role'],
      ['post', `${p}/panel-members`, { ...member(health), email: 'nope' }, 'email'],
      ['post', `${p}/panel-members`, { ...member(health), phone: '0123' }, 'phone'],
      ['post', `${p}/panel-members/${panelMember.id}/leave`, { leftOn: '2099-01-01' }, 'leftOn'],
      ['post', `${p}/panel-members/${panelMember.id}/leave`, { leftOn: '2026-02-01' }, 'leftOn'],
      ['post', `${p}/panel-members/${panelMember.id}/leave`, {}, 'leftOn'],
      // scoping responses
      ['post', `${p}/scoping-responses`, { agencyId: health, hadContact: 'yes', respondedOn: '2026-01-20' }, 'hadContact'],
      ['post', `${p}/scoping-responses`, { agencyId: health, respondedOn: '2026-01-20' }, 'hadContact'],
      ['post', `${p}/scoping-responses`, { agencyId: health, hadContact: true, respondedOn: '2099-01-20' }, 'respondedOn'],
      ['post', `${p}/scoping-responses`, { agencyId: health, hadContact: true, respondedOn: '2026-01-01' }, 'respondedOn'],
      ['post', `${p}/scoping-responses`, { agencyId: NOBODY, hadContact: true, respondedOn: '2026-01-20' }, 'agencyId'],
      ['post', `${p}/scoping-responses`, { agencyId: health, hadContact: true, respondedOn: '2026-01-20', summary: long(10001) }, 'summary'],
      ['post', `${p}/scoping-responses`, { agencyId: health, hadContact: true, respondedOn: '2026-01-20', contact: 'x' }, 'contact'],
      ['patch', `${p}/scoping-responses/${response.id}`, {}, 'body'],
      ['patch', `${p}/scoping-responses/${response.id}`, { agencyId: health }, 'agencyId'],
      ['patch', `${p}/scoping-responses/${response.id}`, { respondedOn: '2099-01-01' }, 'respondedOn'],
      ['patch', `${p}/scoping-responses/${response.id}`, { hadContact: null }, 'hadContact'],
      // records secured
      ['post', `${p}/records-secured`, { agencyId: health, confirmedOn: '2099-01-01', confirmedBy: 'DCI Brown' }, 'confirmedOn'],
      ['post', `${p}/records-secured`, { agencyId: health, confirmedOn: '2026-01-01', confirmedBy: 'DCI Brown' }, 'confirmedOn'],
      ['post', `${p}/records-secured`, { agencyId: health, confirmedOn: '2026-02-01' }, 'confirmedBy'],
      ['post', `${p}/records-secured`, { agencyId: health, confirmedOn: '2026-02-01', confirmedBy: long(201) }, 'confirmedBy'],
      ['post', `${p}/records-secured`, { agencyId: NOBODY, confirmedOn: '2026-02-01', confirmedBy: 'DCI Brown' }, 'agencyId'],
      ['post', `${p}/records-secured`, { agencyId: health, confirmedOn: '2026-02-01', confirmedBy: 'DCI Brown', notes: 'x' }, 'notes'],
    ];

    const before = await counts(id);
    const reviewBefore = await api.get(id);
    for (const [method, path, body, field] of cases) {
      const res = method === 'post' ? await post(path, body) : await patch(path, body);
      expect({ path, field, status: res.status }).toEqual({ path, field, status: 400 });
      expect({ path, fields: res.body.errors.map((e: { field: string }) => e.field).join(',') }).toEqual({
        path,
        fields: expect.stringContaining(field),
      });
    }
    // A malformed If-Match is a 400 too.
    const etag = await patch(`${p}/people/${person.id}`, { age: 40 }, 'version one');
    expect(etag.status).toBe(400);
    expect(etag.body.errors[0].field).toBe('If-Match');

    expect(await counts(id)).toEqual(before);
    const reviewAfter = await api.get(id);
    expect({ version: reviewAfter.version, facts: reviewAfter.facts }).toEqual({ version: reviewBefore.version, facts: reviewBefore.facts });
    expect((await get(`${p}/people/${person.id}?include=realNames`).expect(200)).body).toMatchObject({ realName: 'Jane Realname', age: 34, version: 1 });
    expect((await get(`${p}/appointments/${appointment.id}`).expect(200)).body).toMatchObject({ endedOn: null, independenceDeclared: false, version: 1 });
    expect((await get(`${p}/panel-members/${panelMember.id}`).expect(200)).body).toMatchObject({ leftOn: null, version: 1 });
    expect((await get(`${p}/scoping-responses/${response.id}`).expect(200)).body).toMatchObject({ agencyId: police, hadContact: true, version: 1 });
  });
});
