import request from 'supertest';
import { DataSource } from 'typeorm';
import { CaseFileApi } from './support/casefile-api';
import { reviewApi } from './support/review-api';
import { startTestApp, TestClock, TestContext } from './support/test-app';

type Clock = { kind: string; subjectId: string; status: string; statusReason: string | null; concerns: Array<{ name: string; role: string }>; dueAt: string; dueDate: string; heldDays: number; daysLeft: number | null; daysOverdue: number | null; statutory: boolean; elapsed?: { grossDays: number } | null };

describe('deadlines follow the lifecycle and the case file (real PostgreSQL)', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let casefile: CaseFileApi;
  let cspId: string;
  const clock = new TestClock(new Date('2026-02-15T10:00:00Z'));

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    api = reviewApi(ctx.api, 'csp.lead@maldon.gov.uk');
    casefile = new CaseFileApi(ctx.api);
    cspId = (await api.createCsp('HARLOW')).id;
  });
  afterAll(() => ctx.close());
  beforeEach(() => clock.set('2026-02-15T10:00:00Z'));

  const clocksOf = async (id: string): Promise<Clock[]> => (await api.get(id)).clocks;
  const find = (clocks: Clock[], kind: string, subjectId?: string) =>
    clocks.find((c) => c.kind === kind && (!subjectId || c.subjectId === subjectId))!;

  it('opens the decision clock at notification (one calendar month, month-end clamped) and meets it with the decision', async () => {
    const { id } = await api.openReview(cspId, { dateOfDeath: '2026-01-28', notifiedOn: '2026-01-31' });
    const decision = find(await clocksOf(id), 'decision_due');
    // 31 January + 1 month = 28 February (2026 is not a leap year), 17:00 London (GMT).
    expect(decision).toMatchObject({ status: 'open', dueDate: '2026-02-28', dueAt: '2026-02-28T17:00:00.000Z', statutory: true, daysLeft: 13 });

    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-02-10' });
    const clocks = await clocksOf(id);
    expect(find(clocks, 'decision_due').status).toBe('met');
    expect(find(clocks, 'home_office_notification')).toMatchObject({ status: 'open', dueDate: '2026-03-10' });
    // Six months from the decision to proceed, under the 2016 guidance; 17:00 in BST is 16:00Z.
    expect(find(clocks, 'completion_target')).toMatchObject({ status: 'open', dueDate: '2026-08-10', dueAt: '2026-08-10T16:00:00.000Z' });
  });

  it('keeps a clock whose due date needs a year outside the bank-holiday calendar, as not_computed with the reason, never a guess', async () => {
    const { id } = await api.openReview(cspId);
    // The papers are due five working days before the meeting: 2036's bank holidays are not in the calendar (2011-2035).
    const meeting = await casefile.scheduleMeeting(id, '2036-03-10T10:00:00Z');
    const clocks = await clocksOf(id);
    expect(find(clocks, 'meeting_papers_due', meeting)).toMatchObject({ status: 'not_computed', statusReason: expect.stringContaining('2036'), daysLeft: null, daysOverdue: null });
    // The meeting's own clock needs no calendar: it is due when the meeting starts.
    expect(find(clocks, 'panel_meeting', meeting)).toMatchObject({ status: 'open', statusReason: null, dueAt: '2036-03-10T10:00:00.000Z' });
  });

  it('a hold pauses a panel meeting\'s two clocks but keeps their dates (the meeting is on its own day)', async () => {
    const { id } = await api.openReview(cspId);
    const meeting = await casefile.scheduleMeeting(id, '2026-03-20T10:00:00Z');
    const before = await clocksOf(id);
    await api.accept(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed' });
    expect(find(await clocksOf(id), 'meeting_papers_due', meeting).status).toBe('paused');
    clock.set('2026-02-25T10:00:00Z');
    await api.accept(id, { type: 'RESUME', note: 'Verdict given' });
    const after = await clocksOf(id);
    for (const kind of ['meeting_papers_due', 'panel_meeting']) {
      expect(find(after, kind, meeting)).toMatchObject({ status: 'open', heldDays: 0, dueAt: find(before, kind, meeting).dueAt });
    }
  });

  it('an action\'s clock concerns the chair only: its owner is a name with no address', async () => {
    const { id } = await api.openReview(cspId);
    await casefile.appointChair(id);
    const action = await casefile.action(id, await casefile.recommendation(id));
    expect(find(await clocksOf(id), 'action_target', action).concerns.map((c) => c.role)).toEqual(['chair']);
  });

  it('an IMR clock opens when commissioned, moves with an extension and is met on receipt', async () => {
    const { id } = await api.openReview(cspId);
    const agency = await casefile.agency('Essex Police');
    const imr = await casefile.commissionImr(id, agency, '2026-03-24');
    expect(find(await clocksOf(id), 'imr_due', imr)).toMatchObject({ status: 'open', dueDate: '2026-03-24', daysLeft: 37 });
    clock.set('2026-03-21T10:00:00Z');
    await casefile.extendImr(id, imr, '2026-04-14', 'Author on leave');
    expect(find(await clocksOf(id), 'imr_due', imr)).toMatchObject({ status: 'open', dueDate: '2026-04-14' });
    clock.set('2026-04-20T10:00:00Z');
    expect(find(await clocksOf(id), 'imr_due', imr)).toMatchObject({ status: 'open', daysOverdue: 6 });
    await casefile.receiveImr(id, imr, '2026-04-20');
    expect(find(await clocksOf(id), 'imr_due', imr)).toMatchObject({ status: 'missed' });
  });

  it('a hold pauses task clocks and shifts them on resume, while statutory clocks keep running; elapsed time is gross and net', async () => {
    const { id } = await api.openReview(cspId, { notifiedOn: '2026-01-14' });
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-02-01' });
    const agency = await casefile.agency('Mid and South Essex NHS', 'health');
    const imr = await casefile.commissionImr(id, agency, '2026-03-24');

    await api.accept(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed' });
    let clocks = await clocksOf(id);
    expect(find(clocks, 'imr_due', imr).status).toBe('paused');
    expect(find(clocks, 'completion_target').status).toBe('open');

    clock.set('2026-03-01T10:00:00Z'); // 14 days later
    await api.accept(id, { type: 'RESUME', note: 'Verdict given' });
    clocks = await clocksOf(id);
    expect(find(clocks, 'imr_due', imr)).toMatchObject({ status: 'open', heldDays: 14, dueDate: '2026-04-07' });
    expect(find(clocks, 'completion_target')).toMatchObject({ status: 'open', dueDate: '2026-08-01', heldDays: 0 });
    const review = await api.get(id);
    expect(review.elapsed).toMatchObject({ since: '2026-01-14', grossDays: 46, heldDays: 14, netDays: 32 });
    // Each clock reports its own running time from its real start: the IMR was requested on
    // 10 February (typed in on the 15th), so 19 days gross, 5 net of the 14 held.
    expect(find(review.clocks, 'imr_due', imr)).toMatchObject({ elapsed: { grossDays: 19, netDays: 5 } });
  });

  it('a hold recorded after the fact pauses task clocks over its own dates (the pause record too)', async () => {
    const { id } = await api.openReview(cspId, { notifiedOn: '2026-01-14' });
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-01-20' });
    const agency = await casefile.agency('Mid and South Essex NHS', 'health');
    const imr = await casefile.commissionImr(id, agency, '2026-03-24');
    await api.accept(id, { type: 'PLACE_ON_HOLD', reason: 'inquest', detail: 'Inquest opened', occurredAt: '2026-02-11', expectedEnd: '2026-02-13' });
    await api.accept(id, { type: 'RESUME', occurredAt: '2026-02-13' });
    // Held two days (11 to 13 February), both before today: the IMR clock moved by two days.
    expect(find(await clocksOf(id), 'imr_due', imr)).toMatchObject({ status: 'open', heldDays: 2, dueDate: '2026-03-26' });
    const pauses = await ctx.api.get(DataSource).query(
      `SELECT p.paused_at, p.resumed_at FROM deadline_pauses p JOIN deadlines d ON d.id = p.deadline_id WHERE d.review_id = $1 AND d.kind = 'imr_due'`,
      [id],
    );
    expect(pauses.map((p: { paused_at: Date; resumed_at: Date }) => [p.paused_at.toISOString(), p.resumed_at.toISOString()])).toEqual([
      ['2026-02-11T12:00:00.000Z', '2026-02-13T12:00:00.000Z'],
    ]);
  });

  it("a meeting's clocks start when the service records it, by its clock, not the database's", async () => {
    // The test clock is months behind the database's: clocks started by the database's now()
    // would start after the service's "now" and show no elapsed time.
    const { id } = await api.openReview(cspId, { notifiedOn: '2026-02-02' });
    await api.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-02-10' });
    const meeting = await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/meetings`)
      .set('X-Actor', 'csp.lead@maldon.gov.uk')
      .send({ startsAt: '2026-03-20T10:00:00Z', location: 'Council Offices' })
      .expect(201);
    const [row] = await ctx.api.get(DataSource).query(`SELECT created_at FROM panel_meetings WHERE id = $1`, [meeting.body.id]);
    expect(new Date(row.created_at).toISOString()).toBe('2026-02-15T10:00:00.000Z');

    clock.set('2026-02-18T10:00:00Z');
    const clocks = await clocksOf(id);
    expect(find(clocks, 'meeting_papers_due', meeting.body.id).elapsed).toMatchObject({ grossDays: 3 });
    expect(find(clocks, 'panel_meeting', meeting.body.id).elapsed).toMatchObject({ grossDays: 3 });
  });

  it('clocks due at the same time are listed by title, the same in every answer', async () => {
    const { id } = await api.openReview(cspId);
    // Commissioned in the reverse of their titles' order, all due the same day.
    for (const name of ['Delta Health', 'Charlie Council', 'Bravo Housing', 'Alpha Police']) {
      await casefile.commissionImr(id, await casefile.agency(name), '2026-03-24');
    }
    const imrTitles = (clocks: Array<Clock & { title?: string }>) => clocks.filter((c) => c.kind === 'imr_due').map((c) => c.title);
    const expected = ['IMR from Alpha Police', 'IMR from Bravo Housing', 'IMR from Charlie Council', 'IMR from Delta Health'];
    expect(imrTitles(await clocksOf(id))).toEqual(expected);
    // The answer to an event (built from the rows it has just written) lists them the same way.
    const view = await api.accept(id, { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed' });
    expect(imrTitles(view.clocks)).toEqual(expected);
  });

  it('closing or withdrawing a review cancels its running clocks', async () => {
    const { id } = await api.openReview(cspId);
    await api.accept(id, { type: 'WITHDRAW', reason: 'Opened in error: duplicate of another review' });
    expect((await clocksOf(id)).map((c) => c.status)).toEqual(['cancelled']);
  });

  it('GET /deadlines lists running deadlines across reviews, by due date and by the person concerned', async () => {
    const { id } = await api.openReview(cspId);
    const agency = await casefile.agency('Harlow Council', 'local_authority');
    await request(ctx.api.getHttpServer())
      .post(`/reviews/${id}/panel-members`)
      .set('X-Actor', 'chair')
      .send({ name: 'Sam Rep', agencyId: agency, role: 'Head of Safeguarding', email: 'sam.rep@harlow.gov.uk', joinedOn: '2026-02-02', noDirectCaseManagementDeclared: true })
      .expect(201);
    const imr = await casefile.commissionImr(id, agency, '2026-03-24');
    const mine = (await request(ctx.api.getHttpServer()).get('/deadlines?owner=sam.rep@harlow.gov.uk').expect(200)).body;
    expect(mine.map((d: Clock) => d.subjectId)).toEqual([imr]);
    const soon = (await request(ctx.api.getHttpServer()).get(`/deadlines?due_before=2026-03-20&reviewId=${id}`).expect(200)).body;
    expect(soon.map((d: Clock) => d.kind)).toEqual(['decision_due']);
    const bad = await request(ctx.api.getHttpServer()).get('/deadlines?due_before=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('due_before');
  });

  it('every clock change that affects reminders leaves an outbox message in the same transaction', async () => {
    const { id } = await api.openReview(cspId);
    const rows = await ctx.api.get(DataSource).query(
      `SELECT o.payload->>'deadlineId' AS "deadlineId" FROM outbox o JOIN deadlines d ON d.id = (o.payload->>'deadlineId')::uuid WHERE d.review_id = $1`,
      [id],
    );
    const decision = find(await clocksOf(id), 'decision_due') as unknown as { id: string };
    expect(rows.map((r: { deadlineId: string }) => r.deadlineId)).toEqual([decision.id]);
  });
});
