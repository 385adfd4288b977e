/**
 * The chronology of a review: which dated facts may not precede which, written down once.
 *
 * Every write that changes a review (a lifecycle event, a case-file change, a correction, an
 * import) is checked against these rules before it commits (ReviewLifecycleService and
 * CaseFileTransactions call `assertChronology`). Facts are compared as calendar dates in
 * Europe/London: two things on the same day are in order either way.
 *
 * A rule names two kinds of fact, `earlier` and `later`. When both kinds belong to a record
 * (an IMR's request and its receipt), the rule compares the facts of the same record only.
 */
import { RequestValidationError } from '../infrastructure/http/errors';
import { businessDate } from './lifecycle/events';
import type { ReviewContext, Stage } from './lifecycle/review-context';

export const FACT_KINDS = {
  death: { label: 'the death', field: 'dateOfDeath' },
  notification: { label: 'the notification to the CSP', field: 'notifiedOn' },
  decision: { label: 'the decision whether to hold a review', field: 'decidedAt' },
  homeOfficeTold: { label: 'the notice of the decision to the Home Office', field: 'sentAt' },
  refusal: { label: 'the decision not to hold a review', field: 'decidedAt' },
  refusalToldHomeOffice: { label: 'the notice to the Home Office of the decision not to hold a review', field: 'sentAt' },
  direction: { label: "the Secretary of State's direction to hold a review", field: 'directedAt' },
  homeOfficeAgreement: { label: "the Home Office's reply agreeing not to review", field: 'receivedAt' },
  chairAppointed: { label: 'the first appointment of the independent chair', field: 'appointedOn' },
  appointment: { label: 'the appointment', field: 'appointedOn' },
  appointmentEnded: { label: 'the end of the appointment', field: 'endedOn' },
  termsOfReference: { label: 'the agreement of the terms of reference', field: 'agreedAt' },
  panelMemberJoined: { label: 'the panel member joining', field: 'joinedOn' },
  panelMemberLeft: { label: 'the panel member leaving', field: 'leftOn' },
  scopingResponse: { label: "the agency's scoping response", field: 'respondedOn' },
  recordsSecured: { label: 'the securing of records', field: 'confirmedOn' },
  imrRequested: { label: 'the request for the IMR', field: 'requestedOn' },
  imrExtended: { label: 'the extension of the IMR', field: 'grantedOn' },
  imrReceived: { label: 'the receipt of the IMR', field: 'receivedOn' },
  imrQualityChecked: { label: 'the quality check of the IMR', field: 'checkedOn' },
  imrSignedOff: { label: 'the sign-off of the IMR', field: 'signedOffOn' },
  lastImrReceived: { label: 'the receipt of the last IMR', field: 'receivedOn' },
  meetingStarts: { label: 'the panel meeting', field: 'startsAt' },
  familyContact: { label: 'the contact with the family', field: 'occurredOn' },
  actionCompleted: { label: 'the completion of the action', field: 'completedOn' },
  stageEntered: { label: 'this step of the review', field: 'occurredAt' },
  previousStageEntered: { label: 'the step before it', field: 'occurredAt' },
  draftingBegun: { label: 'the start of drafting', field: 'occurredAt' },
  panelAgreedReport: { label: "the panel's agreement of the report", field: 'occurredAt' },
  boardApproval: { label: "the board's (RAG) approval", field: 'approvedAt' },
  submission: { label: 'the submission to the Home Office', field: 'submittedAt' },
  qaLetter: { label: "the Home Office QA panel's letter", field: 'letterDate' },
  qaApproval: { label: "the Home Office QA panel's approval", field: 'letterDate' },
  publication: { label: 'the publication', field: 'publishedAt' },
  holdStarted: { label: 'the start of the hold', field: 'occurredAt' },
  holdExpectedEnd: { label: 'the expected end of the hold', field: 'expectedEnd' },
  holdEnded: { label: 'the end of the hold', field: 'occurredAt' },
  previousHoldEnded: { label: 'the end of the previous hold', field: 'occurredAt' },
} as const;
export type FactKind = keyof typeof FACT_KINDS;

export interface DatedFact {
  readonly kind: FactKind;
  /** London calendar date, YYYY-MM-DD. */
  readonly date: string;
  /** The record it belongs to (an IMR, a hold...), when the rule pairs facts of one record. */
  readonly subject?: string;
}

