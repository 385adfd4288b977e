/**
 * Why an event is refused: the single source of truth for every guard.
 *
 * Each rule returns human-readable reasons; an empty list means allowed. The
 * machine's guards call these rules (a guard passes iff there is no reason),
 * and `describe()` calls the same rules so the API can show users why an
 * action is not available yet.
 *
 * Rules judge the lifecycle record (context), the case-file facts and the
 * time of the event. When a payload is supplied (an event is being applied)
 * they also check payload-dependent conditions (e.g. a joint review names the
 * other review); when describing, there is no payload and only the
 * state-dependent conditions are reported. Whether dates are in order (a
 * notice before its decision, a letter before its submission) is the
 * chronology's question, asked of every write in one place:
 * src/reviews/chronology.ts.
 *
 * Whether an event exists at all in a stage is a question for the machine's
 * structure, not for these rules (see lifecycle.ts).
 */
import { calendarDateOf, type ReviewEventPayload, type ReviewEventPayloadOf, type ReviewEventType } from './events';
import {
  currentHold,
  homeOfficeKnowsDecision,
  latestQaRound,
  type ReviewContext,
  type Stage,
} from './review-context';
import type { ReviewFacts } from './review-facts';

export interface RuleInput {
  readonly context: ReviewContext;
  /** The stage the review is in. Only stage-dependent rules (CLOSE) read it. */
  readonly stage: Stage | null;
  readonly facts: ReviewFacts;
  /** ISO instant of the event (server "now"). */
  readonly at: string;
  /** The event payload, when applying an event; absent when describing. */
  readonly payload?: ReviewEventPayload;
}

export type RefusalRule = (input: RuleInput) => string[];

const dateOf = calendarDateOf;

