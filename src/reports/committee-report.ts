/**
 * The committee progress report (issue 15): each review as it stood on an "as at" date, rebuilt
 * from its dated record, never from today's state. Pure: the service loads the record (the
 * lifecycle context, itself replayed from the dated history with corrections laid over it, and
 * the case file's dated rows) and calls `reviewAsAt`; the renderers (HTML, DOCX, PDF) read the
 * result.
 *
 * What counts as "on or before the date": each fact's own date (a decision its `decidedAt`, a
 * hold its start and end, an IMR its `receivedOn`, a meeting its start), as a London calendar
 * day, whatever day it was typed in.
 */
import { planClocks, type ClockInput, type ClockRules, type PlannedClock } from '../deadlines/clock-plan';
import { londonInstant } from '../deadlines/rules';
import { dayOf } from '../reviews/chronology';
import type { DecisionRecord, HoldReason, ReviewContext, Stage } from '../reviews/lifecycle';
import { dateInWords } from '../shared/display-dates';
import { DECISION_OUTCOME_LABELS, HOLD_REASON_LABELS, QA_OUTCOME_LABELS, STAGE_LABELS } from '../web/labels';

/** What the service loads for one review: its record as it is today (the dates tell the rest). */
export interface ReviewRecord {
  id: string;
  reference: string;
  csp: { code: string; name: string; boardName: string };
  notifiedOn: string;
  guidanceVersion: string;
  /** The lifecycle's context as stored today (corrections already laid over the history). */
  context: ReviewContext;
  /** The victim's pseudonym, if recorded (never a real name). */
  pseudonym: string | null;
  /** Chair appointments (their dates only: never the chair's name). */
  chairAppointedOn: string[];
  meetings: Array<{ id: string; startsAt: string; status: 'scheduled' | 'held' | 'cancelled'; createdAt: string; papersCirculatedOn: string | null }>;
  imrs: Array<{
    id: string;
    agencyName: string;
    kind: string;
    requestedOn: string;
    /** Due today (after any extensions). */
    dueOn: string;
    receivedOn: string | null;
    waived: boolean;
    /** Extensions granted, with the due date each replaced (the due date then is the one before any granted later). */
    extensions?: Array<{ grantedOn: string; previousDueOn: string }>;
  }>;
  /** Criminal proceedings' conclusions (their dates). */
  criminalConcludedOn: string[];
  actions: ClockInput['actions'];
}

/** Which parts of the case file the caller may read on this review (the policy, per review). */
export interface ReportVisibility {
  pseudonym: boolean;
  appointments: boolean;
  meetings: boolean;
  imrs: boolean;
  proceedings: boolean;
  actions: boolean;
}

export const FULL_VISIBILITY: ReportVisibility = { pseudonym: true, appointments: true, meetings: true, imrs: true, proceedings: true, actions: true };

export interface HoldAsAt {
  reason: HoldReason;
  reasonLabel: string;
  from: string;
  /** Null when the review was still held on the date. */
  to: string | null;
  expectedEnd: string | null;
}

export interface KeyDate {
  label: string;
  /** The ISO dates it names (calendar days, London). */
  dates: string[];
  /** As a reader reads it: dates in words. */
  text: string;
}

export interface ReviewAsAt {
  id: string;
  reference: string;
  csp: { code: string; name: string };
  pseudonym: string | null;
  stage: Stage;
  /** The stage in plain English, "(on hold)" when it was held on the date. */
  stageLabel: string;
  onHold: boolean;
  holds: HoldAsAt[];
  keyDates: KeyDate[];
  latestMilestone: { text: string; date: string } | null;
  nextStep: { text: string; dueDate: string | null } | null;
  /** The review's progress in the register of a committee report. */
  paragraph: string;
}

const on = (asAt: string) => (value: string | null | undefined): value is string => typeof value === 'string' && value !== '' && dayOf(value) <= asAt;

