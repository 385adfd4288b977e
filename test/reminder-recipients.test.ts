import { connect, createServer, Server, Socket } from 'node:net';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { ReminderScheduler } from '../src/reminders/reminder-scheduler';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { startSmtpSink } from './support/smtp-sink';
import { startTestApp, TestClock, TestContext } from './support/test-app';

const CHAIR_EMAIL = 'chair@independent-reviews.example';

/**
 * A TCP proxy in front of the SMTP sink that, once armed for a recipient, passes that message's
 * data to the server but loses the server's answer to it (the 250) and cuts the connection:
 * the server has taken the message, and its sender never heard so.
 */
async function startAnswerLosingProxy(targetUrl: string) {
  let armedFor: string | null = null;
  const lost: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(new URL(targetUrl).port), '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.destroy());
    let sent = '';
    let answerToLose = false;
    client.on('data', (chunk: Buffer) => {
      if (armedFor) {
        sent += chunk.toString('latin1');
        const at = sent.indexOf(`RCPT TO:<${armedFor}>`);
        // The message's data has ended (CRLF.CRLF after its envelope): the server's next words are its answer.
        if (at >= 0 && sent.indexOf('\r\n.\r\n', at) >= 0) answerToLose = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!answerToLose) return void client.write(chunk);
      armedFor = null;
      lost.push(chunk.toString('latin1'));
      client.destroy();
      upstream.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    loseAnswerTo(recipient: string) {
      armedFor = recipient;
    },
    /** The server's answers the proxy lost, each followed by a cut connection. */
    lost: () => [...lost],
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/**
 * Who a reminder goes to when the person it is for has no address (README, "Who receives
 * them"), who sees a reminder that could not be delivered, and what a copy sent again after an
 * unheard 250 looks like. Real PostgreSQL, Redis, worker and SMTP server; time from a test clock.
 */
describe('reminder recipients, failures shown to the chair, and a re-send after an unheard 250', () => {
  const clock = new TestClock(new Date('2026-02-15T10:00:00Z'));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let proxy: Awaited<ReturnType<typeof startAnswerLosingProxy>>;
  let ctx: TestContext;
  let scheduler: ReminderScheduler;
  let identities: IdentityService;
  let db: DataSource;
  let api: ReturnType<typeof reviewApi>;
  let casefile: CaseFileApi;
  const http = () => request(ctx.api.getHttpServer());

  beforeAll(async () => {
    smtp = await startSmtpSink();
    proxy = await startAnswerLosingProxy(smtp.url);
    ctx = await startTestApp({
      worker: true,
      clock,
      env: { SMTP_URL: proxy.url, PUBLIC_BASE_URL: 'https://dhr.example.gov.uk', REMINDER_RETRY_FIRST_MS: '200', REMINDER_RETRY_MAX_MS: '400' },
    });
    scheduler = ctx.worker!.get(ReminderScheduler);
    identities = ctx.api.get(IdentityService);
    db = ctx.api.get(DataSource);
    api = reviewApi(ctx.api);
    casefile = new CaseFileApi(ctx.api);
  });
  afterAll(async () => {
    await ctx.close();
    await proxy.stop();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.received.length = 0;
    clock.set('2026-02-15T10:00:00Z');
  });

  async function tick() {
    await scheduler.relayOutbox();
    await scheduler.reconcileAll();
  }

  /** A review notified on 9 February (its decision due 9 March), with a chair who has an email address. */
  async function review(cspId: string) {
    const { id, reference } = await api.openReview(cspId, { dateOfDeath: '2026-02-01', notifiedOn: '2026-02-09' });
    await http()
      .post(`/reviews/${id}/appointments`)
      .set('X-Actor', 'lead')
      .send({ role: 'chair', name: 'Independent Chair', organisation: 'Chairs Ltd', email: CHAIR_EMAIL, appointedOn: '2026-02-14' })
      .expect(201);
    return { id, reference };
  }

  async function panelMember(reviewId: string, agencyId: string, email?: string) {
    await http()
      .post(`/reviews/${reviewId}/panel-members`)
      .set('X-Actor', 'lead')
      .send({ name: 'Senior Representative', agencyId, role: 'Safeguarding lead', email, joinedOn: '2026-02-14', noDirectCaseManagementDeclared: true })
      .expect(201);
  }

  /** A review of a new CSP with the police's IMR due 24 March, its panel member at `repEmail`: the IMR's clock. */
  async function reviewWithPoliceImr(cspCode: string, repEmail: string) {
    const csp = await api.createCsp(cspCode);
    const { id, reference } = await review(csp.id);
    const police = await casefile.agency('Essex Police');
    await panelMember(id, police, repEmail);
    const imr = await casefile.commissionImr(id, police, '2026-03-24');
    return { id, reference, police, deadline: await clockOf(id, 'imr_due', imr) };
  }

  async function clockOf(reviewId: string, kind: string, subjectId?: string) {
    const clocks = (await api.get(reviewId)).clocks as Array<{ id: string; kind: string; subjectId: string; dueAt: string }>;
    const found = clocks.find((c) => c.kind === kind && (subjectId === undefined || c.subjectId === subjectId));
    if (!found) throw new Error(`no ${kind} clock on ${reviewId}: ${JSON.stringify(clocks)}`);
    return found;
  }

  const to = (m: ParsedMail) => (m.to as { text: string }).text;
  const mailAbout = (reference: string, about: RegExp) => smtp.received.filter((m) => m.subject?.startsWith(`[${reference}]`) && about.test(m.subject));

  /** Waits (up to 15 s) until `ready` holds of what has arrived, then a moment more for anything extra. */
  async function arrived(ready: () => boolean, what: string) {
    const until = Date.now() + 15_000;
    while (!ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (!ready()) throw new Error(`${what}: got ${smtp.received.map((m) => `${to(m)}: ${m.subject}`).join(' | ') || 'nothing'}`);
    await new Promise((r) => setTimeout(r, 400));
  }

  it('a reminder for the CSP lead goes to the chair while the CSP has no lead user; to the lead, not the chair, where it has one', async () => {
    const noLead = await review((await api.createCsp('NOLEAD')).id);
    const withLead = await review((await api.createCsp('WITHLEAD')).id);
    await identities.addUser({ email: 'lead@withlead.gov.uk', displayName: 'Lead User', role: 'csp_lead', cspCode: 'WITHLEAD' });
    for (const { id } of [noLead, withLead]) expect((await clockOf(id, 'decision_due')).dueAt).toBe('2026-03-09T17:00:00.000Z');
    await tick();
    const decision = /Decision whether to hold a review/;
    const recipients = (reference: string, only: (m: ParsedMail) => boolean = () => true) => mailAbout(reference, decision).filter(only).map(to);

    // Its 14-day reminder (23 February): the decision is the CSP lead's to chase.
    clock.set('2026-02-23T09:00:01Z');
    await tick();
    await arrived(() => recipients(noLead.reference).length > 0 && recipients(withLead.reference).length > 0, 'the decision reminders');
    expect(recipients(noLead.reference)).toEqual([CHAIR_EMAIL]);
    expect(recipients(withLead.reference)).toEqual(['lead@withlead.gov.uk']);

    // 14 days overdue (23 March): the escalation to the CSP lead.
    smtp.received.length = 0;
    clock.set('2026-03-23T09:00:01Z');
    await tick();
    const escalated = (m: ParsedMail) => /escalated to you/.test(m.text ?? '');
    await arrived(() => recipients(noLead.reference, escalated).length > 0 && recipients(withLead.reference, escalated).length > 0, 'the escalations');
    // (Its 14-day overdue repeat goes at the same moment, to the same person.)
    expect(recipients(noLead.reference, escalated)).toEqual([CHAIR_EMAIL]);
    expect(recipients(withLead.reference, escalated)).toEqual(['lead@withlead.gov.uk']);
    expect(new Set(recipients(noLead.reference))).toEqual(new Set([CHAIR_EMAIL]));
    expect(new Set(recipients(withLead.reference))).toEqual(new Set(['lead@withlead.gov.uk']));
  });

  it('an IMR’s escalation to its agency’s senior manager goes to the chair where the agency’s panel member has no email address; to the panel member, not the chair, where they have one', async () => {
    const csp = await api.createCsp('AGENCYLESS');
    await identities.addUser({ email: 'lead@agencyless.gov.uk', displayName: 'Lead User', role: 'csp_lead', cspCode: 'AGENCYLESS' });
    const { id, reference } = await review(csp.id);
    const police = await casefile.agency('Essex Police');
    const probation = await casefile.agency('Essex Probation Service', 'probation');
    await panelMember(id, police, 'rep@essex.police.uk');
    await panelMember(id, probation); // no email address
    const imrs = { police: await casefile.commissionImr(id, police, '2026-03-24'), probation: await casefile.commissionImr(id, probation, '2026-03-24') };
    expect((await clockOf(id, 'imr_due', imrs.probation)).dueAt).toBe('2026-03-24T17:00:00.000Z');
    await tick();
    const escalations = (agency: RegExp) => mailAbout(reference, agency).filter((m) => /escalated to you/.test(m.text ?? '')).map(to).sort();

    // Seven days overdue (31 March, 09:00 BST): the escalation to the agency's senior manager.
    clock.set('2026-03-31T08:00:01Z');
    await tick();
    await arrived(() => escalations(/IMR from Essex Police/).length > 0 && escalations(/IMR from Essex Probation/).includes(CHAIR_EMAIL), 'the 7-day escalations');
    expect(escalations(/IMR from Essex Police/)).toEqual(['rep@essex.police.uk']);
    // The chair gets it instead of the probation service's panel member.
    expect(escalations(/IMR from Essex Probation/)).toContain(CHAIR_EMAIL);
    expect(escalations(/IMR from Essex Probation/)).not.toContain('rep@essex.police.uk');
    // Its ordinary reminder, with no owner of the IMR to address, goes to the CSP lead, not the chair.
    const ordinary = mailAbout(reference, /IMR from Essex Probation/).filter((m) => !/escalated to you/.test(m.text ?? '')).map(to);
    expect(new Set(ordinary)).toEqual(new Set(['lead@agencyless.gov.uk']));
  });

  it('an action’s reminders (its owner is a name with no address) go to the CSP lead, not the chair; to the chair while the CSP has no lead user', async () => {
    const withLead = await review((await api.createCsp('ACTLEAD')).id);
    const noLead = await review((await api.createCsp('ACTNOLEAD')).id);
    await identities.addUser({ email: 'lead@actlead.gov.uk', displayName: 'Lead User', role: 'csp_lead', cspCode: 'ACTLEAD' });
    for (const { id } of [withLead, noLead]) {
      const action = await casefile.action(id, await casefile.recommendation(id));
      expect((await clockOf(id, 'action_target', action)).dueAt).toBe('2027-03-31T16:00:00.000Z');
    }
    await tick();
    const recipients = (reference: string) => mailAbout(reference, /Action on recommendation 1 \(Essex Police\)/).map(to);

    // Its 14-day reminder (17 March 2027, 09:00 GMT).
    clock.set('2027-03-17T09:00:01Z');
    await tick();
    await arrived(() => recipients(withLead.reference).length > 0 && recipients(noLead.reference).length > 0, 'the action reminders');
    expect(recipients(withLead.reference)).toEqual(['lead@actlead.gov.uk']);
    expect(recipients(noLead.reference)).toEqual([CHAIR_EMAIL]);
  });

  it('a reminder the mail server refused is shown to the chair (review page and API), and not to a panel member or report writer', async () => {
    const { id, reference, police, deadline } = await reviewWithPoliceImr('REFUSED', 'refused.rep@essex.police.uk');
    const tokens: Record<string, string> = {};
    const lead = await identities.addUser({ email: 'lead@refused.gov.uk', displayName: 'Lead', role: 'csp_lead', cspCode: 'REFUSED' });
    tokens.lead = (await identities.issueToken(lead.id, 'test', { now: clock.now(), lifetimeDays: 365 })).token;
    for (const [who, role, agencyId] of [['chair', 'chair'], ['panel', 'panel_member', police], ['writer', 'report_writer']] as const) {
      const user = await identities.addUser({ email: `${who}@refused.example`, displayName: who });
      await http().post(`/reviews/${id}/members`).set('X-Actor', 'lead').send({ email: user.email, role, agencyId }).expect(201);
      tokens[who] = (await identities.issueToken(user.id, 'test', { now: clock.now(), lifetimeDays: 365 })).token;
    }
    await tick();

    smtp.reject(true);
    try {
      clock.set('2026-03-10T09:00:01Z');
      await tick();
      const until = Date.now() + 15_000;
      const failed = async () => (await db.query(`SELECT status FROM notifications WHERE deadline_id = $1 AND status = 'failed'`, [deadline.id])).length;
      while ((await failed()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(await failed()).toBe(1);
    } finally {
      smtp.reject(false);
    }
    expect(mailAbout(reference, /IMR/)).toEqual([]);

    const as = (who: string, path: string) => http().get(path).set('Authorization', `Bearer ${tokens[who]}`);
    for (const who of ['chair', 'lead']) {
      const listed = (await as(who, `/reviews/${id}/notifications`).expect(200)).body as Array<{ deadlineId: string }>;
      expect(listed.filter((n) => n.deadlineId === deadline.id)).toEqual([
        expect.objectContaining({ deadlineId: deadline.id, recipient: 'refused.rep@essex.police.uk', status: 'failed', lastError: expect.stringMatching(/550/) }),
      ]);
      const page = (await as(who, `/cases/${id}`).set('Accept', 'text/html').expect(200)).text;
      expect(page).toContain('Reminder emails not delivered');
      expect(page).toContain('refused.rep@essex.police.uk');
      expect(page).toMatch(/550[^<]*Mailbox unavailable/);
    }
    for (const who of ['panel', 'writer']) {
      await as(who, `/reviews/${id}/notifications`).expect(403);
      const page = (await as(who, `/cases/${id}`).set('Accept', 'text/html').expect(200)).text;
      expect(page).toContain(reference); // their review's page, without the failures
      expect(page).not.toContain('Reminder emails not delivered');
      expect(page).not.toContain('Mailbox unavailable');
    }
  });

  it('a reminder whose 250 never reached the worker (the connection lost after it) is sent again with the same Message-ID', async () => {
    const { reference, deadline } = await reviewWithPoliceImr('UNHEARD', 'unheard.rep@essex.police.uk');
    await tick();

    proxy.loseAnswerTo('unheard.rep@essex.police.uk');
    clock.set('2026-03-10T09:00:01Z');
    await tick();
    const copies = () => mailAbout(reference, /IMR from Essex Police/);
    await arrived(() => copies().length >= 2, 'the copy taken by the server and the one sent again');
    // The server said 250 to the first copy; the worker never heard it.
    expect(proxy.lost()).toEqual([expect.stringMatching(/^250 /)]);
    expect(copies().map(to)).toEqual(['unheard.rep@essex.police.uk', 'unheard.rep@essex.police.uk']);
    const [first, second] = copies();
    expect(first.headers.get('x-dhr-reminder')).toBe(second.headers.get('x-dhr-reminder'));
    expect(first.messageId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/);
    expect(second.messageId).toBe(first.messageId);
    const rows = await db.query(`SELECT status, attempts, message_id AS "messageId" FROM notifications WHERE deadline_id = $1`, [deadline.id]);
    expect(rows).toEqual([{ status: 'sent', attempts: 2, messageId: first.messageId }]);
  });
});
