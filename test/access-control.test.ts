import request from 'supertest';
import { DataSource } from 'typeorm';
import { ACTIONS } from '../src/access/actions';
import { EVENT_ROLES, POLICY, Role, ROLES } from '../src/access/policy';
import { API_ROUTE_ACTIONS, ROUTE_ACTIONS } from '../src/access/route-actions';
import { WEB_ROUTE_ACTIONS } from '../src/web/web-route-actions';
import { IdentityService } from '../src/identity/identity.service';
import { openApiDocument } from '../src/infrastructure/bootstrap/applications';
import { REVIEW_EVENT_TYPES } from '../src/reviews/lifecycle/events';
import { reviewAtSignOff, SignOffReview } from './support/scenarios';
import { startTestApp, TestContext } from './support/test-app';

/**
 * The authorisation matrix, generated from the policy table: every API route × every role ×
 * (the caller's own review, another review of the same CSP, a review of another CSP) → the
 * expectation read off POLICY, checked in both directions (allowed ones must get through the
 * guard, refused ones must be stopped by it). The requests carry bodies no schema accepts,
 * so an allowed request ends in validation (400) or a record lookup (404) and changes nothing.
 *
 * Every route the app registers is checked (the list is read from Express, so a route added
 * without an entry in the route table fails): the API routes as above, every web page and
 * form (with the review's real IMR and document ids; other record ids are made up, so an
 * allowed page may then find no record), the public routes for every role and for nobody, and
 * every route for nobody at all (401 from the API, the sign-in page from a page).
 *
 * Reading the table: a CSP role (lead, RAG) reaches every review of its CSP (the RAG only at
 * or after sign-off: all three reviews here are at sign-off); a review role reaches only the
 * reviews it is a member of; nobody reaches another CSP's reviews; the administrator reaches
 * no review at all.
 */
type Scope = 'own' | 'other' | 'foreign';
const SCOPES: Scope[] = ['own', 'other', 'foreign'];
const CSP_ROLES: Role[] = ['csp_lead', 'rag_member'];
const NO_REVIEW = 'No review with this id';
const PROBE = { matrixProbe: 'no schema accepts this field' };

