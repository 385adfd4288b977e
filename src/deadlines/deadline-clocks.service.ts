import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { EVENT_ROLES } from '../access/policy';
import { describe as describeReview, migrateSnapshot, type ReviewFacts } from '../reviews/lifecycle';
import { WORK_EVENTS } from '../work/work-events';
import { computeReviewFacts } from '../casefile/review-facts.query';
import type { Review } from '../reviews/review.entity';
import { ClockInput, ClockRules, PlannedClock, planClocks } from './clock-plan';
import { DeadlinePause } from './deadline-pause.entity';
import { ConcernedPerson, Deadline } from './deadline.entity';
import { OUTBOX_TOPICS } from './outbox';
import { OutboxMessage } from './outbox.entity';
import { daysBetween, elapsed, loadStatutoryPeriods, loadWorkingDayCalendar, civilDateOf, londonDateOf } from './rules';
import { entityFromJson, entityFromRow, jsonObjectOf, selectListOf } from '../infrastructure/database/entity-rows';

export const REMINDER_SYNC_TOPIC = OUTBOX_TOPICS.reminderSync;

/** Outcomes that are history. (`not_computed` is not one: it is computed once the data exists.) */
const TERMINAL = new Set(['met', 'missed', 'waived', 'cancelled', 'returned']);

/**
 * Keeps a review's deadline rows equal to what its lifecycle and case file say, inside the
 * caller's transaction, and writes an outbox message for every clock whose reminders must be
 * (re)scheduled or removed. Called after every lifecycle event and case-file write.
 */
@Injectable()
export class DeadlineClocks {
  private readonly rules: ClockRules = { periods: loadStatutoryPeriods(), calendar: loadWorkingDayCalendar() };

  /**
   * Brings the rows up to date: one read (what the clocks are planned from and the rows as
   * they stand, one statement), then a write only for what changed. The rows as they now
   * stand, for `clocksOf` (undefined from a subclass that plans them later). `facts`: the review's case-file facts
   * when the caller has them (a lifecycle event does not change them); else they are read.
   * `gathered`: what the clocks are planned from, when the caller read it (with `columnsToGather`)
   * in this transaction, under the review's lock, and wrote nothing it covers since; else it is read.
   */
  async sync(manager: EntityManager, review: Review, now: Date, facts?: ReviewFacts, gathered?: GatheredRow): Promise<Deadline[] | undefined> {
    const nowIso = now.toISOString();
    const { input, concerns, existing } = this.planInputOf(manager, review, gathered ?? (await this.gather(manager, review.id)));
    const planned = planClocks(input, nowIso, this.rules);
    // The caller holds the review row FOR UPDATE; the worker takes a review's row (KEY SHARE)
    // before any of its deadlines (reminder-scheduler.ts), so the two cannot deadlock.
    const rows = [...existing];
    const byKey = new Map(existing.map((d) => [`${d.kind}/${d.subjectId}`, d]));
    // A pause runs over the review's hold, on the hold's own dates (a hold recorded after the fact).
    const holds = migrateSnapshot(review.snapshot, review.machineVersion).context.holds;
    const lastHold = holds[holds.length - 1];

    for (const clock of planned) {
      const row = byKey.get(`${clock.kind}/${clock.subjectId}`);
      const people = concerns(clock);
      if (!row) {
        const created = await manager.save(
          manager.create(Deadline, {
            reviewId: review.id,
            kind: clock.kind,
            subjectId: clock.subjectId,
            title: clock.title,
            statutory: clock.statutory,
            baseDueAt: new Date(clock.baseDueAt),
            dueAt: new Date(clock.dueAt),
            status: clock.status,
            statusReason: clock.statusReason,
            closedAt: clock.closedAt ? new Date(clock.closedAt) : null,
            heldDays: clock.heldDays,
            concerns: people,
            startsAt: new Date(clock.startsAt),
            dueSetAt: now,
            createdAt: now,
          }),
        );
        rows.push(created);
        if (clock.status === 'open') await this.outbox(manager, created.id, null);
        continue;
      }
      // A closed clock stays as it closed: its outcome is history.
      if (TERMINAL.has(row.status)) continue;
      const previousDueAt = row.dueAt.toISOString();
      const changed =
        row.status !== clock.status ||
        previousDueAt !== clock.dueAt ||
        row.startsAt.toISOString() !== clock.startsAt ||
        row.statusReason !== clock.statusReason ||
        row.title !== clock.title ||
        JSON.stringify(row.concerns) !== JSON.stringify(people);
      if (!changed) continue;
      if (row.status !== 'paused' && clock.status === 'paused') {
        const pausedAt = lastHold && lastHold.endedAt === null ? new Date(lastHold.startedAt) : now;
        await manager.save(manager.create(DeadlinePause, { deadlineId: row.id, pausedAt, resumedAt: null, reason: 'review_on_hold' }));
      }
      if (row.status === 'paused' && clock.status !== 'paused') {
        const resumedAt = lastHold?.endedAt ? new Date(lastHold.endedAt) : now;
        await manager.update(DeadlinePause, { deadlineId: row.id, resumedAt: IsNull() }, { resumedAt });
      }
      const remindersChange = row.status !== clock.status || previousDueAt !== clock.dueAt;
      const fields = {
        title: clock.title,
        baseDueAt: new Date(clock.baseDueAt),
        dueAt: new Date(clock.dueAt),
        status: clock.status,
        statusReason: clock.statusReason,
        closedAt: clock.closedAt ? new Date(clock.closedAt) : null,
        heldDays: clock.heldDays,
        concerns: people,
        startsAt: new Date(clock.startsAt),
        // A due date moved now (an extension, a corrected or back-dated fact) is "set" now: if it
        // is already past, it was overdue on arrival. A move that is only a hold's shift keeps
        // the clock's history, so an IMR overdue before a hold stays overdue after it.
        dueSetAt: previousDueAt !== clock.dueAt && row.baseDueAt.toISOString() !== clock.baseDueAt ? now : row.dueSetAt,
      };
      // An UPDATE by id (save() would SELECT the row first to find what changed).
      await manager.update(Deadline, { id: row.id }, fields);
      Object.assign(row, fields);
      if (remindersChange) await this.outbox(manager, row.id, previousDueAt);
    }
    const known = facts ?? (await computeReviewFacts(manager, review.id));
    await this.keepNextWork(manager, review, { nextWorkOn: nextWorkOn(input, rows), ...nextStepsOn(review, known, rows, nowIso) });
    return rows;
  }

