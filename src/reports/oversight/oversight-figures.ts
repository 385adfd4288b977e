import { addCalendarMonths, daysBetween, elapsed, type CivilDate } from '../../deadlines/rules';
import type { HoldPeriod, HoldReason, ReviewContext, Stage } from '../../reviews/lifecycle';
import { HOLD_REASON_LABELS, STAGE_LABELS } from '../../web/labels';

/**
 * The oversight figures (issue 15 item 1), computed from plain records so that they can be
 * checked by hand: each review's lifecycle context (its dated history with corrections laid
 * over it), its overdue statutory clocks and completion target, and the counts PostgreSQL makes
 * of its IMRs, recommendations and actions (`OversightCounts`). Everything is read "as at"
 * the end of a London day: an event dated after it did not happen yet. Snapshot figures (stage,
 * holds, overdue, late, open actions) are as at that day; flow figures (timings, shares, IMR
 * lateness, QA rounds) count what ended within the period [from, to].
 */

export type Cell = string | number | { date: CivilDate } | null;
export interface FigureTable {
  key: string;
  title: string;
  headings: string[];
  rows: Cell[][];
}

/** What the figures read of a review's lifecycle record. */
export type OversightContext = Pick<ReviewContext, 'stageHistory' | 'holds' | 'decision' | 'supersededDecisions' | 'qaRounds'>;

export interface OversightReviewRecord {
  id: string;
  reference: string;
  cspCode: string;
  notifiedOn: CivilDate;
  /** Its lifecycle record as it stood at the end of the "as at" day. */
  asAt: ReviewAsAt;
  /** The statutory clocks overdue at the end of the "as at" day (see `OVERDUE_CLOCK_RULE`). */
  overdueClocks: Array<{ kind: string; dueOn: CivilDate }>;
  /** The completion target's due date, if the review has one. */
  completionTargetOn: CivilDate | null;
}

/**
 * What the figures read of a review's lifecycle record, as it stood at the end of a day:
 * `reviewAsAt` works it out from the record; the service has PostgreSQL work out the same (at
 * 100,000 reviews, shipping each record here cost more than the figures), and a test holds the
 * two equal.
 */
export interface ReviewAsAt {
  stage: Stage;
  /** The hold current at the end of the day. */
  hold: { reason: HoldReason; startedOn: CivilDate } | null;
  /** The day of the decision that stood then (a replaced one if the current came later). */
  decidedOn: CivilDate | null;
  /** The Home Office QA rounds submitted by then: how many, and the first's day. */
  qaRoundsSubmitted: number;
  firstSubmittedOn: CivilDate | null;
  /** The holds started by then, each to the day it ended (null if it had not ended by then). */
  holds: Array<{ from: CivilDate; to: CivilDate | null }>;
}

/**
 * The counts over the case file's rows (PostgreSQL counts them: at 100,000 reviews there are
 * hundreds of thousands of IMRs and clocks, and shipping each to be counted here cost seconds).
 * The rules, each written once, in the service's SQL:
 * - IMR lateness: an IMR counts if not waived, requested by the day and due within the period
 *   and by the day; on time if received by the day no later than due; otherwise late by the days
 *   from due to its receipt (or to the day, if still outstanding).
 * - Actions added by the day: complete if completed by the day, else overdue if its target date
 *   is before the day, else open. A recommendation (not withdrawn, added by the day): complete if
 *   it has actions and all are complete, overdue if any is overdue, otherwise open.
 */
export interface OversightCounts {
  imrs: Array<{ agency: string; due: number; onTime: number; late: number; medianDaysLate: number | null; mostDaysLate: number | null }>;
  recommendations: { open: number; overdue: number; complete: number };
  actions: { open: number; overdue: number; complete: number };
}

export interface Spread {
  count: number;
  median: number | null;
  lowerQuartile: number | null;
  upperQuartile: number | null;
  min: number | null;
  max: number | null;
}

export interface OversightFigures {
  asAt: CivilDate;
  from: CivilDate;
  to: CivilDate;
  reviews: number;
  tables: FigureTable[];
  /** The headline numbers the page shows first (also in the tables). */
  headline: {
    onHold: number;
    overdueStatutoryClocks: number;
    lateAgainstTarget: number;
    decisionsWithinMonthPercent: number | null;
    completedWithinTargetPercent: number | null;
  };
  timings: { notificationToDecision: Spread; decisionToSubmissionGross: Spread; decisionToSubmissionNet: Spread };
}

export const CLOCK_LABELS: Record<string, string> = {
  decision_due: 'Decision on whether to hold a review',
  home_office_notification: 'Home Office told of the decision',
  completion_target: 'Completion target',
};