/** The lifecycle's record as it stood at the end of `asAt` (a London calendar day). */
export function contextAsAt(context: ReviewContext, asAt: string): ReviewContext {
  const by = on(asAt);
  let decision: DecisionRecord | null = by(context.decision?.decidedAt) ? context.decision : null;
  let homeOfficeNotification = decision && by(context.homeOfficeNotification?.sentAt) ? context.homeOfficeNotification : null;
  if (!decision) {
    // A decision since replaced (a "no" overturned by a direction) may be the one that stood then.
    const earlier = [...context.supersededDecisions].reverse().find((s) => by(s.decision.decidedAt));
    if (earlier) {
      decision = earlier.decision;
      homeOfficeNotification = by(earlier.homeOfficeNotification?.sentAt) ? earlier.homeOfficeNotification : null;
    }
  }
  return {
    openedAt: context.openedAt,
    stageHistory: context.stageHistory.filter((s) => by(s.enteredAt)),
    decision,
    homeOfficeNotification,
    supersededDecisions: context.supersededDecisions.filter((s) => by(s.supersededAt) && s.decision !== decision),
    direction: by(context.direction?.directedAt) ? context.direction : null,
    termsOfReference: by(context.termsOfReference?.agreedAt) ? context.termsOfReference : null,
    ragApproval: by(context.ragApproval?.approvedAt) ? context.ragApproval : null,
    ragReturns: context.ragReturns.filter((r) => by(r.returnedAt)),
    qaRounds: context.qaRounds
      .filter((r) => by(r.submittedAt))
      .map((r) => (by(r.letterDate) ? r : { ...r, outcome: null, letterDate: null, notes: null, outcomeRecordedAt: null })),
    publication: by(context.publication?.publishedAt) ? context.publication : null,
    holds: context.holds
      .filter((h) => by(h.startedAt))
      .map((h) => (by(h.endedAt) ? h : { ...h, endedAt: null, endedBy: null, resumeNote: null })),
    withdrawal: by(context.withdrawal?.withdrawnAt) ? context.withdrawal : null,
    closure: by(context.closure?.closedAt) ? context.closure : null,
    homeOfficeAgreement: by(context.homeOfficeAgreement?.receivedAt) ? (context.homeOfficeAgreement ?? null) : null,
    reopenings: (context.reopenings ?? []).filter((r) => by(r.reopenedAt)),
  };
}

const MONTH_YEAR = /^(\d{1,2} [A-Za-z]+) (\d{4})$/;

