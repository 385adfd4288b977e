import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A review's write and the reminder worker cannot deadlock. A lifecycle event or case-file write
 * holds the review's row FOR UPDATE and then moves its deadlines; updating a deadline takes a
 * KEY SHARE lock on its review through the foreign key (when the row was already written in the
 * same transaction, as when the outbox relay plans one deadline twice in a batch). When the
 * worker locked the deadline first, the two waited on each other (PostgreSQL's log: "deadlock
 * detected", and a 500 on an IMR receipt in CI). The worker now takes the review's row first.
 * Here the write is played by a second connection, holding the review's row as the service's
 * writes do; without the fix this test fails with "deadlock detected".
 */
describe('a review being written and the reminder worker planning its deadline (real PostgreSQL)', () => {
  const clock = new TestClock(new Date('2026-03-02T09:00:00Z'));
  let ctx: TestContext;
  let writer: Client;

  beforeAll(async () => {
    ctx = await startTestApp({ worker: true, clock });
    writer = new Client({ connectionString: ctx.database.url });
    await writer.connect();
  });
  afterAll(async () => {
    await writer.end();
    await ctx.close();
  });

  it('the worker waits for the review before it touches the deadline, so the write moves the deadline and both finish', async () => {
    const http = () => request(ctx.api.getHttpServer());
    const cspId = (await http().post('/csps').set('X-Actor', 'admin').send({ code: 'LOCKS', name: 'Locks CSP' }).expect(201)).body.id;
    const review = (await http().post('/reviews').set('X-Actor', 'lead@locks.example')
      .send({ cspId, dateOfDeath: '2026-02-20', notifiedOn: '2026-02-23', policeForce: 'Essex Police', policeReference: 'LOCKS/1', circumstances: 'A death at home.' })
      .expect(201)).body;
    const [{ id: deadlineId }] = (await writer.query(`SELECT id FROM deadlines WHERE review_id = $1 AND kind = 'decision_due'`, [review.id])).rows;

    // The worker plans the deadline twice in one transaction (two outbox messages for it in one
    // batch): the second update of a row its own transaction wrote makes PostgreSQL check the
    // foreign key, taking KEY SHARE on the review.
    const scheduler = ctx.worker!.get(ReminderScheduler);
    const runner = ctx.worker!.get(DataSource).createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await scheduler.planIn(runner.manager, deadlineId, null, clock.now());
    // A write of the review begins (its row FOR UPDATE) ...
    const locked = writer.query('BEGIN').then(() => writer.query('SELECT id FROM reviews WHERE id = $1 FOR UPDATE', [review.id]));
    await sleep(200);
    // ... the worker plans the deadline again ...
    const planned = scheduler.planIn(runner.manager, deadlineId, null, clock.now()).then(
      async (done) => {
        await runner.commitTransaction();
        return done;
      },
      async (error: Error) => {
        await runner.rollbackTransaction();
        return error.message;
      },
    );
    // ... and the write moves the deadline.
    const moved = locked
      .then(() => writer.query(`UPDATE deadlines SET title = title || ' (moved)' WHERE id = $1`, [deadlineId]))
      .then(
        async (r) => {
          await writer.query('COMMIT');
          return r.rowCount;
        },
        async (error: Error) => {
          await writer.query('ROLLBACK');
          return error.message;
        },
      );
    expect(await moved).toBe(1);
    expect(await planned).toBe(true);
    await runner.release();
    const [row] = (await writer.query('SELECT title, reminder_seq FROM deadlines WHERE id = $1', [deadlineId])).rows;
    expect(row.title).toMatch(/\(moved\)$/);
    expect(row.reminder_seq).toBeGreaterThanOrEqual(2);
  });
});