const dayOf = (value: string) => value.slice(0, 10);
const by = (asAt: CivilDate) => (value: string | null | undefined): value is string => typeof value === 'string' && value !== '' && dayOf(value) <= asAt;
const within = (from: CivilDate, to: CivilDate) => (day: string) => day >= from && day <= to;

/** Quantile by linear interpolation between closest ranks (the spreadsheet's QUARTILE.INC). */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return Math.round((sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)) * 10) / 10;
}

export function spreadOf(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { count: s.length, median: quantile(s, 0.5), lowerQuartile: quantile(s, 0.25), upperQuartile: quantile(s, 0.75), min: s[0] ?? null, max: s[s.length - 1] ?? null };
}

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((1000 * part) / whole) / 10);

/** The stage a review was in at the end of `asAt` (its latest stage entered by then). */
export function stageAsAt(context: Pick<ReviewContext, 'stageHistory'>, asAt: CivilDate): Stage {
  const entered = context.stageHistory.filter((s) => by(asAt)(s.enteredAt));
  return (entered[entered.length - 1]?.stage ?? 'notified') as Stage;
}

/** The hold current at the end of `asAt`, if any. */
export function holdAsAt(context: Pick<ReviewContext, 'holds'>, asAt: CivilDate): HoldPeriod | null {
  const on = by(asAt);
  return [...context.holds].reverse().find((h) => on(h.startedAt) && !on(h.endedAt)) ?? null;
}

/** The decision that stood at the end of `asAt` (a replaced one if the current came later). */
function decisionAsAt(context: Pick<ReviewContext, 'decision' | 'supersededDecisions'>, asAt: CivilDate) {
  const on = by(asAt);
  if (on(context.decision?.decidedAt)) return context.decision;
  return [...context.supersededDecisions].reverse().find((s) => on(s.decision.decidedAt))?.decision ?? null;
}

/** The review's record as at the end of `asAt` (see `ReviewAsAt`). */
export function reviewAsAt(context: OversightContext, asAt: CivilDate): ReviewAsAt {
  const on = by(asAt);
  const hold = holdAsAt(context, asAt);
  const decision = decisionAsAt(context, asAt);
  const rounds = context.qaRounds.filter((q) => on(q.submittedAt));
  return {
    stage: stageAsAt(context, asAt),
    hold: hold ? { reason: hold.reason, startedOn: dayOf(hold.startedAt) } : null,
    decidedOn: decision ? dayOf(decision.decidedAt) : null,
    qaRoundsSubmitted: rounds.length,
    firstSubmittedOn: rounds[0] ? dayOf(rounds[0].submittedAt!) : null,
    holds: context.holds.filter((h) => on(h.startedAt)).map((h) => ({ from: dayOf(h.startedAt), to: on(h.endedAt) ? dayOf(h.endedAt!) : null })),
  };
}

