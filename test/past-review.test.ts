import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { dayOf } from '../src/reviews/chronology';
import { ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { CaseFileApi } from './support/casefile-api';
import { sendingCurrentVersion } from './support/if-match';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

/** Friday 4 December 2026, 10:00 London: the day the partnership types its 2017 review in. */
const NOW = '2026-12-04T10:00:00Z';
const LEAD_EMAIL = 'lead.history@maldon.gov.uk';
const CHAIR_EMAIL = 'chair.history@independent-reviews.example';
const REP_EMAIL = 'rep.history@essex.police.uk';

/**
 * A review that began in 2017 (after the seed report of the Maldon RAG, §3.1.5: panel meetings,
 * a hold while the criminal trial ran, the final report presented to the board on 6 October
 * 2017), typed in today with the whole story on its real dates: every stage entered on its real
 * date, clocks met or missed by those dates, elapsed time by them, and not one reminder about
 * anything that was over before today (real worker, Redis and SMTP).
 */
describe('a review begun in 2017, typed in today (real worker, Redis and SMTP)', () => {
  const clock = new TestClock(new Date(NOW));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let ctx: TestContext;
  let casefile: CaseFileApi;
  const http = () => request(ctx.api.getHttpServer());
  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await sendingCurrentVersion(http().post(path).set('X-Actor', LEAD_EMAIL), http, path).send(body);
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    ctx = await startTestApp({ worker: true, clock, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://dhr.maldon.gov.uk' } });
    casefile = new CaseFileApi(ctx.api, LEAD_EMAIL);
    await http().post('/csps').set('X-Actor', 'admin').send({ code: 'MALDON', name: 'Maldon Community Safety Partnership' }).expect(201);
    await ctx.api.get(IdentityService).addUser({ email: LEAD_EMAIL, displayName: 'Lead History', role: 'csp_lead', cspCode: 'MALDON' });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.stop();
  });

  it('ends in the right stage with every stage, clock and elapsed figure on its real date, and sends nothing', async () => {
    const cspId = (await http().get('/csps').set('X-Actor', 'admin').expect(200)).body.find((c: { code: string }) => c.code === 'MALDON').id;
    const police = await casefile.agency('Essex Police');
    const { id } = await post('/reviews', {
      cspId,
      dateOfDeath: '2017-01-14',
      notifiedOn: '2017-01-16',
      policeForce: 'Essex Police',
      policeReference: 'ESX/17/0116',
      circumstances: 'A woman was killed at home; her partner was charged with murder.',
    });
    const event = (body: Record<string, unknown>) => post(`/reviews/${id}/events`, body);
    await event({ type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: '2017-02-01' });
    await event({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2017-02-03' });
    await post(`/reviews/${id}/appointments`, {
      role: 'chair', name: 'Liz Hanlon', organisation: 'Independent', email: CHAIR_EMAIL, appointedOn: '2017-02-20', independenceStatement: 'No involvement with any agency in this case.',
    });
    await post(`/reviews/${id}/panel-members`, {
      name: 'DCI Representative', agencyId: police, role: 'Senior representative', email: REP_EMAIL, joinedOn: '2017-02-21', noDirectCaseManagementDeclared: true,
    });
    await event({ type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2017-03-01' });
    const imr = (await post(`/reviews/${id}/imrs`, { agencyId: police, kind: 'imr', authorName: 'IMR Author', requestedOn: '2017-03-06', dueOn: '2017-05-01' })).id;
    // The criminal trial: a hold recorded after the fact, its expected end long past.
    await event({ type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Murder trial at Chelmsford Crown Court', occurredAt: '2017-04-03', expectedEnd: '2017-06-23' });
    await event({ type: 'RESUME', note: 'Verdict given', occurredAt: '2017-06-30' });
    await post(`/reviews/${id}/imrs/${imr}/receipt`, { receivedOn: '2017-07-10' });
    const meeting = await post(`/reviews/${id}/meetings`, { startsAt: '2017-09-19T10:00:00+01:00', location: 'Council Offices, Maldon', agenda: 'Consider the IMRs' });
    await post(`/reviews/${id}/meetings/${meeting.id}/held`, { minutes: 'The panel considered the IMRs.', decisions: 'Draft the report.', imrIds: [imr] });
    await event({ type: 'BEGIN_DRAFTING', occurredAt: '2017-09-20' });
    await casefile.uploadDraft(id, 'overview_report');
    await casefile.uploadDraft(id, 'executive_summary');
    await casefile.recommendation(id);
    await casefile.familyEngagement(id, 'draft_offered', '2017-09-27');
    // The final report presented to the board (RAG) on 6 October 2017.
    await event({ type: 'AGREE_REPORT', occurredAt: '2017-10-06' });

    const review = (await http().get(`/reviews/${id}`).set('X-Actor', LEAD_EMAIL).expect(200)).body;
    expect(review.status).toBe('rag_sign_off');
    expect(review.lifecycle.stageHistory.map((s: { stage: string; enteredAt: string }) => [s.stage, dayOf(s.enteredAt)])).toEqual([
      ['notified', '2017-01-16'],
      ['establishing', '2017-02-01'],
      ['information_gathering', '2017-03-01'],
      ['drafting', '2017-09-20'],
      ['rag_sign_off', '2017-10-06'],
    ]);
    expect(review.lifecycle.holds).toEqual([
      expect.objectContaining({ reason: 'criminal_proceedings', expectedEnd: '2017-06-23', stage: 'information_gathering', endedBy: 'resume' }),
    ]);
    expect(dayOf(review.lifecycle.holds[0].startedAt)).toBe('2017-04-03');
    expect(dayOf(review.lifecycle.holds[0].endedAt)).toBe('2017-06-30');

    // Clocks by the real dates: nothing due in 2027; met or missed as it really went.
    const clock = (kind: string) => review.clocks.find((c: { kind: string }) => c.kind === kind);
    expect(review.clocks.every((c: { dueAt: string }) => c.dueAt < '2018-06-01')).toBe(true);
    expect(clock('decision_due')).toMatchObject({ status: 'met', dueDate: '2017-02-16' });
    expect(clock('home_office_notification')).toMatchObject({ status: 'met' });
    // The IMR was due on 1 May; the 88 days held moved it to 28 July, and it came on 10 July.
    expect(clock('imr_due')).toMatchObject({ status: 'met', heldDays: 88, dueDate: '2017-07-28' });
    // The board's sign-off clock runs from the report's presentation on 6 October 2017.
    expect(clock('rag_sign_off').dueDate.slice(0, 7)).toMatch(/^2017-1[0-2]$/);
    expect(clock('rag_sign_off').status).toBe('open');
    // Six months from the decision: 1 August 2017, missed (statutory: holds do not move it).
    expect(clock('completion_target')).toMatchObject({ dueDate: '2017-08-01' });

    // Elapsed from the notification to today, gross and net of the 88 days held.
    const gross = Math.round((Date.parse('2026-12-04') - Date.parse('2017-01-16')) / 86_400_000);
    expect(review.elapsed).toMatchObject({ since: '2017-01-16', grossDays: gross, heldDays: 88, netDays: gross - 88 });

    // The history shows when each thing happened and when (and by whom) it was entered.
    const history = (await http().get(`/reviews/${id}/history`).set('X-Actor', LEAD_EMAIL).expect(200)).body as Array<{ type: string; occurredAt: string; recordedAt: string; actor: string; origin: string }>;
    const agreed = history.find((h) => h.type === 'AGREE_REPORT')!;
    expect(dayOf(agreed.occurredAt)).toBe('2017-10-06');
    expect(agreed.recordedAt).toBe(new Date(NOW).toISOString());
    expect(agreed).toMatchObject({ actor: LEAD_EMAIL, origin: 'recorded' });
    expect(dayOf(history.find((h) => h.type === 'IMR_RECEIVED')!.occurredAt)).toBe('2017-07-10');

    // And not one reminder: every clock was over (or years overdue) before today.
    const scheduler = ctx.worker!.get(ReminderScheduler);
    await scheduler.relayOutbox();
    await scheduler.reconcileAll();
    await new Promise((r) => setTimeout(r, 2000));
    expect(smtp.received.map((m: ParsedMail) => m.subject)).toEqual([]);
    const notifications = (await http().get(`/reviews/${id}/notifications`).set('X-Actor', LEAD_EMAIL).expect(200)).body;
    expect(notifications.items ?? notifications).toEqual([]);
  });
});
