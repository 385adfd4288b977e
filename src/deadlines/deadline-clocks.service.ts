import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { migrateSnapshot } from '../reviews/lifecycle';
import type { Review } from '../reviews/review.entity';
import { ClockInput, ClockRules, PlannedClock, planClocks } from './clock-plan';
import { DeadlinePause } from './deadline-pause.entity';
import { ConcernedPerson, Deadline } from './deadline.entity';
import { OUTBOX_TOPICS } from './outbox';
import { OutboxMessage } from './outbox.entity';
import { daysBetween, elapsed, loadStatutoryPeriods, loadWorkingDayCalendar, londonDateOf } from './rules';

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

  async sync(manager: EntityManager, review: Review, now: Date): Promise<void> {
    const nowIso = now.toISOString();
    const planned = planClocks(await this.gather(manager, review), nowIso, this.rules);
    const concerns = await this.concerned(manager, review.id);
    const existing = await manager.find(Deadline, { where: { reviewId: review.id } });
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
      Object.assign(row, {
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
      });
      await manager.save(row);
      if (remindersChange) await this.outbox(manager, row.id, previousDueAt);
    }
  }

  /** The review's clocks for the API: due, status, days left or overdue. */
  async clocksOf(manager: EntityManager, review: Review, now: Date) {
    const rows = await manager.find(Deadline, { where: { reviewId: review.id }, order: { dueAt: 'ASC' } });
    const today = londonDateOf(now);
    const snapshot = migrateSnapshot(review.snapshot, review.machineVersion);
    const holds = snapshot.context.holds.map((h) => ({ from: h.startedAt, to: h.endedAt }));
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

  private async gather(manager: EntityManager, review: Review): Promise<ClockInput> {
    const persisted = migrateSnapshot(review.snapshot, review.machineVersion);
    // One after another: a transaction's connection runs one query at a time.
    const imrs = await manager.query(
        `SELECT i.id, a.name AS "agencyName", i.kind, to_char(i.requested_on, 'YYYY-MM-DD') AS "requestedOn",
                to_char(i.due_on, 'YYYY-MM-DD') AS "dueOn", to_char(i.received_on, 'YYYY-MM-DD') AS "receivedOn",
                (i.waived_reason IS NOT NULL AND btrim(i.waived_reason) <> '') AS waived
           FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = $1 ORDER BY i.created_at`,
        [review.id],
      );
    const meetings = await manager.query(
        `SELECT id, starts_at AS "startsAt", status, to_char(papers_circulated_on, 'YYYY-MM-DD') AS "papersCirculatedOn",
                created_at AS "createdAt"
           FROM panel_meetings WHERE review_id = $1 ORDER BY starts_at`,
        [review.id],
      );
    const actions = await manager.query(
        `SELECT a.id, r.number AS "recommendationNumber", a.owner, to_char(a.target_date, 'YYYY-MM-DD') AS "targetDate",
                a.status, to_char(a.completed_on, 'YYYY-MM-DD') AS "completedOn", (r.status = 'withdrawn') AS withdrawn,
                a.created_at AS "createdAt"
           FROM actions a JOIN recommendations r ON r.id = a.recommendation_id WHERE a.review_id = $1 ORDER BY r.number, a.created_at`,
        [review.id],
      );
    const iso = (d: Date | string) => new Date(d).toISOString();
    return {
      reviewId: review.id,
      reference: review.reference,
      notifiedOn: review.notifiedOn,
      guidanceVersion: review.guidanceVersion,
      status: review.status as ClockInput['status'],
      context: persisted.context,
      imrs,
      meetings: meetings.map((m: { startsAt: Date; createdAt: Date }) => ({ ...m, startsAt: iso(m.startsAt), createdAt: iso(m.createdAt), heldAt: null })),
      actions: actions.map((a: { createdAt: Date }) => ({ ...a, createdAt: iso(a.createdAt) })),
    };
  }

  /**
   * Who each clock concerns: the chair for every clock; for an IMR, its agency's panel members
   * and the review's IMR authors for that agency (its owners), the panel members also as the
   * agency's senior managers (escalations); the whole panel for meetings and papers. The CSP's
   * lead users are added when a reminder is sent (send-reminder.job.ts).
   */
  private async concerned(manager: EntityManager, reviewId: string): Promise<(clock: PlannedClock) => ConcernedPerson[]> {
    const chairs: Array<{ name: string; email: string | null }> = await manager.query(
      `SELECT name, email FROM appointments WHERE review_id = $1 AND role = 'chair' AND ended_on IS NULL`,
      [reviewId],
    );
    const panel: Array<{ name: string; email: string | null; agencyId: string }> = await manager.query(
      `SELECT name, email, agency_id AS "agencyId" FROM panel_members WHERE review_id = $1 AND left_on IS NULL ORDER BY name`,
      [reviewId],
    );
    const imrAgency = new Map<string, string>(
      (await manager.query(`SELECT id, agency_id AS "agencyId" FROM imrs WHERE review_id = $1`, [reviewId])).map(
        (r: { id: string; agencyId: string }) => [r.id, r.agencyId],
      ),
    );
    const authors: Array<{ name: string; email: string; agencyId: string }> = await manager.query(
      `SELECT u.display_name AS name, u.email, m.agency_id AS "agencyId"
         FROM review_members m JOIN users u ON u.id = m.user_id
        WHERE m.review_id = $1 AND m.role = 'imr_author' AND m.ended_at IS NULL AND u.disabled_at IS NULL
        ORDER BY u.email`,
      [reviewId],
    );
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
    closedAt: d.closedAt?.toISOString() ?? null,
    ...urgencyOn(running ? dueDate : null, today),
    concerns: d.concerns.map((p) => ({ name: p.name, role: p.role })),
  };
}

