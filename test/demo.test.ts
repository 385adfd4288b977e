import request from 'supertest';
import { DataSource } from 'typeorm';
import { demoModeOnStart } from '../src/demo/demo-mode';
import { DEMO_CSP, DEMO_REVIEWS, DEMO_USERS, DemoRefusedError, DemoSeedResult, seedDemo } from '../src/demo/demo-seed';
import { loadConfig } from '../src/infrastructure/config/load-config';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { startTestApp, TestContext } from './support/test-app';

/**
 * Demo mode: the seeder, through the application's services, on a real database. Nobody is
 * trusted by header here (defaultActor: null): the checks sign in as the demo users.
 */
describe('demo mode', () => {
  let ctx: TestContext;
  let seeded: DemoSeedResult;
  const http = () => request(ctx.api.getHttpServer());
  const password = () => ctx.config.demo.password;
  const logger = () => createRootLogger(ctx.config, 'test');
  const review = (policeReference: string) => seeded.reviews.find((r) => r.policeReference === policeReference)!;

  /** The session cookie of a demo user who signed in with the demo password. */
  async function signIn(email: string): Promise<string> {
    const res = await http().post('/auth/sessions').send({ email, password: password() }).expect(201);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => /^(__Host-)?dhr_session=/.test(c));
    if (!cookie) throw new Error('no session cookie');
    return cookie.split(';')[0];
  }

  async function counts() {
    const [row] = await ctx.api.get(DataSource).query(
      `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM user_roles)::int AS grants,
              (SELECT count(*) FROM csps)::int AS csps, (SELECT count(*) FROM agencies)::int AS agencies,
              (SELECT count(*) FROM reviews)::int AS reviews, (SELECT count(*) FROM review_events)::int AS events,
              (SELECT count(*) FROM review_members)::int AS members, (SELECT count(*) FROM imrs)::int AS imrs,
              (SELECT count(*) FROM document_versions)::int AS documents, (SELECT count(*) FROM user_sessions)::int AS sessions`,
    );
    return row as Record<string, number>;
  }

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000' } });
  });
  afterAll(() => ctx?.close());

  it('refuses with APP_ENV=production, saying why, and creates nothing', async () => {
    const production = loadConfig({ APP_ENV: 'production', DEMO: 'true', DATABASE_URL: ctx.config.database.url!, REDIS_URL: ctx.config.redis.url! });
    const before = await counts();
    await expect(seedDemo(ctx.api, { config: production })).rejects.toThrow(DemoRefusedError);
    const written: string[] = [];
    await expect(demoModeOnStart(production, logger(), (t) => written.push(t))).rejects.toThrow(
      /DEMO: demo mode is refused with APP_ENV=production/,
    );
    expect(written).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('creates the DEMO CSP, its agencies and one user per role, each signing in with the demo password', async () => {
    seeded = await seedDemo(ctx.api);
    expect(seeded.created).toEqual({ csp: true, agencies: 5, users: 7, reviews: 5 });
    expect(seeded.passwordsSet).toBe(7);

    const grants = await ctx.api.get(DataSource).query(
      `SELECT u.email, r.role, c.code FROM users u LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN csps c ON c.id = r.csp_id
        WHERE u.email LIKE '%@demo.invalid' ORDER BY u.email`,
    );
    expect(grants).toEqual([
      { email: 'admin@demo.invalid', role: 'administrator', code: null },
      { email: 'chair@demo.invalid', role: null, code: null },
      { email: 'imr@demo.invalid', role: null, code: null },
      { email: 'lead@demo.invalid', role: 'csp_lead', code: DEMO_CSP.code },
      { email: 'panel@demo.invalid', role: null, code: null },
      { email: 'rag@demo.invalid', role: 'rag_member', code: DEMO_CSP.code },
      { email: 'writer@demo.invalid', role: null, code: null },
    ]);
    // The review roles are memberships of the four staffed reviews, added through the members service.
    const members = await ctx.api.get(DataSource).query(
      `SELECT u.email, m.role, a.name AS agency, count(*)::int AS reviews, array_agg(DISTINCT m.added_by) AS "addedBy"
         FROM review_members m JOIN users u ON u.id = m.user_id LEFT JOIN agencies a ON a.id = m.agency_id
        WHERE m.ended_at IS NULL GROUP BY u.email, m.role, a.name ORDER BY u.email`,
    );
    expect(members).toEqual([
      { email: 'chair@demo.invalid', role: 'chair', agency: null, reviews: 4, addedBy: ['lead@demo.invalid'] },
      { email: 'imr@demo.invalid', role: 'imr_author', agency: 'Demoshire NHS Foundation Trust', reviews: 4, addedBy: ['chair@demo.invalid'] },
      { email: 'panel@demo.invalid', role: 'panel_member', agency: 'Demoshire Police', reviews: 4, addedBy: ['chair@demo.invalid'] },
      { email: 'writer@demo.invalid', role: 'report_writer', agency: null, reviews: 4, addedBy: ['lead@demo.invalid'] },
    ]);
    for (const user of DEMO_USERS) {
      const res = await http().post('/auth/sessions').send({ email: user.email, password: password() }).expect(201);
      expect(res.body.user).toMatchObject({ email: user.email, displayName: user.displayName });
    }
  });

  it('brings each review to its intended stage, with a history that reads like a real review', async () => {
    const lead = await signIn('lead@demo.invalid');
    const get = async (path: string) => (await http().get(path).set('Cookie', lead).expect(200)).body;
    expect(seeded.reviews.map((r) => [r.policeReference, r.stage])).toEqual(DEMO_REVIEWS.map((r) => [r.policeReference, r.stage]));
    for (const r of seeded.reviews) {
      expect((await get(`/reviews/${r.id}`)).status).toBe(r.intended);
      expect(r.reference).toMatch(/^DHR-DEMO-\d{4}-\d{3}$/);
    }

    const notified = await get(`/reviews/${review('DEMO-0001').id}`);
    expect(notified.allowedEvents).toContain('DECIDE');
    expect(notified.clocks.find((c: { kind: string }) => c.kind === 'decision_due')).toMatchObject({ status: 'open', urgency: expect.stringMatching(/on_track|due_soon/) });
    expect((await get(`/reviews/${review('DEMO-0001').id}/people`)).map((p: { pseudonym: string }) => p.pseudonym).sort()).toEqual(['Adult A', 'Adult B']);

    // Information gathering: one IMR received, one overdue, one not yet due.
    const gathering = review('DEMO-0002').id;
    const imrs = await get(`/reviews/${gathering}/imrs`);
    expect(imrs.map((i: { state: string }) => i.state).sort()).toEqual(['outstanding', 'outstanding', 'received']);
    const imrClocks = (await get(`/reviews/${gathering}`)).clocks.filter((c: { kind: string; status: string }) => c.kind === 'imr_due' && c.status === 'open');
    expect(imrClocks.map((c: { urgency: string }) => c.urgency).sort()).toEqual(['on_track', 'overdue']);
    const overdue = imrClocks.find((c: { urgency: string }) => c.urgency === 'overdue');
    expect(overdue.title).toMatch(/Demoshire NHS Foundation Trust/);

    // Drafting: recommendations agreed.
    const drafting = await get(`/reviews/${review('DEMO-0003').id}`);
    expect(drafting.facts).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 0, meetingsConsideringImrs: 1, recommendationsCount: 3 });
    const recommendations = await get(`/reviews/${review('DEMO-0003').id}/recommendations`);
    expect(recommendations.map((r: { status: string }) => r.status)).toEqual(['agreed', 'agreed', 'agreed']);

    // Awaiting the RAG: both drafts are PDFs the RAG member can read.
    const signOff = review('DEMO-0004').id;
    const documents = await get(`/reviews/${signOff}/documents`);
    expect(documents.map((d: { kind: string }) => d.kind).sort()).toEqual(['executive_summary', 'overview_report']);
    const rag = await signIn('rag@demo.invalid');
    const pdf = await http()
      .get(`/reviews/${signOff}/documents/${documents[0].id}/versions/1/content`)
      .set('Cookie', rag)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).toString('latin1')).toMatch(/^%PDF-1\.4\n[\s\S]*\/Type \/Page [\s\S]*%%EOF\n$/);
    expect((await get(`/reviews/${signOff}`)).allowedEvents).toEqual(expect.arrayContaining(['RAG_APPROVE', 'RAG_RETURN']));

    // Published: the action plan is being followed; CLOSE waits for the open actions.
    const published = review('DEMO-0005').id;
    const done = await get(`/reviews/${published}`);
    expect(done.blockedEvents.find((b: { type: string }) => b.type === 'CLOSE').reasons.join(' ')).toMatch(/2 of 3 actions are not complete/);
    expect(await get(`/reviews/${published}/publication`)).toMatchObject({ url: expect.stringMatching(/^https:\/\//), publishedAt: expect.any(String), pseudonyms: ['Adult A', 'Adult B'] });

    // Each change was made by the demo user whose job it is.
    const history: Array<{ type: string; actor: string }> = await get(`/reviews/${published}/history`);
    const actorOf = (type: string) => [...new Set(history.filter((h) => h.type === type).map((h) => h.actor))];
    expect(actorOf('NOTIFICATION_RECORDED')).toEqual(['lead@demo.invalid']);
    expect(actorOf('DECIDE')).toEqual(['lead@demo.invalid']);
    expect(actorOf('MEMBER_ADDED')).toEqual(['lead@demo.invalid', 'chair@demo.invalid']);
    expect(actorOf('IMR_COMMISSIONED')).toEqual(['chair@demo.invalid']);
    expect(actorOf('IMR_RECEIVED')).toEqual(['chair@demo.invalid']);
    expect(actorOf('RECOMMENDATION_RECORDED')).toEqual(['writer@demo.invalid']);
    expect(actorOf('DRAFT_UPLOADED')).toEqual(['writer@demo.invalid']);
    expect(actorOf('AGREE_REPORT')).toEqual(['chair@demo.invalid']);
    expect(actorOf('RAG_APPROVE')).toEqual(['rag@demo.invalid']);
    expect(actorOf('PUBLISH')).toEqual(['lead@demo.invalid']);
  });

  it('a second run creates nothing, and demo mode prints the users, their roles and the password', async () => {
    const before = await counts();
    const again = await seedDemo(ctx.api);
    expect(again.created).toEqual({ csp: false, agencies: 0, users: 0, reviews: 0 });
    expect(again.passwordsSet).toBe(0);
    expect(again.reviews.map((r) => [r.id, r.stage, r.created])).toEqual(seeded.reviews.map((r) => [r.id, r.stage, false]));

    const written: string[] = [];
    // The start-up step, as `npm run demo` runs it: its own application context on this database.
    await demoModeOnStart({ ...ctx.config, demo: { ...ctx.config.demo, enabled: true } }, logger(), (t) => written.push(t));
    expect(written).toHaveLength(1);
    for (const user of DEMO_USERS) expect(written[0]).toContain(user.email);
    expect(written[0]).toContain(`password is: ${password()}`);
    expect(written[0]).toMatch(/lead@demo\.invalid +CSP lead \(DEMO\)/);
    for (const r of seeded.reviews) expect(written[0]).toMatch(new RegExp(`${r.policeReference} +${r.reference} +${r.stage} `));
    expect(await counts()).toEqual(before);

    // With demo mode off, the start-up step does nothing at all.
    await demoModeOnStart(ctx.config, logger(), (t) => written.push(t));
    expect(written).toHaveLength(1);
  });

  it('need-to-know: the CSP lead lists every DEMO review, the panel member only the ones they sit on', async () => {
    const listed = async (email: string) => {
      const cookie = await signIn(email);
      const body = (await http().get('/reviews?pageSize=100').set('Cookie', cookie).expect(200)).body;
      return (body.items as Array<{ id: string; cspId: string }>).map((r) => r.id).sort();
    };
    const all = seeded.reviews.map((r) => r.id).sort();
    const staffed = seeded.reviews.filter((r) => r.policeReference !== 'DEMO-0001').map((r) => r.id).sort();
    expect(await listed('lead@demo.invalid')).toEqual(all);
    expect(await listed('panel@demo.invalid')).toEqual(staffed);
    expect(await listed('imr@demo.invalid')).toEqual(staffed);
    expect(await listed('rag@demo.invalid')).toEqual([review('DEMO-0004').id, review('DEMO-0005').id].sort());
    expect(await listed('admin@demo.invalid')).toEqual([]);

    // A review the panel member is not on does not exist for them; the IMR author sees only their agency's IMRs.
    const panel = await signIn('panel@demo.invalid');
    await http().get(`/reviews/${review('DEMO-0001').id}`).set('Cookie', panel).expect(404);
    const author = await signIn('imr@demo.invalid');
    const imrs = (await http().get(`/reviews/${review('DEMO-0002').id}/imrs`).set('Cookie', author).expect(200)).body;
    expect(imrs).toHaveLength(1);
    expect(imrs[0]).toMatchObject({ authorName: 'Demo IMR Author', state: 'outstanding' });
  });
});
