/**
 * Which clocks a review has, when each is due and whether it is still running, computed from
 * the review's lifecycle and case file as plain values. Pure: the service gathers the input,
 * calls planClocks, and writes the difference to the deadlines table.
 *
 * - Statutory clocks (decision, Home Office told, completion target) keep running through a
 *   hold. Task clocks (IMRs, meeting papers, panel meetings, RAG sign-off, QA resubmission,
 *   actions) are `paused` while the review is held, and their due date moves later by the
 *   days held since the task was set. Panel meetings pause but do not move: a meeting's time
 *   is fixed in people's calendars, and the chair reschedules it if the hold requires.
 * - A clock closes as `met` when its thing happens on or before the due date, `missed` when
 *   it happens later, `waived` (an IMR waived), or `cancelled` (its subject was cancelled or
 *   withdrawn, or the review closed or was withdrawn with it still running).
 */
import { createHash } from 'node:crypto';
import { dateInWords } from '../shared/display-dates';
import type { ReviewContext, Stage } from '../reviews/lifecycle';
import {
  CalendarCoverageError,
  CivilDate,
  DeadlineKind,
  heldDays,
  Instant,
  londonDateOf,
  londonInstant,
  pausesOnHold,
  shiftForHold,
  StatutoryPeriods,
  WorkingDayCalendar,
} from './rules';

/** Due dates without a time are due by the end of the working day, London time. */
export const DUE_TIME = '17:00';

export type ClockStatus = 'open' | 'paused' | 'met' | 'missed' | 'waived' | 'cancelled' | 'returned' | 'not_computed';

export interface ClockInput {
  reviewId: string;
  reference: string;
  notifiedOn: CivilDate;
  guidanceVersion: string;
  status: Stage;
  context: ReviewContext;
  imrs: Array<{ id: string; agencyName: string; kind: string; requestedOn: CivilDate; dueOn: CivilDate; receivedOn: CivilDate | null; waived: boolean }>;
  meetings: Array<{ id: string; startsAt: Instant; status: 'scheduled' | 'held' | 'cancelled'; papersCirculatedOn: CivilDate | null; heldAt: Instant | null; createdAt: Instant }>;
  actions: Array<{ id: string; recommendationNumber: number; owner: string; targetDate: CivilDate | null; status: string; completedOn: CivilDate | null; withdrawn: boolean; createdAt: Instant }>;
}

export interface PlannedClock {
  kind: DeadlineKind;
  /** The record it belongs to; the review itself for review-level clocks. */
  subjectId: string;
  title: string;
  statutory: boolean;
  baseDueAt: Instant;
  dueAt: Instant;
  heldDays: number;
  status: ClockStatus;
  closedAt: Instant | null;
  /** When the clock started: the date of what set it (notification, decision, request...). */
  startsAt: Instant;
  /** Why the due date could not be computed (status `not_computed`), else null. */
  statusReason: string | null;
}

export interface ClockRules {
  periods: StatutoryPeriods;
  calendar: WorkingDayCalendar;
}

/** The due instant, or why it cannot be computed (a date outside the bank-holiday calendar). */
function withinCalendar(compute: () => Instant): { dueAt: Instant; reason: null } | { dueAt: null; reason: string } {
  try {
    return { dueAt: compute(), reason: null };
  } catch (error) {
    if (error instanceof CalendarCoverageError) return { dueAt: null, reason: error.message };
    throw error;
  }
}

const dueAtEndOfDay = (date: CivilDate): Instant => londonInstant(date, DUE_TIME);

/** met or missed, by whether `doneOn` (a London date) is on or before the due instant's date. */
function closed(dueAt: Instant, done: CivilDate | Instant): { status: ClockStatus; closedAt: Instant } {
  const doneDate = done.length === 10 ? done : londonDateOf(done);
  const closedAt = done.length === 10 ? dueAtEndOfDay(done) : done;
  return { status: doneDate <= londonDateOf(dueAt) ? 'met' : 'missed', closedAt };
}

/** Days the review was held since `since` (whole London days), counting a current hold so far. */
function daysHeldSince(context: ReviewContext, since: Instant | CivilDate, now: Instant): number {
  const sinceDate = since.length === 10 ? since : londonDateOf(since);
  let total = 0;
  for (const hold of context.holds) {
    const from = londonDateOf(hold.startedAt);
    const to = londonDateOf(hold.endedAt ?? now);
    const start = from > sinceDate ? from : sinceDate;
    if (to > start) total += heldDays({ from: start, to });
  }
  return total;
}

