import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { reviewAtSignOff } from './support/scenarios';
import { CaseFileApi } from './support/casefile-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

/** Monday 2 March 2026, 10:00 London (GMT): after the day's 09:00 reminders. */
const NOW = '2026-03-02T10:00:00Z';
const MALDON_LEAD = 'lead.claims@maldon.gov.uk';
const CHELMSFORD_LEAD = 'lead.claims@chelmsford.gov.uk';
const BRAINTREE_LEAD = 'lead.claims@braintree.gov.uk';
const COUNTY_TEAM = 'dhr.claims@essex.gov.uk';
const CHELMSFORD_RAG = 'rag.claims@chelmsford.gov.uk';
const BRAINTREE_RAG = 'rag.claims@braintree.gov.uk';
const CHAIR_EMAIL = 'chair.claims@independent-reviews.example';
const REP_EMAIL = 'rep.claims@essex.police.uk';

type Json = any;

/**
 * README claims about dates and transfers, end to end with the real API, worker, Redis and an
 * SMTP server that keeps what it receives:
 * - a correction that moves a due date into the past sends at most one overdue notice;
 * - a transfer moves the CSP-scoped access (leads and RAG) and the clocks' CSP recipients;
 * - an imported review's clocks are planned from its real dates: one nine years gone sends nothing.
 * Every review's clocks run in the one worker: each test looks only at its own deadlines' mail
 * (the X-DHR-Reminder header names the deadline, slot, due time and recipient).
 */