export function oversightFigures(records: OversightReviewRecord[], counts: OversightCounts, period: { from: CivilDate; to: CivilDate; asAt: CivilDate }): OversightFigures {
  const { from, to, asAt } = period;
  const inPeriod = within(from, to);
  const reviews = records.filter((r) => r.notifiedOn <= asAt);

  // Reviews by stage, and those on hold.
  const stages = new Map<Stage, { count: number; held: number }>();
  const holdRows: Cell[][] = [];
  for (const r of reviews) {
    const { stage, hold } = r.asAt;
    const entry = stages.get(stage) ?? { count: 0, held: 0 };
    entry.count += 1;
    if (hold) entry.held += 1;
    stages.set(stage, entry);
    if (hold) holdRows.push([r.reference, STAGE_LABELS[stage], HOLD_REASON_LABELS[hold.reason] ?? hold.reason, { date: hold.startedOn }, daysBetween(hold.startedOn, asAt)]);
  }
  const stageRows: Cell[][] = (Object.keys(STAGE_LABELS) as Stage[]).filter((s) => stages.has(s)).map((s) => [STAGE_LABELS[s], stages.get(s)!.count, stages.get(s)!.held]);

  // Statutory clocks overdue at the end of the day (chosen in SQL: due before it, started by it, not closed by it).
  const overdueRows: Cell[][] = [];
  const lateRows: Cell[][] = [];
  for (const r of reviews) {
    for (const c of r.overdueClocks) {
      overdueRows.push([r.reference, CLOCK_LABELS[c.kind] ?? c.kind, { date: c.dueOn }, daysBetween(c.dueOn, asAt)]);
      if (c.kind === 'completion_target') lateRows.push([r.reference, STAGE_LABELS[r.asAt.stage], { date: c.dueOn }, daysBetween(c.dueOn, asAt)]);
    }
  }

  // Notification to decision; decisions within a month of the notification.
  const toDecision: number[] = [];
  let withinMonth = 0;
  for (const r of reviews) {
    const decided = r.asAt.decidedOn;
    if (decided === null || !inPeriod(decided)) continue;
    toDecision.push(daysBetween(r.notifiedOn, decided));
    if (decided <= addCalendarMonths(r.notifiedOn, 1)) withinMonth += 1;
  }

  // Decision to submission to the Home Office (the first QA round), gross and net of holds; within the completion target.
  const gross: number[] = [];
  const net: number[] = [];
  let submitted = 0;
  let withinTarget = 0;
  const qaRounds = new Map<number, number>();
  for (const r of reviews) {
    const { decidedOn: start, firstSubmittedOn: end, qaRoundsSubmitted: rounds, holds } = r.asAt;
    if (end === null || !inPeriod(end)) continue;
    qaRounds.set(rounds, (qaRounds.get(rounds) ?? 0) + 1);
    if (start === null) continue;
    const e = elapsed({ start, now: end, holds });
    gross.push(e.grossDays);
    net.push(e.netDays);
    if (r.completionTargetOn !== null) {
      submitted += 1;
      if (end <= r.completionTargetOn) withinTarget += 1;
    }
  }

  const imrRows: Cell[][] = [...counts.imrs].sort((a, b) => a.agency.localeCompare(b.agency)).map((a) => [a.agency, a.due, a.onTime, percent(a.onTime, a.due), a.late, a.medianDaysLate, a.mostDaysLate]);
  const { recommendations: recCounts, actions: actCounts } = counts;

  const t = {
    notificationToDecision: spreadOf(toDecision),
    decisionToSubmissionGross: spreadOf(gross),
    decisionToSubmissionNet: spreadOf(net),
  };
  const spreadRow = (label: string, s: Spread): Cell[] => [label, s.count, s.median, s.lowerQuartile, s.upperQuartile, s.min, s.max];
  const decisionsPercent = percent(withinMonth, toDecision.length);
  const targetPercent = percent(withinTarget, submitted);

  const tables: FigureTable[] = [
    { key: 'stages', title: 'Reviews by stage', headings: ['Stage', 'Reviews', 'Of which on hold'], rows: stageRows },
    { key: 'holds', title: 'Reviews on hold', headings: ['Review', 'Stage', 'Reason', 'On hold since', 'Days on hold'], rows: holdRows },
    { key: 'overdue', title: 'Overdue statutory clocks', headings: ['Review', 'Clock', 'Due', 'Days overdue'], rows: overdueRows },
    { key: 'late', title: 'Reviews late against the completion target', headings: ['Review', 'Stage', 'Completion target', 'Days late'], rows: lateRows },
    {
      key: 'timings',
      title: 'Time taken, in calendar days',
      headings: ['Measure', 'Reviews', 'Median', 'Lower quartile', 'Upper quartile', 'Shortest', 'Longest'],
      rows: [
        spreadRow('Notification to decision', t.notificationToDecision),
        spreadRow('Decision to submission (gross)', t.decisionToSubmissionGross),
        spreadRow('Decision to submission (net of holds)', t.decisionToSubmissionNet),
      ],
    },
    {
      key: 'targets',
      title: 'Decisions and completions on time',
      headings: ['Measure', 'Reviews', 'On time', 'Per cent on time'],
      rows: [
        ['Decisions within a month of the notification', toDecision.length, withinMonth, decisionsPercent],
        ['Reviews submitted within the completion target', submitted, withinTarget, targetPercent],
      ],
    },
    { key: 'imrs', title: 'IMR lateness by agency', headings: ['Agency', 'IMRs due', 'On time', 'Per cent on time', 'Late', 'Median days late', 'Most days late'], rows: imrRows },
    {
      key: 'actions',
      title: 'Recommendations and actions',
      headings: ['Item', 'Open', 'Overdue', 'Complete'],
      rows: [
        ['Recommendations', recCounts.open, recCounts.overdue, recCounts.complete],
        ['Actions', actCounts.open, actCounts.overdue, actCounts.complete],
      ],
    },
    { key: 'qa', title: 'Home Office QA rounds per review', headings: ['QA rounds', 'Reviews'], rows: [...qaRounds.entries()].sort(([a], [b]) => a - b).map(([n, count]) => [n, count]) },
  ];
  return {
    asAt,
    from,
    to,
    reviews: reviews.length,
    tables,
    headline: { onHold: holdRows.length, overdueStatutoryClocks: overdueRows.length, lateAgainstTarget: lateRows.length, decisionsWithinMonthPercent: decisionsPercent, completedWithinTargetPercent: targetPercent },
    timings: t,
  };
}
