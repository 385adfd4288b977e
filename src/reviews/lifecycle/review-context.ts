/**
 * Stages of a review and what the lifecycle itself records (the machine
 * context). Everything here is plain JSON: it is persisted as is.
 */

/** Stages in lifecycle order (the `status` the API reports). */
export const STAGES = [
  'notified',
  'not_proceeding',
  'establishing',
  'information_gathering',
  'drafting',
  'rag_sign_off',
  'home_office_qa',
  'awaiting_publication',
  'action_plan_monitoring',
  'closed',
  'withdrawn',
] as const;
export type Stage = (typeof STAGES)[number];

/** Stages after which nothing can happen. */
export const FINAL_STAGES = ['closed', 'withdrawn'] as const satisfies readonly Stage[];
export type FinalStage = (typeof FINAL_STAGES)[number];

/** Every stage that is not final: a review here can be held or withdrawn. */
export type OpenStage = Exclude<Stage, FinalStage>;
export const OPEN_STAGES: readonly OpenStage[] = STAGES.filter(
  (s): s is OpenStage => !(FINAL_STAGES as readonly string[]).includes(s),
);

/**
 * Stages where a review can legitimately rest for an open-ended time because
 * the next step belongs to someone outside the review team. Reaching one of
 * these and staying there is not a defect of the lifecycle; any other open
 * stage with no way forward would be.
 *
 * - `not_proceeding`: the CSP decided not to hold a review. The Home Office QA
 *   Panel examines every "no" and the Secretary of State may direct a review
 *   (DIRECT_REVIEW), so the case waits for the Home Office until the CSP
 *   closes it (CLOSE, once the Home Office has been told).
 * - `home_office_qa`: waits for the Home Office QA Panel's letter
 *   (RECORD_QA_OUTCOME). Rounds take months in practice.
 * - `awaiting_publication`: publication must wait until criminal proceedings
 *   have ended and the family has been told (PUBLISH guard).
 * - `action_plan_monitoring`: waits for the agencies to complete every action
 *   with evidence (CLOSE guard).
 */
export const WAITING_STAGES = [
  'not_proceeding',
  'home_office_qa',
  'awaiting_publication',
  'action_plan_monitoring',
] as const satisfies readonly OpenStage[];

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

export function isFinalStage(stage: Stage): stage is FinalStage {
  return (FINAL_STAGES as readonly string[]).includes(stage);
}

