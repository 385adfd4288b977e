import request from 'supertest';
import { CaseFileSql } from './support/casefile-sql';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

describe('access log (real PostgreSQL)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('records every read of a review’s case content with who, when, what and from where', async () => {
    const api = reviewApi(ctx.api);
    const { id } = await api.openReview((await api.createCsp('ROCHFORD')).id);
    const http = () => request(ctx.api.getHttpServer());
    await http().get(`/reviews/${id}`).set('X-Actor', 'alice@rochford.gov.uk').set('X-Request-Id', 'req-alice-1').expect(200);
    await http().get(`/reviews/${id}/history`).set('X-Actor', 'bob@essex.police.uk').expect(200);
    // A request naming nobody gets the harness's default actor (anonymous callers get 401 now).
    await http().get(`/reviews/${id}/imrs`).expect(200);
    await http().get(`/reviews/00000000-0000-4000-8000-000000000000`).set('X-Actor', 'mallory').expect(404);

    const log = (await http().get(`/reviews/${id}/access-log`).set('X-Actor', 'csp.lead@rochford.gov.uk').expect(200)).body;
    expect(log.map((e: { actor: string; route: string }) => [e.actor, e.route])).toEqual([
      ['test-reader', '/reviews/:reviewId/imrs'],
      ['bob@essex.police.uk', '/reviews/:id/history'],
      ['alice@rochford.gov.uk', '/reviews/:id'],
    ]);
    expect(log[2]).toMatchObject({ method: 'GET', path: `/reviews/${id}`, status: 200, requestId: 'req-alice-1' });
    expect(log[2].ip).toBeTruthy();
    // Reading the access log is itself a read, recorded (it shows at the next look).
    const again = (await http().get(`/reviews/${id}/access-log`).expect(200)).body;
    expect(again[0]).toMatchObject({ actor: 'csp.lead@rochford.gov.uk', route: '/reviews/:reviewId/access-log' });
  });

  it('cannot be changed or deleted', async () => {
    const sql = new CaseFileSql(ctx.database.url);
    await expect(sql.query(`UPDATE access_log SET actor = 'nobody'`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM access_log`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`TRUNCATE access_log`)).rejects.toThrow(/append-only/);
  });
});