describe('authorisation matrix (generated from the policy table)', () => {
  let ctx: TestContext;
  const tokens = {} as Record<Role, string>;
  const emails = {} as Record<Role, string>;
  let reviews: Record<Scope, SignOffReview>;
  let cspA: string;
  let cspB: string;
  let healthAgency: string;
  let policeAgency: string;

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    const http = () => request(ctx.api.getHttpServer());
    cspA = (await http().post('/csps').set('X-Actor', 'setup').send({ code: 'CSPA', name: 'A Community Safety Partnership' }).expect(201)).body.id;
    cspB = (await http().post('/csps').set('X-Actor', 'setup').send({ code: 'CSPB', name: 'B Community Safety Partnership' }).expect(201)).body.id;
    healthAgency = (await http().post('/agencies').set('X-Actor', 'setup').send({ name: 'Health Trust', kind: 'health' }).expect(201)).body.id;
    policeAgency = (await http().post('/agencies').set('X-Actor', 'setup').send({ name: 'Police', kind: 'police' }).expect(201)).body.id;
    const agencies = [healthAgency, policeAgency];
    reviews = {
      own: await reviewAtSignOff(ctx.api, cspA, agencies),
      other: await reviewAtSignOff(ctx.api, cspA, agencies),
      foreign: await reviewAtSignOff(ctx.api, cspB, agencies),
    };
    const identities = ctx.api.get(IdentityService);
    for (const role of ROLES) {
      emails[role] = `${role.replace('_', '.')}@test.invalid`;
      const cspRole = role === 'administrator' || role === 'csp_lead' || role === 'rag_member' ? role : undefined;
      const user = await identities.addUser({ email: emails[role], displayName: role, role: cspRole, cspCode: cspRole && cspRole !== 'administrator' ? 'CSPA' : undefined });
      tokens[role] = (await identities.issueToken(user.id, 'matrix')).token;
    }
    // Review roles are held on the own review only; the panel member for the police, the IMR author for health.
    const memberships: Array<[Role, string | undefined]> = [
      ['chair', undefined],
      ['report_writer', undefined],
      ['panel_member', policeAgency],
      ['imr_author', healthAgency],
    ];
    for (const [role, agencyId] of memberships) {
      await http().post(`/reviews/${reviews.own.id}/members`).set('X-Actor', 'setup').send({ email: emails[role], role, agencyId }).expect(201);
    }
  }, 120_000);
  afterAll(() => ctx.close());

  it('maps every registered route to an action, and every mapped route exists', () => {
    const registered = registeredRoutes(ctx);
    expect(registered.filter((r) => !(r in ROUTE_ACTIONS))).toEqual([]);
    expect(Object.keys(ROUTE_ACTIONS).filter((r) => !registered.includes(r))).toEqual([]);
    for (const action of Object.values(ROUTE_ACTIONS)) expect(ACTIONS).toContain(action);
  });

  /** What the table says: may this role take this action on a review in this relation to it? */
  function expected(action: keyof typeof POLICY, role: Role, scope: Scope | null, eventType?: string): 'allow' | 'hidden' | 'forbidden' {
    const grants = POLICY[action] as Partial<Record<string, string>>;
    if (scope === null) {
      if (grants.anyone) return 'allow';
      if (action === 'review.create') return role === 'csp_lead' ? 'allow' : 'forbidden';
      return grants[role] ? 'allow' : 'forbidden';
    }
    const reaches = (r: Role) => scope === 'own' ? r !== 'administrator' : scope === 'other' && CSP_ROLES.includes(r);
    const readable = (POLICY['review.read'] as Partial<Record<string, string>>)[role] !== undefined && reaches(role);
    if (!readable) return 'hidden';
    let allowed = grants[role] !== undefined;
    if (eventType) allowed &&= (EVENT_ROLES as Record<string, readonly Role[]>)[eventType].includes(role);
    return allowed ? 'allow' : 'forbidden';
  }

  function pathFor(route: string, role: Role, scope: Scope | null): string {
    const review = reviews[scope ?? 'own'];
    return route.replace(/:(\w+)/g, (_, name: string) => {
      switch (name) {
        case 'id':
        case 'reviewId':
          return review.id;
        case 'imrId':
          return review.imrs[healthAgency];
        case 'documentId':
          return role === 'rag_member' ? review.overviewId : review.imrDocumentId;
        case 'versionNo':
          return '1';
        case 'email':
          return emails[role];
        default:
          return '00000000-0000-4000-8000-00000000abcd';
      }
    });
  }

  async function call(method: string, path: string, role: Role, body: Record<string, unknown>) {
    const http = request(ctx.api.getHttpServer());
    const req =
      method === 'GET' ? http.get(path) : method === 'POST' ? http.post(path) : method === 'PUT' ? http.put(path) : method === 'PATCH' ? http.patch(path) : http.delete(path);
    return req.set('Authorization', `Bearer ${tokens[role]}`).send(method === 'GET' ? undefined : body);
  }

  function outcome(res: request.Response): 'allow' | 'hidden' | 'forbidden' {
    if (res.status === 401) throw new Error(`401: ${JSON.stringify(res.body)}`);
    if (res.status === 403) return 'forbidden';
    if (res.status === 404 && res.body?.message === NO_REVIEW) return 'hidden';
    return 'allow';
  }

  // Sign-in and sign-out act on the caller's own session cookie (test/sessions.test.ts); events are by type below.
  const routes = Object.entries(API_ROUTE_ACTIONS).filter(([key, action]) => action !== 'public' && action !== 'review.event' && !key.includes(' /auth/'));
  it.each(routes)('%s (%s): every role, own review / other review / other CSP', async (key, action) => {
    const [method, route] = key.split(' ');
    const reviewScoped = route.includes(':reviewId') || route.startsWith('/reviews/:id');
    const results: string[] = [];
    for (const role of ROLES) {
      for (const scope of reviewScoped ? SCOPES : action === 'review.create' ? (['own', 'foreign'] as Scope[]) : [null]) {
        const body = action === 'review.create' ? { ...PROBE, cspId: scope === 'own' ? cspA : cspB } : PROBE;
        const want = action === 'review.create' ? (role === 'csp_lead' && scope === 'own' ? 'allow' : 'forbidden') : expected(action, role, reviewScoped ? scope : null);
        const res = await call(method, pathFor(route, role, reviewScoped ? scope : null), role, body);
        const got = outcome(res);
        if (got !== want) results.push(`${role} on ${scope ?? '-'}: expected ${want}, got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        if (got === 'allow' && method !== 'GET') expect([400, 404, 409, 413, 415]).toContain(res.status);
      }
    }
    expect(results).toEqual([]);
  });

  // Web pages under a review, with no other id in their path: the same table, seen as pages
  // (200 when allowed, the "You do not have access" page when forbidden, "Page not found" when hidden).
  const pages = Object.entries(WEB_ROUTE_ACTIONS).filter(([key]) => key.startsWith('GET /cases/:reviewId') && (key.match(/:/g) ?? []).length === 1);
  it.each(pages)('page %s (%s): every role, own review / other review / other CSP', async (key, action) => {
    const route = key.split(' ')[1];
    const results: string[] = [];
    for (const role of ROLES) {
      for (const scope of SCOPES) {
        const want = expected(action, role, scope);
        const res = await request(ctx.api.getHttpServer()).get(pathFor(route, role, scope)).set('Authorization', `Bearer ${tokens[role]}`).set('Accept', 'text/html');
        const got = res.status === 200 ? 'allow' : res.status === 403 ? 'forbidden' : res.status === 404 ? 'hidden' : `status ${res.status}`;
        if (got !== want) results.push(`${role} on ${scope}: expected ${want}, got ${res.status}`);
        if (res.status !== 200) expect(res.text).not.toContain(reviews[scope].id);
      }
    }
    expect(results).toEqual([]);
  });

  it.each(REVIEW_EVENT_TYPES.map((t) => [t]))('POST /reviews/:id/events type %s: every role, own review / other review / other CSP', async (type) => {
    const results: string[] = [];
    for (const role of ROLES) {
      for (const scope of SCOPES) {
        const want = expected('review.event', role, scope, type);
        const res = await call('POST', `/reviews/${reviews[scope].id}/events`, role, { type, ...PROBE });
        const got = outcome(res);
        if (got !== want) results.push(`${role} on ${scope}: expected ${want}, got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        if (got === 'allow') expect(res.status).toBe(400);
        // A refusal names who may apply the type (one name for each of its roles) and the caller's own roles.
        const who = /^type: (\w+) may be applied only by (.+) \(your roles on this review: .+\)$/.exec(String(res.body?.message));
        if (got === 'forbidden' && (who?.[1] !== type || who[2].split(' or ').length !== EVENT_ROLES[type].length)) {
          results.push(`${role} on ${scope}: the 403 does not name who may apply ${type}: ${JSON.stringify(res.body?.message)}`);
        }
      }
    }
    expect(results).toEqual([]);
  });

  // Every other cell of the table: the public routes, the web pages with ids of records in
  // their path, every web form's POST, and the pages that are about no review; each for every
  // role and, below, for nobody at all.
  const publicRoutes = Object.entries(ROUTE_ACTIONS).filter(([, action]) => action === 'public');
  const otherPages = Object.entries(WEB_ROUTE_ACTIONS).filter(([key, action]) => action !== 'public' && !pages.some(([p]) => p === key));
  const REAL_IDS = new Set(['reviewId', 'id', 'imrId', 'documentId', 'email', 'versionNo']);

  it('covers every registered route: each is in one of the matrix’s lists', () => {
    const covered = new Set([...routes, ...pages, ...publicRoutes, ...otherPages].map(([key]) => key));
    covered.add('POST /reviews/:id/events');
    // The session's own route answers only a session cookie (test/sessions.test.ts); nobody gets a 401 below.
    covered.add('GET /auth/session');
    expect(registeredRoutes(ctx).filter((r) => !covered.has(r))).toEqual([]);
    // The OpenAPI document names the same API routes (its paths written /reviews/{id}).
    const documented = Object.entries(openApiDocument(ctx.api).paths).flatMap(([path, ops]) =>
      Object.keys(ops as object)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.filter((r) => !(r in API_ROUTE_ACTIONS))).toEqual([]);
    expect(Object.keys(API_ROUTE_ACTIONS).filter((r) => !documented.includes(r))).toEqual([]);
  });

  it.each(publicRoutes)('public %s (%s): reached by every role and by nobody, never refused', async (key) => {
    const [method, route] = key.split(' ');
    const results: string[] = [];
    for (const role of [...ROLES, null]) {
      const path = pathFor(route, role ?? 'chair', null);
      const http = request(ctx.api.getHttpServer());
      let req = method === 'GET' ? http.get(path) : method === 'POST' ? http.post(path) : http.delete(path);
      if (role) req = req.set('Authorization', `Bearer ${tokens[role]}`);
      const res = await req.send(method === 'GET' ? undefined : PROBE);
      // A health check answers 503 when what it checks is down (here no worker drains the outbox,
      // so /health/reminders says "stalled" once a slow run passes its limit): reached, not refused.
      const healthSaysDown = route.startsWith('/health') && res.status === 503 && typeof res.body?.status === 'string';
      if ([401, 403].includes(res.status) || (res.status >= 500 && !healthSaysDown)) results.push(`${role ?? 'nobody'}: got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(results).toEqual([]);
  });

  it.each(otherPages)('page %s (%s): every role, own review / other review / other CSP', async (key, action) => {
    const [method, route] = key.split(' ');
    const reviewScoped = route.includes(':reviewId');
    const fakeIds = (route.match(/:(\w+)/g) ?? []).some((p) => !REAL_IDS.has(p.slice(1)));
    const results: string[] = [];
    for (const role of ROLES) {
      for (const scope of reviewScoped ? SCOPES : [null]) {
        const want = expected(action, role, scope, undefined);
        const path = pathFor(route, role, scope);
        const http = request(ctx.api.getHttpServer());
        const res = await (method === 'GET' ? http.get(path) : http.post(path).send(PROBE)).set('Authorization', `Bearer ${tokens[role]}`).set('Accept', 'text/html');
        const where = `${role} on ${scope ?? '-'}`;
        if (want === 'forbidden' && res.status !== 403) results.push(`${where}: expected 403, got ${res.status}`);
        if (want === 'hidden' && res.status !== 404) results.push(`${where}: expected 404 (hidden), got ${res.status}`);
        if (want === 'allow') {
          // Allowed: through the guard. With made-up record ids the page may then find no record (404).
          const refused = [401, 403].includes(res.status) || (res.status === 404 && !fakeIds) || (res.status === 303 && /\/sign-in/.test(res.headers.location ?? ''));
          if (refused || res.status >= 500) results.push(`${where}: expected allowed, got ${res.status}`);
          // A form sent with no field the form knows changes nothing (but the publication record's, whose every field is optional).
          if (method === 'POST' && res.status < 400 && key !== 'POST /cases/:reviewId/publication/record') results.push(`${where}: a POST with no valid field was accepted (${res.status})`);
        }
        if (want !== 'allow' && scope) expect(res.text).not.toContain(reviews[scope].id);
      }
    }
    expect(results).toEqual([]);
  });

  it('answers nobody (no token, no cookie) on every registered route: 401 from the API, the sign-in page from a page, as the table says', async () => {
    const results: string[] = [];
    for (const key of registeredRoutes(ctx)) {
      const action = ROUTE_ACTIONS[key];
      if (!action) {
        results.push(`${key}: no entry in the route table`);
        continue;
      }
      if (action === 'public') continue;
      const [method, route] = key.split(' ');
      const path = pathFor(route, 'chair', route.includes(':reviewId') || route.startsWith('/reviews/:id') ? 'own' : null);
      const http = request(ctx.api.getHttpServer());
      const req = method === 'GET' ? http.get(path) : method === 'POST' ? http.post(path) : method === 'PUT' ? http.put(path) : method === 'PATCH' ? http.patch(path) : http.delete(path);
      const res = await req.send(method === 'GET' ? undefined : PROBE);
      const page = key in WEB_ROUTE_ACTIONS;
      const ok = page ? res.status === 303 && (res.headers.location ?? '').startsWith('/sign-in') : res.status === 401;
      if (!ok) results.push(`${key}: got ${res.status} ${res.headers.location ?? ''}`);
    }
    expect(results).toEqual([]);
  });

  describe('need to know, beyond the route table', () => {
    const as = (role: Role) => ({
      get: (path: string) => request(ctx.api.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[role]}`),
      post: (path: string, body: Record<string, unknown>) => request(ctx.api.getHttpServer()).post(path).set('Authorization', `Bearer ${tokens[role]}`).send(body),
    });

    it('lists only the reviews each role may see, and only their deadlines', async () => {
      const visible = async (role: Role) => ((await as(role).get('/reviews').expect(200)).body.items as Array<{ id: string }>).map((r) => r.id).sort();
      const sorted = (...ids: string[]) => [...ids].sort();
      expect(await visible('csp_lead')).toEqual(sorted(reviews.own.id, reviews.other.id));
      expect(await visible('rag_member')).toEqual(sorted(reviews.own.id, reviews.other.id));
      for (const role of ['chair', 'report_writer', 'panel_member', 'imr_author'] as Role[]) expect(await visible(role)).toEqual([reviews.own.id]);
      expect(await visible('administrator')).toEqual([]);
      // Filters cannot widen it: asking for the other CSP's reviews gives none.
      expect((await as('csp_lead').get(`/reviews?cspId=${cspB}`).expect(200)).body.items).toEqual([]);

      const deadlineReviews = async (role: Role) => [...new Set(((await as(role).get('/deadlines?limit=500').expect(200)).body as Array<{ reviewId: string }>).map((d) => d.reviewId))].sort();
      expect(await deadlineReviews('chair')).toEqual([reviews.own.id]);
      expect(await deadlineReviews('csp_lead')).toEqual(sorted(reviews.own.id, reviews.other.id));
      expect(await deadlineReviews('administrator')).toEqual([]);
    });

    it('shows an IMR author only their agency’s IMR and its documents, and the RAG only the report', async () => {
      const imrs = (await as('imr_author').get(`/reviews/${reviews.own.id}/imrs`).expect(200)).body as Array<{ id: string; agencyId: string }>;
      expect(imrs.map((i) => i.id)).toEqual([reviews.own.imrs[healthAgency]]);
      const other = await as('imr_author').get(`/reviews/${reviews.own.id}/imrs/${reviews.own.imrs[policeAgency]}`);
      expect(other.status).toBe(404);
      expect(other.body.message).toBe('No IMR with this id in this review');
      const documents = (await as('imr_author').get(`/reviews/${reviews.own.id}/documents`).expect(200)).body as Array<{ id: string }>;
      expect(documents.map((d) => d.id)).toEqual([reviews.own.imrDocumentId]);
      expect((await as('imr_author').get(`/reviews/${reviews.own.id}/documents/${reviews.own.overviewId}`)).status).toBe(404);

      const ragDocuments = (await as('rag_member').get(`/reviews/${reviews.own.id}/documents`).expect(200)).body as Array<{ kind: string }>;
      expect(ragDocuments.map((d) => d.kind).sort()).toEqual(['executive_summary', 'overview_report']);
      expect((await as('rag_member').get(`/reviews/${reviews.own.id}/documents/${reviews.own.imrDocumentId}`)).status).toBe(404);
      // The chair sees every IMR and document.
      expect((await as('chair').get(`/reviews/${reviews.own.id}/imrs`).expect(200)).body).toHaveLength(2);
    });

    it('shows each role only the history entries about records it may read, in the API and on the review page', async () => {
      const historyOf = async (role: Role) =>
        (await as(role).get(`/reviews/${reviews.own.id}/history`).expect(200)).body as Array<{ type: string; payload: Record<string, unknown> }>;
      const lifecycle = (type: string) => (REVIEW_EVENT_TYPES as readonly string[]).includes(type) || type === 'NOTIFICATION_RECORDED';
      const all = await historyOf('csp_lead');
      expect(all.map((r) => r.type)).toEqual(
        expect.arrayContaining(['NOTIFICATION_RECORDED', 'DECIDE', 'MEMBER_ADDED', 'IMR_COMMISSIONED', 'PANEL_MEETING_HELD', 'RECOMMENDATION_RECORDED', 'FAMILY_OFFERED_DRAFT', 'AGREE_REPORT']),
      );
      expect(await historyOf('chair')).toEqual(all);

      // A panel member: every IMR and meeting, but not the family log nor who holds which role.
      const panel = await historyOf('panel_member');
      expect(panel.filter((r) => r.type.startsWith('FAMILY_') || r.type.startsWith('MEMBER_'))).toEqual([]);
      expect(panel.filter((r) => r.type === 'IMR_COMMISSIONED')).toHaveLength(2);

      // An IMR author: the review's stages, and their own agency's IMR only.
      const author = await historyOf('imr_author');
      expect([...new Set(author.filter((r) => r.type.startsWith('IMR_')).map((r) => r.payload.imrId))]).toEqual([reviews.own.imrs[healthAgency]]);
      expect(author.filter((r) => !lifecycle(r.type) && !r.type.startsWith('IMR_'))).toEqual([]);
      expect(author.some((r) => r.type === 'DECIDE')).toBe(true);

      // The RAG at sign-off: the stages and the recommendations, not the agencies' IMRs, meetings or the family.
      const rag = await historyOf('rag_member');
      expect(rag.filter((r) => /^(IMR_|FAMILY_|PANEL_MEETING_|MEMBER_)/.test(r.type))).toEqual([]);
      expect(rag.some((r) => r.type === 'RECOMMENDATION_RECORDED')).toBe(true);

      // The review page's history is the same list.
      const page = async (role: Role) => (await as(role).get(`/cases/${reviews.own.id}`).expect(200)).text;
      expect(await page('chair')).toContain('Draft report offered to the family');
      expect(await page('panel_member')).not.toContain('Draft report offered to the family');
      expect(await page('imr_author')).not.toContain('Recommendation recorded');
    });

    it('shows each role only the clocks about what it may read, on the review and in the deadlines list', async () => {
      type ClockJson = { kind: string; subjectId: string | null };
      const id = reviews.own.id;
      const clocksOf = async (role: Role) => (await as(role).get(`/reviews/${id}`).expect(200)).body.clocks as ClockJson[];
      const imrClocks = (clocks: ClockJson[]) => clocks.filter((c) => c.kind === 'imr_due').map((c) => c.subjectId).sort();
      const meetingClocks = (clocks: ClockJson[]) => clocks.filter((c) => c.kind === 'panel_meeting' || c.kind === 'meeting_papers_due');

      const lead = await clocksOf('csp_lead');
      expect(imrClocks(lead)).toEqual(Object.values(reviews.own.imrs).sort());
      expect(meetingClocks(lead).length).toBeGreaterThan(0);
      expect(await clocksOf('chair')).toEqual(lead);
      expect(await clocksOf('panel_member')).toEqual(lead);

      const author = await clocksOf('imr_author');
      expect(imrClocks(author)).toEqual([reviews.own.imrs[healthAgency]]);
      expect(meetingClocks(author)).toEqual([]);
      expect(author.some((c) => c.kind === 'completion_target')).toBe(true);

      const rag = await clocksOf('rag_member');
      expect(imrClocks(rag)).toEqual([]);
      expect(meetingClocks(rag)).toEqual([]);
      expect(rag.some((c) => c.kind === 'rag_sign_off')).toBe(true);

      // The deadlines list (My work, the reviews list) keeps to the same, the met IMR clocks included.
      const listed = async (role: Role) =>
        (await as(role).get(`/deadlines?reviewId=${id}&status=met&limit=500`).expect(200)).body as ClockJson[];
      expect(imrClocks(await listed('csp_lead'))).toEqual(Object.values(reviews.own.imrs).sort());
      expect(imrClocks(await listed('imr_author'))).toEqual([reviews.own.imrs[healthAgency]]);
      expect(imrClocks(await listed('rag_member'))).toEqual([]);
      // A limit counts what is shown, so a first page is never emptied by what is left out.
      expect((await as('imr_author').get(`/deadlines?reviewId=${id}&status=met&limit=1`).expect(200)).body).toEqual([(await listed('imr_author'))[0]]);
    });

    it('fills a page of deadlines past more hidden clocks than one read takes (the list reads in batches)', async () => {
      const db = ctx.api.get(DataSource);
      const id = reviews.own.id;
      const shown = async (role: Role, limit: number) => (await as(role).get(`/deadlines?reviewId=${id}&status=met&limit=${limit}`).expect(200)).body as Array<{ id: string; subjectId: string }>;
      const before = await shown('imr_author', 500);
      // 250 met IMR clocks of IMRs that are not the author's agency's, all due before theirs.
      const columns = ((await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'deadlines' AND table_schema = current_schema() ORDER BY ordinal_position`)) as Array<{ column_name: string }>).map((c) => c.column_name);
      const select = columns.map((c) => (c === 'id' ? 'gen_random_uuid()' : c === 'subject_id' ? 'gen_random_uuid()' : c === 'due_at' ? `d.due_at - make_interval(days => 1000 + n)` : `d."${c}"`)).join(', ');
      const extra: Array<{ id: string }> = await db.query(
        `INSERT INTO deadlines SELECT ${select} FROM deadlines d CROSS JOIN generate_series(1, 250) n WHERE d.review_id = $1 AND d.kind = 'imr_due' AND d.subject_id = $2 RETURNING id`,
        [id, reviews.own.imrs[healthAgency]],
      );
      try {
        expect(extra).toHaveLength(250);
        expect(await shown('imr_author', 1)).toEqual([before[0]]);
        expect(await shown('imr_author', 500)).toEqual(before);
        // The CSP lead sees every clock: the first page is the 250, soonest first.
        const lead = await shown('csp_lead', 100);
        expect(lead).toHaveLength(100);
        expect(lead.every((c) => extra.some((e) => e.id === c.id))).toBe(true);
      } finally {
        await db.query(`DELETE FROM deadlines WHERE id = ANY($1::uuid[])`, [extra.map((e) => e.id)]);
      }
    });

    it('shows real names only to the CSP lead and the chair, and logs who asked', async () => {
      const path = `/reviews/${reviews.own.id}/people`;
      await request(ctx.api.getHttpServer())
        .post(path)
        .set('X-Actor', 'setup')
        .send({ role: 'victim', realName: 'Jane Fictional', pseudonym: 'Adult A' })
        .expect(201);
      for (const role of ['csp_lead', 'chair'] as Role[]) {
        const people = (await as(role).get(`${path}?include=realNames`).expect(200)).body as Array<{ realName?: string }>;
        expect(people.map((p) => p.realName)).toEqual(['Jane Fictional']);
      }
      for (const role of ['report_writer', 'panel_member', 'imr_author'] as Role[]) {
        const refused = await as(role).get(`${path}?include=realNames`);
        expect(refused.status).toBe(403);
        expect(refused.body.message).toMatch(/^include: /);
        const plain = (await as(role).get(path).expect(200)).body;
        expect(JSON.stringify(plain)).not.toContain('Jane Fictional');
        expect(plain[0]).toMatchObject({ pseudonym: 'Adult A' });
      }
      const log = (await as('csp_lead').get(`/reviews/${reviews.own.id}/access-log?outcome=allowed`).expect(200)).body as Array<{ actor: string; path: string; method: string }>;
      expect(log.filter((e) => e.path.endsWith('?include=realNames') && e.method === 'GET').map((e) => e.actor).sort()).toEqual([emails.chair, emails.csp_lead].sort());
      // The refused askers are in it too (written just after their answers: wait for them).
      const refusedAskers = [emails.report_writer, emails.panel_member, emails.imr_author].sort();
      let asked: string[] = [];
      for (let i = 0; i < 50 && JSON.stringify(asked) !== JSON.stringify(refusedAskers); i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        const refused = (await as('csp_lead').get(`/reviews/${reviews.own.id}/access-log?outcome=refused`).expect(200)).body as Array<{ actor: string; path: string; status: number }>;
        asked = refused.filter((e) => e.path.endsWith('?include=realNames') && e.status === 403).map((e) => e.actor).sort();
      }
      expect(asked).toEqual(refusedAskers);
    });

    it('answers a guessed or another CSP’s review id exactly as a review that does not exist', async () => {
      const guessed = await as('chair').get('/reviews/6f1c2a4e-0000-4000-8000-000000000001');
      const foreign = await as('chair').get(`/reviews/${reviews.foreign.id}`);
      const sameCsp = await as('chair').get(`/reviews/${reviews.other.id}`);
      for (const res of [guessed, foreign, sameCsp]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(guessed.body);
      }
      // Another review's record through a review the caller is on: not found either, nothing of it shown.
      const crossed = await as('chair').get(`/reviews/${reviews.own.id}/imrs/${reviews.other.imrs[healthAgency]}`);
      expect(crossed.status).toBe(404);
      expect(JSON.stringify(crossed.body)).not.toContain(reviews.other.id);
      const malformed = await as('chair').get('/reviews/not-a-uuid/imrs');
      expect(malformed.status).toBe(404);
      expect(malformed.body).toEqual(guessed.body);
    });

    it('refuses callers who name nobody, and lets anyone reach the health checks', async () => {
      const http = () => request(ctx.api.getHttpServer());
      expect((await http().get('/reviews')).status).toBe(401);
      expect((await http().get(`/reviews/${reviews.own.id}`)).status).toBe(401);
      expect((await http().post(`/reviews/${reviews.own.id}/events`).send({ type: 'WITHDRAW', reason: 'x' })).status).toBe(401);
      expect((await http().get('/health')).status).toBe(200);
    });

    it('lets the CSP lead appoint a chair and the chair add panel members and IMR authors, but not chairs; each change is in the history', async () => {
      const extra = await ctx.api.get(IdentityService).addUser({ email: 'second.chair@test.invalid', displayName: 'Second chair' });
      const byChair = await as('chair').post(`/reviews/${reviews.own.id}/members`, { email: extra.email, role: 'chair' });
      expect(byChair.status).toBe(403);
      expect(byChair.body.message).toMatch(/^role: only the CSP lead/);
      const added = await as('chair').post(`/reviews/${reviews.own.id}/members`, { email: extra.email, role: 'imr_author', agencyId: policeAgency });
      expect(added.status).toBe(201);
      const byLead = await as('csp_lead').post(`/reviews/${reviews.own.id}/members`, { email: extra.email, role: 'chair' });
      expect(byLead.status).toBe(201);
      const twice = await as('csp_lead').post(`/reviews/${reviews.own.id}/members`, { email: extra.email, role: 'chair' });
      expect(twice.status).toBe(409);
      // Someone who is not a user is invited (test/invitations.test.ts), which needs their name.
      const unknown = await as('csp_lead').post(`/reviews/${reviews.own.id}/members`, { email: 'nobody@test.invalid', role: 'chair' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toMatch(/^name: is required to invite/);
      const ended = await as('csp_lead').post(`/reviews/${reviews.own.id}/members/${byLead.body.id}/end`, {});
      expect(ended.status).toBe(200);
      const history = (await as('csp_lead').get(`/reviews/${reviews.own.id}/history`).expect(200)).body as Array<{ type: string; actor: string }>;
      expect(history.filter((h) => h.type.startsWith('MEMBER_')).slice(-3)).toEqual([
        expect.objectContaining({ type: 'MEMBER_ADDED', actor: emails.chair }),
        expect.objectContaining({ type: 'MEMBER_ADDED', actor: emails.csp_lead }),
        expect.objectContaining({ type: 'MEMBER_ENDED', actor: emails.csp_lead }),
      ]);
      // The write is in the access log with who made it.
      const log = (await as('csp_lead').get(`/reviews/${reviews.own.id}/access-log`).expect(200)).body as Array<{ actor: string; method: string; route: string; status: number }>;
      expect(log).toEqual(expect.arrayContaining([expect.objectContaining({ actor: emails.csp_lead, method: 'POST', route: '/reviews/:reviewId/members/:memberId/end', status: 200 })]));
    });

    it('lets nobody add another CSP’s lead or RAG member to a review (400 naming email), and looks users up by exact email only', async () => {
      const identities = ctx.api.get(IdentityService);
      await identities.addUser({ email: 'lead.b@test.invalid', displayName: 'B lead', role: 'csp_lead', cspCode: 'CSPB' });
      await identities.addUser({ email: 'rag.b@test.invalid', displayName: 'B RAG', role: 'rag_member', cspCode: 'CSPB' });
      const both = await identities.addUser({ email: 'both@test.invalid', displayName: 'Both', role: 'rag_member', cspCode: 'CSPB' });
      await identities.addUser({ email: both.email, displayName: 'Both', role: 'csp_lead', cspCode: 'CSPA' });
      const before = (await as('csp_lead').get(`/reviews/${reviews.own.id}/members`).expect(200)).body.length;
      for (const [who, email, role, agencyId] of [
        ['chair', 'lead.b@test.invalid', 'panel_member', policeAgency],
        ['chair', 'rag.b@test.invalid', 'imr_author', healthAgency],
        ['csp_lead', 'lead.b@test.invalid', 'chair', undefined],
      ] as Array<[Role, string, string, string | undefined]>) {
        const refused = await as(who).post(`/reviews/${reviews.own.id}/members`, { email, role, agencyId });
        expect(refused.status).toBe(400);
        expect(refused.body.message).toMatch(/^email: is a (CSP lead|RAG member) of another CSP: only people of this review's CSP, or with no CSP role, may be members/);
      }
      // A pattern or a part of an address finds nobody (so it would be an invitation, which needs a name).
      for (const email of ['%@test.invalid', 'lead.b@test.inv']) {
        const res = await as('chair').post(`/reviews/${reviews.own.id}/members`, { email, role: 'panel_member', agencyId: policeAgency });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/^(email: must be an email address|name: is required to invite someone who is not yet a user)/);
        expect(res.body.message).not.toMatch(/another CSP/);
      }
      expect((await as('csp_lead').get(`/reviews/${reviews.own.id}/members`).expect(200)).body).toHaveLength(before);
      // Someone who holds a role for this review's CSP too may be added.
      await as('chair').post(`/reviews/${reviews.own.id}/members`, { email: both.email, role: 'panel_member', agencyId: policeAgency }).expect(201);
    });

    it('lets an administrator create users with CSP roles, grant more and disable them (their tokens stop at once)', async () => {
      const admin = as('administrator');
      const created = await admin.post('/users', { email: 'New.Lead@Test.invalid', displayName: 'New Lead', roles: [{ role: 'csp_lead', cspCode: 'CSPA' }], reason: 'Leads CSP A reviews' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ email: 'new.lead@test.invalid', roles: [{ role: 'csp_lead', cspCode: 'CSPA' }] });
      expect((await admin.post('/users', { email: 'new.lead@test.invalid', displayName: 'Again' })).status).toBe(409);
      const badCsp = await admin.post(`/users/${created.body.id}/roles`, { role: 'rag_member', cspCode: 'NOPE', reason: 'Sits on the RAG' });
      expect(badCsp.status).toBe(400);
      expect(badCsp.body.message).toMatch(/^cspCode: /);
      const granted = await admin.post(`/users/${created.body.id}/roles`, { role: 'rag_member', cspCode: 'CSPB', reason: 'Sits on the RAG' });
      expect(granted.body.roles.map((r: { role: string; cspCode: string }) => `${r.role}@${r.cspCode}`).sort()).toEqual(['csp_lead@CSPA', 'rag_member@CSPB']);
      const token = (await ctx.api.get(IdentityService).issueToken(created.body.id, 'script')).token;
      const asNew = () => request(ctx.api.getHttpServer()).get('/reviews').set('Authorization', `Bearer ${token}`);
      expect((await asNew()).body.items.map((r: { id: string }) => r.id).sort()).toEqual([reviews.own.id, reviews.other.id, reviews.foreign.id].sort());
      expect((await admin.post(`/users/${created.body.id}/disable`, {})).status).toBe(200);
      expect((await asNew()).status).toBe(401);
      const listed = (await admin.get('/users').expect(200)).body as Array<{ email: string; disabledAt: string | null }>;
      expect(listed.find((u) => u.email === 'new.lead@test.invalid')?.disabledAt).toBeTruthy();
      // Nobody else manages users.
      expect((await as('csp_lead').post('/users', { email: 'x@test.invalid', displayName: 'X' })).status).toBe(403);
    });

    it('answers an event with only the clocks its caller may see (the RAG approving sees no IMR clocks)', async () => {
      // A review of its own, so that approving it moves no other test's review on.
      const review = await reviewAtSignOff(ctx.api, cspA, [healthAgency, policeAgency]);
      const kinds = (clocks: Array<{ kind: string }>) => [...new Set(clocks.map((c) => c.kind))];
      expect(kinds((await as('csp_lead').get(`/reviews/${review.id}`).expect(200)).body.clocks)).toContain('imr_due');
      const approvedAt = new Date().toISOString().slice(0, 10);
      const approved = await as('rag_member').post(`/reviews/${review.id}/events`, { type: 'RAG_APPROVE', approvedAt }).expect(200);
      expect(kinds(approved.body.clocks)).not.toContain('imr_due');
      expect(kinds(approved.body.clocks)).not.toContain('panel_meeting');
    });
  });
});

function registeredRoutes(ctx: TestContext): string[] {
  const express = ctx.api.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = (express.router ?? express._router)?.stack ?? [];
  const out: string[] = [];
  for (const layer of stack) {
    // Swagger UI and Express's catch-all are mounted outside Nest's router: no guard, no case content.
    if (!layer.route || layer.route.path.startsWith('/api/docs') || layer.route.path === '/{*path}') continue;
    for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return [...new Set(out)];
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}
