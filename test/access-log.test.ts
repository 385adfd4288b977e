import request from 'supertest';
import { CaseFileApi } from './support/casefile-api';
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

  it('records web pages, form posts and the diagram with the status that was sent', async () => {
    const api = reviewApi(ctx.api);
    const { id } = await api.openReview((await api.createCsp('CASTLEPOINT')).id);
    const http = () => request(ctx.api.getHttpServer());
    await http().get(`/cases/${id}`).set('X-Actor', 'page.reader@castlepoint.gov.uk').expect(200);
    await http().get(`/reviews/${id}/diagram`).set('X-Actor', 'diagram.reader@castlepoint.gov.uk').expect(200);
    // A form with a problem is answered with the page again (400); a good one redirects (303).
    await http().post(`/cases/${id}/recommendations`).type('form').send({ text: '' }).set('X-Actor', 'chair@castlepoint.example').expect(400);
    await http()
      .post(`/cases/${id}/recommendations`)
      .type('form')
      .send({ text: 'Share risk information at MARAC', level: 'multi_agency', addressee: 'Castle Point CSP' })
      .set('X-Actor', 'chair@castlepoint.example')
      .expect(303);
    const log = (await http().get(`/reviews/${id}/access-log`).set('X-Actor', 'csp.lead@castlepoint.gov.uk').expect(200)).body as Array<{
      actor: string;
      route: string;
      method: string;
      status: number;
    }>;
    const rows = log.map((e) => [e.actor, e.method, e.route, e.status]).reverse();
    expect(rows.slice(-4)).toEqual([
      ['page.reader@castlepoint.gov.uk', 'GET', '/cases/:reviewId', 200],
      ['diagram.reader@castlepoint.gov.uk', 'GET', '/reviews/:id/diagram', 200],
      ['chair@castlepoint.example', 'POST', '/cases/:reviewId/recommendations', 400],
      ['chair@castlepoint.example', 'POST', '/cases/:reviewId/recommendations', 303],
    ]);
    // Each request is one row, written once.
    expect(log.filter((e) => e.actor === 'page.reader@castlepoint.gov.uk')).toHaveLength(1);
  });

  it('does not serve a page, the diagram, a calendar invitation or case content whose read it cannot record', async () => {
    const api = reviewApi(ctx.api);
    const { id, reference } = await api.openReview((await api.createCsp('BASILDON')).id);
    const meeting = await new CaseFileApi(ctx.api).scheduleMeeting(id, '2027-01-12T10:00:00Z');
    const sql = new CaseFileSql(ctx.database.url);
    await sql.query(`CREATE FUNCTION refuse_unloggable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.actor = 'unloggable@basildon.gov.uk' THEN RAISE EXCEPTION 'log store unavailable'; END IF; RETURN NEW; END $$`);
    await sql.query(`CREATE TRIGGER refuse_unloggable BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION refuse_unloggable()`);
    try {
      const http = () => request(ctx.api.getHttpServer());
      const invitation = `/cases/${id}/meetings/${meeting}/invitation`;
      for (const path of [`/cases/${id}`, `/cases/${id}/imrs`, `/reviews/${id}/diagram`, `/reviews/${id}`, invitation]) {
        const res = await http().get(path).set('X-Actor', 'unloggable@basildon.gov.uk');
        expect([path, res.status]).toEqual([path, 500]);
        expect(res.text).not.toContain(reference);
        expect(res.text).not.toContain('<svg');
        expect(res.text).not.toContain('BEGIN:VCALENDAR');
      }
      // Someone whose reads can be recorded is served as usual, and the read is in the log.
      const ok = await http().get(`/cases/${id}`).set('X-Actor', 'loggable@basildon.gov.uk');
      expect(ok.status).toBe(200);
      expect(ok.text).toContain(reference);
      const ics = await http().get(invitation).set('X-Actor', 'loggable@basildon.gov.uk');
      expect(ics.status).toBe(200);
      expect(ics.text).toContain('BEGIN:VCALENDAR');
      const logged = await sql.query(`SELECT route, status FROM access_log WHERE actor = 'loggable@basildon.gov.uk' AND path = $1`, [invitation]);
      expect(logged).toEqual([{ route: '/cases/:reviewId/meetings/:meetingId/invitation', status: 200 }]);
    } finally {
      await sql.query(`DROP TRIGGER refuse_unloggable ON access_log`);
      await sql.query(`DROP FUNCTION refuse_unloggable()`);
    }
  });

  it('cannot be changed or deleted', async () => {
    const sql = new CaseFileSql(ctx.database.url);
    await expect(sql.query(`UPDATE access_log SET actor = 'nobody'`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM access_log`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`TRUNCATE access_log`)).rejects.toThrow(/append-only/);
  });
});