  /** `reviews.next_work_on`, `next_lead_on` and `next_rag_on` (see nextWorkOn, nextStepsOn), written only when one changes. */
  private async keepNextWork(manager: EntityManager, review: Review, next: { nextWorkOn: string | null; nextLeadOn: string | null; nextRagOn: string | null }): Promise<void> {
    if (review.nextWorkOn === next.nextWorkOn && review.nextLeadOn === next.nextLeadOn && review.nextRagOn === next.nextRagOn) return;
    // Not through the entity: the review's updated_at is about its own record, not its clocks.
    await manager.query('UPDATE reviews SET next_work_on = $2, next_lead_on = $3, next_rag_on = $4 WHERE id = $1', [review.id, next.nextWorkOn, next.nextLeadOn, next.nextRagOn]);
    Object.assign(review, next);
  }

  /** The review's clocks for the API: due, status, days left or overdue (`known`: the rows `sync` just left). */
  async clocksOf(manager: EntityManager, review: Review, now: Date, known?: Deadline[]) {
    const rows = (known ? [...known] : await deadlineRowsOf(manager, review.id)).sort(byDueThenTitle);
    const today = londonDateOf(now);
    const snapshot = migrateSnapshot(review.snapshot, review.machineVersion);
    // As London dates once, not once a clock (elapsed() takes either).
    const holds = snapshot.context.holds.map((h) => ({ from: civilDateOf(h.startedAt), to: h.endedAt === null ? null : civilDateOf(h.endedAt) }));
    // A closed or withdrawn review stopped running on the day it ended.
    const ended = snapshot.context.closure?.closedAt ?? snapshot.context.withdrawal?.withdrawnAt ?? null;
    const sinceNotification = elapsed({ start: review.notifiedOn, now: ended && ended < now.toISOString() ? ended : now, holds });
    return {
      elapsed: { since: review.notifiedOn, grossDays: sinceNotification.grossDays, netDays: sinceNotification.netDays, heldDays: sinceNotification.heldDays },
      clocks: rows.map((d) => ({
        ...deadlineView(d, today),
        // Time the clock has run from when it started (its real date, not when the row was
        // written) to now or to when it closed, gross and net of holds. A clock whose only known
        // start is the day it was recorded, after it had already closed (a meeting or an action
        // recorded after the fact), has no known elapsed time: null, not a false "0 days".
        elapsed:
          d.closedAt && londonDateOf(d.startsAt) > londonDateOf(d.closedAt)
            ? null
            : (({ grossDays, netDays }) => ({ grossDays, netDays }))(
                elapsed({ start: d.startsAt, now: new Date(Math.max((d.closedAt ?? now).getTime(), d.startsAt.getTime())), holds }),
              ),
      })),
    };
  }

