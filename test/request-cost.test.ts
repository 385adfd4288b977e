import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { reviewAtSignOff } from './support/scenarios';
import { startTestApp, TestClock, type TestContext } from './support/test-app';
// The driver TypeORM loads (the same module instance in this test file): its queries are counted.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };

/**
 * What one request costs in SQL statements (issue 16): a lifecycle transition over HTTP with an
 * API token, as a person's client sends it, and a read of the review. Each statement is a round
 * trip and each commit a wait for the disk, so a change that adds either fails here.
 *
 * Measured before this test (the same requests): a transition sent 22 statements in 2 commits
 * (the token looked up twice, the roles and the review in three, the clocks' inputs in seven
 * reads, the deadlines read twice); a read sent 9.
 */
describe('what a request costs in SQL', () => {
  const clock = new TestClock(new Date('2026-12-04T10:00:00Z'));
  let ctx: TestContext;
  let token: string;
  let cspId: string;
  const http = () => request(ctx.api.getHttpServer());
  const seen: string[] = [];
  let counting = false;
  const original = pg.Client.prototype.query;
  const text = (q: unknown) => (typeof q === 'string' ? q : ((q as { text?: string })?.text ?? String(q))).replace(/\s+/g, ' ').trim();

  /** A statement's kind: its first word (START TRANSACTION as BEGIN), and FOR UPDATE if it locks. */
  const kind = (s: string) => {
    const first = /^START TRANSACTION/i.test(s) ? 'BEGIN' : s.split(' ')[0].toUpperCase();
    return first === 'SELECT' && / FOR UPDATE\b/i.test(s) ? 'SELECT FOR UPDATE' : first;
  };

  /** The statements `run` sends to PostgreSQL. */
  async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
    seen.length = 0;
    counting = true;
    try {
      await run();
    } finally {
      counting = false;
    }
    return [...seen];
  }

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
      if (counting) seen.push(text(args[0]));
      return original.apply(this, args);
    };
    cspId = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'COST', name: 'Cost CSP' }).expect(201)).body.id;
    const identities = ctx.api.get(IdentityService);
    const lead = await identities.addUser({ email: 'lead@cost.example', displayName: 'Cost Lead', role: 'csp_lead', cspCode: 'COST' });
    token = (await identities.issueToken(lead.id, 'cost')).token;
  }, 60_000);
  afterAll(async () => {
    pg.Client.prototype.query = original;
    await ctx.close();
  });

  it('a transition is one transaction of a handful of statements; a read of the review is three', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const opened = (await http().post('/reviews').set(auth).send({ cspId, dateOfDeath: '2026-11-01', notifiedOn: '2026-11-02', policeForce: 'Essex Police', policeReference: 'COST/1', circumstances: 'A death at home.' }).expect(201)).body;
    const decided = (await http().post(`/reviews/${opened.id}/events`).set(auth).set('If-Match', `"${opened.version}"`).send({ type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-11-10' }).expect(200)).body;
    // The token was used a moment ago (its last use is written at most once a minute).
    let held: { version: number; onHold: boolean } = decided;
    const transition = await statementsOf(async () => {
      held = (await http().post(`/reviews/${opened.id}/events`).set(auth).set('If-Match', `"${decided.version}"`)
        .send({ type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed.', expectedEnd: '2027-03-01' }).expect(200)).body;
    });
    expect(held).toMatchObject({ version: decided.version + 1, onHold: true });
    // The review's writes in one transaction, the access log's row after it: two commits in all.
    expect(transition.filter((s) => /^(START TRANSACTION|BEGIN)/i.test(s))).toHaveLength(1);
    expect(transition.filter((s) => /^COMMIT/i.test(s))).toHaveLength(1);
    // The update and the history row in one statement (written only if the update matched).
    const writes = transition.filter((s) => /^(INSERT|UPDATE|DELETE|WITH)/i.test(s));
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^WITH after AS \(UPDATE reviews SET .* RETURNING id\) INSERT INTO "review_events" .* FROM after RETURNING 1$/);
    expect(writes[1]).toMatch(/^INSERT INTO "?access_log"? /);
    // Seven in all, in this order: the token with the caller's roles and the review; then the
    // transaction (the review locked; its facts, dates and clocks' inputs in one read; the update
    // with its history row); then the access log's row.
    expect(transition.map(kind)).toEqual(['SELECT', 'BEGIN', 'SELECT FOR UPDATE', 'SELECT', 'WITH', 'COMMIT', 'INSERT']);

    const read = await statementsOf(() => http().get(`/reviews/${opened.id}`).set(auth).expect(200));
    expect(read.filter((s) => /^(INSERT|UPDATE|DELETE)/i.test(s)).map((s) => /^(\w+) (?:INTO )?"?(\w+)"?/i.exec(s)!.slice(1, 3).join(' '))).toEqual(['INSERT access_log']);
    // Three: the token with the roles and the review; the review with its facts and clock rows; the access log's row.
    expect(read.map(kind)).toEqual(['SELECT', 'SELECT', 'INSERT']);
  });

  it('the API\'s least answer, GET /health, sends no SQL', async () => {
    expect(await statementsOf(() => http().get('/health').expect(200))).toEqual([]);
  });

  it('a review with IMRs costs no more: whose each IMR is (for the clocks a caller may see) is read with the review', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const opened = (await http().post('/reviews').set(auth).send({ cspId, dateOfDeath: '2026-11-01', notifiedOn: '2026-11-02', policeForce: 'Essex Police', policeReference: 'COST/3', circumstances: 'A death at home.' }).expect(201)).body;
    const decided = (await http().post(`/reviews/${opened.id}/events`).set(auth).set('If-Match', `"${opened.version}"`).send({ type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-11-10' }).expect(200)).body;
    for (const name of ['Cost Police', 'Cost Health']) {
      const agency = (await http().post('/agencies').set(auth).send({ name, kind: name === 'Cost Police' ? 'police' : 'health' }).expect(201)).body.id;
      await http().post(`/reviews/${opened.id}/imrs`).set(auth).send({ agencyId: agency, kind: 'imr', authorName: 'An Author', requestedOn: '2026-11-20', dueOn: '2027-01-20' }).expect(201);
    }
    const read = await statementsOf(() => http().get(`/reviews/${opened.id}`).set(auth).expect(200));
    expect(read.map(kind)).toEqual(['SELECT', 'SELECT', 'INSERT']);
    const version = (await http().get(`/reviews/${opened.id}`).set(auth).expect(200)).body.version;
    let held: { onHold: boolean; clocks: Array<{ kind: string }> } | undefined;
    const transition = await statementsOf(async () => {
      held = (await http().post(`/reviews/${opened.id}/events`).set(auth).set('If-Match', `"${version}"`)
        .send({ type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed.', expectedEnd: '2027-03-01' }).expect(200)).body;
    });
    expect(held).toMatchObject({ onHold: true });
    expect(held!.clocks.filter((c) => c.kind === 'imr_due')).toHaveLength(2);
    // The same three reads as a review without IMRs (the token, the locked review, its facts with
    // what its clocks are planned from): whose each IMR is comes with them, not in a read of its own.
    expect(transition.filter((s) => /^SELECT/i.test(s)).map(kind)).toEqual(['SELECT', 'SELECT FOR UPDATE', 'SELECT']);
    // The hold pauses each running clock (its writes are the event's), and the answer is
    // narrowed to the caller's clocks with what the event read: after the commit, only the
    // access log's row.
    const afterCommit = transition.slice(transition.findIndex((s) => /^COMMIT/i.test(s)) + 1);
    expect(afterCommit.map((s) => /^(\w+) (?:INTO |.*? FROM )?"?(\w+)"?/i.exec(s)!.slice(1, 3).join(' '))).toEqual(['INSERT access_log']);
    expect(decided.version).toBeLessThan(version);
  });

  it('the clocks a transition plans are the clocks a fresh read shows (the rows it just wrote, not a second read)', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const opened = (await http().post('/reviews').set(auth).send({ cspId, dateOfDeath: '2026-11-01', notifiedOn: '2026-11-03', policeForce: 'Essex Police', policeReference: 'COST/2', circumstances: 'A death at home.' }).expect(201)).body;
    const decided = (await http().post(`/reviews/${opened.id}/events`).set(auth).set('If-Match', `"${opened.version}"`).send({ type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-11-12' }).expect(200)).body;
    const notified = (await http().post(`/reviews/${opened.id}/events`).set(auth).set('If-Match', `"${decided.version}"`).send({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-11-13' }).expect(200)).body;
    const fresh = (await http().get(`/reviews/${opened.id}`).set(auth).expect(200)).body;
    expect(notified.clocks.length).toBeGreaterThan(0);
    expect(notified.clocks).toEqual(fresh.clocks);
    expect(notified.clocks.map((c: { dueAt: string }) => c.dueAt)).toEqual([...notified.clocks.map((c: { dueAt: string }) => c.dueAt)].sort());
  });

  it('a return from the board reads what its clocks are planned from afresh after its writes, so its answer’s clocks are a fresh read’s', async () => {
    const agencies = [];
    for (const name of ['Return Police', 'Return Health']) {
      agencies.push((await http().post('/agencies').set('X-Actor', 'setup.lead@test.invalid').send({ name, kind: name === 'Return Police' ? 'police' : 'health' }).expect(201)).body.id as string);
    }
    const review = await reviewAtSignOff(ctx.api, cspId, agencies);
    const before = (await http().get(`/reviews/${review.id}`).set('X-Actor', 'admin').expect(200)).body;
    let returned: { status: string; clocks: Array<{ kind: string; status: string }> } | undefined;
    const statements = await statementsOf(async () => {
      returned = (await http().post(`/reviews/${review.id}/events`).set('X-Actor', 'admin').set('If-Match', `"${before.version}"`)
        .send({ type: 'RAG_RETURN', comments: 'Say more about the missed risk assessment.' }).expect(200)).body;
    });
    // One transaction, as any event's: after the update and its history row, what the clocks are
    // planned from (with the clock rows) is read again, which a plain transition does not do.
    expect(statements.filter((s) => /^(START TRANSACTION|BEGIN)/i.test(s))).toHaveLength(1);
    const written = statements.findIndex((s) => /^WITH after AS \(UPDATE reviews /.test(s));
    expect(written).toBeGreaterThan(0);
    const afresh = statements.slice(written + 1).find((s) => kind(s) === 'SELECT');
    expect(afresh).toMatch(/FROM "?deadlines"? d\b/);
    expect(statements.indexOf(afresh!)).toBeLessThan(statements.findIndex((s) => /^UPDATE "deadlines"/.test(s)));
    // What it answers is what a fresh read shows: the board's round closed as returned.
    const fresh = (await http().get(`/reviews/${review.id}`).set('X-Actor', 'admin').expect(200)).body;
    expect(returned!.clocks).toEqual(fresh.clocks);
    expect(returned!.clocks.filter((c) => c.kind === 'rag_sign_off').map((c) => c.status)).toContain('returned');
  });

  it('the reviews list reads the columns its rows show, not each review\'s snapshot (which grows with its history)', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const opened = (await http().post('/reviews').set(auth).send({ cspId, dateOfDeath: '2026-11-01', notifiedOn: '2026-11-04', policeForce: 'Essex Police', policeReference: 'COST/3', circumstances: 'A death at home.' }).expect(201)).body;
    let listed: { items: Array<Record<string, unknown>> } = { items: [] };
    const list = await statementsOf(async () => {
      listed = (await http().get('/reviews?pageSize=50').set(auth).expect(200)).body;
    });
    const reads = list.filter((s) => /^SELECT .* FROM "?reviews"? "?r"?/i.test(s));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((s) => /snapshot/i.test(s))).toEqual([]);
    expect(listed.items.find((i) => i.id === opened.id)).toEqual({
      id: opened.id, reference: opened.reference, cspId, status: opened.status, onHold: false,
      notifiedOn: '2026-11-04', version: opened.version, updatedAt: opened.updatedAt,
    });
  });

  it('keeps an idle connection open longer than a load balancer would (65 s, not Node’s 5 s), so a reused connection is not closed under a request', () => {
    const server = ctx.api.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
  });
});
