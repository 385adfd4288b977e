import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccessLogEntry } from '../src/audit/access-log.entity';
import { Deadline } from '../src/deadlines/deadline.entity';
import { ApiToken, User } from '../src/identity/identity.entities';
import { IdentityService } from '../src/identity/identity.service';
import { entityFromJson, entityFromRow, insertRow, jsonObjectOf, selectListOf } from '../src/infrastructure/database/entity-rows';
import { ReviewEventRecord } from '../src/reviews/review-event.entity';
import { Review } from '../src/reviews/review.entity';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

/**
 * The plain-SQL reads and writes of the statements every request sends
 * (src/infrastructure/database/entity-rows.ts) read what TypeORM's own find reads, column for
 * column and type for type (a date as its text, a timestamp as a Date, JSON as its value), and
 * write what TypeORM would.
 */
describe('entity rows in plain SQL', () => {
  const clock = new TestClock(new Date('2026-12-04T10:00:00Z'));
  let ctx: TestContext;
  let ds: DataSource;
  let reviewId: string;
  let tokenUserId: string;
  const http = () => request(ctx.api.getHttpServer());

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    ds = ctx.api.get(DataSource);
    const cspId = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'ROWS', name: 'Rows CSP' }).expect(201)).body.id;
    const identities = ctx.api.get(IdentityService);
    const lead = await identities.addUser({ email: 'lead@rows.example', displayName: 'Rows Lead', role: 'csp_lead', cspCode: 'ROWS' });
    tokenUserId = lead.id;
    const { token } = await identities.issueToken(lead.id, 'rows');
    const auth = { Authorization: `Bearer ${token}` };
    const opened = (await http().post('/reviews').set(auth).send({ cspId, dateOfDeath: '2026-11-01', notifiedOn: '2026-11-02', policeForce: 'Essex Police', policeReference: 'ROWS/1', circumstances: 'A death at home.' }).expect(201)).body;
    reviewId = opened.id;
    await http().post(`/reviews/${reviewId}/events`).set(auth).set('If-Match', `"${opened.version}"`).send({ type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met.', decidedAt: '2026-11-10' }).expect(200);
    // A read of the review: its access-log row.
    await http().get(`/reviews/${reviewId}`).set(auth).expect(200);
  }, 60_000);
  afterAll(() => ctx.close());

  async function both<T extends object>(target: new () => T, table: string, where: string, params: unknown[]) {
    const plain = ((await ds.query(`SELECT ${selectListOf(ds, target, 'x')} FROM ${table} x WHERE ${where} ORDER BY x.id`, params)) as Array<Record<string, unknown>>).map((row) =>
      entityFromRow(ds, target, 'x', row),
    );
    const [{ rows }] = (await ds.query(`SELECT coalesce(json_agg(${jsonObjectOf(ds, target, 'x')} ORDER BY x.id), '[]'::json) AS rows FROM ${table} x WHERE ${where}`, params)) as Array<{ rows: Array<Record<string, unknown>> }>;
    const json = rows.map((row) => entityFromJson(ds, target, 'x', row));
    const ids = plain.map((e) => (e as { id: unknown }).id);
    const typeorm = await Promise.all(ids.map((id) => ds.manager.findOneByOrFail(target, { id } as never)));
    return { plain, json, typeorm };
  }

  it('reads a review, its clocks, a token, its user, history and access-log rows as TypeORM does, as columns and as JSON', async () => {
    for (const [target, table, where, params] of [
      [Review, 'reviews', 'x.id = $1', [reviewId]],
      [Deadline, 'deadlines', 'x.review_id = $1', [reviewId]],
      [ApiToken, 'api_tokens', 'x.user_id = $1', [tokenUserId]],
      [User, 'users', 'x.id = $1', [tokenUserId]],
      [ReviewEventRecord, 'review_events', 'x.review_id = $1', [reviewId]],
      [AccessLogEntry, 'access_log', 'x.review_id = $1', [reviewId]],
    ] as const) {
      const { plain, json, typeorm } = await both(target as new () => object, table, where, [...params]);
      expect(plain.length).toBeGreaterThan(0);
      expect(plain).toStrictEqual(typeorm);
      // The same rows as JSON objects (one statement bringing a row with its children).
      expect(json).toStrictEqual(typeorm);
    }
    // What the types are, not only that both agree: a date is its text, a timestamp a Date, JSON its value.
    const [review] = (await both(Review, 'reviews', 'x.id = $1', [reviewId])).plain;
    expect(review).toBeInstanceOf(Review);
    expect(review.notifiedOn).toBe('2026-11-02');
    expect(review.createdAt).toBeInstanceOf(Date);
    expect(review.snapshot).toMatchObject({ context: expect.any(Object) });
    // A column find() does not read (the password) is not read here either.
    const [user] = (await both(User, 'users', 'x.id = $1', [tokenUserId])).plain;
    expect(user.passwordHash).toBeUndefined();
  });

  it('inserts a row as TypeORM would: JSON arrays as JSON, defaults for the columns not given; after an update, only if it matched', async () => {
    const at = new Date('2026-12-04T09:00:00Z');
    await insertRow(ds.manager, ReviewEventRecord, {
      reviewId, sequence: 999, type: 'NOTE', payload: { list: [1, 'two'], nested: { empty: [] } }, actor: 'rows@example',
      occurredAt: at, recordedAt: at, fromStatus: null, toStatus: 'x', fromOnHold: null, toOnHold: false,
    });
    const row = await ds.manager.findOneByOrFail(ReviewEventRecord, { reviewId, sequence: 999 });
    expect(row).toMatchObject({ type: 'NOTE', payload: { list: [1, 'two'], nested: { empty: [] } }, occurredAt: at, origin: 'recorded', fromStatus: null, toOnHold: false });
    // After an update in the same statement: inserted once for each row the update returned.
    const event = (sequence: number) => ({
      reviewId, sequence, type: 'NOTE', payload: { list: ['listed'] }, actor: 'rows@example', occurredAt: at, recordedAt: at, fromStatus: null, toStatus: 'x', fromOnHold: null, toOnHold: false,
    });
    const touch = (id: string) => ({ sql: 'UPDATE reviews SET updated_at = updated_at WHERE id = $1 RETURNING id', params: [id] });
    expect(await insertRow(ds.manager, ReviewEventRecord, event(1000), touch('00000000-0000-4000-8000-000000000000'))).toBe(0);
    expect(await ds.manager.countBy(ReviewEventRecord, { reviewId, sequence: 1000 })).toBe(0);
    expect(await insertRow(ds.manager, ReviewEventRecord, event(1001), touch(reviewId))).toBe(1);
    expect(await ds.manager.findOneByOrFail(ReviewEventRecord, { reviewId, sequence: 1001 })).toMatchObject({ payload: { list: ['listed'] }, occurredAt: at, toOnHold: false });
    await expect(insertRow(ds.manager, Review, { csp: undefined, notAColumn: 1 } as never)).rejects.toThrow('Review.notAColumn is not a column one inserts');
  });
});