  private async outbox(manager: EntityManager, deadlineId: string, previousDueAt: string | null): Promise<void> {
    await manager.save(manager.create(OutboxMessage, { topic: REMINDER_SYNC_TOPIC, payload: { deadlineId, previousDueAt } }));
  }

  /**
   * What the clocks are planned from and who each concerns (the review's IMRs, meetings and
   * actions; its chair, panel and IMR authors) and the clock rows as they stand, as select-list
   * columns of the review whose id is $1: a transition reads them along with its facts, in the
   * same statement (`sync`'s `gathered`). Undefined where clocks are not planned on each write.
   */
  columnsToGather(manager: EntityManager): string | undefined {
    return this.gatherColumnsOf(manager);
  }

  private gatherColumns?: string;
  private gatherColumnsOf(manager: EntityManager): string {
    this.gatherColumns ??= `
          (SELECT coalesce(json_agg(${jsonObjectOf(manager, Deadline, 'd')} ORDER BY d.id), '[]'::json) FROM deadlines d WHERE d.review_id = $1) AS deadlines,
          (SELECT coalesce(json_agg(x ORDER BY x.created_at, x.id), '[]'::json) FROM (
             SELECT i.id, a.name AS "agencyName", i.kind, to_char(i.requested_on, 'YYYY-MM-DD') AS "requestedOn",
                    to_char(i.due_on, 'YYYY-MM-DD') AS "dueOn", to_char(i.received_on, 'YYYY-MM-DD') AS "receivedOn",
                    (i.waived_reason IS NOT NULL AND btrim(i.waived_reason) <> '') AS waived, i.agency_id AS "agencyId", i.created_at
               FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = $1) x) AS imrs,
          (SELECT coalesce(json_agg(x ORDER BY x."startsAt", x.id), '[]'::json) FROM (
             SELECT id, starts_at AS "startsAt", status, to_char(papers_circulated_on, 'YYYY-MM-DD') AS "papersCirculatedOn", created_at AS "createdAt"
               FROM panel_meetings WHERE review_id = $1) x) AS meetings,
          (SELECT coalesce(json_agg(x ORDER BY x."recommendationNumber", x."createdAt", x.id), '[]'::json) FROM (
             SELECT a.id, r.number AS "recommendationNumber", a.owner, to_char(a.target_date, 'YYYY-MM-DD') AS "targetDate",
                    a.status, to_char(a.completed_on, 'YYYY-MM-DD') AS "completedOn", (r.status = 'withdrawn') AS withdrawn, a.created_at AS "createdAt"
               FROM actions a JOIN recommendations r ON r.id = a.recommendation_id WHERE a.review_id = $1) x) AS actions,
          (SELECT coalesce(json_agg(json_build_object('name', name, 'email', email)), '[]'::json)
             FROM appointments WHERE review_id = $1 AND role = 'chair' AND ended_on IS NULL) AS chairs,
          (SELECT coalesce(json_agg(json_build_object('name', name, 'email', email, 'agencyId', agency_id) ORDER BY name), '[]'::json)
             FROM panel_members WHERE review_id = $1 AND left_on IS NULL) AS panel,
          (SELECT coalesce(json_agg(json_build_object('name', u.display_name, 'email', u.email, 'agencyId', m.agency_id) ORDER BY u.email), '[]'::json)
             FROM review_members m JOIN users u ON u.id = m.user_id
            WHERE m.review_id = $1 AND m.role = 'imr_author' AND m.ended_at IS NULL AND u.disabled_at IS NULL) AS authors`;
    return this.gatherColumns;
  }

  /** `columnsToGather` in a statement of its own. */
  private async gather(manager: EntityManager, reviewId: string): Promise<GatheredRow> {
    const [row]: GatheredRow[] = await manager.query(`SELECT ${this.gatherColumnsOf(manager)}`, [reviewId]);
    return row;
  }

