import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

/**
 * The whole committee report (its DOCX, its PDF, its JSON without a page) rebuilds every review
 * it holds in the API process; past REPORT_MAX_REVIEWS it is refused with a 400 naming the
 * partnerships, and the page offers a note instead of downloads. Pages of the report still work.
 * Here the limit is 2, and Maldon has three reviews, Braintree two.
 */
describe('the committee report has a most reviews it rebuilds at once', () => {
  const clock = new TestClock(new Date('2026-12-04T10:00:00Z'));
  let ctx: TestContext;
  let token: string;
  const http = () => request(ctx.api.getHttpServer());
  const get = (path: string, accept = 'application/json') => http().get(path).set('Authorization', `Bearer ${token}`).set('Accept', accept);

  beforeAll(async () => {
    ctx = await startTestApp({ clock, env: { REPORT_MAX_REVIEWS: '2' } });
    const csp = async (code: string) => (await http().post('/csps').set('X-Actor', 'admin').send({ code, name: `${code} Community Safety Partnership` }).expect(201)).body.id as string;
    const maldon = await csp('MALDON');
    const braintree = await csp('BRAINTREE');
    const identities = ctx.api.get(IdentityService);
    const lead = await identities.addUser({ email: 'lead.limit@essex.gov.uk', displayName: 'County Lead', role: 'csp_lead', cspCode: 'MALDON' });
    await identities.addUser({ email: 'lead.limit@essex.gov.uk', displayName: 'County Lead', role: 'csp_lead', cspCode: 'BRAINTREE' });
    token = (await identities.issueToken(lead.id, 'limit')).token;
    const reviews: Array<[string, string]> = [[maldon, '2026-01-05'], [maldon, '2026-02-05'], [maldon, '2026-03-05'], [braintree, '2026-01-10'], [braintree, '2026-02-10']];
    for (const [cspId, notifiedOn] of reviews) {
      await http().post('/reviews').set('Authorization', `Bearer ${token}`)
        .send({ cspId, dateOfDeath: notifiedOn, notifiedOn, policeForce: 'Essex Police', policeReference: `ESX/${notifiedOn}`, circumstances: 'A death at home.' })
        .expect(201);
    }
  }, 60_000);
  afterAll(() => ctx?.close());

  it('refuses the whole report of more reviews than the limit, as JSON, DOCX and PDF, naming the partnerships', async () => {
    for (const format of ['json', 'docx', 'pdf']) {
      const res = await get(`/reports/committee?csp=MALDON&format=${format}`).expect(400);
      expect(res.body.errors).toEqual([{ field: 'csp', message: expect.stringContaining('would hold 3 reviews, more than the 2 one document may hold') }]);
    }
    // As at a date when Maldon had two reviews, and Braintree's two: within the limit.
    expect((await get('/reports/committee?csp=MALDON&asAt=2026-02-28').expect(200)).body.reviews).toHaveLength(2);
    await get('/reports/committee?csp=BRAINTREE&format=docx').expect(200);
  });

  it('still gives the report a page at a time', async () => {
    const page = (await get('/reports/committee?csp=MALDON,BRAINTREE&page=2&pageSize=2').expect(200)).body;
    expect([page.total, page.page, page.pages, page.reviews.length]).toEqual([5, 2, 3, 2]);
  });

  it('the page shows the report and, instead of downloads it could not give, says why', async () => {
    const big = await get('/committee-report?csp=MALDON', 'text/html').expect(200);
    expect(big.text).toContain('This report holds 3 reviews: a document can hold 2 at most.');
    expect(big.text).not.toContain('format=docx');
    const small = await get('/committee-report?csp=BRAINTREE', 'text/html').expect(200);
    expect(small.text).toContain('format=docx');
    expect(small.text).not.toContain('a document can hold');
  });
});