/** The subject of the board's nth sign-off round (n ≥ 2): a UUID (version 5 layout) from the review and n. */
export function signOffRoundSubject(reviewId: string, round: number): string {
  const hex = createHash('sha1').update(`rag_sign_off/${reviewId}/${round}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function planClocks(input: ClockInput, now: Instant, rules: ClockRules): PlannedClock[] {
  const { context } = input;
  const onHold = context.holds.some((h) => h.endedAt === null);
  const reviewEnded = input.status === 'closed' || input.status === 'withdrawn';
  const endedAt = context.closure?.closedAt ?? context.withdrawal?.withdrawnAt ?? now;
  // A due date that needs bank holidays of a year outside the calendar is not guessed: the
  // clock is kept, `not_computed`, with the reason, and sends no reminders.
  let notComputed: string | null = null;
  const due = (kind: DeadlineKind, from: CivilDate): Instant => {
    const computed = withinCalendar(() => dueAtEndOfDay(rules.periods.dueDateFor(kind, from, input.guidanceVersion, rules.calendar)));
    if (computed.dueAt !== null) return computed.dueAt;
    notComputed = computed.reason;
    return dueAtEndOfDay(from);
  };
  const clocks: PlannedClock[] = [];

  /** Adds a clock; open task clocks pause and shift with holds, open clocks end with the review. */
  const add = (
    clock: Omit<PlannedClock, 'statutory' | 'dueAt' | 'heldDays' | 'status' | 'closedAt' | 'startsAt' | 'statusReason'>,
    outcome: { status: ClockStatus; closedAt: Instant | null } | null,
    setAt: Instant | CivilDate,
    shift = true,
  ) => {
    const statusReason = notComputed;
    notComputed = null;
    const statutory = !pausesOnHold(clock.kind);
    const held = statutory || !shift ? 0 : daysHeldSince(context, setAt, outcome?.closedAt ?? now);
    const dueAt = held > 0 ? shiftForHold(clock.baseDueAt, held) : clock.baseDueAt;
    let status: ClockStatus = 'open';
    let closedAt: Instant | null = null;
    if (outcome) ({ status, closedAt } = outcome);
    else if (reviewEnded) ({ status, closedAt } = { status: 'cancelled', closedAt: endedAt });
    else if (statusReason !== null) status = 'not_computed';
    else if (onHold && !statutory) status = 'paused';
    const startsAt = setAt.length === 10 ? londonInstant(setAt, '00:00') : setAt;
    clocks.push({ ...clock, statutory, dueAt, heldDays: held, status, closedAt, startsAt, statusReason: status === 'not_computed' ? statusReason : null });
  };

  // The decision: one month from notification.
  const decisionDue = due('decision_due', input.notifiedOn);
  const decision = context.decision;
  add(
    { kind: 'decision_due', subjectId: input.reviewId, title: 'Decision whether to hold a review', baseDueAt: decisionDue },
    decision ? closed(decisionDue, decision.decidedAt) : null,
    input.notifiedOn,
  );

  if (decision && !decision.directedBySecretaryOfState) {
    const hoDue = due('home_office_notification', decision.decidedAt);
    add(
      { kind: 'home_office_notification', subjectId: input.reviewId, title: 'Home Office told of the decision', baseDueAt: hoDue },
      context.homeOfficeNotification ? closed(hoDue, context.homeOfficeNotification.sentAt) : null,
      decision.decidedAt,
    );
  }

  if (decision && decision.outcome !== 'not_proceed') {
    const completionDue = due('completion_target', decision.decidedAt);
    const firstSubmission = context.qaRounds[0];
    add(
      { kind: 'completion_target', subjectId: input.reviewId, title: 'Review completed and sent to the Home Office', baseDueAt: completionDue },
      firstSubmission ? closed(completionDue, firstSubmission.submittedAt) : null,
      decision.decidedAt,
    );
  }

  for (const imr of input.imrs) {
    const what = imr.kind === 'short_report' ? 'Short report' : 'IMR';
    add(
      { kind: 'imr_due', subjectId: imr.id, title: `${what} from ${imr.agencyName}`, baseDueAt: dueAtEndOfDay(imr.dueOn) },
      imr.receivedOn
        ? closed(shiftForHold(dueAtEndOfDay(imr.dueOn), daysHeldSince(context, imr.requestedOn, dueAtEndOfDay(imr.receivedOn))), imr.receivedOn)
        : imr.waived
          ? { status: 'waived', closedAt: now }
          : null,
      imr.requestedOn,
    );
  }

  for (const meeting of input.meetings) {
    const meetingDate = londonDateOf(meeting.startsAt);
    const cancelled = meeting.status === 'cancelled' ? { status: 'cancelled' as const, closedAt: now } : null;
    // Papers are due in working days, which need bank-holiday data for that year: for a meeting
    // beyond the calendar's years (config/bank-holidays-*.json) the clock is `not_computed`
    // with the reason until the data is extended, rather than a wrong date or no clock.
    const papersDue = due('meeting_papers_due', meetingDate);
    add(
      { kind: 'meeting_papers_due', subjectId: meeting.id, title: `Papers for the panel meeting of ${dateInWords(meetingDate)}`, baseDueAt: papersDue },
      meeting.papersCirculatedOn
        ? closed(papersDue, meeting.papersCirculatedOn)
        : cancelled ?? (meeting.status === 'held' ? { status: 'missed', closedAt: meeting.heldAt ?? meeting.startsAt } : null),
      meeting.createdAt,
      false,
    );
    add(
      { kind: 'panel_meeting', subjectId: meeting.id, title: `Panel meeting on ${dateInWords(meetingDate)}`, baseDueAt: meeting.startsAt },
      cancelled ?? (meeting.status === 'held' ? { status: 'met', closedAt: meeting.heldAt ?? meeting.startsAt } : null),
      meeting.createdAt,
      false,
    );
  }

  // RAG sign-off: one clock each time the report reaches the board, from then until it approves
  // (met or missed) or returns it (`returned`: the board answered, and the chair revises). The
  // first round's subject is the review (as before rounds existed); a later round's is derived
  // from the review and the round's number, so each round is its own row.
  const history = context.stageHistory;
  const signOffRounds = history.map((entry, at) => ({ entry, at })).filter(({ entry }) => entry.stage === 'rag_sign_off');
  signOffRounds.forEach(({ entry: round, at }, index) => {
    const until = signOffRounds[index + 1]?.entry.enteredAt ?? null;
    const within = (time: string) => time >= round.enteredAt && (until === null || time < until);
    const signOffDue = due('rag_sign_off', londonDateOf(round.enteredAt));
    // The latest approval is kept in the context; an earlier round's (before a QA resubmission)
    // shows in the report having gone on to the Home Office from that round.
    const wentToHomeOffice = history[at + 1]?.stage === 'home_office_qa' ? history[at + 1].enteredAt : null;
    // The board answered on the day it approved (its own date), not the day that was recorded.
    const approvedAt = (context.ragApproval && within(context.ragApproval.recordedAt) ? context.ragApproval.approvedAt : null) ?? wentToHomeOffice;
    const returnedAt = context.ragReturns.find((r) => within(r.returnedAt))?.returnedAt ?? null;
    // A round that ended with neither (the report left sign-off otherwise) closes when the next began.
    const outcome = approvedAt
      ? closed(signOffDue, approvedAt)
      : returnedAt
        ? { status: 'returned' as const, closedAt: returnedAt }
        : until
          ? { status: 'cancelled' as const, closedAt: until }
          : null;
    add(
      {
        kind: 'rag_sign_off',
        subjectId: index === 0 ? input.reviewId : signOffRoundSubject(input.reviewId, index + 1),
        title: index === 0 ? 'Sign-off by the CSP board' : `Sign-off by the CSP board (round ${index + 1})`,
        baseDueAt: signOffDue,
      },
      outcome,
      round.enteredAt,
    );
  });

  // QA resubmission: after a "resubmit" letter, until the next submission.
  const rounds = context.qaRounds;
  const lastResubmit = [...rounds].reverse().find((r) => r.outcome === 'resubmit' && r.letterDate);
  if (lastResubmit?.letterDate) {
    const resubmitDue = due('qa_resubmission', lastResubmit.letterDate);
    const next = rounds.find((r) => r.round > lastResubmit.round);
    add(
      { kind: 'qa_resubmission', subjectId: input.reviewId, title: 'Report resubmitted to the Home Office', baseDueAt: resubmitDue },
      next ? closed(resubmitDue, next.submittedAt) : null,
      lastResubmit.letterDate,
    );
  }

  for (const action of input.actions) {
    if (!action.targetDate || action.withdrawn) continue;
    add(
      {
        kind: 'action_target',
        subjectId: action.id,
        title: `Action on recommendation ${action.recommendationNumber} (${action.owner})`,
        baseDueAt: dueAtEndOfDay(action.targetDate),
      },
      action.completedOn ? closed(dueAtEndOfDay(action.targetDate), action.completedOn) : null,
      action.createdAt,
    );
  }
  return clocks;
}