  /** The planner's input, who each clock concerns and the rows as they stand, from what was gathered and the review as it now is. */
  private planInputOf(
    manager: EntityManager,
    review: Review,
    row: GatheredRow,
  ): { input: ClockInput; concerns: (clock: PlannedClock) => ConcernedPerson[]; existing: Deadline[] } {
    const persisted = migrateSnapshot(review.snapshot, review.machineVersion);
    const iso = (d: string) => new Date(d).toISOString();
    const input: ClockInput = {
      reviewId: review.id,
      reference: review.reference,
      notifiedOn: review.notifiedOn,
      guidanceVersion: review.guidanceVersion,
      status: review.status as ClockInput['status'],
      context: persisted.context,
      imrs: row.imrs.map(({ id, agencyName, kind, requestedOn, dueOn, receivedOn, waived }) => ({ id, agencyName, kind, requestedOn, dueOn, receivedOn, waived })),
      meetings: row.meetings.map((m) => ({ ...m, startsAt: iso(m.startsAt), createdAt: iso(m.createdAt), heldAt: null })),
      actions: row.actions.map((a) => ({ ...a, createdAt: iso(a.createdAt) })),
    };
    return {
      input,
      concerns: concerned(row.chairs, row.panel, new Map(row.imrs.map((i) => [i.id, i.agencyId])), row.authors),
      existing: row.deadlines.map((d) => entityFromJson(manager, Deadline, 'd', d)),
    };
  }
}

type Person = { name: string; email: string | null };
/** The row of `columnsToGather`. */
export type GatheredRow = {
  imrs: GatheredImr[]; meetings: GatheredMeeting[]; actions: GatheredAction[]; chairs: Person[];
  panel: Array<Person & { agencyId: string }>; authors: Array<Person & { agencyId: string }>; deadlines: Array<Record<string, unknown>>;
};
type GatheredImr = ClockInput['imrs'][number] & { agencyId: string };
type GatheredMeeting = Omit<ClockInput['meetings'][number], 'heldAt'>;
type GatheredAction = ClockInput['actions'][number];

/**
 * Who each clock concerns: the chair for every clock; for an IMR, its agency's panel members
 * and the review's IMR authors for that agency (its owners), the panel members also as the
 * agency's senior managers (escalations); the whole panel for meetings and papers. The CSP's
 * lead users are added when a reminder is sent (send-reminder.job.ts).
 */
function concerned(
  chairs: Person[],
  panel: Array<Person & { agencyId: string }>,
  imrAgency: Map<string, string>,
  authors: Array<Person & { agencyId: string }>,
): (clock: PlannedClock) => ConcernedPerson[] {
  const chairPeople = chairs.map((c) => ({ name: c.name, email: c.email, role: 'chair' as const }));
  return (clock) => {
    if (clock.kind === 'imr_due') {
      const agency = imrAgency.get(clock.subjectId);
      const agencyPanel = panel.filter((p) => p.agencyId === agency);
      return [
        ...agencyPanel.map((p) => ({ name: p.name, email: p.email, role: 'owner' as const })),
        ...authors.filter((a) => a.agencyId === agency).map((a) => ({ name: a.name, email: a.email, role: 'owner' as const })),
        ...agencyPanel.map((p) => ({ name: p.name, email: p.email, role: 'agency_senior_manager' as const })),
        ...chairPeople,
      ];
    }
    if (clock.kind === 'panel_meeting' || clock.kind === 'meeting_papers_due') {
      return [...chairPeople, ...panel.map((p) => ({ name: p.name, email: p.email, role: 'panel' as const }))];
    }
    return chairPeople;
  };
}

/**
 * The soonest date a task on the review can be due (src/work/tasks.service.ts takes every task's
 * due date from one of these): its running clocks, its IMRs neither received nor waived, its
 * scheduled meetings and its open actions; null when none has a date. The same rule as the
 * migration NextWorkOn's SQL.
 */
export function nextWorkOn(input: Pick<ClockInput, 'imrs' | 'meetings' | 'actions'>, rows: ReadonlyArray<Pick<Deadline, 'status' | 'dueAt'>>): string | null {
  const dates = [
    ...rows.filter((d) => d.status === 'open' || d.status === 'paused').map((d) => londonDateOf(d.dueAt)),
    ...input.imrs.filter((i) => i.receivedOn === null && !i.waived && i.dueOn).map((i) => i.dueOn as string),
    ...input.meetings.filter((m) => m.status === 'scheduled').map((m) => londonDateOf(new Date(m.startsAt))),
    ...input.actions.filter((a) => a.status !== 'complete' && a.targetDate).map((a) => a.targetDate as string),
  ];
  return dates.length === 0 ? null : dates.reduce((a, b) => (a < b ? a : b));
}

