import { CaseFileApi } from './support/casefile-api';
import { CaseFileSql } from './support/casefile-sql';
import { currentIfMatch, recordPathOf } from './support/if-match';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

const LEAD = 'csp.lead@maldon.gov.uk';
const CHAIR = 'independent.chair@example.org';

/** The 20 quality-check dates the parallel writers send, each different: 21 March to 9 April. */
const DATES = Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2026, 2, 21 + i)).toISOString().slice(0, 10));

describe('If-Match on writes to existing case-file records (real PostgreSQL)', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let casefile: CaseFileApi;
  let sql: CaseFileSql;
  let cspId: string;
  let agencyId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    api = reviewApi(ctx.api, LEAD);
    casefile = new CaseFileApi(ctx.api, CHAIR);
    sql = new CaseFileSql(ctx.database.url);
    cspId = (await api.createCsp('IFMATCH')).id;
    agencyId = await casefile.agency('Essex Police');
  });
  afterAll(() => ctx.close());

  const qualityCheck = (reviewId: string, imrId: string, checkedOn: string, ifMatch?: string) => {
    const req = api.http().post(`/reviews/${reviewId}/imrs/${imrId}/quality-check`).set('X-Actor', CHAIR);
    return (ifMatch === undefined ? req : req.set('If-Match', ifMatch)).send({ checkedOn });
  };
  const receivedImr = async () => {
    const { id } = await api.openReview(cspId);
    const imrId = await casefile.commissionImr(id, agencyId);
    await casefile.receiveImr(id, imrId);
    const imr = (await api.http().get(`/reviews/${id}/imrs/${imrId}`).expect(200)).body;
    return { reviewId: id, imrId, version: imr.version as number };
  };
  const historyOf = async (reviewId: string, type: string) =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM review_events WHERE review_id = $1 AND type = $2`, [reviewId, type]))[0].n;

  it('refuses a quality check without If-Match (428 naming the header), with `*`, and a stale one (412); none writes', async () => {
    const { reviewId, imrId, version } = await receivedImr();
    const reviewVersion = (await api.get(reviewId)).version;

    const missing = await qualityCheck(reviewId, imrId, '2026-03-25');
    expect(missing.status).toBe(428);
    expect(missing.body).toMatchObject({ statusCode: 428, error: 'Precondition Required', errors: [{ field: 'If-Match' }] });
    expect(missing.body.message).toMatch(/^If-Match: /);
    expect((await qualityCheck(reviewId, imrId, '2026-03-25', '*')).status).toBe(428);
    expect((await qualityCheck(reviewId, imrId, '2026-03-25', '')).status).toBe(428);
    const stale = await qualityCheck(reviewId, imrId, '2026-03-25', `"${version - 1}"`);
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(version);
    expect((await qualityCheck(reviewId, imrId, '2026-03-25', 'three')).status).toBe(400);

    const imr = (await api.http().get(`/reviews/${reviewId}/imrs/${imrId}`).expect(200)).body;
    expect(imr).toMatchObject({ qualityCheckedOn: null, version });
    expect((await api.get(reviewId)).version).toBe(reviewVersion);
    expect(await historyOf(reviewId, 'IMR_QUALITY_CHECKED')).toBe(0);

    // With the version read, it is written, and the version moves on.
    const done = (await qualityCheck(reviewId, imrId, '2026-03-25', `"${version}"`).expect(200)).body;
    expect(done).toMatchObject({ qualityCheckedOn: '2026-03-25', version: version + 1 });
  });

  it('a malformed body is still a 400 naming its field, and a record of another review a 404, with or without If-Match', async () => {
    const { reviewId, imrId } = await receivedImr();
    const other = await receivedImr();
    const bad = await qualityCheck(reviewId, imrId, '2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('checkedOn');
    expect((await qualityCheck(other.reviewId, imrId, '2026-03-25')).status).toBe(404);
    expect((await qualityCheck(other.reviewId, imrId, '2026-03-25', '"1"')).status).toBe(404);
  });

  it('20 parallel quality checks with the If-Match read: exactly one is written, 19 get 412, nothing is overwritten', async () => {
    const { reviewId, imrId, version } = await receivedImr();
    const answers = await Promise.all(DATES.map((date) => qualityCheck(reviewId, imrId, date, `"${version}"`)));
    const won = answers.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((r) => r.status === 412)).toHaveLength(19);
    const imr = (await api.http().get(`/reviews/${reviewId}/imrs/${imrId}`).expect(200)).body;
    expect(imr).toMatchObject({ qualityCheckedOn: won[0].body.qualityCheckedOn, version: version + 1 });
    expect(await historyOf(reviewId, 'IMR_QUALITY_CHECKED')).toBe(1);
  });

  it('20 parallel quality checks without If-Match: all 428, nothing written', async () => {
    const { reviewId, imrId, version } = await receivedImr();
    const answers = await Promise.all(DATES.map((date) => qualityCheck(reviewId, imrId, date)));
    expect(answers.map((r) => r.status)).toEqual(DATES.map(() => 428));
    expect((await api.http().get(`/reviews/${reviewId}/imrs/${imrId}`).expect(200)).body).toMatchObject({ qualityCheckedOn: null, version });
    expect(await historyOf(reviewId, 'IMR_QUALITY_CHECKED')).toBe(0);
  });

  it('creating a record needs no If-Match; changing it then does (the publication record, a meeting)', async () => {
    const { id } = await api.openReview(cspId);
    const put = (body: Record<string, unknown>, ifMatch?: string) => {
      const req = api.http().put(`/reviews/${id}/publication`).set('X-Actor', LEAD);
      return (ifMatch === undefined ? req : req.set('If-Match', ifMatch)).send(body);
    };
    const created = (await put({ pseudonyms: ['Adult A'] }).expect(200)).body;
    expect(created.version).toBe(1);
    expect((await put({ pseudonyms: ['Adult B'] })).status).toBe(428);
    expect((await put({ pseudonyms: ['Adult B'] }, '"0"')).status).toBe(412);
    expect((await put({ pseudonyms: ['Adult B'] }, '"1"').expect(200)).body).toMatchObject({ pseudonyms: ['Adult B'], version: 2 });

    const meeting = (
      await api.http().post(`/reviews/${id}/meetings`).set('X-Actor', CHAIR).send({ startsAt: '2026-04-01T10:00:00+01:00', location: 'Maldon' }).expect(201)
    ).body;
    const moved = await api.http().patch(`/reviews/${id}/meetings/${meeting.id}`).set('X-Actor', CHAIR).send({ location: 'Chelmsford' });
    expect(moved.status).toBe(428);
    expect((await api.http().get(`/reviews/${id}/meetings/${meeting.id}`).expect(200)).body).toMatchObject({ location: 'Maldon', version: 1 });
  });

  it('20 parallel lifecycle events: with one If-Match one wins and 19 get 412; without, one wins and 19 get 409', async () => {
    for (const withIfMatch of [true, false]) {
      const { id, version } = await api.openReview(cspId);
      const answers = await Promise.all(
        DATES.map((_, i) => {
          const req = api.http().post(`/reviews/${id}/events`).set('X-Actor', LEAD);
          return (withIfMatch ? req.set('If-Match', `"${version}"`) : req).send({
            type: 'DECIDE',
            outcome: i % 2 === 0 ? 'proceed' : 'not_proceed',
            rationale: `Decision ${i}`,
            decidedAt: '2026-02-01',
          });
        }),
      );
      expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
      expect(answers.filter((r) => r.status === (withIfMatch ? 412 : 409))).toHaveLength(19);
      const winner = answers.find((r) => r.status === 200)!;
      const review = await api.get(id);
      expect(review).toMatchObject({ version: version + 1, status: winner.body.status });
      expect(await historyOf(id, 'DECIDE')).toBe(1);
    }
  });

  it('every write to an existing record refuses a missing If-Match (428) and a stale one (412), writing nothing', async () => {
    const { id } = await api.openReview(cspId);
    const appointment = await casefile.appointChair(id);
    const member = await casefile.addPanelMember(id, agencyId);
    const imr = await casefile.commissionImr(id, agencyId);
    const recommendation = (
      await api.http().post(`/reviews/${id}/recommendations`).set('X-Actor', CHAIR).send({ text: 'Share risk information', level: 'multi_agency', addressee: 'Maldon CSP' }).expect(201)
    ).body.id;
    const action = await casefile.action(id, recommendation);
    const proceeding = await casefile.criminalProceedings(id, 'active');
    const documentId = await casefile.uploadDraft(id, 'overview_report');
    const person = (await api.http().post(`/reviews/${id}/people`).set('X-Actor', LEAD).send({ role: 'victim', realName: 'Jane Realname', pseudonym: 'Anna' }).expect(201)).body.id;
    const scoping = (
      await api.http().post(`/reviews/${id}/scoping-responses`).set('X-Actor', CHAIR).send({ agencyId, hadContact: true, respondedOn: '2026-02-05' }).expect(201)
    ).body.id;
    const meeting = (
      await api.http().post(`/reviews/${id}/meetings`).set('X-Actor', CHAIR).send({ startsAt: '2026-04-01T10:00:00+01:00', location: 'Maldon' }).expect(201)
    ).body.id;
    await api.http().put(`/reviews/${id}/publication`).set('X-Actor', LEAD).send({ pseudonyms: ['Adult A'] }).expect(200);

    const r = `/reviews/${id}`;
    const writes: Array<[string, string, Record<string, unknown> | null, string]> = [
      ['PATCH', `${r}/people/${person}`, { pseudonym: 'Adult B' }, LEAD],
      ['POST', `${r}/appointments/${appointment}/independence-declaration`, { statement: 'No involvement with any agency.' }, CHAIR],
      ['POST', `${r}/appointments/${appointment}/end`, { endedOn: '2026-03-01' }, CHAIR],
      ['POST', `${r}/panel-members/${member}/leave`, { leftOn: '2026-03-01' }, CHAIR],
      ['PATCH', `${r}/scoping-responses/${scoping}`, { hadContact: false }, CHAIR],
      ['POST', `${r}/imrs/${imr}/extensions`, { newDueOn: '2026-05-01', reason: 'Author on leave', grantedOn: '2026-03-01' }, CHAIR],
      ['POST', `${r}/imrs/${imr}/receipt`, { receivedOn: '2026-03-20' }, CHAIR],
      ['POST', `${r}/imrs/${imr}/quality-check`, { checkedOn: '2026-03-21' }, CHAIR],
      ['POST', `${r}/imrs/${imr}/sign-off`, { signedOffBy: 'Head of Service', signedOffOn: '2026-03-22' }, CHAIR],
      ['POST', `${r}/imrs/${imr}/waiver`, { reason: 'No contact' }, CHAIR],
      ['PATCH', `${r}/meetings/${meeting}`, { location: 'Chelmsford' }, CHAIR],
      ['POST', `${r}/meetings/${meeting}/held`, { minutes: 'Held.' }, CHAIR],
      ['POST', `${r}/meetings/${meeting}/cancel`, { reason: 'Chair unwell' }, CHAIR],
      ['PATCH', `${r}/proceedings/${proceeding}`, { description: 'Trial for murder' }, LEAD],
      ['POST', `${r}/proceedings/${proceeding}/status`, { status: 'concluded', on: '2026-03-01' }, LEAD],
      ['PATCH', `${r}/recommendations/${recommendation}`, { text: 'Share risk information at MARAC' }, CHAIR],
      ['POST', `${r}/recommendations/${recommendation}/agree`, {}, CHAIR],
      ['POST', `${r}/recommendations/${recommendation}/withdraw`, { reason: 'Merged' }, CHAIR],
      ['PATCH', `${r}/recommendations/${recommendation}/actions/${action}`, { owner: 'Essex County Council' }, LEAD],
      ['POST', `${r}/recommendations/${recommendation}/actions/${action}/complete`, { completedOn: '2026-03-01', evidence: 'Done' }, LEAD],
      ['POST', `${r}/documents/${documentId}/versions`, null, CHAIR],
      ['PUT', `${r}/publication`, { pseudonyms: ['Adult Z'] }, LEAD],
      ['POST', `${r}/publication/anonymisation-confirmation`, { confirmedBy: 'CSP manager' }, LEAD],
    ];
    const send = (method: string, path: string, body: Record<string, unknown> | null, actor: string, ifMatch?: string) => {
      const http = api.http();
      let req = method === 'POST' ? http.post(path) : method === 'PATCH' ? http.patch(path) : http.put(path);
      req = req.set('X-Actor', actor);
      if (ifMatch !== undefined) req = req.set('If-Match', ifMatch);
      return body ? req.send(body) : req.attach('file', Buffer.from('%PDF-1.4 second draft'), { filename: 'v2.pdf', contentType: 'application/pdf' });
    };
    const before = { version: (await api.get(id)).version, history: (await api.history(id)).length };
    for (const [method, path, body, actor] of writes) {
      const missing = await send(method, path, body, actor);
      expect({ method, path, status: missing.status, field: missing.body.errors?.[0]?.field }).toEqual({ method, path, status: 428, field: 'If-Match' });
      const stale = await send(method, path, body, actor, '"999"');
      expect({ method, path, status: stale.status }).toEqual({ method, path, status: 412 });
    }
    expect({ version: (await api.get(id)).version, history: (await api.history(id)).length }).toEqual(before);
  });

  it('a web form sends the version it was rendered from; one that carries none is refused, not applied', async () => {
    const { reviewId, imrId, version } = await receivedImr();
    const form = (fields: Record<string, string>) =>
      api.http().post(`/cases/${reviewId}/imrs/${imrId}/quality-check`).set('X-Actor', CHAIR).set('Accept', 'text/html').type('form').send(fields);
    const date = { 'checkedOn-day': '25', 'checkedOn-month': '3', 'checkedOn-year': '2026' };
    const page = await api.http().get(`/cases/${reviewId}/imrs/${imrId}/quality-check`).set('X-Actor', CHAIR).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain(`name="version" value="${version}"`);

    const without = await form(date);
    expect(without.status).toBe(428);
    expect(without.text).toContain('govuk-error-summary');
    expect((await api.http().get(`/reviews/${reviewId}/imrs/${imrId}`).expect(200)).body).toMatchObject({ qualityCheckedOn: null, version });

    expect((await form({ ...date, version: String(version) })).status).toBe(303);
    expect((await api.http().get(`/reviews/${reviewId}/imrs/${imrId}`).expect(200)).body).toMatchObject({ qualityCheckedOn: '2026-03-25', version: version + 1 });
  });

  it('the OpenAPI document says If-Match is required on each of those writes', async () => {
    const doc = (await api.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean }> }>>;
    };
    const ifMatch = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        (op.parameters ?? []).filter((p) => p.in === 'header' && p.name === 'If-Match').map((p) => `${method.toUpperCase()} ${path} ${p.required ? 'required' : 'optional'}`),
      ),
    );
    const optional = ifMatch.filter((line) => line.endsWith('optional')).sort();
    expect(optional).toEqual([
      'POST /reviews/{id}/corrections optional',
      'POST /reviews/{id}/events optional',
      'POST /reviews/{id}/transfer optional',
      'PUT /reviews/{reviewId}/coding optional',
      'PUT /reviews/{reviewId}/publication optional',
    ]);
    expect(ifMatch.filter((line) => line.endsWith('required'))).toHaveLength(25); // 22, an IMR submission's confirmation and return (issue 14 item 5), a QA change marked done
  });

  it('the tests’ helper reads the version of the record a write goes to', async () => {
    expect(recordPathOf('/reviews/r/imrs/i/quality-check')).toBe('/reviews/r/imrs/i');
    expect(recordPathOf('/reviews/r/meetings/m')).toBe('/reviews/r/meetings/m');
    expect(recordPathOf('/reviews/r/recommendations/x/actions/a/complete')).toBe('/reviews/r/recommendations/x/actions/a');
    expect(recordPathOf('/reviews/r/publication/anonymisation-confirmation')).toBe('/reviews/r/publication');
    expect(recordPathOf('/reviews/r/imrs')).toBeNull();
    const { reviewId, imrId, version } = await receivedImr();
    expect(await currentIfMatch(() => api.http(), `/reviews/${reviewId}/imrs/${imrId}/sign-off`, { 'x-actor': CHAIR })).toBe(`"${version}"`);
  });
});
