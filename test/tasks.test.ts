import request from 'supertest';
import { DataSource } from 'typeorm';
import { EVENT_ROLES, SIGN_OFF_STAGES } from '../src/access/policy';
import { DEMO_USERS, DemoSeedResult, seedDemo } from '../src/demo/demo-seed';
import { addDays, loadWorkingDayCalendar, londonDateOf } from '../src/deadlines/rules';
import { fixtures, MIME } from './support/document-fixtures';
import type { ReviewEventType } from '../src/reviews/lifecycle/events';
import { startTestApp, TestContext } from './support/test-app';

/**
 * My work's tasks (GET /me/tasks) for every demo user, against tasks this test derives on its
 * own: the lifecycle's allowed events (as the CSP lead, who sees the whole review, reads them)
 * that the user's role on the review may apply (EVENT_ROLES), and the case file read straight
 * from the database.
 */
describe('tasks (GET /me/tasks)', () => {
  let ctx: TestContext;
  let seeded: DemoSeedResult;
  const http = () => request(ctx.api.getHttpServer());
  const db = () => ctx.api.get(DataSource);
  const cookies = new Map<string, string>();
  const email = (key: string) => DEMO_USERS.find((u) => u.key === key)!.email;
  const review = (policeReference: string) => seeded.reviews.find((r) => r.policeReference === policeReference)!;

  async function signIn(address: string): Promise<string> {
    const known = cookies.get(address);
    if (known) return known;
    const res = await http().post('/auth/sessions').send({ email: address, password: ctx.config.demo.password }).expect(201);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => /^(__Host-)?dhr_session=/.test(c))!.split(';')[0];
    cookies.set(address, cookie);
    return cookie;
  }

  interface TaskRow {
    reviewId: string;
    reference: string;
    kind: string;
    event: string | null;
    subjectId: string | null;
    title: string;
    href: string;
    dueDate: string | null;
    urgency: string;
  }
  async function tasksOf(address: string): Promise<TaskRow[]> {
    const res = await http().get('/me/tasks').set('Cookie', await signIn(address)).expect(200);
    return res.body.items as TaskRow[];
  }

  // The work events and the clocks that date them, as the issue names them (holds, withdrawal and reopening are not tasks).
  const WORK: Partial<Record<ReviewEventType, string[]>> = {
    DECIDE: ['decision_due'],
    NOTIFY_HOME_OFFICE: ['home_office_notification'],
    AGREE_TERMS_OF_REFERENCE: [],
    BEGIN_DRAFTING: [],
    AGREE_REPORT: ['completion_target'],
    RAG_APPROVE: ['rag_sign_off'],
    SUBMIT_TO_HOME_OFFICE: ['qa_resubmission', 'completion_target'],
    RECORD_QA_OUTCOME: [],
    PUBLISH: [],
    CLOSE: [],
    RECORD_HOME_OFFICE_AGREEMENT: [],
  };

  /** The tasks of one user, derived without the tasks service. */
  async function derived(address: string) {
    const lead = await signIn(email('lead'));
    const [user] = await db().query('SELECT id FROM users WHERE email = $1', [address]);
    const grants: Array<{ role: string; csp_id: string | null }> = await db().query('SELECT role, csp_id FROM user_roles WHERE user_id = $1', [user.id]);
    const reviews: Array<{ id: string; reference: string; csp_id: string; status: string }> = await db().query('SELECT id, reference, csp_id, status FROM reviews ORDER BY reference');
    const today = londonDateOf(new Date());
    const rows: Array<Omit<TaskRow, 'title' | 'urgency'>> = [];
    for (const r of reviews) {
      const members: Array<{ role: string; agency_id: string | null }> = await db().query(
        'SELECT role, agency_id FROM review_members WHERE review_id = $1 AND user_id = $2 AND ended_at IS NULL',
        [r.id, user.id],
      );
      const roles = new Set(members.map((m) => m.role));
      if (grants.some((g) => g.role === 'csp_lead' && g.csp_id === r.csp_id)) roles.add('csp_lead');
      if (grants.some((g) => g.role === 'rag_member' && g.csp_id === r.csp_id) && (SIGN_OFF_STAGES as readonly string[]).includes(r.status)) roles.add('rag_member');
      if (roles.size === 0) continue;

      const view = (await http().get(`/reviews/${r.id}`).set('Cookie', lead).expect(200)).body as { allowedEvents: ReviewEventType[] };
      const clocks: Array<{ id: string; kind: string; subject_id: string | null; due: string }> = await db().query(
        `SELECT id, kind, subject_id, to_char(due_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS due FROM deadlines WHERE review_id = $1 AND status IN ('open', 'paused')`,
        [r.id],
      );
      for (const type of view.allowedEvents) {
        const kinds = WORK[type];
        if (!kinds || !EVENT_ROLES[type].some((role) => roles.has(role))) continue;
        const clock = kinds.map((k) => clocks.find((c) => c.kind === k)).find((c) => c);
        rows.push({ reviewId: r.id, reference: r.reference, kind: 'event', event: type, subjectId: null, href: type === 'RAG_APPROVE' ? `/cases/${r.id}/sign-off` : `/cases/${r.id}?do=${type}#event-${type}`, dueDate: clock?.due ?? null });
      }
      if (r.status === 'closed' || r.status === 'withdrawn') continue;
      if (roles.has('chair') && r.status === 'establishing') {
        const [panel] = await db().query('SELECT count(*)::int AS n FROM panel_members WHERE review_id = $1 AND left_on IS NULL', [r.id]);
        if (panel.n === 0) rows.push({ reviewId: r.id, reference: r.reference, kind: 'panel_setup', event: null, subjectId: null, href: `/cases/${r.id}/team`, dueDate: null });
      }
      const imrs: Array<{ id: string; agency_id: string; due: string; received: boolean; waived: boolean; signed: boolean }> = await db().query(
        `SELECT id, agency_id, to_char(due_on, 'YYYY-MM-DD') AS due, received_on IS NOT NULL AS received, waived_reason IS NOT NULL AS waived,
                signed_off_on IS NOT NULL AS signed FROM imrs WHERE review_id = $1`,
        [r.id],
      );
      const authorOf = new Set(members.filter((m) => m.role === 'imr_author').map((m) => m.agency_id));
      // The latest upload of each IMR through the service (awaiting confirmation, sent back, ...).
      const uploads: Array<{ imr_id: string; outcome: string }> = await db().query(
        `SELECT DISTINCT ON (imr_id) imr_id, outcome FROM imr_submissions WHERE review_id = $1 ORDER BY imr_id, submitted_at DESC, created_at DESC`,
        [r.id],
      );
      for (const imr of imrs) {
        const outstanding = !imr.received && !imr.waived;
        const awaiting = uploads.some((u) => u.imr_id === imr.id && u.outcome === 'awaiting');
        if (roles.has('chair') && outstanding) {
          rows.push(
            awaiting
              ? { reviewId: r.id, reference: r.reference, kind: 'imr_confirm', event: null, subjectId: imr.id, href: `/cases/${r.id}/imrs/${imr.id}/confirm`, dueDate: imr.due }
              : { reviewId: r.id, reference: r.reference, kind: 'imr_receipt', event: null, subjectId: imr.id, href: `/cases/${r.id}/imrs/${imr.id}/receipt`, dueDate: imr.due },
          );
        }
        if (authorOf.has(imr.agency_id) && outstanding && !awaiting) {
          rows.push({ reviewId: r.id, reference: r.reference, kind: 'imr_send', event: null, subjectId: imr.id, href: `/cases/${r.id}/imrs/${imr.id}/submit`, dueDate: imr.due });
        }
        if (authorOf.has(imr.agency_id) && imr.received && !imr.signed) {
          rows.push({ reviewId: r.id, reference: r.reference, kind: 'imr_sign_off', event: null, subjectId: imr.id, href: `/cases/${r.id}/imrs/${imr.id}/sign-off`, dueDate: null });
        }
      }
      if (roles.has('chair')) {
        const meetings: Array<{ id: string; day: string }> = await db().query(
          `SELECT id, to_char(starts_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS day FROM panel_meetings WHERE review_id = $1 AND status = 'scheduled' AND starts_at <= now()`,
          [r.id],
        );
        for (const m of meetings) rows.push({ reviewId: r.id, reference: r.reference, kind: 'meeting_held', event: null, subjectId: m.id, href: `/cases/${r.id}/meetings/${m.id}/held`, dueDate: m.day });
        const actions: Array<{ id: string; recommendation_id: string; target: string }> = await db().query(
          `SELECT id, recommendation_id, to_char(target_date, 'YYYY-MM-DD') AS target FROM actions WHERE review_id = $1 AND status <> 'complete' AND target_date <= $2::date`,
          [r.id, addDays(today, 7)],
        );
        for (const a of actions) {
          rows.push({ reviewId: r.id, reference: r.reference, kind: 'action_update', event: null, subjectId: a.id, href: `/cases/${r.id}/recommendations/${a.recommendation_id}/actions/${a.id}/progress`, dueDate: a.target });
        }
        // The papers of each meeting yet to start, not recorded as circulated: due by its papers clock.
        const toCirculate: Array<{ id: string }> = await db().query(
          `SELECT id FROM panel_meetings WHERE review_id = $1 AND status = 'scheduled' AND papers_circulated_on IS NULL AND starts_at > now()`,
          [r.id],
        );
        for (const m of toCirculate) {
          const clock = clocks.find((c) => c.kind === 'meeting_papers_due' && c.subject_id === m.id);
          rows.push({ reviewId: r.id, reference: r.reference, kind: 'meeting_papers', event: null, subjectId: m.id, href: `/cases/${r.id}/meetings/${m.id}/reschedule#papersCirculatedOn`, dueDate: clock?.due ?? null });
        }
        // The draft to offer the family: there is an overview report, the board has not yet signed off, and the log has neither the offer nor a refusal.
        const [family] = await db().query(
          `SELECT EXISTS (SELECT 1 FROM documents WHERE review_id = $1 AND kind = 'overview_report') AS draft,
                  EXISTS (SELECT 1 FROM family_engagements WHERE review_id = $1 AND (kind = 'draft_offered' OR consent_given = false OR preferred_contribution = 'does_not_wish_to_contribute')) AS settled`,
          [r.id],
        );
        if (['establishing', 'information_gathering', 'drafting'].includes(r.status) && family.draft && !family.settled) {
          const target = clocks.find((c) => c.kind === 'completion_target');
          rows.push({ reviewId: r.id, reference: r.reference, kind: 'draft_to_family', event: null, subjectId: null, href: `/cases/${r.id}/family/new?kind=draft_offered`, dueDate: target?.due ?? null });
        }
      }
      // The report the board returned, to revise: the review's latest change of stage is the board's return, and no overview report was uploaded since.
      if ((roles.has('chair') || roles.has('report_writer')) && r.status === 'drafting') {
        const [last] = await db().query(
          `SELECT type, recorded_at FROM review_events WHERE review_id = $1 AND from_status IS DISTINCT FROM to_status ORDER BY id DESC LIMIT 1`,
          [r.id],
        );
        const [latest] = await db().query(
          `SELECT d.id, v.uploaded_at FROM documents d JOIN document_versions v ON v.document_id = d.id WHERE d.review_id = $1 AND d.kind = 'overview_report' ORDER BY v.uploaded_at DESC LIMIT 1`,
          [r.id],
        );
        if (last?.type === 'RAG_RETURN' && !(latest && latest.uploaded_at > last.recorded_at)) {
          const target = clocks.find((c) => c.kind === 'completion_target');
          rows.push({
            reviewId: r.id,
            reference: r.reference,
            kind: 'report_revision',
            event: null,
            subjectId: latest?.id ?? null,
            href: latest ? `/cases/${r.id}/documents/${latest.id}/versions` : `/cases/${r.id}/documents/new`,
            dueDate: target?.due ?? null,
          });
        }
      }
    }
    return rows;
  }

  const comparable = (rows: Array<Omit<TaskRow, 'title' | 'urgency'>>) =>
    rows
      .map(({ reviewId, reference, kind, event, subjectId, href, dueDate }) => ({ reviewId, reference, kind, event, subjectId, href, dueDate }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  const ukDay = (iso: string) => new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const uploadReport = (reviewId: string, actor: string) =>
    http()
      .post(`/reviews/${reviewId}/documents`)
      .set('X-Actor', actor)
      .field('kind', 'overview_report')
      .field('title', 'Overview report (draft)')
      .attach('file', fixtures.pdf(), { filename: 'overview-report.pdf', contentType: MIME.pdf })
      .expect(201);

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000' } });
    seeded = await seedDemo(ctx.api);
  });
  afterAll(() => ctx?.close());

  it.each(DEMO_USERS.map((u) => [u.key, u.email] as const))('for the demo %s, equal the tasks derived from the allowed events and the case file', async (key, address) => {
    const tasks = await tasksOf(address);
    expect(comparable(tasks)).toEqual(comparable(await derived(address)));
    // Those who move the demo's reviews on have something to do; the writer, the panel member and the administrator do not.
    expect(tasks.length > 0).toBe(['lead', 'rag', 'chair', 'imr'].includes(key));
    // Most urgent first, then soonest due.
    const order = { overdue: 0, due_soon: 1, on_track: 2, none: 3 } as Record<string, number>;
    for (let i = 1; i < tasks.length; i++) {
      const [a, b] = [tasks[i - 1], tasks[i]];
      expect(order[a.urgency] < order[b.urgency] || (order[a.urgency] === order[b.urgency] && (a.dueDate ?? '9999') <= (b.dueDate ?? '9999'))).toBe(true);
    }
  });

  it('the CSP lead decides on the new review by the decision clock; nobody else has that task', async () => {
    const notified = review('DEMO-0001');
    const [clock] = await db().query(`SELECT to_char(due_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS due FROM deadlines WHERE review_id = $1 AND kind = 'decision_due'`, [notified.id]);
    const lead = (await tasksOf(email('lead'))).filter((t) => t.reviewId === notified.id);
    expect(lead).toContainEqual(
      expect.objectContaining({ kind: 'event', event: 'DECIDE', title: 'Decide whether to hold a review', dueDate: clock.due, href: `/cases/${notified.id}?do=DECIDE#event-DECIDE` }),
    );
    for (const key of ['chair', 'rag', 'writer', 'panel', 'imr', 'administrator']) {
      expect((await tasksOf(email(key))).filter((t) => t.event === 'DECIDE')).toEqual([]);
    }
  });

  it('the RAG member approves or returns the report at sign-off, by the sign-off clock', async () => {
    const signOff = review('DEMO-0004');
    const [clock] = await db().query(`SELECT to_char(due_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS due FROM deadlines WHERE review_id = $1 AND kind = 'rag_sign_off' AND status = 'open'`, [signOff.id]);
    expect(clock).toBeDefined();
    expect(await tasksOf(email('rag'))).toEqual([
      expect.objectContaining({ reviewId: signOff.id, event: 'RAG_APPROVE', title: 'Approve or return the report', dueDate: clock.due, href: `/cases/${signOff.id}/sign-off` }),
    ]);
    // The chair's and the lead's lists do not carry the board's sign-off.
    expect((await tasksOf(email('chair'))).filter((t) => t.event === 'RAG_APPROVE')).toEqual([]);
    expect((await tasksOf(email('lead'))).filter((t) => t.event === 'RAG_APPROVE')).toEqual([]);
  });

  it('the chair records receipt of each outstanding IMR; the IMR author sends theirs, then records its sign-off once received', async () => {
    const gathering = review('DEMO-0002');
    const outstanding: Array<{ id: string; agency: string; due: string; kind: string }> = await db().query(
      `SELECT i.id, a.name AS agency, to_char(i.due_on, 'YYYY-MM-DD') AS due, i.kind FROM imrs i JOIN agencies a ON a.id = i.agency_id
        WHERE i.review_id = $1 AND i.received_on IS NULL AND i.waived_reason IS NULL ORDER BY i.due_on`,
      [gathering.id],
    );
    expect(outstanding.length).toBe(2);
    const chair = (await tasksOf(email('chair'))).filter((t) => t.kind === 'imr_receipt');
    expect(chair).toEqual(
      outstanding.map((i) =>
        expect.objectContaining({
          reviewId: gathering.id,
          title: `Record receipt of the ${i.kind === 'imr' ? 'IMR' : 'short report'} from ${i.agency}`,
          dueDate: i.due,
          href: `/cases/${gathering.id}/imrs/${i.id}/receipt`,
        }),
      ),
    );

    const [health] = await db().query(
      `SELECT i.id, a.name AS agency FROM imrs i JOIN agencies a ON a.id = i.agency_id JOIN review_members m ON m.agency_id = i.agency_id AND m.review_id = i.review_id
         JOIN users u ON u.id = m.user_id WHERE i.review_id = $1 AND u.email = $2 AND m.role = 'imr_author'`,
      [gathering.id, email('imr')],
    );
    const before = (await tasksOf(email('imr'))).filter((t) => t.reviewId === gathering.id);
    expect(before).toEqual([expect.objectContaining({ kind: 'imr_send', subjectId: health.id, title: `Send the IMR of ${health.agency} to the chair` })]);

    // The chair records its receipt (over the API, with If-Match): the author now has the sign-off to record.
    const imr = await http().get(`/reviews/${gathering.id}/imrs/${health.id}`).set('X-Actor', email('chair')).expect(200);
    await http()
      .post(`/reviews/${gathering.id}/imrs/${health.id}/receipt`)
      .set('X-Actor', email('chair'))
      .set('If-Match', `"${imr.body.version}"`)
      .send({ receivedOn: londonDateOf(new Date()) })
      .expect(200);
    const after = (await tasksOf(email('imr'))).filter((t) => t.reviewId === gathering.id);
    expect(after).toEqual([
      expect.objectContaining({ kind: 'imr_sign_off', subjectId: health.id, title: `Record the sign-off of the IMR of ${health.agency}`, href: `/cases/${gathering.id}/imrs/${health.id}/sign-off` }),
    ]);
    expect((await tasksOf(email('chair'))).map((t) => t.subjectId)).not.toContain(health.id);
  });

  it('the chair circulates the papers of each meeting yet to start, due five working days before it; recording them as circulated ends the task', async () => {
    const gathering = review('DEMO-0002');
    const [meeting] = await db().query(
      `SELECT id, to_char(starts_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS day FROM panel_meetings WHERE review_id = $1 AND status = 'scheduled' ORDER BY starts_at LIMIT 1`,
      [gathering.id],
    );
    // Five working days before the meeting (weekends and bank holidays skipped), by the deadlines' own calendar.
    const due = loadWorkingDayCalendar().addWorkingDays(meeting.day, -5);
    const papers = (await tasksOf(email('chair'))).filter((t) => t.kind === 'meeting_papers');
    expect(papers).toEqual([
      expect.objectContaining({
        reviewId: gathering.id,
        subjectId: meeting.id,
        title: `Circulate the papers for the meeting of ${ukDay(meeting.day)}`,
        dueDate: due,
        href: `/cases/${gathering.id}/meetings/${meeting.id}/reschedule#papersCirculatedOn`,
      }),
    ]);
    // Only the chair runs the meetings: the lead, the writer and the panel member have no such task.
    for (const key of ['lead', 'writer', 'panel']) expect((await tasksOf(email(key))).filter((t) => t.kind === 'meeting_papers')).toEqual([]);
    // The form it links to records the date the papers went out.
    const form = await http().get(papers[0].href.split('#')[0]).set('Cookie', await signIn(email('chair'))).expect(200);
    expect(form.text).toContain('id="papersCirculatedOn"');

    // The chair records them as circulated today (over the API): the task goes, and the history says who and when.
    const today = londonDateOf(new Date());
    const current = await http().get(`/reviews/${gathering.id}/meetings/${meeting.id}`).set('X-Actor', email('chair')).expect(200);
    await http()
      .patch(`/reviews/${gathering.id}/meetings/${meeting.id}`)
      .set('X-Actor', email('chair'))
      .set('If-Match', `"${current.body.version}"`)
      .send({ papersCirculatedOn: today })
      .expect(200);
    expect((await tasksOf(email('chair'))).filter((t) => t.kind === 'meeting_papers')).toEqual([]);
    const [entry] = await db().query(
      `SELECT e.payload, e.actor FROM review_events e WHERE e.review_id = $1 AND e.type = 'PANEL_MEETING_PAPERS_CIRCULATED' ORDER BY e.id DESC LIMIT 1`,
      [gathering.id],
    );
    expect(entry).toMatchObject({ actor: email('chair'), payload: expect.objectContaining({ meetingId: meeting.id, papersCirculatedOn: today }) });
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));

    // Withdrawing the date brings the task back; the derivation still agrees.
    const again = await http().get(`/reviews/${gathering.id}/meetings/${meeting.id}`).set('X-Actor', email('chair')).expect(200);
    await http()
      .patch(`/reviews/${gathering.id}/meetings/${meeting.id}`)
      .set('X-Actor', email('chair'))
      .set('If-Match', `"${again.body.version}"`)
      .send({ papersCirculatedOn: null })
      .expect(200);
    expect((await tasksOf(email('chair'))).filter((t) => t.kind === 'meeting_papers').map((t) => t.subjectId)).toEqual([meeting.id]);
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));
  });

  it('once there is a draft report and before sign-off, the chair offers it to the family; the offer, or the family declining, ends the task', async () => {
    const drafting = review('DEMO-0003');
    const offers = async () => (await tasksOf(email('chair'))).filter((t) => t.kind === 'draft_to_family');
    // No overview report yet: nothing to offer.
    expect(await offers()).toEqual([]);
    await uploadReport(drafting.id, email('writer'));
    const [target] = await db().query(
      `SELECT to_char(due_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS due FROM deadlines WHERE review_id = $1 AND kind = 'completion_target' AND status IN ('open', 'paused')`,
      [drafting.id],
    );
    expect(await offers()).toEqual([
      expect.objectContaining({ reviewId: drafting.id, title: 'Offer the family the draft report', dueDate: target?.due ?? null, href: `/cases/${drafting.id}/family/new?kind=draft_offered` }),
    ]);
    // The chair's, not the writer's nor the lead's.
    for (const key of ['writer', 'lead']) expect((await tasksOf(email(key))).filter((t) => t.kind === 'draft_to_family')).toEqual([]);
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));
    // The linked form records the offer.
    const form = await http().get(`/cases/${drafting.id}/family/new?kind=draft_offered`).set('Cookie', await signIn(email('chair'))).expect(200);
    // It starts with "the draft was offered" chosen, and nothing else.
    expect(form.text).toMatch(/value="draft_offered" checked/);
    expect(form.text.match(/ checked/g)).toHaveLength(1);

    // The family says it does not wish to contribute: no offer to make.
    const today = londonDateOf(new Date());
    const declined = await http()
      .post(`/reviews/${drafting.id}/family-engagements`)
      .set('X-Actor', email('chair'))
      .send({ kind: 'contact_attempt', occurredOn: today, contactName: "Adult A's sister", preferredContribution: 'does_not_wish_to_contribute' })
      .expect(201);
    expect(await offers()).toEqual([]);
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));
    // Without that entry (removed straight in the database), the task is back until the draft is offered.
    await db().query('DELETE FROM family_engagements WHERE id = $1', [declined.body.id]);
    expect((await offers()).length).toBe(1);
    await http().post(`/reviews/${drafting.id}/family-engagements`).set('X-Actor', email('chair')).send({ kind: 'draft_offered', occurredOn: today, contactName: "Adult A's sister" }).expect(201);
    expect(await offers()).toEqual([]);
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));
  });

  it('an IMR the agency sends through the service: the chair confirms it; sent back, the author has it to send again with the comments; the derivation agrees', async () => {
    const gathering = review('DEMO-0002');
    const [health] = await db().query(
      `SELECT m.agency_id AS "agencyId", a.name AS agency FROM review_members m JOIN users u ON u.id = m.user_id JOIN agencies a ON a.id = m.agency_id
        WHERE m.review_id = $1 AND u.email = $2 AND m.role = 'imr_author'`,
      [gathering.id, email('imr')],
    );
    // A further IMR from the author's agency (its first was received above).
    const today = londonDateOf(new Date());
    const imr = (
      await http().post(`/reviews/${gathering.id}/imrs`).set('X-Actor', email('chair')).send({ agencyId: health.agencyId, kind: 'short_report', requestedOn: today, dueOn: addDays(today, 30) }).expect(201)
    ).body;
    const ofImr = async (address: string) => (await tasksOf(address)).filter((t) => t.subjectId === imr.id);
    expect(await ofImr(email('imr'))).toEqual([
      expect.objectContaining({ kind: 'imr_send', title: `Send the short report of ${health.agency} to the chair`, href: `/cases/${gathering.id}/imrs/${imr.id}/submit` }),
    ]);
    const send = (content: string) =>
      http()
        .post(`/reviews/${gathering.id}/imrs/${imr.id}/submissions`)
        .set('X-Actor', email('imr'))
        .attach('report', fixtures.pdf(content), { filename: 'short-report.pdf', contentType: 'application/pdf' })
        .expect(201);
    await send('Short report, first go');
    expect(await ofImr(email('chair'))).toEqual([
      expect.objectContaining({ kind: 'imr_confirm', title: `Confirm receipt of the short report from ${health.agency}`, href: `/cases/${gathering.id}/imrs/${imr.id}/confirm` }),
    ]);
    expect(await ofImr(email('imr'))).toEqual([]);
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));

    const current = (await http().get(`/reviews/${gathering.id}/imrs/${imr.id}`).set('X-Actor', email('chair')).expect(200)).body;
    await http()
      .post(`/reviews/${gathering.id}/imrs/${imr.id}/submissions/return`)
      .set('X-Actor', email('chair'))
      .set('If-Match', `"${current.version}"`)
      .send({ comments: 'Name the practitioners by role.' })
      .expect(200);
    expect(await ofImr(email('imr'))).toEqual([
      expect.objectContaining({ kind: 'imr_send', title: `Send the short report of ${health.agency} to the chair again: sent back with the comments “Name the practitioners by role.”` }),
    ]);
    expect((await ofImr(email('chair'))).map((t) => t.kind)).toEqual(['imr_receipt']);
    expect(comparable(await tasksOf(email('imr')))).toEqual(comparable(await derived(email('imr'))));
    await send('Short report, second go');
    expect((await ofImr(email('chair'))).map((t) => t.kind)).toEqual(['imr_confirm']);
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));
  });

  it("the chair records a meeting once its start has passed, and updates an action near its target; the derivation still agrees", async () => {
    const gathering = review('DEMO-0002');
    const [meeting] = await db().query(`SELECT id FROM panel_meetings WHERE review_id = $1 AND status = 'scheduled' ORDER BY starts_at LIMIT 1`, [gathering.id]);
    expect((await tasksOf(email('chair'))).filter((t) => t.kind === 'meeting_held')).toEqual([]);
    // The meeting's start passes (moved to yesterday at 10:00 London time, straight in the database).
    const yesterday = addDays(londonDateOf(new Date()), -1);
    await db().query(`UPDATE panel_meetings SET starts_at = ($2::date + time '10:00') AT TIME ZONE 'Europe/London' WHERE id = $1`, [meeting.id, yesterday]);
    const [day, month, year] = [Number(yesterday.slice(8)), Number(yesterday.slice(5, 7)), yesterday.slice(0, 4)];
    const monthName = new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
    expect((await tasksOf(email('chair'))).filter((t) => t.kind === 'meeting_held')).toEqual([
      expect.objectContaining({ subjectId: meeting.id, title: `Record the meeting of ${day} ${monthName} ${year} as held`, dueDate: yesterday, urgency: 'overdue', href: `/cases/${gathering.id}/meetings/${meeting.id}/held` }),
    ]);

    const monitoring = review('DEMO-0005');
    const [action] = await db().query(`SELECT id, recommendation_id, description FROM actions WHERE review_id = $1 AND status <> 'complete' ORDER BY id LIMIT 1`, [monitoring.id]);
    const near = addDays(londonDateOf(new Date()), 3);
    await db().query(`UPDATE actions SET target_date = $2::date WHERE id = $1`, [action.id, near]);
    expect((await tasksOf(email('chair'))).filter((t) => t.kind === 'action_update' && t.subjectId === action.id)).toEqual([
      expect.objectContaining({ reviewId: monitoring.id, dueDate: near, urgency: 'due_soon', href: `/cases/${monitoring.id}/recommendations/${action.recommendation_id}/actions/${action.id}/progress` }),
    ]);
    // An action whose target is further off than a week is not yet a task.
    await db().query(`UPDATE actions SET target_date = $2::date WHERE id = $1`, [action.id, addDays(londonDateOf(new Date()), 30)]);
    expect((await tasksOf(email('chair'))).filter((t) => t.subjectId === action.id)).toEqual([]);
    await db().query(`UPDATE actions SET target_date = $2::date WHERE id = $1`, [action.id, near]);
    expect(comparable(await tasksOf(email('chair')))).toEqual(comparable(await derived(email('chair'))));
  });

  it("My work tells what changed since the person's last visit: an IMR received, the board's return with its comments; not their own, nor what they may not read", async () => {
    const fresh = async (address: string) => {
      const res = await http().post('/auth/sessions').send({ email: address, password: ctx.config.demo.password }).expect(201);
      return ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => /^(__Host-)?dhr_session=/.test(c))!.split(';')[0];
    };
    const myWork = async (cookie: string) => (await http().get('/my-work').set('Cookie', cookie).expect(200)).text;
    const ukDay = (iso: string) => new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    const today = londonDateOf(new Date());

    // The chair and the RAG member visit; nothing has changed since (a first visit has no notices).
    expect(await myWork(await fresh(email('chair')))).not.toContain('Since your last visit');
    await myWork(await fresh(email('rag')));

    // Then the lead records the council's short report as received, and the board returns the report.
    const gathering = review('DEMO-0002');
    const [council] = await db().query(
      `SELECT i.id, a.name AS agency FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = $1 AND i.received_on IS NULL AND i.waived_reason IS NULL`,
      [gathering.id],
    );
    const imr = await http().get(`/reviews/${gathering.id}/imrs/${council.id}`).set('X-Actor', email('lead')).expect(200);
    await http().post(`/reviews/${gathering.id}/imrs/${council.id}/receipt`).set('X-Actor', email('lead')).set('If-Match', `"${imr.body.version}"`).send({ receivedOn: today }).expect(200);
    const signOff = review('DEMO-0004');
    const current = await http().get(`/reviews/${signOff.id}`).set('X-Actor', email('lead')).expect(200);
    await http()
      .post(`/reviews/${signOff.id}/events`)
      .set('X-Actor', email('rag'))
      .set('If-Match', `"${current.body.version}"`)
      .send({ type: 'RAG_RETURN', comments: 'Section 4 needs the agencies views of the risk assessment.', occurredAt: today })
      .expect(200);

    const chair = await myWork(await fresh(email('chair')));
    expect(chair).toContain('Since your last visit');
    expect(chair).toContain(`The short report from ${council.agency} was received on ${ukDay(today)}`);
    expect(chair).toContain(`The board returned the report on ${ukDay(today)} with comments: Section 4 needs the agencies views of the risk assessment.`);
    // The RAG member returned it themself, and may not read the IMRs: nothing to tell them.
    expect(await myWork(await fresh(email('rag')))).not.toContain('Since your last visit');
  });

  it('a withdrawn review asks nothing more of its case file: the meeting to record as held goes', async () => {
    const gathering = review('DEMO-0002');
    const before = (await tasksOf(email('chair'))).filter((t) => t.reviewId === gathering.id && t.kind === 'meeting_held');
    expect(before.length).toBe(1);
    const current = await http().get(`/reviews/${gathering.id}`).set('X-Actor', email('lead')).expect(200);
    await http()
      .post(`/reviews/${gathering.id}/events`)
      .set('X-Actor', email('lead'))
      .set('If-Match', `"${current.body.version}"`)
      .send({ type: 'WITHDRAW', reason: 'The criteria were not met after all.', occurredAt: londonDateOf(new Date()) })
      .expect(200);
    expect((await tasksOf(email('chair'))).filter((t) => t.reviewId === gathering.id)).toEqual([]);
  });

  it('after the board returns the report, the chair and the writer revise it (a new version of the overview report); then agreeing it again is the task', async () => {
    const signOff = review('DEMO-0004');
    const [{ status }] = await db().query('SELECT status FROM reviews WHERE id = $1', [signOff.id]);
    if (status === 'rag_sign_off') {
      const current = await http().get(`/reviews/${signOff.id}`).set('X-Actor', email('lead')).expect(200);
      await http()
        .post(`/reviews/${signOff.id}/events`)
        .set('X-Actor', email('rag'))
        .set('If-Match', `"${current.body.version}"`)
        .send({ type: 'RAG_RETURN', comments: 'Section 4 needs the agencies views of the risk assessment.', occurredAt: londonDateOf(new Date()) })
        .expect(200);
    }
    const [report] = await db().query(`SELECT id FROM documents WHERE review_id = $1 AND kind = 'overview_report'`, [signOff.id]);
    const revisions = async (key: string) => (await tasksOf(email(key))).filter((t) => t.reviewId === signOff.id && t.kind === 'report_revision');
    for (const key of ['chair', 'writer']) {
      expect(await revisions(key)).toEqual([
        expect.objectContaining({ subjectId: report.id, title: 'Revise the report the board returned: upload a new version of the overview report', href: `/cases/${signOff.id}/documents/${report.id}/versions` }),
      ]);
      expect(comparable(await tasksOf(email(key)))).toEqual(comparable(await derived(email(key))));
    }
    // The lead does not write the report; agreeing it is not possible until it is revised.
    expect(await revisions('lead')).toEqual([]);
    expect((await tasksOf(email('chair'))).filter((t) => t.reviewId === signOff.id && t.event === 'AGREE_REPORT')).toEqual([]);
    // The linked form uploads a new version.
    await http().get(`/cases/${signOff.id}/documents/${report.id}/versions`).set('Cookie', await signIn(email('writer'))).expect(200);

    // The writer uploads the revised report: the revision is done, and the chair's task is to agree it again.
    const document = await http().get(`/reviews/${signOff.id}/documents/${report.id}`).set('X-Actor', email('writer')).expect(200);
    await http()
      .post(`/reviews/${signOff.id}/documents/${report.id}/versions`)
      .set('X-Actor', email('writer'))
      .set('If-Match', `"${document.body.version}"`)
      .attach('file', fixtures.pdf('revised'), { filename: 'overview-report-v2.pdf', contentType: MIME.pdf })
      .expect(201);
    expect(await revisions('chair')).toEqual([]);
    expect(await revisions('writer')).toEqual([]);
    expect((await tasksOf(email('chair'))).filter((t) => t.reviewId === signOff.id && t.event === 'AGREE_REPORT').length).toBe(1);
    for (const key of ['chair', 'writer']) expect(comparable(await tasksOf(email(key)))).toEqual(comparable(await derived(email(key))));
  });

  it('an administrator with no case role has no tasks', async () => {
    expect(await tasksOf(email('administrator'))).toEqual([]);
  });

  it('is in the OpenAPI document, with the shape of a task', async () => {
    const doc = (await http().get('/api/docs-json').expect(200)).body;
    const items = doc.paths['/me/tasks'].get.responses['200'].content['application/json'].schema.properties.items.items;
    expect(items.properties.kind.enum).toEqual([
      'event',
      'imr_receipt',
      'imr_confirm',
      'imr_send',
      'imr_sign_off',
      'meeting_held',
      'action_update',
      'meeting_papers',
      'draft_to_family',
      'report_revision',
      'panel_setup',
    ]);
    expect(items.required).toEqual(expect.arrayContaining(['title', 'href', 'dueDate', 'urgency']));
  });

  it('without signing in, 401', async () => {
    await http().get('/me/tasks').expect(401);
  });
});
