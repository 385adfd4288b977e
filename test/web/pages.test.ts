import request from 'supertest';
import { IdentityService } from '../../src/identity/identity.service';
import { reviewApi } from '../support/review-api';
import { startTestApp, TestClock, TestContext } from '../support/test-app';

/**
 * The web pages over HTTP, without a browser: their assets and CSP, errors as HTML pages (and
 * the API's still JSON), sign-in redirects, and forms that refuse, conflict or are stale.
 */
const LEAD = 'lead@rochford.gov.uk';

describe('web pages (HTTP)', () => {
  const clock = new TestClock(new Date('2026-03-16T10:00:00Z'));
  let ctx: TestContext;
  let http: () => ReturnType<typeof request>;
  let reviewId: string;

  beforeAll(async () => {
    ctx = await startTestApp({ clock, defaultActor: null });
    http = () => request(ctx.api.getHttpServer());
    const api = reviewApi(ctx.api, LEAD);
    const csp = await api.createCsp('ROCHFORD');
    reviewId = (await api.openReview(csp.id, { dateOfDeath: '2026-02-27', notifiedOn: '2026-03-02' })).id;
  });
  afterAll(() => ctx.close());

  const page = (path: string, actor: string | null = LEAD) => {
    const req = http().get(path).set('Accept', 'text/html');
    return actor ? req.set('X-Actor', actor) : req;
  };

  describe('assets and content security policy', () => {
    it('serves govuk-frontend’s CSS, JS, fonts and images, and the pages’ own files', async () => {
      const css = await http().get('/stylesheets/govuk-frontend.min.css').expect(200);
      expect(css.headers['content-type']).toMatch(/text\/css/);
      const font = /url\((\/assets\/fonts\/[^)]+\.woff2)\)/.exec(css.text)![1];
      await http().get(font).expect(200);
      await http().get('/assets/images/favicon.ico').expect(200);
      expect((await http().get('/javascripts/govuk-frontend.min.js').expect(200)).headers['content-type']).toMatch(/javascript/);
      expect((await http().get('/static/init.mjs').expect(200)).text).toContain('initAll');
      await http().get('/static/app.css').expect(200);
      // Only the two built files of the package folder: not its templates or Sass.
      await http().get('/stylesheets/template.njk').expect(404);
      await http().get('/javascripts/all.mjs').expect(404);
    });

    it('runs only scripts from the service itself, and the one inline line carrying this response’s nonce', async () => {
      const first = await page('/sign-in', null).expect(200);
      const second = await page('/sign-in', null).expect(200);
      const policy = first.headers['content-security-policy'] as string;
      const scriptSrc = /script-src ([^;]*)/.exec(policy)![1].trim().split(/\s+/);
      expect(scriptSrc).toHaveLength(2);
      expect(scriptSrc[0]).toBe("'self'");
      const nonce = /^'nonce-([A-Za-z0-9+/=]{24})'$/.exec(scriptSrc[1])![1];
      expect(policy).toContain("default-src 'self'");
      expect(policy).not.toMatch(/script-src[^;]*unsafe/);
      const inline = [...first.text.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
      expect(inline).toEqual([` nonce="${nonce}"`]);
      expect(first.text).toContain('<script type="module" src="/static/init.mjs"></script>');
      expect(second.headers['content-security-policy']).not.toContain(nonce);
    });
  });

  describe('errors', () => {
    it('a page that does not exist is GOV.UK’s "Page not found"; the API’s 404 stays JSON', async () => {
      const missing = await page('/cases/4b7a3f0e-1111-4222-8333-944444444444').expect(404);
      expect(missing.headers['content-type']).toMatch(/text\/html/);
      expect(missing.text).toContain('<h1 class="govuk-heading-l">Page not found</h1>');
      const unknown = await page('/no-such-page').expect(404);
      expect(unknown.text).toContain('Page not found');
      const api = await http().get('/reviews/4b7a3f0e-1111-4222-8333-944444444444').set('Accept', 'text/html').set('X-Actor', LEAD).expect(404);
      expect(api.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No review with this id' });
      const json = await http().get('/no-such-thing').set('Accept', 'application/json').expect(404);
      expect(json.headers['content-type']).toMatch(/application\/json/);
    });

    it('without signing in, a page sends the browser to sign in and back', async () => {
      const res = await page(`/cases/${reviewId}`, null).expect(303);
      expect(res.headers.location).toBe(`/sign-in?returnTo=${encodeURIComponent(`/cases/${reviewId}`)}`);
      expect((await page('/', null).expect(303)).headers.location).toBe('/sign-in');
      const post = await http().post(`/cases/${reviewId}/events`).type('form').send({ type: 'CLOSE' }).expect(303);
      expect(post.headers.location).toBe('/sign-in');
    });

    it('a signed-in person whose roles do not allow a page sees "You do not have access"', async () => {
      const identities = ctx.api.get(IdentityService);
      const rag = await identities.addUser({ email: 'rag@rochford.gov.uk', displayName: 'RAG member', role: 'rag_member', cspCode: 'ROCHFORD' });
      const { token } = await identities.issueToken(rag.id, 'pages test');
      const res = await http().get('/cases/new').set('Accept', 'text/html').set('Authorization', `Bearer ${token}`).expect(403);
      expect(res.text).toContain('You do not have access');
      // A review the member may not see yet (before sign-off) is not found, as in the API.
      await http().get(`/cases/${reviewId}`).set('Accept', 'text/html').set('Authorization', `Bearer ${token}`).expect(404);
    });
  });

  describe('forms', () => {
    it('a form with problems is shown again with a summary linking to each field, and nothing is written', async () => {
      const res = await http()
        .post(`/cases/${reviewId}/events`)
        .set('X-Actor', LEAD)
        .type('form')
        .send({ type: 'DECIDE', version: '1', rationale: '', 'decidedAt-day': '31', 'decidedAt-month': '2', 'decidedAt-year': '2026' })
        .expect(400);
      expect(res.text).toContain('There is a problem');
      expect(res.text).toContain('<a href="#DECIDE-outcome">Select decision</a>');
      expect(res.text).toContain('<a href="#DECIDE-rationale">Enter reasons for the decision</a>');
      expect(res.text).toContain('<a href="#DECIDE-decidedAt-day">Date of the decision must be a real date</a>');
      expect(res.text).toMatch(/<title>Error: DHR-ROCHFORD-2026-001/);
      const history = (await http().get(`/reviews/${reviewId}/history`).set('X-Actor', LEAD).expect(200)).body;
      expect(history).toHaveLength(1);
    });

    it('a form that does not carry the review\'s version is refused (428), never applied unchecked', async () => {
      const before = (await http().get(`/reviews/${reviewId}/history`).set('X-Actor', LEAD).expect(200)).body;
      const res = await http()
        .post(`/cases/${reviewId}/events`)
        .set('X-Actor', LEAD)
        .type('form')
        .send({ type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed for June.' })
        .expect(428);
      expect(res.text).toContain('The form did not say which version of the review it was filled in on, so nothing was recorded');
      expect((await http().get(`/reviews/${reviewId}/history`).set('X-Actor', LEAD).expect(200)).body).toEqual(before);
    });

    it('an action the lifecycle refuses now shows its reasons', async () => {
      const res = await http()
        .post(`/cases/${reviewId}/events`)
        .set('X-Actor', LEAD)
        .type('form')
        .send({ type: 'BEGIN_DRAFTING', version: '1' })
        .expect(409);
      expect(res.text).toContain('BEGIN_DRAFTING is not allowed now');
      expect(res.text).toContain('BEGIN_DRAFTING is not possible in stage notified');
    });

    it('a form rendered from an older version of the review says what changed, and by whom, instead of overwriting', async () => {
      const before = (await http().get(`/reviews/${reviewId}`).set('X-Actor', LEAD).expect(200)).body;
      await http()
        .post(`/reviews/${reviewId}/events`)
        .set('X-Actor', 'other.officer@rochford.gov.uk')
        .send({ type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed for June.' })
        .expect(200);
      const res = await http()
        .post(`/cases/${reviewId}/events`)
        .set('X-Actor', LEAD)
        .type('form')
        .send({
          type: 'DECIDE',
          version: String(before.version),
          outcome: 'proceed',
          rationale: 'Criteria met.',
          'decidedAt-day': '13',
          'decidedAt-month': '3',
          'decidedAt-year': '2026',
        })
        .expect(409);
      expect(res.text).toContain('This review changed since you opened it');
      expect(res.text).toContain('It is now at the stage Notified (on hold), changed by other.officer@rochford.gov.uk');
      expect(res.text).toContain('Placed on hold by other.officer@rochford.gov.uk');
      const after = (await http().get(`/reviews/${reviewId}`).set('X-Actor', LEAD).expect(200)).body;
      expect(after).toMatchObject({ status: 'notified', onHold: true, lifecycle: { decision: null } });
    });

    it('filters and searches the reviews list through the list service', async () => {
      const found = await page('/cases?reference=rochford-2026&onHold=true').expect(200);
      expect(found.text).toContain('DHR-ROCHFORD-2026-001');
      const none = await page('/cases?status=closed').expect(200);
      expect(none.text).toContain('No reviews match these filters.');
      const bad = await page('/cases?status=nonsense').expect(400);
      expect(bad.text).toContain('There is a problem');
    });
  });
});