export interface ChronologyRule {
  readonly earlier: FactKind;
  readonly later: FactKind;
  /** Compare only facts of the same record. */
  readonly sameSubject?: boolean;
}

/** The rules: `later` may not be dated before `earlier`. */
export const CHRONOLOGY_RULES: readonly ChronologyRule[] = [
  // The notification and the decision
  { earlier: 'death', later: 'notification' },
  { earlier: 'notification', later: 'decision' },
  { earlier: 'decision', later: 'homeOfficeTold' },
  { earlier: 'notification', later: 'refusal' },
  { earlier: 'refusal', later: 'refusalToldHomeOffice' },
  { earlier: 'refusal', later: 'direction' },
  { earlier: 'refusalToldHomeOffice', later: 'direction' },
  { earlier: 'homeOfficeTold', later: 'homeOfficeAgreement' },
  // Setting the review up
  { earlier: 'notification', later: 'appointment' },
  { earlier: 'appointment', later: 'appointmentEnded', sameSubject: true },
  { earlier: 'decision', later: 'termsOfReference' },
  { earlier: 'chairAppointed', later: 'termsOfReference' },
  { earlier: 'notification', later: 'panelMemberJoined' },
  { earlier: 'panelMemberJoined', later: 'panelMemberLeft', sameSubject: true },
  { earlier: 'notification', later: 'scopingResponse' },
  { earlier: 'notification', later: 'recordsSecured' },
  { earlier: 'notification', later: 'familyContact' },
  // IMRs
  { earlier: 'notification', later: 'imrRequested' },
  { earlier: 'imrRequested', later: 'imrExtended', sameSubject: true },
  { earlier: 'imrRequested', later: 'imrReceived', sameSubject: true },
  { earlier: 'imrReceived', later: 'imrQualityChecked', sameSubject: true },
  { earlier: 'imrQualityChecked', later: 'imrSignedOff', sameSubject: true },
  { earlier: 'imrReceived', later: 'imrSignedOff', sameSubject: true },
  // Meetings
  { earlier: 'notification', later: 'meetingStarts' },
  // The report
  { earlier: 'lastImrReceived', later: 'draftingBegun' },
  { earlier: 'draftingBegun', later: 'panelAgreedReport' },
  { earlier: 'panelAgreedReport', later: 'boardApproval' },
  { earlier: 'boardApproval', later: 'submission', sameSubject: true },
  { earlier: 'submission', later: 'qaLetter', sameSubject: true },
  { earlier: 'qaApproval', later: 'publication' },
  { earlier: 'notification', later: 'actionCompleted' },
  // The stages follow one another; holds neither overlap nor run backwards
  { earlier: 'previousStageEntered', later: 'stageEntered', sameSubject: true },
  { earlier: 'notification', later: 'holdStarted' },
  { earlier: 'holdStarted', later: 'holdExpectedEnd', sameSubject: true },
  { earlier: 'holdStarted', later: 'holdEnded', sameSubject: true },
  { earlier: 'previousHoldEnded', later: 'holdStarted', sameSubject: true },
];

/** One broken rule: both facts with their dates. */
export interface ConflictSide {
  readonly kind: FactKind;
  readonly fact: string;
  readonly field: string;
  readonly date: string;
  readonly subject?: string;
}

export interface ChronologyConflict {
  readonly earlier: ConflictSide;
  readonly later: ConflictSide;
  readonly subject?: string;
  readonly message: string;
}

function conflictKey(c: ChronologyConflict): string {
  return `${c.earlier.fact}|${c.earlier.date}|${c.later.fact}|${c.later.date}|${c.subject ?? ''}`;
}