/** "19 September and 16 October 2017"; "1 May 2016, 19 September and 16 October 2017". */
export function datesInWordsList(dates: readonly string[]): string {
  const words = dates.map((d) => dateInWords(d));
  const shortened = words.map((w, i) => {
    const next = words[i + 1];
    const [, dayMonth, year] = MONTH_YEAR.exec(w) ?? [];
    return next && year && MONTH_YEAR.exec(next)?.[2] === year ? dayMonth : w;
  });
  return listInWords(shortened);
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "from 3 April to 30 June 2017" (the first year left out when both are in it). */
function periodInWords(from: string, to: string): string {
  const [first] = datesInWordsList([from, to]).split(' and ');
  return `from ${first} to ${dateInWords(to)}`;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const ordinal = (n: number) => ORDINALS[n - 1] ?? `${n}th`;
const COUNTS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const count = (n: number) => COUNTS[n] ?? String(n);
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const HOLD_BECAUSE: Readonly<Record<HoldReason, string>> = {
  criminal_proceedings: 'criminal proceedings',
  inquest: 'the inquest',
  iopc: 'an IOPC investigation',
  family: 'matters concerning the family',
  other: 'another reason',
};

/** How many days after a criminal trial ends a panel meeting is "shortly after" it. */
export const SHORTLY_AFTER_DAYS = 28;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The next step of each stage (an infinitive, for "The next step is to …") and the clocks that date it. */
function nextStepOf(
  stage: Stage,
  context: ReviewContext,
  facts: { imrsOutstanding: number },
  visible: ReportVisibility,
  board: string,
): { text: string; kinds: string[] } | null {
  switch (stage) {
    case 'notified':
      return { text: 'decide whether the criteria for a review are met', kinds: ['decision_due'] };
    case 'not_proceeding':
      return context.homeOfficeNotification
        ? { text: 'await the Home Office’s view of the decision not to hold a review', kinds: [] }
        : { text: 'tell the Home Office of the decision', kinds: ['home_office_notification'] };
    case 'establishing':
      return context.homeOfficeNotification || context.decision?.directedBySecretaryOfState
        ? { text: 'agree the terms of reference', kinds: visible.meetings ? ['panel_meeting'] : [] }
        : { text: 'tell the Home Office of the decision', kinds: ['home_office_notification'] };
    case 'information_gathering':
      if (!visible.imrs) return { text: 'gather the agencies’ information and draft the overview report', kinds: [] };
      return facts.imrsOutstanding > 0
        ? { text: facts.imrsOutstanding === 1 ? 'receive the outstanding IMR' : `receive the ${count(facts.imrsOutstanding)} outstanding IMRs`, kinds: ['imr_due'] }
        : { text: 'consider the IMRs and begin drafting the overview report', kinds: visible.meetings ? ['panel_meeting'] : [] };
    case 'drafting': {
      const last = context.qaRounds[context.qaRounds.length - 1];
      if (last?.outcome === 'resubmit') return { text: 'revise the report and resubmit it to the Home Office', kinds: ['qa_resubmission'] };
      return { text: `agree the overview report and present it to the ${board}`, kinds: visible.meetings ? ['panel_meeting'] : [] };
    }
    case 'rag_sign_off':
      return { text: `obtain the ${board}’s sign-off of the overview report`, kinds: ['rag_sign_off'] };
    case 'home_office_qa':
      return { text: 'await the Home Office Quality Assurance Panel’s letter', kinds: [] };
    case 'awaiting_publication':
      return { text: 'publish the overview report and executive summary', kinds: [] };
    case 'action_plan_monitoring':
      return { text: 'complete the action plan', kinds: visible.actions ? ['action_target'] : [] };
    case 'closed':
    case 'withdrawn':
      return null;
  }
}

/**
 * One review as it stood at the end of `asAt`: stage, holds, key dates, latest milestone, next
 * step with its due date as the clocks then ran, and a paragraph for the committee. Null when
 * the review had not been notified by then. Only what `visible` allows is read.
 */
export function reviewAsAt(record: ReviewRecord, asAt: string, visible: ReportVisibility, rules: ClockRules): ReviewAsAt | null {
  const by = on(asAt);
  if (!by(record.notifiedOn)) return null;
  const context = contextAsAt(record.context, asAt);
  const stage = context.stageHistory[context.stageHistory.length - 1]?.stage ?? 'notified';
  const currentHold = context.holds.find((h) => h.endedAt === null) ?? null;
  const board = record.csp.boardName;

  const holds: HoldAsAt[] = context.holds.map((h) => ({
    reason: h.reason,
    reasonLabel: HOLD_REASON_LABELS[h.reason],
    from: dayOf(h.startedAt),
    to: h.endedAt ? dayOf(h.endedAt) : null,
    expectedEnd: h.expectedEnd ? dayOf(h.expectedEnd) : null,
  }));

  // The case file as it stood: what had happened by then, on its own dates.
  const imrs = visible.imrs
    ? record.imrs
        .filter((i) => by(i.requestedOn))
        .map(({ extensions, ...i }) => ({
          ...i,
          // Due as it was then: before the first extension granted after the date.
          dueOn: [...(extensions ?? [])].sort((a, b) => a.grantedOn.localeCompare(b.grantedOn)).find((e) => !by(e.grantedOn))?.previousDueOn ?? i.dueOn,
          receivedOn: by(i.receivedOn) ? i.receivedOn : null,
          waived: i.waived && !by(i.receivedOn) ? i.waived : false,
        }))
    : [];
  const received = imrs.filter((i) => i.receivedOn !== null).sort((a, b) => (a.receivedOn as string).localeCompare(b.receivedOn as string));
  const outstanding = imrs.filter((i) => i.receivedOn === null && !i.waived).length;
  const meetingsHeld = visible.meetings
    ? record.meetings.filter((m) => m.status === 'held' && by(m.startsAt)).map((m) => dayOf(m.startsAt)).sort()
    : [];
  const meetings: ClockInput['meetings'] = visible.meetings
    ? record.meetings
        .filter((m) => m.status !== 'cancelled' && (by(m.startsAt) ? m.status === 'held' : by(m.createdAt)))
        .map((m) => ({ id: m.id, startsAt: m.startsAt, status: by(m.startsAt) ? 'held' : 'scheduled', papersCirculatedOn: by(m.papersCirculatedOn) ? m.papersCirculatedOn : null, heldAt: null, createdAt: m.createdAt }))
    : [];
  const chairOn = visible.appointments ? record.chairAppointedOn.filter((d) => by(d)).sort()[0] ?? null : null;
  const trialEnded = visible.proceedings ? record.criminalConcludedOn.filter((d) => by(d)).sort() : [];
  const actions = visible.actions && stage === 'action_plan_monitoring' ? record.actions.map((a) => ({ ...a, completedOn: by(a.completedOn) ? a.completedOn : null })) : [];

  // The clocks as they ran then: planned from the record as it stood, "now" being the end of that day.
  const clocks = planClocks(
    { reviewId: record.id, reference: record.reference, notifiedOn: record.notifiedOn, guidanceVersion: record.guidanceVersion, status: stage, context, imrs, meetings, actions },
    londonInstant(asAt, '23:59'),
    rules,
  );
  const running = (kinds: string[]) =>
    clocks
      .filter((c: PlannedClock) => kinds.includes(c.kind) && (c.status === 'open' || c.status === 'paused'))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0] ?? null;

  let nextStep: ReviewAsAt['nextStep'] = null;
  if (currentHold) {
    nextStep = { text: 'resume the review when the hold ends', dueDate: currentHold.expectedEnd ? dayOf(currentHold.expectedEnd) : null };
  } else {
    const step = nextStepOf(stage, context, { imrsOutstanding: outstanding }, visible, board);
    if (step) {
      const clock = running(step.kinds);
      nextStep = { text: step.text, dueDate: clock ? dayOf(clock.dueAt) : null };
    }
  }

  // Key dates, in the order the committee reads them.
  const boardDates = context.stageHistory.filter((s) => s.stage === 'rag_sign_off').map((s) => dayOf(s.enteredAt));
  const decision = context.decision;
  const keyDates: KeyDate[] = [{ label: 'Notification', dates: [record.notifiedOn], text: dateInWords(record.notifiedOn) }];
  keyDates.push(
    decision
      ? { label: 'Decision', dates: [dayOf(decision.decidedAt)], text: `${dateInWords(decision.decidedAt)}: ${DECISION_OUTCOME_LABELS[decision.outcome]}` }
      : { label: 'Decision', dates: [], text: 'Not yet made' },
  );
  if (visible.appointments) keyDates.push({ label: 'Chair appointed', dates: chairOn ? [chairOn] : [], text: chairOn ? dateInWords(chairOn) : 'Not yet' });
  if (visible.meetings) keyDates.push({ label: 'Panel meetings held', dates: meetingsHeld, text: meetingsHeld.length ? datesInWordsList(meetingsHeld) : 'None yet' });
  if (visible.imrs) {
    keyDates.push({
      label: 'IMRs received',
      dates: received.map((i) => i.receivedOn as string),
      text:
        imrs.length === 0
          ? 'None requested yet'
          : `${received.length} of ${imrs.length}` + (received.length ? `: ${received.map((i) => `${i.agencyName} on ${dateInWords(i.receivedOn)}`).join('; ')}` : ''),
    });
  }
  const boardOutcomes = [
    ...context.ragReturns.map((r) => `returned on ${dateInWords(r.returnedAt)}`),
    ...(context.ragApproval ? [`approved on ${dateInWords(context.ragApproval.approvedAt)}`] : []),
  ];
  keyDates.push({
    label: `Report to the ${board}`,
    dates: boardDates,
    text: boardDates.length ? `${datesInWordsList(boardDates)}${boardOutcomes.length ? ` (${boardOutcomes.join('; ')})` : ''}` : 'Not yet',
  });
  keyDates.push({
    label: 'Home Office submissions and QA',
    dates: context.qaRounds.flatMap((r) => [dayOf(r.submittedAt), ...(r.letterDate ? [dayOf(r.letterDate)] : [])]),
    text: context.qaRounds.length
      ? context.qaRounds
          .map((r) => `Round ${r.round}: submitted ${dateInWords(r.submittedAt)}; ${r.outcome && r.letterDate ? `letter of ${dateInWords(r.letterDate)}: ${QA_OUTCOME_LABELS[r.outcome]}` : 'letter awaited'}`)
          .join('. ')
      : 'Not yet',
  });
  keyDates.push({
    label: 'Publication',
    dates: context.publication ? [dayOf(context.publication.publishedAt)] : [],
    text: context.publication ? dateInWords(context.publication.publishedAt) : 'Not yet',
  });

  // Milestones, in process order (a later one wins a tie on the same day).
  const milestones: Array<{ date: string; text: string }> = [{ date: record.notifiedOn, text: 'Notified to the partnership' }];
  if (decision) {
    const said = decision.directedBySecretaryOfState
      ? 'Review directed by the Secretary of State'
      : decision.outcome === 'not_proceed'
        ? 'Decision: the criteria for a review were not met'
        : 'Decision: the criteria for a review were met';
    milestones.push({ date: dayOf(decision.decidedAt), text: said });
  }
  if (context.homeOfficeNotification) milestones.push({ date: dayOf(context.homeOfficeNotification.sentAt), text: 'Home Office told of the decision' });
  if (chairOn) milestones.push({ date: chairOn, text: 'Independent chair appointed' });
  if (context.termsOfReference) milestones.push({ date: dayOf(context.termsOfReference.agreedAt), text: 'Terms of reference agreed' });
  for (const h of holds) {
    milestones.push({ date: h.from, text: `Put on hold (${h.reasonLabel.toLowerCase()})` });
    if (h.to) milestones.push({ date: h.to, text: 'Resumed after the hold' });
  }
  for (const i of received) milestones.push({ date: i.receivedOn as string, text: `IMR received from ${i.agencyName}` });
  for (const m of meetingsHeld) milestones.push({ date: m, text: 'Panel meeting held' });
  for (const s of context.stageHistory) {
    if (s.stage === 'drafting') milestones.push({ date: dayOf(s.enteredAt), text: 'Drafting of the overview report began' });
    if (s.stage === 'rag_sign_off') milestones.push({ date: dayOf(s.enteredAt), text: `Report presented to the ${board}` });
    if (s.stage === 'action_plan_monitoring') milestones.push({ date: dayOf(s.enteredAt), text: 'Action plan monitoring began' });
  }
  for (const r of context.ragReturns) milestones.push({ date: dayOf(r.returnedAt), text: `Report returned by the ${board}` });
  if (context.ragApproval) milestones.push({ date: dayOf(context.ragApproval.approvedAt), text: `Report approved by the ${board}` });
  for (const r of context.qaRounds) {
    milestones.push({ date: dayOf(r.submittedAt), text: r.round === 1 ? 'Submitted to the Home Office' : `Resubmitted to the Home Office (round ${r.round})` });
    if (r.outcome && r.letterDate) milestones.push({ date: dayOf(r.letterDate), text: `Home Office QA letter: ${QA_OUTCOME_LABELS[r.outcome].toLowerCase()}` });
  }
  if (context.publication) milestones.push({ date: dayOf(context.publication.publishedAt), text: 'Published' });
  if (context.closure) milestones.push({ date: dayOf(context.closure.closedAt), text: 'Closed' });
  if (context.withdrawal) milestones.push({ date: dayOf(context.withdrawal.withdrawnAt), text: 'Withdrawn' });
  const latest = milestones.reduce((best, m) => (m.date >= best.date ? m : best));

  const paragraph = paragraphOf({
    reference: record.reference,
    notifiedOn: record.notifiedOn,
    asAt,
    board,
    decision,
    chairOn,
    holds,
    imrs: visible.imrs ? { requested: imrs.length, received: received.map((i) => i.receivedOn as string) } : null,
    meetingsHeld: visible.meetings ? meetingsHeld : null,
    trialEnded,
    context,
    nextStep,
  });

  return {
    id: record.id,
    reference: record.reference,
    csp: { code: record.csp.code, name: record.csp.name },
    pseudonym: visible.pseudonym ? record.pseudonym : null,
    stage,
    stageLabel: `${STAGE_LABELS[stage]}${currentHold ? ' (on hold)' : ''}`,
    onHold: currentHold !== null,
    holds,
    keyDates,
    latestMilestone: latest,
    nextStep: nextStep ? { text: capitalised(nextStep.text), dueDate: nextStep.dueDate } : null,
    paragraph,
  };
}

interface ParagraphInput {
  reference: string;
  notifiedOn: string;
  asAt: string;
  board: string;
  decision: DecisionRecord | null;
  chairOn: string | null;
  holds: HoldAsAt[];
  imrs: { requested: number; received: string[] } | null;
  meetingsHeld: string[] | null;
  trialEnded: string[];
  context: ReviewContext;
  nextStep: { text: string; dueDate: string | null } | null;
}

/** The review's progress as an officer writes it for a committee (the Maldon report of 8 November 2017, §3.1.5). */
export function paragraphOf(p: ParagraphInput): string {
  const s: string[] = [];
  const d = dateInWords;
  const decided = p.decision
    ? p.decision.directedBySecretaryOfState
      ? ` and the Secretary of State directed on ${d(p.decision.decidedAt)} that a review be held.`
      : p.decision.outcome === 'not_proceed'
        ? ' and it was decided that the criteria for a review were not met.'
        : p.decision.outcome === 'joint_review'
          ? ' and the criteria for a review were met; it is being held jointly with another statutory review.'
          : ' and the criteria for a review were met.'
    : '; a decision on whether the criteria for a review are met is awaited.';
  s.push(`${p.reference} was notified on ${d(p.notifiedOn)}${decided}`);
  if (p.chairOn) s.push(`An independent chair was appointed on ${d(p.chairOn)}.`);
  for (const h of p.holds) {
    s.push(
      h.to
        ? `The review was on hold ${periodInWords(h.from, h.to)} because of ${HOLD_BECAUSE[h.reason]}.`
        : `The review has been on hold since ${d(h.from)} because of ${HOLD_BECAUSE[h.reason]}${h.expectedEnd ? `; the hold is expected to end on ${d(h.expectedEnd)}` : ''}.`,
    );
  }
  if (p.imrs && p.imrs.requested > 0) {
    const { requested, received } = p.imrs;
    const last = received[received.length - 1];
    if (received.length === requested) {
      s.push(
        requested === 1
          ? `The IMR requested was received on ${d(last)}.`
          : `${requested === 2 ? 'Both' : `All ${count(requested)}`} IMRs requested have been received, the last on ${d(last)}.`,
      );
    } else if (received.length === 0) {
      s.push(`${capitalised(count(requested))} ${requested === 1 ? 'IMR has' : 'IMRs have'} been requested and none has been received yet.`);
    } else {
      s.push(`${capitalised(count(received.length))} of the ${count(requested)} IMRs requested ${received.length === 1 ? 'has' : 'have'} been received.`);
    }
  }
  if (p.meetingsHeld && p.meetingsHeld.length > 0) {
    const held = p.meetingsHeld;
    let sentence = held.length === 1 ? `A panel meeting was held on ${d(held[0])}` : `Panel meetings were held on ${datesInWordsList(held)}`;
    const after = held.findIndex((m) => p.trialEnded.some((t) => t <= m && daysBetween(t, m) <= SHORTLY_AFTER_DAYS));
    if (after >= 0) sentence += held.length === 1 ? ', shortly after the criminal trial concluded' : `, the ${ordinal(after + 1)} shortly after the criminal trial concluded`;
    s.push(`${sentence}.`);
  }
  const ctx = p.context;
  const drafting = ctx.stageHistory.find((e) => e.stage === 'drafting');
  const boardRounds = ctx.stageHistory.filter((e) => e.stage === 'rag_sign_off');
  if (drafting && boardRounds.length === 0) s.push(`Drafting of the overview report began on ${d(drafting.enteredAt)}.`);
  boardRounds.forEach((round, i) => {
    s.push(i === 0 ? `The final report was presented to the ${p.board} on ${d(round.enteredAt)}.` : `The revised report was presented to the ${p.board} again on ${d(round.enteredAt)}.`);
    const returned = ctx.ragReturns.find((r) => dayOf(r.returnedAt) >= dayOf(round.enteredAt) && (boardRounds[i + 1] === undefined || dayOf(r.returnedAt) <= dayOf(boardRounds[i + 1].enteredAt)));
    if (returned) s.push(`The ${p.board} returned it for revision on ${d(returned.returnedAt)}.`);
  });
  if (ctx.ragApproval) s.push(`The ${p.board} approved it on ${d(ctx.ragApproval.approvedAt)}.`);
  for (const r of ctx.qaRounds) {
    const sent = `It was ${r.round === 1 ? 'submitted' : 'resubmitted'} to the Home Office on ${d(r.submittedAt)}`;
    if (!r.outcome || !r.letterDate) s.push(`${sent} and the Quality Assurance Panel’s answer is awaited.`);
    else if (r.outcome === 'resubmit') s.push(`${sent}; the Quality Assurance Panel’s letter of ${d(r.letterDate)} asked for it to be resubmitted.`);
    else s.push(`${sent}; the Quality Assurance Panel approved it for publication by its letter of ${d(r.letterDate)}${r.outcome === 'approved_with_development' ? ', with areas for final development' : ''}.`);
  }
  if (ctx.publication) s.push(`The overview report and executive summary were published on ${d(ctx.publication.publishedAt)}.`);
  if (ctx.withdrawal) s.push(`The review was withdrawn on ${d(ctx.withdrawal.withdrawnAt)}.`);
  if (ctx.closure) s.push(`The review was closed on ${d(ctx.closure.closedAt)}.`);
  if (p.nextStep) {
    const due = p.nextStep.dueDate;
    s.push(`The next step is to ${p.nextStep.text}${due ? (due >= p.asAt ? `, due by ${d(due)}` : `, which was due by ${d(due)}`) : ''}.`);
  }
  return s.join(' ');
}