describe('README claims: corrections into the past, transfers and imported clocks (real worker, Redis and SMTP)', () => {
  const clock = new TestClock(new Date(NOW));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let ctx: TestContext;
  let scheduler: ReminderScheduler;
  let db: DataSource;
  const tokens: Record<string, string> = {};
  const csps: Record<string, string> = {};
  const http = () => request(ctx.api.getHttpServer());
  const as = (who: string) => ({
    get: (path: string) => http().get(path).set('Authorization', `Bearer ${tokens[who]}`),
    post: (path: string, body: unknown) => http().post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body as object),
  });
  const ok = async (res: Promise<{ status: number; body: Json }>) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    ctx = await startTestApp({ worker: true, clock, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://dhr.maldon.gov.uk' } });
    scheduler = ctx.worker!.get(ReminderScheduler);
    db = ctx.api.get(DataSource);
    for (const [code, name] of [['MALDON', 'Maldon CSP'], ['CHELMSFORD', 'Chelmsford CSP'], ['BRAINTREE', 'Braintree CSP']]) {
      csps[code] = (await http().post('/csps').set('X-Actor', 'admin').send({ code, name }).expect(201)).body.id;
    }
    const ids = ctx.api.get(IdentityService);
    const user = async (key: string, email: string, roles: Array<[string, string]>) => {
      let u;
      for (const [role, cspCode] of roles) u = await ids.addUser({ email, displayName: key, role: role as never, cspCode });
      tokens[key] = (await ids.issueToken(u!.id, 'test')).token;
    };
    await user('maldonLead', MALDON_LEAD, [['csp_lead', 'MALDON']]);
    await user('chelmsfordLead', CHELMSFORD_LEAD, [['csp_lead', 'CHELMSFORD']]);
    await user('braintreeLead', BRAINTREE_LEAD, [['csp_lead', 'BRAINTREE']]);
    // A county team leading both Chelmsford and Braintree (who may transfer between them).
    await user('county', COUNTY_TEAM, [['csp_lead', 'CHELMSFORD'], ['csp_lead', 'BRAINTREE']]);
    await user('chelmsfordRag', CHELMSFORD_RAG, [['rag_member', 'CHELMSFORD']]);
    await user('braintreeRag', BRAINTREE_RAG, [['rag_member', 'BRAINTREE']]);
  });
  afterAll(async () => {
    await ctx?.close();
    await smtp?.stop();
  });

  /** What the worker's loops do every half second (and every ten minutes), done now. */
  async function tick() {
    await scheduler.relayOutbox();
    await scheduler.reconcileAll();
  }

  const keyOf = (m: ParsedMail) => {
    const [deadlineId, slot, dueAt, recipient] = String(m.headers.get('x-dhr-reminder') ?? '').split('|');
    return { deadlineId, slot, dueAt, recipient };
  };
  const mailFor = (deadlineIds: string[]) => smtp.received.filter((m) => deadlineIds.includes(keyOf(m).deadlineId));

  /** Polls until `until` holds of these deadlines' mail (or 15 s pass), then waits a second more for anything extra. */
  async function settle(deadlineIds: string[], until: (mails: ParsedMail[]) => boolean = () => true) {
    const deadline = Date.now() + 15_000;
    while (!until(mailFor(deadlineIds)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000)); // anything more would have arrived by now
    return mailFor(deadlineIds);
  }

  async function nextReminderOf(deadlineId: string): Promise<{ slot: string | null; at: string | null }> {
    const [row] = await db.query(`SELECT next_reminder_slot AS slot, next_reminder_at AS at FROM deadlines WHERE id = $1`, [deadlineId]);
    return { slot: row.slot, at: row.at ? new Date(row.at).toISOString() : null };
  }

  const clockOf = (review: Json, kind: string) => review.clocks.find((c: Json) => c.kind === kind);

  describe('a correction that moves a due date into the past (README, Corrections)', () => {
    it('sends exactly one overdue notice: none of the before or on-the-day reminders, and no second notice', async () => {
      // Opened on Thursday 26 February, corrected on Monday 2 March.
      clock.set('2026-02-26T10:00:00Z');
      const opened = await ok(as('maldonLead').post('/reviews', {
        cspId: csps.MALDON, dateOfDeath: '2026-01-20', notifiedOn: '2026-02-25', policeForce: 'Essex Police', policeReference: 'ESX/26/0225', circumstances: 'Death at home.',
      }));
      // Notified 25 February: the decision is due a month later, in the future.
      const before = clockOf(opened, 'decision_due');
      expect(before).toMatchObject({ status: 'open', dueDate: '2026-03-25', urgency: 'on_track' });
      const deadlineId = before.id as string;
      await tick();
      expect(await nextReminderOf(deadlineId)).toEqual({ slot: 'before-14d', at: '2026-03-11T09:00:00.000Z' });
      clock.set(NOW);
      await tick();
      expect(mailFor([deadlineId]).map((m) => m.subject)).toEqual([]);

      // The police notice was in fact dated 28 January: the decision was due on Saturday 28
      // February, two days ago.
      const corrected = await ok(as('maldonLead').post(`/reviews/${opened.id}/corrections`, {
        reason: 'The police notice was dated 28 January.',
        notification: { notifiedOn: '2026-01-28' },
      }));
      expect(clockOf(corrected, 'decision_due')).toMatchObject({ id: deadlineId, status: 'open', dueDate: '2026-02-28', urgency: 'overdue', daysOverdue: 2 });

      await tick();
      const mails = await settle([deadlineId], (m) => m.length >= 1);
      // One notice, to the CSP's lead (the decision's owner): not the 14-, 7- and 1-day
      // reminders nor the on-the-day one the new due date would have had.
      expect(mails.map((m) => [keyOf(m).slot, keyOf(m).recipient])).toEqual([['overdue-2d', MALDON_LEAD]]);
      expect(mails[0].subject).toMatch(/Decision whether to hold a review is 2 days overdue \(due Sat 28 February 2026\)$/);
      expect(mails.some((m) => /^(before-|on-day)/.test(keyOf(m).slot) || /due (in|today)/.test(m.subject ?? ''))).toBe(false);

      // Reconciling again at the same moment, and the worker's own loops meanwhile, send no second notice.
      await tick();
      expect(await settle([deadlineId])).toHaveLength(1);
      // Nor the next morning: the next reminder is the kind's weekly repeat, a week after the due date.
      expect(await nextReminderOf(deadlineId)).toEqual({ slot: 'overdue-7d', at: '2026-03-07T09:00:00.000Z' });
      clock.set('2026-03-03T09:30:00Z');
      await tick();
      expect(await settle([deadlineId])).toHaveLength(1);
      const ledger = await db.query(`SELECT slot, recipient, status FROM notifications WHERE deadline_id = $1`, [deadlineId]);
      expect(ledger).toEqual([{ slot: 'overdue-2d', recipient: MALDON_LEAD, status: 'sent' }]);
    });

    it('sends nothing at all when the corrected due date is more than 30 days gone ("at most" one)', async () => {
      clock.set('2026-02-26T10:00:00Z');
      const opened = await ok(as('maldonLead').post('/reviews', {
        cspId: csps.MALDON, dateOfDeath: '2025-11-20', notifiedOn: '2026-02-26', policeForce: 'Essex Police', policeReference: 'ESX/26/0226', circumstances: 'Death at home.',
      }));
      const deadlineId = clockOf(opened, 'decision_due').id as string;
      await tick();
      clock.set(NOW);
      const corrected = await ok(as('maldonLead').post(`/reviews/${opened.id}/corrections`, {
        reason: 'The notice was sent in December and filed late.',
        notification: { notifiedOn: '2025-12-22' },
      }));
      // Due 22 January: 39 days overdue when corrected (beyond the 30 days of
      // config/reminder-policy.json overdueOnArrival, within the 60 the kind is chased for);
      // still shown as overdue.
      expect(clockOf(corrected, 'decision_due')).toMatchObject({ status: 'open', dueDate: '2026-01-22', urgency: 'overdue', daysOverdue: 39 });
      await tick();
      expect((await settle([deadlineId])).map((m) => keyOf(m).slot)).toEqual([]);
      expect(await nextReminderOf(deadlineId)).toEqual({ slot: null, at: null });
      expect(await db.query(`SELECT slot FROM notifications WHERE deadline_id = $1`, [deadlineId])).toEqual([]);
    });
  });

  describe('a transfer to another CSP (README, Transfer)', () => {
    it('moves the clocks’ CSP recipients and the CSP-scoped access of leads and RAG', async () => {
      // The scenario's dates run to the report agreed on 5 June 2026.
      clock.set('2026-06-08T10:00:00Z');
      const agencies = [await new CaseFileApi(ctx.api, 'setup.chair@test.invalid').agency('Essex Police')];
      const { id } = await reviewAtSignOff(ctx.api, csps.CHELMSFORD, agencies);
      const review = await ok(as('chelmsfordLead').get(`/reviews/${id}`));
      expect(review.status).toBe('rag_sign_off');
      // Agreed 5 June: the board's sign-off is due a month later (Sunday 5 July: the next working day).
      const signOff = clockOf(review, 'rag_sign_off');
      expect(signOff).toMatchObject({ status: 'open', dueDate: '2026-07-06' });
      const reviewDeadlines = (review.clocks as Json[]).map((c) => c.id as string);
      await tick();

      const status = async (who: string) => (await as(who).get(`/reviews/${id}`)).status;
      const listed = async (who: string) => ((await ok(as(who).get('/reviews?pageSize=100'))).items as Json[]).some((r) => r.id === id);
      // Before: Chelmsford's lead and RAG (the review is at sign-off) see it; Braintree's do not.
      expect(await status('chelmsfordLead')).toBe(200);
      expect(await status('chelmsfordRag')).toBe(200);
      expect(await listed('chelmsfordRag')).toBe(true);
      expect(await status('braintreeLead')).toBe(404);
      expect(await status('braintreeRag')).toBe(404);
      expect(await listed('braintreeRag')).toBe(false);

      // The 14-day reminder of the sign-off (Monday 22 June, 09:00 BST) goes to Chelmsford's leads.
      clock.set('2026-06-22T08:00:01Z');
      await tick();
      const recipients = (mails: ParsedMail[]) => mails.map((m) => keyOf(m).recipient).sort();
      const first = await settle([signOff.id], (m) => m.length >= 2);
      expect(first.map((m) => keyOf(m).slot)).toEqual(['before-14d', 'before-14d']);
      expect(recipients(first)).toEqual([CHELMSFORD_LEAD, COUNTY_TEAM].sort());

      const moved = await ok(as('county').post(`/reviews/${id}/transfer`, { toCspId: csps.BRAINTREE, reason: 'The victim lived in Braintree.' }));
      expect(moved.cspId).toBe(csps.BRAINTREE);

      // After: the sending CSP's lead and RAG lose the review (a 404, as for one that does not
      // exist), the receiving CSP's gain it.
      expect(await status('chelmsfordLead')).toBe(404);
      expect(await status('chelmsfordRag')).toBe(404);
      expect(await listed('chelmsfordRag')).toBe(false);
      expect(await status('braintreeLead')).toBe(200);
      expect(await status('braintreeRag')).toBe(200);
      expect(await listed('braintreeRag')).toBe(true);

      // The 7-day reminder (Monday 29 June) goes to Braintree's leads, not to Chelmsford's.
      smtp.received.length = 0;
      clock.set('2026-06-29T08:00:01Z');
      await tick();
      const second = await settle([signOff.id], (m) => m.length >= 2);
      expect(second.map((m) => keyOf(m).slot)).toEqual(['before-7d', 'before-7d']);
      expect(recipients(second)).toEqual([BRAINTREE_LEAD, COUNTY_TEAM].sort());
      // Nothing about any of the review's clocks reached Chelmsford's lead after the transfer.
      expect(mailFor(reviewDeadlines).filter((m) => keyOf(m).recipient === CHELMSFORD_LEAD).map((m) => m.subject)).toEqual([]);
      expect(smtp.received.filter((m) => m.subject?.startsWith(`[${review.reference}]`) && (m.to as { text: string }).text === CHELMSFORD_LEAD).map((m) => m.subject)).toEqual([]);
    });
  });

  describe('an imported review already under way (README, Bringing in reviews already under way)', () => {
    it('plans its clocks from the real dates: those years gone are overdue and send nothing; a recent one still sends its one notice', async () => {
      clock.set(NOW);
      const file = {
        format: 'dhr-import/1',
        agencies: [{ name: 'Essex Police', kind: 'police' }],
        reviews: [
          {
            // Decided in 2017, an IMR asked for and never received: its IMR and the completion
            // target are nine years gone, with a chair and a police representative to email.
            key: 'DHR 2017',
            csp: 'MALDON',
            notification: { dateOfDeath: '2017-01-14', notifiedOn: '2017-01-16', policeForce: 'Essex Police', policeReference: 'ESX/17/0116', circumstances: 'Death at home.' },
            steps: [
              { step: 'person', role: 'victim', pseudonym: 'Adult A', realName: 'Jane Example' },
              { step: 'event', type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: '2017-02-01' },
              { step: 'event', type: 'NOTIFY_HOME_OFFICE', sentAt: '2017-02-03' },
              { step: 'appointment', role: 'chair', name: 'Liz Hanlon', organisation: 'Independent', email: CHAIR_EMAIL, appointedOn: '2017-02-20' },
              { step: 'panelMember', agency: 'Essex Police', name: 'DI Panel', role: 'Senior representative', email: REP_EMAIL, joinedOn: '2017-02-21', noDirectCaseManagementDeclared: true },
              { step: 'event', type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2017-03-01' },
              { step: 'imr', agency: 'Essex Police', kind: 'imr', authorName: 'DS Author', requestedOn: '2017-03-06', dueOn: '2017-05-01' },
            ],
          },
          {
            // Notified in 2017 and never decided: the decision clock is nine years gone.
            key: 'NR 2017',
            csp: 'MALDON',
            notification: { dateOfDeath: '2017-06-01', notifiedOn: '2017-06-05', policeForce: 'Essex Police', policeReference: 'ESX/17/0605', circumstances: 'Death at home.' },
            steps: [],
          },
          {
            // The control: notified on 30 January 2026, the decision was due on 28 February,
            // two days ago: the same import sends its one overdue notice.
            key: 'NR 2026',
            csp: 'MALDON',
            notification: { dateOfDeath: '2026-01-26', notifiedOn: '2026-01-30', policeForce: 'Essex Police', policeReference: 'ESX/26/0130', circumstances: 'Death at home.' },
            steps: [],
          },
        ],
      };
      const report = await ok(as('maldonLead').post('/imports', file));
      expect(report).toMatchObject({ dryRun: false, created: 3, refused: 0 });
      const [old, undecided, recent] = report.reviews as Json[];
      expect([old.stage, undecided.stage, recent.stage]).toEqual(['information_gathering', 'notified', 'notified']);

      const oldReview = await ok(as('maldonLead').get(`/reviews/${old.id}`));
      const undecidedReview = await ok(as('maldonLead').get(`/reviews/${undecided.id}`));
      const recentReview = await ok(as('maldonLead').get(`/reviews/${recent.id}`));
      // The clocks are there, on the real dates, and shown as overdue (years of it).
      const view = (c: Json) => ({ kind: c.kind, status: c.status, dueDate: c.dueDate, urgency: c.urgency });
      const openOld = (oldReview.clocks as Json[]).filter((c) => c.status === 'open');
      expect(openOld.map(view).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
        { kind: 'completion_target', status: 'open', dueDate: '2017-08-01', urgency: 'overdue' },
        { kind: 'imr_due', status: 'open', dueDate: '2017-05-01', urgency: 'overdue' },
      ]);
      expect(clockOf(oldReview, 'decision_due')).toMatchObject({ status: 'met', dueDate: '2017-02-16' });
      expect(clockOf(oldReview, 'home_office_notification')).toMatchObject({ status: 'met' });
      expect(view(clockOf(undecidedReview, 'decision_due'))).toEqual({ kind: 'decision_due', status: 'open', dueDate: '2017-07-05', urgency: 'overdue' });
      for (const c of [...openOld, clockOf(undecidedReview, 'decision_due')]) expect(c.daysOverdue).toBeGreaterThan(8 * 365);
      const recentDecision = clockOf(recentReview, 'decision_due');
      expect(recentDecision).toMatchObject({ status: 'open', dueDate: '2026-02-28', daysOverdue: 2 });

      const gone = [...openOld, clockOf(undecidedReview, 'decision_due')].map((c) => c.id as string);
      await tick();
      // The worker has run (the recent review's notice arrived); the ones years gone sent nothing.
      const mails = await settle([...gone, recentDecision.id], (m) => m.some((x) => keyOf(x).deadlineId === recentDecision.id));
      expect(mails.map((m) => [keyOf(m).deadlineId, keyOf(m).slot, keyOf(m).recipient])).toEqual([[recentDecision.id, 'overdue-2d', MALDON_LEAD]]);
      const references = [oldReview.reference, undecidedReview.reference];
      expect(smtp.received.filter((m) => references.some((ref) => m.subject?.startsWith(`[${ref}]`))).map((m) => m.subject)).toEqual([]);
      expect(await db.query(`SELECT slot FROM notifications WHERE review_id = ANY($1)`, [[old.id, undecided.id]])).toEqual([]);
      for (const id of gone) expect(await nextReminderOf(id)).toEqual({ slot: null, at: null });
      // Nor a week on: the old clocks still owe nothing.
      clock.set('2026-03-09T09:30:00Z');
      await tick();
      expect((await settle(gone)).map((m) => m.subject)).toEqual([]);
    });
  });
});
