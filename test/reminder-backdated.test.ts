import type { Job } from 'bullmq';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeadlineKind, loadReminderPolicy, reminderSchedule } from '../src/deadlines/rules';
import { IdentityService } from '../src/identity/identity.service';
import { ReminderJobData, ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { SendReminderJob } from '../src/reminders/send-reminder.job';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, TestContext } from './support/test-app';

const LEAD_EMAIL = 'lead.backdated@maldon.gov.uk';
const CHAIR_EMAIL = 'chair.backdated@independent-reviews.example';
/** Monday 2 March 2026, 10:00 London: after the day's 09:00 reminders. */
const NOW = '2026-03-02T10:00:00Z';

interface Clock {
  id: string;
  kind: string;
  subjectId: string;
  dueAt: string;
  status: string;
}

/**
 * Deadlines that come into being already overdue (a review typed in years after it began, an
 * IMR recorded after its due date, a due date corrected into the past), end to end: the real
 * API, worker, Redis and SMTP server. Each sends at most one overdue notice per recipient when
 * it arrived within the policy's window (config/reminder-policy.json overdueOnArrival, 30
 * days), none when it arrived beyond it, and never the back-log of before, on-the-day, repeat
 * and escalation reminders the old rule would have owed at once.
 */
describe('deadlines that arrive already overdue (real worker, Redis and SMTP)', () => {
  const clock = new TestClock(new Date(NOW));
  const policy = loadReminderPolicy();
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let ctx: TestContext;
  let scheduler: ReminderScheduler;
  let db: DataSource;
  let api: ReturnType<typeof reviewApi>;
  let casefile: CaseFileApi;
  let cspId: string;
  const http = () => request(ctx.api.getHttpServer());

  beforeAll(async () => {
    smtp = await startSmtpSink();
    ctx = await startTestApp({ worker: true, clock, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://dhr.maldon.gov.uk' } });
    scheduler = ctx.worker!.get(ReminderScheduler);
    db = ctx.api.get(DataSource);
    api = reviewApi(ctx.api);
    casefile = new CaseFileApi(ctx.api);
    cspId = (await api.createCsp('MALDON')).id;
    await ctx.api.get(IdentityService).addUser({ email: LEAD_EMAIL, displayName: 'Lead Backdated', role: 'csp_lead', cspCode: 'MALDON' });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.stop();
  });

  /** What the worker does every second and every ten minutes, done now. */
  async function tick() {
    await scheduler.relayOutbox();
    await scheduler.reconcileAll();
  }

  /** The reminder key of each email: deadline | slot | due time | recipient. */
  const keyOf = (m: ParsedMail) => {
    const [deadlineId, slot, dueAt, recipient] = (m.headers.get('x-dhr-reminder') as string).split('|');
    return { deadlineId, slot, dueAt, recipient };
  };
  const mailFor = (deadlineId: string) => smtp.received.filter((m) => keyOf(m).deadlineId === deadlineId);

  /** Waits until `count` emails for these deadlines have arrived, then a little longer for any extra. */
  async function settle(deadlineIds: string[], count: number) {
    const mine = () => smtp.received.filter((m) => deadlineIds.includes(keyOf(m).deadlineId));
    const until = Date.now() + 15000;
    while (mine().length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000)); // anything more would have arrived by now
    return mine();
  }

  async function clocksOf(reviewId: string): Promise<Clock[]> {
    return (await api.get(reviewId)).clocks;
  }

  async function chairFor(reviewId: string) {
    await http()
      .post(`/reviews/${reviewId}/appointments`)
      .set('X-Actor', 'lead')
      .send({ role: 'chair', name: 'Independent Chair', organisation: 'Chairs Ltd', email: CHAIR_EMAIL, appointedOn: '2026-03-01' })
      .expect(201);
  }

  it('a review of 2019 typed in today: its clocks, years overdue, send nothing at all', async () => {
    const { id, reference } = await api.openReview(cspId, { dateOfDeath: '2019-04-20', notifiedOn: '2019-05-01', policeReference: 'ESX/2019/0007' });
    await chairFor(id);
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2019-05-20' });
    const agency = await casefile.agency('Essex Police');
    await casefile.addPanelMember(id, agency, 'Police Rep 2019');
    await http()
      .post(`/reviews/${id}/imrs`)
      .set('X-Actor', 'chair')
      .send({ agencyId: agency, kind: 'imr', authorName: 'IMR Author', requestedOn: '2019-06-01', dueOn: '2019-08-01' })
      .expect(201);
    const open = (await clocksOf(id)).filter((c) => c.status === 'open');
    expect(open.map((c) => c.kind).sort()).toEqual(['completion_target', 'home_office_notification', 'imr_due']);
    // The old rule (no dueSetAt) would owe each of them escalations and a last repeat at once.
    const oldRule = open.flatMap((c) => reminderSchedule(policy, { kind: c.kind as DeadlineKind, dueAt: c.dueAt }, NOW).map((r) => `${c.kind}/${r.slot}`));
    expect(oldRule.length).toBeGreaterThanOrEqual(6);

    await tick();
    const mails = await settle(open.map((c) => c.id), 0);
    expect(mails.map((m) => m.subject)).toEqual([]);
    expect(smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`))).toEqual([]);
    const ledger = await db.query(`SELECT slot FROM notifications WHERE review_id = $1`, [id]);
    expect(ledger).toEqual([]);
  });

  it('IMRs recorded after their due dates: one overdue notice each within 30 days overdue, none beyond; then the usual cadence', async () => {
    const { id } = await api.openReview(cspId, { dateOfDeath: '2025-03-01', notifiedOn: '2025-03-03', policeReference: 'ESX/2025/0101' });
    await chairFor(id);
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2025-03-20' });
    await api.accept(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2025-03-24' });
    // Due 20, 30, 31 and 270 days before today (London dates), each from its own agency.
    const imrs: Record<string, { dueOn: string; agency: string; owner: string }> = {
      twenty: { dueOn: '2026-02-10', agency: 'Essex Police', owner: 'rep.police@essex.police.uk' },
      thirty: { dueOn: '2026-01-31', agency: 'Maldon District Council', owner: 'rep.council@maldon.gov.uk' },
      thirtyOne: { dueOn: '2026-01-30', agency: 'Mid Essex NHS Trust', owner: 'rep.nhs@nhs.example' },
      ancient: { dueOn: '2025-06-01', agency: 'Essex Probation', owner: 'rep.probation@justice.example' },
    };
    const deadlineOf: Record<string, string> = {};
    for (const [name, imr] of Object.entries(imrs)) {
      const agencyId = await casefile.agency(imr.agency, name === 'twenty' ? 'police' : 'other');
      await http()
        .post(`/reviews/${id}/panel-members`)
        .set('X-Actor', 'lead')
        .send({ name: `Rep ${name}`, agencyId, role: 'Senior representative', email: imr.owner, joinedOn: '2026-03-01', noDirectCaseManagementDeclared: true })
        .expect(201);
      const created = await http()
        .post(`/reviews/${id}/imrs`)
        .set('X-Actor', 'chair')
        .send({ agencyId, kind: 'imr', authorName: 'IMR Author', requestedOn: '2025-05-01', dueOn: imr.dueOn })
        .expect(201);
      const clockRow = (await clocksOf(id)).find((c) => c.kind === 'imr_due' && c.subjectId === created.body.id)!;
      expect(clockRow.status).toBe('open');
      deadlineOf[name] = clockRow.id;
    }
    // A correction of the decision's date would do the same for the review's own clocks; here
    // the completion target (due in the spring) is not overdue and owes nothing today.
    const ids = Object.values(deadlineOf);

    await tick();
    const mails = await settle(ids, 2);
    const summary = (deadlineId: string) =>
      mailFor(deadlineId).map((m) => ({ to: (m.to as { text: string }).text, slot: keyOf(m).slot, subject: m.subject }));
    // 20 days overdue: one notice to its owner, not the two escalations (agency, then chair) and
    // the latest repeat the old rule would send.
    expect(summary(deadlineOf.twenty)).toEqual([
      {
        to: imrs.twenty.owner,
        slot: 'overdue-20d',
        subject: expect.stringMatching(/IMR from Essex Police is 20 days overdue \(due Tue 10 February 2026\)$/),
      },
    ]);
    // 30 days: the edge of the window, still one notice, and it says how overdue it is.
    expect(summary(deadlineOf.thirty)).toEqual([
      {
        to: imrs.thirty.owner,
        slot: 'overdue-30d',
        subject: expect.stringMatching(/IMR from Maldon District Council is 30 days overdue \(due Sat 31 January 2026\)$/),
      },
    ]);
    expect(mailFor(deadlineOf.thirty)[0].text).toContain('This is 30 days overdue.');
    // Beyond the window: nothing at all.
    expect(summary(deadlineOf.thirtyOne)).toEqual([]);
    expect(summary(deadlineOf.ancient)).toEqual([]);
    expect(mails).toHaveLength(2);
    expect(mails.some((m) => /escalat/i.test(`${m.subject} ${m.text}`))).toBe(false);
    expect(mails.some((m) => (m.to as { text: string }).text === CHAIR_EMAIL)).toBe(false);

    // Reconciling again at the same moment sends nothing more.
    smtp.received.length = 0;
    await tick();
    expect(await settle(ids, 0)).toEqual([]);

    // The next morning: the IMR that arrived 20 days overdue is still outstanding and is chased
    // on the kind's usual cadence (every 3 days: overdue-21d); the others owe nothing today, and
    // the two that arrived beyond the window never will.
    clock.set('2026-03-03T09:30:00Z');
    await tick();
    const nextDay = await settle(ids, 1);
    expect(nextDay.map((m) => [keyOf(m).deadlineId, keyOf(m).slot, (m.to as { text: string }).text])).toEqual([
      [deadlineOf.twenty, 'overdue-21d', imrs.twenty.owner],
    ]);
    expect(nextDay[0].subject).toMatch(/is 21 days overdue/);

    // Weeks later (the system was down meanwhile): the usual late rule, from the arrival on, for
    // those within the window; still nothing for those beyond it.
    smtp.received.length = 0;
    clock.set('2026-03-20T09:30:00Z');
    await tick();
    const later = await settle(ids, 2);
    const slots = later.map((m) => `${Object.keys(deadlineOf).find((k) => deadlineOf[k] === keyOf(m).deadlineId)}/${keyOf(m).slot}`).sort();
    // 20 → 38 days overdue: the latest repeat (36d); the escalations at 7 and 14 days fell
    // before it arrived. 30 → 48 days: overdue-48d. Each to the agency's representative.
    expect(slots).toEqual(['thirty/overdue-48d', 'twenty/overdue-36d']);
    expect(mailFor(deadlineOf.thirtyOne)).toEqual([]);
    expect(mailFor(deadlineOf.ancient)).toEqual([]);
  });

  it('a due date corrected into the past (the row written directly): one notice, no on-day or before-reminders', async () => {
    // Opened on NOW, not at the previous test's clock (20 March), when the decision clock's
    // seven-days-before reminder would already be owed and could arrive after the inbox is cleared.
    clock.set(NOW);
    const { id } = await api.openReview(cspId, { dateOfDeath: '2026-02-20', notifiedOn: '2026-02-25', policeReference: 'ESX/2026/0300' });
    await chairFor(id);
    const decision = (await clocksOf(id)).find((c) => c.kind === 'decision_due')!;
    expect(decision).toMatchObject({ status: 'open', dueAt: '2026-03-25T17:00:00.000Z' });
    // Corrected to have been due on Wednesday 25 February, set now: 5 days overdue on arrival.
    // The old rule would send its on-day reminder ("due today") and then weekly repeats.
    await db.query(`UPDATE deadlines SET due_at = $2, base_due_at = $2, due_set_at = $3 WHERE id = $1`, [decision.id, '2026-02-25T17:00:00.000Z', NOW]);
    clock.set(NOW);
    smtp.received.length = 0;
    await tick();
    const mails = await settle([decision.id], 1);
    expect(mails.map((m) => [keyOf(m).slot, (m.to as { text: string }).text])).toEqual([['overdue-5d', LEAD_EMAIL]]);
    expect(mails[0].subject).toMatch(/Decision whether to hold a review is 5 days overdue \(due Wed 25 February 2026\)$/);
    // A job for a slot the schedule no longer owes (armed before, or delivered late) sends
    // nothing: the sender re-derives the schedule from the row.
    const sender = ctx.worker!.get(SendReminderJob);
    for (const slot of ['before-1d', 'on-day']) {
      const data: ReminderJobData = { deadlineId: decision.id, slot, dueAt: '2026-02-25T17:00:00.000Z', at: '2026-02-25T09:00:00.000Z' };
      expect(await sender.handle({ data } as Job<ReminderJobData>)).toEqual({ sent: 0, skipped: 'slot not owed' });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(mailFor(decision.id)).toHaveLength(1);
  });
});
