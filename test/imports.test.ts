import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { dayOf } from '../src/reviews/chronology';
import { runEntryPoint } from './support/processes';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

const NOW = '2026-12-04T12:00:00Z';
const EXAMPLE = join(__dirname, 'fixtures', 'imports', 'three-reviews.json');
const LEAD = 'lead@maldon.gov.uk';

type Json = any;

/**
 * Reviews already under way, brought in from a file through the API and the command line: each
 * review in one transaction through the same rules as if typed in, refused whole with the
 * review, item and reason named; a dry run writes nothing; history entries say they were
 * imported, and by whom.
 */
describe('importing reviews already under way (real PostgreSQL)', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let db: DataSource;
  const tokens: Record<string, string> = {};
  const file = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  const as = (who: string) => ({
    post: (path: string) => request(ctx.api.getHttpServer()).post(path).set('Authorization', `Bearer ${tokens[who]}`),
    get: (path: string) => request(ctx.api.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[who]}`),
  });
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params))[0].n);
  const reviewsByRef = async (ref: string) => count(`SELECT count(*) AS n FROM reviews WHERE police_reference = $1`, [ref]);

  beforeAll(async () => {
    ctx = await startTestApp({ clock, defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    db = ctx.api.get(DataSource);
    await request(ctx.api.getHttpServer()).post('/csps').set('X-Actor', 'setup').send({ code: 'MALDON', name: 'Maldon CSP' }).expect(201);
    await request(ctx.api.getHttpServer()).post('/csps').set('X-Actor', 'setup').send({ code: 'EPPING', name: 'Epping Forest CSP' }).expect(201);
    const ids = ctx.api.get(IdentityService);
    const lead = await ids.addUser({ email: LEAD, displayName: 'Maldon Lead', role: 'csp_lead', cspCode: 'MALDON' });
    tokens.lead = (await ids.issueToken(lead.id, 'test')).token;
    const epping = await ids.addUser({ email: 'lead@eppingforest.gov.uk', displayName: 'Epping Lead', role: 'csp_lead', cspCode: 'EPPING' });
    tokens.epping = (await ids.issueToken(epping.id, 'test')).token;
  });
  afterAll(() => ctx.close());

  it('a dry run checks all three reviews, names the refused one, its item and reason, and writes nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM review_events`);
    const res = await as('lead').post('/imports?dryRun=true').send(file).expect(200);
    expect(res.body).toMatchObject({ dryRun: true, created: 0, valid: 2, refused: 1 });
    expect(res.body.reviews.map((r: Json) => [r.key, r.status, r.stage ?? null])).toEqual([
      ['DHR2 (2017)', 'valid', 'drafting'],
      ['NR1 (2018)', 'valid', 'closed'],
      ['DHR3 (2017)', 'refused', null],
    ]);
    const refusal = res.body.reviews[2].refusal;
    expect(refusal).toMatchObject({ item: 7, step: 'imrReceived', field: 'receivedOn' });
    expect(refusal.reason).toContain('the request for the IMR (2017-07-01)');
    expect(refusal.reason).toContain('2017-06-15');
    expect(res.body.reviews[0].id).toBeUndefined();
    expect(await count(`SELECT count(*) AS n FROM reviews`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM review_events`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM agencies WHERE name = 'Essex Police'`)).toBe(0);
  });

  it('an import creates the two good reviews on their real dates, refuses the bad one whole, and the history says imported by whom', async () => {
    const res = await as('lead').post('/imports').send(file).expect(200);
    expect(res.body).toMatchObject({ dryRun: false, created: 2, valid: 0, refused: 1 });
    const [dhr2, nr1, dhr3] = res.body.reviews;
    expect(dhr2).toMatchObject({ key: 'DHR2 (2017)', status: 'created', stage: 'drafting', reference: 'DHR-MALDON-2017-001' });
    expect(nr1).toMatchObject({ key: 'NR1 (2018)', status: 'created', stage: 'closed', reference: 'DHR-MALDON-2018-001' });
    expect(dhr3).toMatchObject({ key: 'DHR3 (2017)', status: 'refused', refusal: { item: 7, step: 'imrReceived' } });
    // Nothing of the refused review: no review, no IMR, no panel member of its council.
    expect(await reviewsByRef('ESX/17/0417')).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM panel_members WHERE name = 'Community Safety Manager'`)).toBe(0);

    const review = (await as('lead').get(`/reviews/${dhr2.id}`).expect(200)).body;
    expect(review.lifecycle.stageHistory.map((s: Json) => [s.stage, dayOf(s.enteredAt)])).toEqual([
      ['notified', '2017-03-06'],
      ['establishing', '2017-03-20'],
      ['information_gathering', '2017-04-20'],
      ['drafting', '2017-10-02'],
    ]);
    const history = (await as('lead').get(`/reviews/${dhr2.id}/history`).expect(200)).body as Json[];
    expect(history.length).toBeGreaterThan(15);
    expect(history.every((h) => h.origin === 'imported' && h.actor === LEAD && h.recordedAt === new Date(NOW).toISOString())).toBe(true);
    expect(dayOf(history.find((h) => h.type === 'IMR_RECEIVED').occurredAt)).toBe('2017-06-28');
    // The Home Office's agreement with the "no" is on the closed review's record.
    const closed = (await as('lead').get(`/reviews/${nr1.id}`).expect(200)).body;
    expect(closed.lifecycle.homeOfficeAgreement).toMatchObject({ receivedAt: '2018-07-16' });
  });

  it('refuses a review of a CSP the caller does not lead, and a file that is not an import', async () => {
    const res = await as('epping').post('/imports').send(file).expect(200);
    expect(res.body.refused).toBe(3);
    expect(res.body.reviews[0].refusal).toEqual({ item: 0, step: 'notification', field: 'csp', reason: 'you are not a CSP lead of MALDON' });
    const bad = await as('lead').post('/imports').send({ format: 'something else', reviews: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([{ field: 'format', message: 'must be "dhr-import/1"' }, { field: 'reviews', message: 'must hold at least one review' }]),
    );
  });

  it('takes the spreadsheet as CSV: a good row created, a bad row refused with its reason', async () => {
    const csv = [
      'key,csp,date_of_death,notified_on,police_force,police_reference,circumstances,decision,decided_on,home_office_told_on,withdrawn_on,withdrawal_reason',
      'Sheet row 2,MALDON,2019-02-01,2019-02-04,Essex Police,ESX/19/0204,Death at home.,proceed,2019-02-20,2019-02-22,2019-03-01,Joined with a Safeguarding Adults Review',
      'Sheet row 3,MALDON,2019-05-01,2019-05-06,Essex Police,ESX/19/0506,Death at home.,proceed,2019-05-02,,,',
    ].join('\n');
    const res = await as('lead').post('/imports').set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(res.body.reviews.map((r: Json) => [r.key, r.status, r.stage ?? null])).toEqual([
      ['Sheet row 2', 'created', 'withdrawn'],
      ['Sheet row 3', 'refused', null],
    ]);
    expect(res.body.reviews[1].refusal).toMatchObject({ item: 1, step: 'event', field: 'decidedAt' });
    expect(res.body.reviews[1].refusal.reason).toContain('the notification to the CSP (2019-05-06)');
    const unknown = await as('lead').post('/imports').set('Content-Type', 'text/csv').send('key,csp,colour\nx,MALDON,red\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].message).toContain('unknown column(s): colour');
  });

  it('the command line imports the same file: dry run first (exit 1, nothing written), then for real', async () => {
    await db.query(`UPDATE csps SET code = 'MALDON_OLD' WHERE code = 'MALDON'`);
    await db.query(`INSERT INTO csps (code, name) VALUES ('MALDON', 'Maldon CSP (new)')`);
    const env = { DATABASE_URL: ctx.database.url, REDIS_URL: process.env.TEST_REDIS_URL };
    const dry = runEntryPoint('cli/index.js', env, ['import', EXAMPLE, '--actor', 'admin@maldon.gov.uk', '--dry-run']);
    expect(await dry.exited).toBe(1);
    const dryReport = JSON.parse(dry.lines.join('\n'));
    expect(dryReport).toMatchObject({ dryRun: true, valid: 2, refused: 1 });
    const newCsp = (await db.query(`SELECT id FROM csps WHERE code = 'MALDON'`))[0].id;
    expect(await count(`SELECT count(*) AS n FROM reviews WHERE csp_id = $1`, [newCsp])).toBe(0);

    const real = runEntryPoint('cli/index.js', env, ['import', EXAMPLE, '--actor', 'admin@maldon.gov.uk']);
    expect(await real.exited).toBe(1);
    expect(JSON.parse(real.lines.join('\n'))).toMatchObject({ dryRun: false, created: 2, refused: 1 });
    expect(await count(`SELECT count(*) AS n FROM reviews WHERE csp_id = $1`, [newCsp])).toBe(2);
    const actors = await db.query(
      `SELECT DISTINCT e.actor, e.origin FROM review_events e JOIN reviews r ON r.id = e.review_id WHERE r.csp_id = $1`,
      [newCsp],
    );
    expect(actors).toEqual([{ actor: 'admin@maldon.gov.uk', origin: 'imported' }]);

    const usage = runEntryPoint('cli/index.js', env, ['import', EXAMPLE]);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain('--actor: the email of the user importing is required');
  });
});
