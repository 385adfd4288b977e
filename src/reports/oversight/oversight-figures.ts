import { addCalendarMonths, daysBetween, elapsed, type CivilDate } from '../../deadlines/rules';
import type { HoldPeriod, ReviewContext, Stage } from '../../reviews/lifecycle';
import { HOLD_REASON_LABELS, STAGE_LABELS } from '../../web/labels';

/**
 * The oversight figures (issue 15 item 1), computed from plain records so that they can be
 * checked by hand: each review's lifecycle context (its dated history with corrections laid
 * over it), its statutory clocks, IMRs, recommendations and actions. Everything is read "as at"
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

/** What the figures read of a review's lifecycle record (all the service reads of it). */
export const OVERSIGHT_CONTEXT_KEYS = ['stageHistory', 'holds', 'decision', 'supersededDecisions', 'qaRounds'] as const;
export type OversightContext = Pick<ReviewContext, (typeof OVERSIGHT_CONTEXT_KEYS)[number]>;

export interface OversightReviewRecord {
  id: string;
  reference: string;
  cspCode: string;
  notifiedOn: CivilDate;
  context: OversightContext;
  /** Statutory clocks (decision due, Home Office notification, completion target). */
  clocks: Array<{ kind: string; dueOn: CivilDate; startsOn: CivilDate; closedOn: CivilDate | null; status: string }>;
  imrs: Array<{ agency: string; dueOn: CivilDate; receivedOn: CivilDate | null; requestedOn: CivilDate; waived: boolean }>;
  recommendations: Array<{ id: string; createdOn: CivilDate; withdrawn: boolean }>;
  actions: Array<{ recommendationId: string; createdOn: CivilDate; targetDate: CivilDate | null; completedOn: CivilDate | null }>;
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

export function oversightFigures(records: OversightReviewRecord[], period: { from: CivilDate; to: CivilDate; asAt: CivilDate }): OversightFigures {
  const { from, to, asAt } = period;
  const on = by(asAt);
  const inPeriod = within(from, to);
  const reviews = records.filter((r) => r.notifiedOn <= asAt);

  // Reviews by stage, and those on hold.
  const stages = new Map<Stage, { count: number; held: number }>();
  const holdRows: Cell[][] = [];
  for (const r of reviews) {
    const stage = stageAsAt(r.context, asAt);
    const hold = holdAsAt(r.context, asAt);
    const entry = stages.get(stage) ?? { count: 0, held: 0 };
    entry.count += 1;
    if (hold) entry.held += 1;
    stages.set(stage, entry);
    if (hold) holdRows.push([r.reference, STAGE_LABELS[stage], HOLD_REASON_LABELS[hold.reason] ?? hold.reason, { date: dayOf(hold.startedAt) }, daysBetween(dayOf(hold.startedAt), asAt)]);
  }
  const stageRows: Cell[][] = (Object.keys(STAGE_LABELS) as Stage[]).filter((s) => stages.has(s)).map((s) => [STAGE_LABELS[s], stages.get(s)!.count, stages.get(s)!.held]);

  // Statutory clocks overdue at the end of the day: due before it, started by it, not closed by it.
  const overdueRows: Cell[][] = [];
  const lateRows: Cell[][] = [];
  for (const r of reviews) {
    for (const c of r.clocks) {
      if (c.status === 'cancelled' || c.status === 'not_computed' || c.status === 'waived') continue;
      if (c.startsOn > asAt || c.dueOn >= asAt || (c.closedOn !== null && c.closedOn <= asAt)) continue;
      const row: Cell[] = [r.reference, CLOCK_LABELS[c.kind] ?? c.kind, { date: c.dueOn }, daysBetween(c.dueOn, asAt)];
      overdueRows.push(row);
      if (c.kind === 'completion_target') lateRows.push([r.reference, STAGE_LABELS[stageAsAt(r.context, asAt)], { date: c.dueOn }, daysBetween(c.dueOn, asAt)]);
    }
  }

  // Notification to decision; decisions within a month of the notification.
  const toDecision: number[] = [];
  let withinMonth = 0;
  for (const r of reviews) {
    const decision = decisionAsAt(r.context, asAt);
    if (!decision || !inPeriod(dayOf(decision.decidedAt))) continue;
    const decided = dayOf(decision.decidedAt);
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
    const rounds = r.context.qaRounds.filter((q) => on(q.submittedAt));
    const first = rounds[0];
    const decision = decisionAsAt(r.context, asAt);
    if (!first || !inPeriod(dayOf(first.submittedAt))) continue;
    qaRounds.set(rounds.length, (qaRounds.get(rounds.length) ?? 0) + 1);
    if (!decision) continue;
    const start = dayOf(decision.decidedAt);
    const end = dayOf(first.submittedAt);
    const holds = r.context.holds.filter((h) => on(h.startedAt)).map((h) => ({ from: dayOf(h.startedAt), to: on(h.endedAt) ? dayOf(h.endedAt) : null }));
    const e = elapsed({ start, now: end, holds });
    gross.push(e.grossDays);
    net.push(e.netDays);
    const target = r.clocks.find((c) => c.kind === 'completion_target');
    if (target) {
      submitted += 1;
      if (end <= target.dueOn) withinTarget += 1;
    }
  }

  // IMRs due in the period (and by the day): days late and share on time, by agency. One still
  // outstanding at the end of the day counts as late by the days since it was due.
  const agencies = new Map<string, { due: number; onTime: number; late: number[] }>();
  for (const r of reviews) {
    for (const i of r.imrs) {
      if (i.waived || !inPeriod(i.dueOn) || i.dueOn > asAt || i.requestedOn > asAt) continue;
      const a = agencies.get(i.agency) ?? { due: 0, onTime: 0, late: [] };
      a.due += 1;
      const received = i.receivedOn !== null && i.receivedOn <= asAt ? i.receivedOn : null;
      const lateBy = daysBetween(i.dueOn, received ?? asAt);
      if (received !== null && lateBy <= 0) a.onTime += 1;
      else a.late.push(Math.max(lateBy, 0));
      agencies.set(i.agency, a);
    }
  }
  const imrRows: Cell[][] = [...agencies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agency, a]) => [agency, a.due, a.onTime, percent(a.onTime, a.due), a.late.length, spreadOf(a.late).median, a.late.length ? Math.max(...a.late) : null]);

  // Recommendations and actions as at the day: open, overdue, complete.
  const recCounts = { open: 0, overdue: 0, complete: 0 };
  const actCounts = { open: 0, overdue: 0, complete: 0 };
  for (const r of reviews) {
    const actions = r.actions.filter((a) => a.createdOn <= asAt);
    const state = (a: (typeof actions)[number]) => (a.completedOn !== null && a.completedOn <= asAt ? 'complete' : a.targetDate !== null && a.targetDate < asAt ? 'overdue' : 'open');
    for (const a of actions) actCounts[state(a)] += 1;
    for (const rec of r.recommendations) {
      if (rec.withdrawn || rec.createdOn > asAt) continue;
      const states = actions.filter((a) => a.recommendationId === rec.id).map(state);
      recCounts[states.length > 0 && states.every((s) => s === 'complete') ? 'complete' : states.includes('overdue') ? 'overdue' : 'open'] += 1;
    }
  }

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