function payloadOf<T extends ReviewEventType>(input: RuleInput, type: T): ReviewEventPayloadOf<T> | null {
  const p = input.payload;
  return p !== undefined && p.type === type ? (p as ReviewEventPayloadOf<T>) : null;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The hold reason, or nothing: progress events are refused while on hold. */
export function holdReasons(context: ReviewContext): string[] {
  const hold = currentHold(context);
  if (!hold) return [];
  return [`The review is on hold (${hold.reason}) since ${dateOf(hold.startedAt)}`];
}

/** Reasons a finished review refuses hold and withdrawal. */
function finishedReasons(context: ReviewContext): string[] {
  if (context.withdrawal) return [`The review was withdrawn on ${dateOf(context.withdrawal.withdrawnAt)}`];
  if (context.closure) return [`The review was closed on ${dateOf(context.closure.closedAt)}`];
  return [];
}

const decide: RefusalRule = (input) => {
  const reasons = holdReasons(input.context);
  const decision = input.context.decision;
  if (decision) {
    reasons.push(`A decision (${decision.outcome}) was already recorded on ${decision.decidedAt}`);
  }
  const p = payloadOf(input, 'DECIDE');
  if (p && p.outcome === 'joint_review' && !p.jointWith) {
    reasons.push('A joint review must name the other review it is joined with');
  }
  return reasons;
};

/**
 * Telling the Home Office of the decision is a statutory duty and records
 * something that happened outside the review: it is NOT refused while the
 * review is on hold.
 */
const notifyHomeOffice: RefusalRule = (input) => {
  const { decision, homeOfficeNotification } = input.context;
  if (!decision) return ['No decision has been recorded yet'];
  if (decision.directedBySecretaryOfState) {
    return ['The Secretary of State directed this review, so the Home Office already knows of the decision'];
  }
  const reasons: string[] = [];
  if (homeOfficeNotification) {
    reasons.push(
      `The Home Office was already told of this decision on ${dateOf(homeOfficeNotification.sentAt)}`,
    );
  }
  return reasons;
};

const directReview: RefusalRule = (input) => {
  const reasons = holdReasons(input.context);
  const { decision, homeOfficeNotification } = input.context;
  if (!decision || decision.outcome !== 'not_proceed') {
    reasons.push('There is no decision not to proceed for the Secretary of State to overturn');
  } else if (!homeOfficeNotification) {
    reasons.push('The Home Office has not been told of the decision not to proceed');
  }
  return reasons;
};

const agreeTermsOfReference: RefusalRule = ({ context, facts }) => {
  const reasons = holdReasons(context);
  if (!facts.chairAppointed) reasons.push('An independent chair has not been appointed');
  if (facts.panelMemberCount < 1) reasons.push('No panel members have been appointed');
  if (!homeOfficeKnowsDecision(context)) {
    reasons.push('The Home Office has not been told of the decision to hold a review');
  }
  return reasons;
};

const beginDrafting: RefusalRule = ({ context, facts }) => {
  const reasons = holdReasons(context);
  if (facts.imrsCommissioned < 1) reasons.push('No IMR or short report has been commissioned');
  if (facts.imrsOutstanding > 0) {
    reasons.push(
      `${plural(facts.imrsOutstanding, 'commissioned IMR is', 'commissioned IMRs are')} neither received nor waived`,
    );
  }
  if (facts.meetingsConsideringImrs < 1) reasons.push('No panel meeting has considered the IMRs yet');
  return reasons;
};

const agreeReport: RefusalRule = ({ context, facts }) => {
  const reasons = holdReasons(context);
  if (!facts.draftOverviewReport) reasons.push('There is no draft overview report');
  if (!facts.draftExecutiveSummary) reasons.push('There is no draft executive summary');
  // `=== false`: facts stored before this fact existed do not have it, and are taken as met.
  if (facts.draftOverviewReport && facts.overviewReportRevisedSinceReturn === false) {
    const returned = context.ragReturns[context.ragReturns.length - 1];
    reasons.push(
      `No new version of the overview report has been uploaded since the board returned it${returned ? ` on ${dateOf(returned.returnedAt)}` : ''}`,
    );
  }
  if (facts.recommendationsCount < 1 && !facts.noRecommendationsReason) {
    reasons.push('No recommendations are recorded, and no reason for making none is recorded');
  }
  if (!facts.familyOfferedDraft) reasons.push('The family has not been offered the draft report');
  return reasons;
};

const ragApprove: RefusalRule = ({ context }) => {
  const reasons = holdReasons(context);
  if (context.ragApproval) {
    reasons.push(`The board (RAG) already approved this draft on ${dateOf(context.ragApproval.approvedAt)}`);
  }
  return reasons;
};

const ragReturn: RefusalRule = (input) => {
  const reasons = holdReasons(input.context);
  const approval = input.context.ragApproval;
  if (approval) reasons.push(`The board (RAG) already approved this draft on ${dateOf(approval.approvedAt)}`);
  const p = payloadOf(input, 'RAG_RETURN');
  if (p && p.comments.trim() === '') reasons.push("The board's comments are required to return the report");
  return reasons;
};

const submitToHomeOffice: RefusalRule = ({ context }) => {
  const reasons = holdReasons(context);
  if (!context.ragApproval) reasons.push('The board (RAG) has not approved the report');
  return reasons;
};

const recordQaOutcome: RefusalRule = (input) => {
  const reasons = holdReasons(input.context);
  const round = latestQaRound(input.context);
  if (!round || round.outcome !== null) {
    reasons.push('No submission to the Home Office is awaiting a QA outcome');
    return reasons;
  }
  return reasons;
};

const publish: RefusalRule = (input) => {
  const { context, facts } = input;
  const reasons = holdReasons(context);
  const round = latestQaRound(context);
  const approved =
    round !== null && (round.outcome === 'approved' || round.outcome === 'approved_with_development');
  if (!approved) reasons.push('The Home Office QA Panel has not approved the report for publication');
  if (facts.activeCriminalProceedings) {
    reasons.push('Criminal proceedings are still active; publication must wait until they have ended');
  }
  if (!facts.anonymisationConfirmed) reasons.push('Anonymisation of the report has not been confirmed');
  if (!facts.familyToldOfPublication) reasons.push('The family has not been told of the publication');
  return reasons;
};

const close: RefusalRule = ({ context, facts, stage }) => {
  const reasons = holdReasons(context);
  if (stage === 'not_proceeding') {
    if (!context.homeOfficeNotification) {
      reasons.push('The Home Office has not been told of the decision not to proceed');
    }
  } else if (stage === 'action_plan_monitoring') {
    if (facts.actionsIncomplete > 0) {
      reasons.push(
        `${facts.actionsIncomplete} of ${plural(facts.actionsTotal, 'action is', 'actions are')} not complete`,
      );
    } else if (facts.actionsTotal === 0 && facts.recommendationsCount > 0) {
      reasons.push(
        `The action plan has no actions for ${plural(facts.recommendationsCount, 'recommendation', 'recommendations')}`,
      );
    }
  } else {
    reasons.push(`CLOSE is not possible in stage ${stage ?? 'unknown'}`);
  }
  return reasons;
};

const placeOnHold: RefusalRule = (input) => {
  const { context } = input;
  const reasons = finishedReasons(context);
  const hold = currentHold(context);
  if (hold) reasons.push(`The review is already on hold (${hold.reason}) since ${dateOf(hold.startedAt)}`);
  // An expected end may be past: a hold recorded after the fact. (That it does not precede the
  // hold's start is a rule of the chronology, src/reviews/chronology.ts.)
  return reasons;
};

const resume: RefusalRule = ({ context }) => {
  const reasons = finishedReasons(context);
  if (!currentHold(context)) reasons.push('The review is not on hold');
  return reasons;
};

/** Withdrawal is allowed from every open stage, including while on hold. */
const withdraw: RefusalRule = (input) => {
  const reasons = finishedReasons(input.context);
  const p = payloadOf(input, 'WITHDRAW');
  if (p && p.reason.trim() === '') reasons.push('A reason for the withdrawal is required');
  return reasons;
};

/** The Home Office's reply agreeing with a "no": after it was told, once. */
const recordHomeOfficeAgreement: RefusalRule = ({ context, stage }) => {
  const reasons: string[] = [];
  if (context.decision?.outcome !== 'not_proceed') reasons.push('There is no decision not to hold a review for the Home Office to agree with');
  else if (!context.homeOfficeNotification) reasons.push('The Home Office has not been told of the decision not to proceed');
  const agreed = context.homeOfficeAgreement ?? null;
  if (agreed) reasons.push(`The Home Office's agreement was already recorded (received ${dateOf(agreed.receivedAt)})`);
  if (stage === 'closed' && context.closure?.fromStage !== 'not_proceeding') reasons.push('The review was not closed after a decision not to proceed');
  return reasons;
};

/** A closed or withdrawn review may be reopened (new information), with a reason. */
const reopen: RefusalRule = (input) => {
  const { context } = input;
  const reasons: string[] = [];
  if (!context.closure && !context.withdrawal) reasons.push('The review is neither closed nor withdrawn');
  const p = payloadOf(input, 'REOPEN');
  if (p && p.reason.trim() === '') reasons.push('A reason for reopening is required');
  return reasons;
};

/** One rule per event type. */
export const REFUSAL_RULES: { readonly [T in ReviewEventType]: RefusalRule } = {
  DECIDE: decide,
  NOTIFY_HOME_OFFICE: notifyHomeOffice,
  DIRECT_REVIEW: directReview,
  AGREE_TERMS_OF_REFERENCE: agreeTermsOfReference,
  BEGIN_DRAFTING: beginDrafting,
  AGREE_REPORT: agreeReport,
  RAG_APPROVE: ragApprove,
  RAG_RETURN: ragReturn,
  SUBMIT_TO_HOME_OFFICE: submitToHomeOffice,
  RECORD_QA_OUTCOME: recordQaOutcome,
  PUBLISH: publish,
  CLOSE: close,
  PLACE_ON_HOLD: placeOnHold,
  RESUME: resume,
  WITHDRAW: withdraw,
  RECORD_HOME_OFFICE_AGREEMENT: recordHomeOfficeAgreement,
  REOPEN: reopen,
};

/** Reasons `type` is refused now (empty = allowed by its guard). */
export function refusalReasons(type: ReviewEventType, input: RuleInput): string[] {
  return REFUSAL_RULES[type](input);
}
