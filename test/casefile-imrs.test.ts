import { CaseFileSql } from './support/casefile-sql';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

const CHAIR = 'independent.chair@example.org';

describe('IMRs over HTTP (real PostgreSQL)', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let sql: CaseFileSql;
  let cspId: string;
  let agencyId: string;
  let probationId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    api = reviewApi(ctx.api, CHAIR);
    sql = new CaseFileSql(ctx.database.url);
    cspId = (await api.createCsp('UTTLESFORD')).id;
    agencyId = (await api.http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Essex Police', kind: 'police' }).expect(201)).body.id;
    probationId = (await api.http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Probation Service', kind: 'probation' }).expect(201)).body.id;
  });
  afterAll(() => ctx.close());

  const commission = (reviewId: string, body: Record<string, unknown> = {}) =>
    api
      .http()
      .post(`/reviews/${reviewId}/imrs`)
      .set('X-Actor', CHAIR)
      .send({ agencyId, kind: 'imr', authorName: 'A. Author', requestedOn: '2026-03-01', dueOn: '2026-04-12', ...body });

  const count = async (table: string, reviewId: string) =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE review_id = $1`, [reviewId]))[0].n;

  it('commissions, extends and receives IMRs; each step is in the history and the facts at once', async () => {
    const { id } = await api.openReview(cspId);
    const first = (await commission(id).expect(201)).body;
    const second = (await commission(id, { agencyId: probationId, kind: 'short_report' }).expect(201)).body;
    expect(first).toMatchObject({ state: 'outstanding', dueOn: '2026-04-12', version: 1 });
    expect((await api.get(id)).facts).toMatchObject({ imrsCommissioned: 2, imrsOutstanding: 2 });

    const extended = (
      await api
        .versioned()
        .post(`/reviews/${id}/imrs/${first.id}/extensions`)
        .set('X-Actor', CHAIR)
        .send({ newDueOn: '2026-05-10', reason: 'Author on leave', grantedOn: '2026-04-01' })
        .expect(201)
    ).body;
    expect(extended.dueOn).toBe('2026-05-10');
    expect(extended.extensions).toEqual([
      { previousDueOn: '2026-04-12', newDueOn: '2026-05-10', reason: 'Author on leave', grantedOn: '2026-04-01', grantedBy: CHAIR },
    ]);

    await api.versioned().post(`/reviews/${id}/imrs/${first.id}/receipt`).set('X-Actor', CHAIR).send({ receivedOn: '2026-05-01' }).expect(200);
    await api.versioned().post(`/reviews/${id}/imrs/${second.id}/waiver`).set('X-Actor', CHAIR).send({ reason: 'No significant contact' }).expect(200);
    expect((await api.get(id)).facts).toMatchObject({ imrsCommissioned: 2, imrsOutstanding: 0 });

    const history = await api.history(id);
    expect(history.map((h) => [h.type, h.actor])).toEqual([
      ['NOTIFICATION_RECORDED', CHAIR],
      ['IMR_COMMISSIONED', CHAIR],
      ['IMR_COMMISSIONED', CHAIR],
      ['IMR_EXTENDED', CHAIR],
      ['IMR_RECEIVED', CHAIR],
      ['IMR_WAIVED', CHAIR],
    ]);
    // The review's version (its ETag) follows its history.
    expect((await api.get(id)).version).toBe(history.length);

    const list = (await api.http().get(`/reviews/${id}/imrs`).expect(200)).body;
    expect(list.map((i: { state: string }) => i.state)).toEqual(['received', 'waived']);
  });

  it('commissions IMRs from several agencies in one request, all or none: a refused agency is named and nothing is written', async () => {
    const { id } = await api.openReview(cspId);
    const agency = async (name: string) => (await api.http().post('/agencies').set('X-Actor', 'admin').send({ name, kind: 'health' }).expect(201)).body.id as string;
    const [health, school] = [await agency(`Trust ${Date.now()}`), await agency(`School ${Date.now()}`)];
    const many = (body: Record<string, unknown>) =>
      api.http().post(`/reviews/${id}/imrs/commissions`).set('X-Actor', CHAIR).send({ kind: 'imr', requestedOn: '2026-03-01', dueOn: '2026-04-12', ...body });

    const made = (await many({ agencyIds: [agencyId, health] }).expect(201)).body;
    expect(made.map((i: { agencyId: string; dueOn: string; state: string }) => [i.agencyId, i.dueOn, i.state])).toEqual([
      [agencyId, '2026-04-12', 'outstanding'],
      [health, '2026-04-12', 'outstanding'],
    ]);
    expect((await api.history(id)).filter((h) => h.type === 'IMR_COMMISSIONED')).toHaveLength(2);

    // The police's IMR is still outstanding: the request is refused naming it, and the school's is not made either.
    const refused = await many({ agencyIds: [school, agencyId] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'agencyIds.1', message: 'Essex Police already has an IMR outstanding on this review' }]);
    const unknown = await many({ agencyIds: [school, '4b7a3f0e-1111-4222-8333-944444444444'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'agencyIds.1', message: 'no agency with id 4b7a3f0e-1111-4222-8333-944444444444' }]);
    const twice = await many({ agencyIds: [school, school] });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ field: 'agencyIds.1', message: 'is chosen twice' }]);
    const none = await many({ agencyIds: [] });
    expect(none.status).toBe(400);
    expect(none.body.errors.map((e: { field: string }) => e.field)).toEqual(['agencyIds']);
    expect(await count('imrs', id)).toBe(2);
    expect((await api.history(id)).filter((h) => h.type === 'IMR_COMMISSIONED')).toHaveLength(2);
  });

  it("commissions one agency's IMR only when none of theirs is outstanding; an unknown agency is named", async () => {
    const { id } = await api.openReview(cspId);
    await commission(id).expect(201);
    const again = await commission(id);
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual([{ field: 'agencyId', message: 'Essex Police already has an IMR outstanding on this review' }]);
    const unknown = await commission(id, { agencyId: '4b7a3f0e-1111-4222-8333-944444444444' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'agencyId', message: 'no agency with id 4b7a3f0e-1111-4222-8333-944444444444' }]);
    expect(await count('imrs', id)).toBe(1);
  });

  it('refuses a second receipt (409) and a stale If-Match (412), leaving the IMR as it was', async () => {
    const { id } = await api.openReview(cspId);
    const imr = (await commission(id).expect(201)).body;
    const stale = await api
      .versioned()
      .post(`/reviews/${id}/imrs/${imr.id}/receipt`)
      .set('X-Actor', CHAIR)
      .set('If-Match', '"7"')
      .send({ receivedOn: '2026-04-01' });
    expect(stale.status).toBe(412);
    await api.versioned().post(`/reviews/${id}/imrs/${imr.id}/receipt`).set('X-Actor', CHAIR).set('If-Match', '"1"').send({ receivedOn: '2026-04-01' }).expect(200);
    const again = await api.versioned().post(`/reviews/${id}/imrs/${imr.id}/receipt`).set('X-Actor', CHAIR).send({ receivedOn: '2026-04-02' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/received on 2026-04-01/);
    const waive = await api.versioned().post(`/reviews/${id}/imrs/${imr.id}/waiver`).set('X-Actor', CHAIR).send({ reason: 'x' });
    expect(waive.status).toBe(409);
    expect((await api.http().get(`/reviews/${id}/imrs/${imr.id}`).expect(200)).body).toMatchObject({ receivedOn: '2026-04-01', waivedReason: null });
  });

  it('refuses ids from another review with 404, never cross-linking', async () => {
    const a = await api.openReview(cspId);
    const b = await api.openReview(cspId);
    const imrOfA = (await commission(a.id).expect(201)).body;
    const bodies: Record<string, Record<string, unknown>> = {
      '/receipt': { receivedOn: '2026-04-01' },
      '/waiver': { reason: 'x' },
      '/extensions': { newDueOn: '2026-06-01', reason: 'x', grantedOn: '2026-04-01' },
    };
    for (const path of ['', '/receipt', '/waiver', '/extensions']) {
      const res = path
        ? await api.http().post(`/reviews/${b.id}/imrs/${imrOfA.id}${path}`).set('X-Actor', CHAIR).send(bodies[path])
        : await api.http().get(`/reviews/${b.id}/imrs/${imrOfA.id}`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(JSON.stringify(res.body)).not.toContain(imrOfA.agencyId);
    }
    expect((await commission('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('answers bad input on every IMR endpoint with 400 naming the field, and writes nothing', async () => {
    const { id } = await api.openReview(cspId);
    const imr = (await commission(id).expect(201)).body;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['', { agencyId, kind: 'novel', requestedOn: '2026-03-01', dueOn: '2026-04-01' }, 'kind'],
      ['', { agencyId, kind: 'imr', requestedOn: '2026-03-01', dueOn: '2026-02-01' }, 'dueOn'],
      ['', { agencyId, kind: 'imr', requestedOn: '2099-03-01', dueOn: '2099-04-01' }, 'requestedOn'],
      ['', { agencyId: '00000000-0000-4000-8000-000000000000', kind: 'imr', requestedOn: '2026-03-01', dueOn: '2026-04-01' }, 'agencyId'],
      ['', { agencyId, kind: 'imr', requestedOn: '2026-03-01', dueOn: '2026-04-01', colour: 'red' }, 'colour'],
      ['', { agencyId, kind: 'imr', requestedOn: '2026-03-01', dueOn: '2026-04-01', authorName: 'x'.repeat(201) }, 'authorName'],
      [`/${imr.id}/extensions`, { newDueOn: '2026-04-01', reason: 'too early', grantedOn: '2026-03-20' }, 'newDueOn'],
      [`/${imr.id}/extensions`, { newDueOn: '2026-06-01', reason: '', grantedOn: '2026-03-20' }, 'reason'],
      [`/${imr.id}/receipt`, { receivedOn: '2099-01-01' }, 'receivedOn'],
      [`/${imr.id}/receipt`, { receivedOn: '2026-02-01' }, 'receivedOn'],
      [`/${imr.id}/receipt`, {}, 'receivedOn'],
      [`/${imr.id}/waiver`, { reason: 'x'.repeat(2001) }, 'reason'],
      [`/${imr.id}/sign-off`, { signedOffBy: 'Head of Service', signedOffOn: 'yesterday' }, 'signedOffOn'],
      [`/${imr.id}/quality-check`, { checkedOn: '2026-13-01' }, 'checkedOn'],
    ];
    const before = { imrs: await count('imrs', id), extensions: await count('imr_extensions', id), history: await count('review_events', id) };
    for (const [path, body, field] of cases) {
      const res = await api.versioned().post(`/reviews/${id}/imrs${path}`).set('X-Actor', CHAIR).send(body);
      expect({ path, field, status: res.status }).toEqual({ path, field, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field).join(',')).toContain(field);
    }
    expect({ imrs: await count('imrs', id), extensions: await count('imr_extensions', id), history: await count('review_events', id) }).toEqual(before);
    expect((await api.http().get(`/reviews/${id}/imrs/${imr.id}`).expect(200)).body).toMatchObject({ dueOn: '2026-04-12', receivedOn: null, version: 1 });
  });
});