/**
 * The soonest date a CSP lead's, and a RAG member's, step on the review can be due: of the work
 * steps (WORK_EVENTS) the review allows now that the role may take (EVENT_ROLES), the soonest
 * running clock that dates one; null when none. A CSP role's tasks on a review it is not on the
 * team of are only such steps (src/work/tasks.service.ts). What the review allows follows its
 * lifecycle state and case-file facts only (the guards do not read the time), and both change
 * only by writes, each of which syncs. The migration NextWorkOn filled these from the steps the
 * stage handles, allowed or not: an earlier date or the same, never a later one.
 */
export function nextStepsOn(
  review: Pick<Review, 'snapshot' | 'machineVersion'>,
  facts: ReviewFacts,
  rows: ReadonlyArray<Pick<Deadline, 'status' | 'dueAt' | 'kind'>>,
  now: string,
): { nextLeadOn: string | null; nextRagOn: string | null } {
  const persisted = migrateSnapshot(review.snapshot, review.machineVersion);
  const allowed = describeReview(persisted, facts, now).allowedEvents;
  const soonest = (role: 'csp_lead' | 'rag_member') => {
    const kinds = new Set<string>(allowed.filter((type) => EVENT_ROLES[type].includes(role)).flatMap((type) => WORK_EVENTS[type]?.clocks ?? []));
    const dates = rows.filter((d) => (d.status === 'open' || d.status === 'paused') && kinds.has(d.kind)).map((d) => londonDateOf(d.dueAt));
    return dates.length === 0 ? null : dates.reduce((a, b) => (a < b ? a : b));
  };
  return { nextLeadOn: soonest('csp_lead'), nextRagOn: soonest('rag_member') };
}

/** Days left or overdue and how urgent, for a due date (none: not running, or no date). */
export function urgencyOn(dueDate: string | null, today: string) {
  const daysLeft = dueDate !== null ? daysBetween(today, dueDate) : null;
  return {
    daysLeft: daysLeft !== null && daysLeft >= 0 ? daysLeft : null,
    daysOverdue: daysLeft !== null && daysLeft < 0 ? -daysLeft : null,
    urgency: (daysLeft === null ? 'none' : daysLeft < 0 ? 'overdue' : daysLeft <= 7 ? 'due_soon' : 'on_track') as 'overdue' | 'due_soon' | 'on_track' | 'none',
  };
}

export function deadlineView(d: Deadline, today: string) {
  const dueDate = londonDateOf(d.dueAt);
  const running = d.status === 'open' || d.status === 'paused';
  return {
    id: d.id,
    reviewId: d.reviewId,
    kind: d.kind,
    subjectId: d.subjectId,
    title: d.title,
    statutory: d.statutory,
    dueAt: d.dueAt.toISOString(),
    dueDate,
    baseDueAt: d.baseDueAt.toISOString(),
    heldDays: d.heldDays,
    status: d.status,
    /** Why the due date could not be computed (`not_computed`: a year outside the bank-holiday calendar), else null. */
    statusReason: d.status === 'not_computed' ? d.statusReason : null,
    closedAt: d.closedAt?.toISOString() ?? null,
    ...urgencyOn(running ? dueDate : null, today),
    concerns: d.concerns.map((p) => ({ name: p.name, role: p.role })),
  };
}

const TITLES = new Intl.Collator('en-GB');

/**
 * The order a review's clocks are shown in: by due time, then by title, so clocks due together
 * (two IMRs due the same day) keep one order from one answer to the next.
 */
function byDueThenTitle(a: Deadline, b: Deadline): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || TITLES.compare(a.title, b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A review's clock rows (clocksOf orders them), in plain SQL built once (src/infrastructure/database/entity-rows.ts). */
async function deadlineRowsOf(manager: EntityManager, reviewId: string): Promise<Deadline[]> {
  const rows = (await manager.query(
    `SELECT ${selectListOf(manager, Deadline, 'd')} FROM deadlines d WHERE d.review_id = $1`,
    [reviewId],
  )) as Array<Record<string, unknown>>;
  return rows.map((row) => entityFromRow(manager, Deadline, 'd', row));
}
