import request from 'supertest';
import { DataSource } from 'typeorm';
import { NEXT_STEP_ON_SQL, NEXT_WORK_ON_SQL } from '../migrations/1765360000000-NextWorkOn';
import { AccessService, type AccessContext } from '../src/access/access.service';
import { DEMO_USERS, seedDemo } from '../src/demo/demo-seed';
import { IdentityService } from '../src/identity/identity.service';
import { ReviewLifecycleService } from '../src/reviews/review-lifecycle.service';
import { TasksService } from '../src/work/tasks.service';
import { startTestApp, type TestContext } from './support/test-app';

/**
 * My work without deriving every review's tasks (issue 16): the reviews are read in the order of
 * the soonest date any task on them can be due (`reviews.next_work_on`, kept with every write),
 * and reading stops once no later review can hold a sooner task. Checked against the tasks of
 * every review derived in full (forUser, whose equality with an independent derivation
 * test/tasks.test.ts shows), for every demo user and page size, with more reviews than one read.
 */
describe('My work at any caseload', () => {
  let ctx: TestContext;
  let db: DataSource;
  const http = () => request(ctx.api.getHttpServer());
  const lead = DEMO_USERS.find((u) => u.key === 'lead')!.email;

  beforeAll(async () => {
    ctx = await startTestApp();
    db = ctx.api.get(DataSource);
    const seeded = await seedDemo(ctx.api);
    // Thirty more reviews for the lead to decide, notified two by two on the same day (their
    // decision clocks fall due together, so the order within a day is by reference), a third of
    // them decided: more than one read of reviews.
    for (let i = 0; i < 30; i++) {
      const k = Math.floor(i / 2);
      const notifiedOn = `2026-${String(1 + (k % 11)).padStart(2, '0')}-${String(1 + ((k * 7) % 27)).padStart(2, '0')}`;
      const opened = await http().post('/reviews').set('X-Actor', lead)
        .send({ cspId: seeded.cspId, dateOfDeath: notifiedOn, notifiedOn, policeForce: 'Demoshire Police', policeReference: `SCALE/${i}`, circumstances: 'A death at home.' })
        .expect(201);
      if (i % 3 === 0) {
        await http().post(`/reviews/${opened.body.id}/events`).set('X-Actor', lead).set('If-Match', `"${opened.body.version}"`)
          .send({ type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: notifiedOn }).expect(200);
      }
    }
  }, 120_000);
  afterAll(() => ctx?.close());

  async function accessOf(email: string): Promise<AccessContext> {
    const [user] = await db.query('SELECT id FROM users WHERE email = $1', [email]);
    const holder = await ctx.api.get(AccessService).holder(user.id, null);
    return { trusted: false, userId: user.id, action: 'self', holder, review: null, restriction: null };
  }

  it('each review keeps the soonest date a task on it can be due (as the migration computes it), and a lead’s and a RAG member’s step no sooner than the migration’s', async () => {
    const rows: Array<{ reference: string; work: string | null; workSql: string | null; lead: string | null; leadSql: string | null; rag: string | null; ragSql: string | null }> =
      await db.query(
        `SELECT reference, next_work_on::text AS work, (${NEXT_WORK_ON_SQL('r')})::text AS "workSql",
                next_lead_on::text AS lead, (${NEXT_STEP_ON_SQL('r', 'lead')})::text AS "leadSql",
                next_rag_on::text AS rag, (${NEXT_STEP_ON_SQL('r', 'rag')})::text AS "ragSql"
           FROM reviews r ORDER BY reference`,
      );
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.filter((r) => r.lead !== null).length).toBeGreaterThan(5);
    expect(rows.filter((r) => r.rag !== null).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.work !== r.workSql)).toEqual([]);
    // The migration fills them from the steps a stage handles; kept, from those it allows: the
    // same date or a later one (null: none), never an earlier one, so the migration's are safe.
    const notBefore = (kept: string | null, filled: string | null) => filled === null ? kept === null : kept === null || kept >= filled;
    expect(rows.filter((r) => !notBefore(r.lead, r.leadSql) || !notBefore(r.rag, r.ragSql))).toEqual([]);
    expect(rows.some((r) => r.lead !== r.leadSql)).toBe(true);
  });

  it.each(DEMO_USERS.map((u) => [u.key, u.email] as const))('for the demo %s, the first n tasks are the first n of all their tasks, whatever n', async (_key, email) => {
    const tasks = ctx.api.get(TasksService);
    const access = await accessOf(email);
    const all = await tasks.forUser(access.userId!, access);
    for (const limit of [1, 2, 5, 10, 11, 25, 200]) {
      const page = await tasks.mostUrgent(access.userId!, access, limit);
      expect({ limit, items: page.items }).toEqual({ limit, items: all.slice(0, limit) });
      expect({ limit, more: page.more }).toEqual({ limit, more: all.length > limit });
    }
  });

  it("reads only the reviews it needs: the lead's most urgent task without reading all their reviews", async () => {
    const tasks = ctx.api.get(TasksService);
    const access = await accessOf(lead);
    const all = await tasks.forUser(access.userId!, access);
    const visible = (await ctx.api.get(ReviewLifecycleService).list({ page: 1, pageSize: 1 }, access)).total;
    expect(all.length).toBeGreaterThan(20);
    const first = await tasks.mostUrgent(access.userId!, access, 1);
    expect(first.items).toEqual(all.slice(0, 1));
    expect(first.reviewsRead).toBeLessThan(visible);
  });

  it('GET /me/tasks gives the most urgent `limit` and whether there are more; a bad limit is a 400 naming it', async () => {
    const [user] = await db.query('SELECT id FROM users WHERE email = $1', [lead]);
    const auth = { Authorization: `Bearer ${(await ctx.api.get(IdentityService).issueToken(user.id, 'my work')).token}` };
    const res = await http().get('/me/tasks?limit=3').set(auth).expect(200);
    expect(res.body.items).toHaveLength(3);
    expect(res.body.more).toBe(true);
    for (const bad of ['0', '201', 'many', '2.5']) {
      const refused = await http().get(`/me/tasks?limit=${bad}`).set(auth).expect(400);
      expect(JSON.stringify(refused.body)).toMatch(/limit/);
    }
    const page = await http().get('/my-work?limit=3').set(auth).expect(200);
    expect(page.text).toContain('These are your 3 most urgent tasks');
    expect(page.text).toContain('href="/my-work?limit=200"');
  });
});