/** Every pair of facts that breaks a rule. */
export function chronologyConflicts(facts: readonly DatedFact[]): ChronologyConflict[] {
  const byKind = new Map<FactKind, DatedFact[]>();
  for (const f of facts) {
    const list = byKind.get(f.kind) ?? [];
    list.push(f);
    byKind.set(f.kind, list);
  }
  const conflicts: ChronologyConflict[] = [];
  for (const rule of CHRONOLOGY_RULES) {
    for (const a of byKind.get(rule.earlier) ?? []) {
      for (const b of byKind.get(rule.later) ?? []) {
        if (rule.sameSubject && a.subject !== b.subject) continue;
        if (b.date >= a.date) continue;
        const side = (f: DatedFact): ConflictSide => ({
          kind: f.kind,
          fact: FACT_KINDS[f.kind].label,
          field: FACT_KINDS[f.kind].field,
          date: f.date,
          ...(f.subject !== undefined ? { subject: f.subject } : {}),
        });
        const earlier = side(a);
        const later = side(b);
        conflicts.push({
          earlier,
          later,
          ...(b.subject !== undefined ? { subject: b.subject } : {}),
          message: `${capitalise(later.fact)} (${later.date}) cannot be before ${earlier.fact} (${earlier.date})`,
        });
      }
    }
  }
  // One line per broken pair, even when a fact is held twice (a stage entered twice). The steps'
  // order is the backstop: said only when no rule about the facts themselves says it already.
  const unique = [...new Map(conflicts.map((c) => [conflictKey(c), c])).values()];
  const specific = unique.filter((c) => c.later.kind !== 'stageEntered');
  return specific.length > 0 ? specific : unique;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** 400 naming both facts and both dates of every rule the write would break. */
export class ChronologyError extends RequestValidationError {
  constructor(readonly conflicts: readonly (ChronologyConflict & { written?: 'earlier' | 'later' })[]) {
    // Each field problem reads after the field's name ("Date of the quality check must not be
    // before the receipt of the IMR (2026-04-10); ..."); `chronology` has the whole sentences.
    super(
      conflicts.map((c) =>
        c.written === 'earlier'
          ? { field: c.earlier.field, message: `must not be after ${c.later.fact} (${c.later.date}); ${c.earlier.fact} is dated ${c.earlier.date}` }
          : { field: c.later.field, message: `must not be before ${c.earlier.fact} (${c.earlier.date}); ${c.later.fact} is dated ${c.later.date}` },
      ),
    );
    Object.assign(this.getResponse() as object, { error: 'Bad Request', chronology: conflicts });
  }
}

/**
 * Refuses a write that breaks the chronology. Only conflicts the write brings in are refused:
 * a review stored before a rule existed is not frozen by it (`before` holds what was there).
 */
export function assertChronology(
  after: readonly DatedFact[],
  before: () => readonly DatedFact[] | Promise<readonly DatedFact[]>,
): Promise<void> | void {
  const found = chronologyConflicts(after);
  if (found.length === 0) return;
  return Promise.resolve(before()).then((facts) => {
    const known = new Set(chronologyConflicts(facts).map(conflictKey));
    const fresh = found.filter((c) => !known.has(conflictKey(c)));
    if (fresh.length === 0) return;
    // Name the field of the fact this write brought in: the later one, unless it was there before.
    const had = new Set(facts.map((f) => `${f.kind}|${f.subject ?? ''}|${f.date}`));
    const hadSide = (x: ConflictSide) => had.has(`${x.kind}|${x.subject ?? ''}|${x.date}`);
    throw new ChronologyError(fresh.map((c) => ({ ...c, written: hadSide(c.later) && !hadSide(c.earlier) ? 'earlier' : 'later' })));
  });
}

/**
 * Refuses one pair out of order before it is written, for a record whose table also holds the
 * rule as a constraint (an appointment's end, a member's leaving): the same 400, from the same
 * words, rather than the database's refusal.
 */
export function assertInOrder(earlier: DatedFact, later: DatedFact): void {
  const found = chronologyConflicts([earlier, later]);
  if (found.length > 0) throw new ChronologyError(found);
}

/** Calendar date (London) of a date or instant. */
export function dayOf(value: string | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return businessDate(typeof value === 'string' ? new Date(value) : value);
}

/** The dated facts the lifecycle record holds. */
export function lifecycleFacts(context: ReviewContext): DatedFact[] {
  const facts: DatedFact[] = [];
  const d = context.decision;
  if (d && !d.directedBySecretaryOfState) facts.push({ kind: 'decision', date: dayOf(d.decidedAt) });
  if (d?.outcome === 'not_proceed') facts.push({ kind: 'refusal', date: dayOf(d.decidedAt) });
  if (context.homeOfficeNotification) {
    facts.push({ kind: 'homeOfficeTold', date: dayOf(context.homeOfficeNotification.sentAt) });
    if (d?.outcome === 'not_proceed') facts.push({ kind: 'refusalToldHomeOffice', date: dayOf(context.homeOfficeNotification.sentAt) });
  }
  for (const s of context.supersededDecisions) {
    if (s.decision.outcome !== 'not_proceed') continue;
    facts.push({ kind: 'refusal', date: dayOf(s.decision.decidedAt) });
    if (s.homeOfficeNotification) facts.push({ kind: 'refusalToldHomeOffice', date: dayOf(s.homeOfficeNotification.sentAt) });
  }
  if (context.direction) facts.push({ kind: 'direction', date: dayOf(context.direction.directedAt) });
  const agreement = context.homeOfficeAgreement ?? null;
  if (agreement) facts.push({ kind: 'homeOfficeAgreement', date: dayOf(agreement.receivedAt) });
  if (context.termsOfReference) facts.push({ kind: 'termsOfReference', date: dayOf(context.termsOfReference.agreedAt) });
  // Stage entries in order; the report's own steps are stage entries too.
  const entries = context.stageHistory;
  entries.forEach((entry, i) => {
    const date = dayOf(entry.enteredAt);
    if (i > 0) {
      facts.push({ kind: 'stageEntered', date, subject: `stage-${i}` });
      facts.push({ kind: 'previousStageEntered', date: dayOf(entries[i - 1]!.enteredAt), subject: `stage-${i}` });
    }
    const previous: Stage | undefined = entries[i - 1]?.stage;
    if (entry.stage === 'drafting' && previous === 'information_gathering') facts.push({ kind: 'draftingBegun', date });
    if (entry.stage === 'rag_sign_off') facts.push({ kind: 'panelAgreedReport', date });
  });
  if (context.ragApproval) {
    // The approval in force answers the latest submission, or the next one while the report
    // still waits at sign-off (an earlier round answered an earlier approval).
    const atSignOff = entries[entries.length - 1]?.stage === 'rag_sign_off';
    const round = context.qaRounds.length + (atSignOff ? 1 : 0);
    facts.push({ kind: 'boardApproval', date: dayOf(context.ragApproval.approvedAt), subject: `qa-${round}` });
  }
  context.qaRounds.forEach((round, i) => {
    const subject = `qa-${i + 1}`;
    // The latest submission answers the approval in force; earlier rounds answered earlier ones.
    facts.push({ kind: 'submission', date: dayOf(round.submittedAt), subject });
    if (round.letterDate) facts.push({ kind: 'qaLetter', date: dayOf(round.letterDate), subject });
  });
  const last = context.qaRounds[context.qaRounds.length - 1];
  if (last?.letterDate && last.outcome !== 'resubmit') facts.push({ kind: 'qaApproval', date: dayOf(last.letterDate) });
  if (context.publication) facts.push({ kind: 'publication', date: dayOf(context.publication.publishedAt) });
  context.holds.forEach((hold, i) => {
    const subject = `hold-${i + 1}`;
    facts.push({ kind: 'holdStarted', date: dayOf(hold.startedAt), subject });
    if (hold.expectedEnd) facts.push({ kind: 'holdExpectedEnd', date: hold.expectedEnd, subject });
    if (hold.endedAt) facts.push({ kind: 'holdEnded', date: dayOf(hold.endedAt), subject });
    const previous = context.holds[i - 1];
    if (previous?.endedAt) facts.push({ kind: 'previousHoldEnded', date: dayOf(previous.endedAt), subject });
  });
  return facts;
}

/**
 * The last IMR in before drafting began: the latest receipt of the IMRs requested by then (an
 * IMR commissioned later, during drafting, does not make drafting premature).
 */
export function lastImrBeforeDrafting(facts: readonly DatedFact[]): DatedFact[] {
  const drafting = facts.find((f) => f.kind === 'draftingBegun');
  if (!drafting) return [];
  const requested = new Map(facts.filter((f) => f.kind === 'imrRequested').map((f) => [f.subject, f.date]));
  const received = facts.filter((f) => f.kind === 'imrReceived' && (requested.get(f.subject) ?? '9999') <= drafting.date);
  if (received.length === 0) return [];
  const last = received.reduce((a, b) => (b.date > a.date ? b : a));
  return [{ kind: 'lastImrReceived', date: last.date }];
}