export const DECISION_OUTCOMES = ['proceed', 'not_proceed', 'joint_review'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

export const QA_OUTCOMES = ['approved', 'approved_with_development', 'resubmit'] as const;
export type QaOutcome = (typeof QA_OUTCOMES)[number];

export const HOLD_REASONS = ['criminal_proceedings', 'inquest', 'iopc', 'family', 'other'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** Every `recordedAt`/`...At` set from `event.at` is an ISO instant (server time). */
export interface DecisionRecord {
  readonly outcome: DecisionOutcome;
  readonly rationale: string;
  /** Date the CSP chair decided (client-supplied, not in the future). */
  readonly decidedAt: string;
  readonly jointWith: string | null;
  /** True when this "decision" is a direction by the Secretary of State. */
  readonly directedBySecretaryOfState: boolean;
  readonly recordedAt: string;
}

export interface HomeOfficeNotification {
  readonly sentAt: string;
  readonly recordedAt: string;
}

/** A decision replaced by a later one (a "no" overturned by a direction). */
export interface SupersededDecision {
  readonly decision: DecisionRecord;
  readonly homeOfficeNotification: HomeOfficeNotification | null;
  readonly supersededAt: string;
}

export interface DirectionRecord {
  readonly directedAt: string;
  readonly note: string | null;
  readonly recordedAt: string;
}

export interface TermsOfReferenceRecord {
  readonly agreedAt: string;
  readonly scopeStart: string | null;
  readonly scopeEnd: string | null;
  readonly recordedAt: string;
}

export interface RagApproval {
  readonly approvedAt: string;
  readonly comments: string | null;
  readonly recordedAt: string;
}

export interface RagReturn {
  readonly comments: string;
  readonly returnedAt: string;
}

export interface QaRound {
  /** 1 for the first submission, 2 for the first resubmission, ... */
  readonly round: number;
  readonly submittedAt: string;
  readonly recordedAt: string;
  readonly outcome: QaOutcome | null;
  readonly letterDate: string | null;
  readonly notes: string | null;
  readonly outcomeRecordedAt: string | null;
}

export interface PublicationRecord {
  readonly publishedAt: string;
  readonly url: string;
  readonly recordedAt: string;
}

export interface HoldPeriod {
  readonly reason: HoldReason;
  readonly detail: string;
  readonly expectedEnd: string | null;
  /** Stage the review was in when held (it keeps that stage while held). */
  readonly stage: OpenStage;
  readonly startedAt: string;
  /** Null while the hold is current. */
  readonly endedAt: string | null;
  readonly endedBy: 'resume' | 'withdrawal' | null;
  readonly resumeNote: string | null;
}

export interface WithdrawalRecord {
  readonly reason: string;
  readonly withdrawnAt: string;
  readonly fromStage: OpenStage;
}

export interface ClosureRecord {
  readonly closedAt: string;
  readonly fromStage: OpenStage;
}

/** The Home Office's reply agreeing with a decision not to hold a review. */
export interface HomeOfficeAgreement {
  readonly receivedAt: string;
  readonly note: string | null;
  readonly recordedAt: string;
}

/** A closed or withdrawn review taken up again; what ended it is kept here. */
export interface ReopeningRecord {
  readonly reason: string;
  readonly reopenedAt: string;
  readonly recordedAt: string;
  /** The stage it goes back to (the one it was closed or withdrawn from). */
  readonly toStage: OpenStage;
  readonly closure: ClosureRecord | null;
  readonly withdrawal: WithdrawalRecord | null;
}

export interface StageEntry {
  readonly stage: Stage;
  readonly enteredAt: string;
}

/** What the lifecycle records. JSON-serialisable: no Dates, no undefined. */
export interface ReviewContext {
  readonly openedAt: string;
  /** Every stage entered, in order, with the instant (for time-in-stage). */
  readonly stageHistory: readonly StageEntry[];
  /** The decision in force (null until DECIDE). */
  readonly decision: DecisionRecord | null;
  /** The Home Office was told of the decision in force (null until then). */
  readonly homeOfficeNotification: HomeOfficeNotification | null;
  readonly supersededDecisions: readonly SupersededDecision[];
  readonly direction: DirectionRecord | null;
  readonly termsOfReference: TermsOfReferenceRecord | null;
  /** Board approval of the current draft; cleared when the draft goes back. */
  readonly ragApproval: RagApproval | null;
  readonly ragReturns: readonly RagReturn[];
  readonly qaRounds: readonly QaRound[];
  readonly publication: PublicationRecord | null;
  readonly holds: readonly HoldPeriod[];
  readonly withdrawal: WithdrawalRecord | null;
  readonly closure: ClosureRecord | null;
  /** Absent in snapshots written before it existed: read with `?? null`. */
  readonly homeOfficeAgreement?: HomeOfficeAgreement | null;
  /** Absent in snapshots written before it existed: read with `?? []`. */
  readonly reopenings?: readonly ReopeningRecord[];
}

export function initialContext(at: string): ReviewContext {
  return {
    openedAt: at,
    stageHistory: [{ stage: 'notified', enteredAt: at }],
    decision: null,
    homeOfficeNotification: null,
    supersededDecisions: [],
    direction: null,
    termsOfReference: null,
    ragApproval: null,
    ragReturns: [],
    qaRounds: [],
    publication: null,
    holds: [],
    withdrawal: null,
    closure: null,
    homeOfficeAgreement: null,
    reopenings: [],
  };
}

/** The hold in force, if any (the last period, when it has not ended). */
export function currentHold(context: ReviewContext): HoldPeriod | null {
  const last = context.holds[context.holds.length - 1];
  return last && last.endedAt === null ? last : null;
}

/** The latest QA round, if any. */
export function latestQaRound(context: ReviewContext): QaRound | null {
  return context.qaRounds[context.qaRounds.length - 1] ?? null;
}

/**
 * The Home Office knows of the decision in force: it was notified, or the
 * decision is its own (a direction by the Secretary of State).
 */
export function homeOfficeKnowsDecision(context: ReviewContext): boolean {
  return (
    context.decision !== null &&
    (context.homeOfficeNotification !== null || context.decision.directedBySecretaryOfState)
  );
}
