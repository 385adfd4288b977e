/**
 * The statechart of a Domestic Homicide Review (domain reference, section 3).
 *
 * Shape:
 *
 *   review
 *   ├─ open (parallel)
 *   │  ├─ stage: notified → (DECIDE) → not_proceeding | establishing →
 *   │  │         information_gathering → drafting ⇄ rag_sign_off →
 *   │  │         home_office_qa (→ drafting on resubmit) → awaiting_publication →
 *   │  │         action_plan_monitoring
 *   │  └─ hold:  active ⇄ onHold   (PLACE_ON_HOLD / RESUME)
 *   ├─ closed     (REOPEN → the stage it was closed from)
 *   └─ withdrawn  (REOPEN → the stage it was withdrawn from)
 *
 * Holding is orthogonal to the stage: a held review keeps its stage, and every
 * rule of a progress event refuses while a hold is current (see
 * guard-reasons.ts). The ending stages live outside `open`, so reaching them
 * leaves both regions: a closed or withdrawn review cannot be held and has no
 * hold in force; the only way out is REOPEN (new information), back into the
 * stage it ended from. WITHDRAW is declared once, on `open`, and is therefore
 * available from every open stage, held or not.
 *
 * Time: `event.at` is when the event happened (its own date, or now), and
 * `event.recordedAt` when it was entered. Stage entries, holds, closures and
 * withdrawals take `at`; the `recordedAt` fields take `recordedAt`.
 *
 * Every guard asks the event's refusal rule (guard-reasons.ts) through
 * `isPermitted`; `permittedDecision` and `permittedQaOutcome` additionally
 * route an accepted event to its target by the payload's outcome. No delays or timers: time enters only as `event.at`.
 *
 * Bump REVIEW_MACHINE_VERSION whenever a persisted snapshot of the previous
 * version would not be read correctly by this definition (renamed/removed
 * states, changed context), and add a migration in lifecycle.ts.
 */
import { assign, setup } from 'xstate';
import { OPEN_STAGES } from './review-context';
import { calendarDateOf, type ReviewEvent, type ReviewEventOf, type ReviewEventType } from './events';
import { refusalReasons } from './guard-reasons';
import {
  currentHold,
  initialContext,
  type DecisionOutcome,
  type HoldPeriod,
  type OpenStage,
  type QaOutcome,
  type ReviewContext,
  type Stage,
} from './review-context';

export const REVIEW_MACHINE_VERSION = 1;

export interface ReviewMachineInput {
  /** ISO instant the review was opened (notification recorded). */
  readonly at: string;
}

/** When the event was entered (the envelope's recordedAt; `at` for callers that give none). */
function recordedAtOf(event: ReviewEvent): string {
  return event.recordedAt ?? event.at;
}

function eventOf<T extends ReviewEventType>(event: ReviewEvent, type: T): ReviewEventOf<T> {
  if (event.type !== type) {
    throw new Error(`Lifecycle action for ${type} received ${event.type}`);
  }
  return event as ReviewEventOf<T>;
}

/** The stage the review is in, from the record kept by `enterStage`. */
function stageOf(context: ReviewContext): OpenStage {
  const last = context.stageHistory[context.stageHistory.length - 1];
  if (!last || last.stage === 'closed' || last.stage === 'withdrawn') {
    throw new Error('Lifecycle: no open stage recorded');
  }
  return last.stage;
}

function endCurrentHold(
  context: ReviewContext,
  at: string,
  endedBy: 'resume' | 'withdrawal',
  note: string | null,
): readonly HoldPeriod[] {
  const hold = currentHold(context);
  if (!hold) return context.holds;
  const ended: HoldPeriod = { ...hold, endedAt: at, endedBy, resumeNote: note };
  return [...context.holds.slice(0, -1), ended];
}

/** A guard passes iff the event's refusal rule gives no reason. */
function isPermitted(context: ReviewContext, event: ReviewEvent, stage: Stage | null): boolean {
  return (
    refusalReasons(event.type, { context, stage, facts: event.facts, at: event.at, payload: event }).length === 0
  );
}

const permitted = (stage: Stage | null) => ({ type: 'permitted', params: { stage } }) as const;

/** REOPEN goes back to the stage the review was closed or withdrawn from: one transition per stage. */
const reopenTransitions = (ending: 'closure' | 'withdrawal') =>
  OPEN_STAGES.map((to) => ({
    guard: { type: 'permittedReopen' as const, params: { ending, to } },
    target: `#review.open.stage.${to}`,
    actions: { type: 'recordReopening' as const, params: { to } },
  }));
const enter = (stage: Stage) => ({ type: 'enterStage', params: { stage } }) as const;

export const reviewMachine = setup({
  types: {
    context: {} as ReviewContext,
    events: {} as ReviewEvent,
    input: {} as ReviewMachineInput,
  },
  guards: {
    permitted: ({ context, event }, params: { stage: Stage | null }) =>
      isPermitted(context, event, params.stage),
    /** Permitted, and the decision is `outcome` (routes DECIDE). */
    permittedDecision: ({ context, event }, params: { outcome: DecisionOutcome }) =>
      event.type === 'DECIDE' && event.outcome === params.outcome && isPermitted(context, event, 'notified'),
    /** Permitted, and the review ended (closure or withdrawal) from stage `to`. */
    permittedReopen: ({ context, event }, params: { ending: 'closure' | 'withdrawal'; to: OpenStage }) =>
      event.type === 'REOPEN' &&
      context[params.ending]?.fromStage === params.to &&
      isPermitted(context, event, params.ending === 'closure' ? 'closed' : 'withdrawn'),
    /** Permitted, and the QA outcome is `outcome` (routes RECORD_QA_OUTCOME). */
    permittedQaOutcome: ({ context, event }, params: { outcome: QaOutcome }) =>
      event.type === 'RECORD_QA_OUTCOME' &&
      event.outcome === params.outcome &&
      isPermitted(context, event, 'home_office_qa'),
  },
  actions: {
    enterStage: assign(({ context, event }, params: { stage: Stage }) => ({
      stageHistory: [...context.stageHistory, { stage: params.stage, enteredAt: event.at }],
    })),
    recordDecision: assign(({ event }) => {
      const e = eventOf(event, 'DECIDE');
      return {
        decision: {
          outcome: e.outcome,
          rationale: e.rationale,
          decidedAt: e.decidedAt,
          jointWith: e.jointWith ?? null,
          directedBySecretaryOfState: false,
          recordedAt: recordedAtOf(e),
        },
      };
    }),
    recordHomeOfficeNotification: assign(({ event }) => {
      const e = eventOf(event, 'NOTIFY_HOME_OFFICE');
      return { homeOfficeNotification: { sentAt: e.sentAt, recordedAt: recordedAtOf(e) } };
    }),
    /**
     * A direction by the Secretary of State replaces the "no" with a decision
     * to hold a review. The Home Office is the author of that decision, so no
     * separate notification is needed before terms of reference
     * (homeOfficeKnowsDecision). The overturned decision and its notification
     * are kept in `supersededDecisions`.
     */
    recordDirection: assign(({ context, event }) => {
      const e = eventOf(event, 'DIRECT_REVIEW');
      const superseded = context.decision
        ? [
            ...context.supersededDecisions,
            {
              decision: context.decision,
              homeOfficeNotification: context.homeOfficeNotification,
              supersededAt: e.at,
            },
          ]
        : context.supersededDecisions;
      return {
        supersededDecisions: superseded,
        decision: {
          outcome: 'proceed' as const,
          rationale: e.note ?? 'Review directed by the Secretary of State',
          decidedAt: calendarDateOf(e.directedAt),
          jointWith: null,
          directedBySecretaryOfState: true,
          recordedAt: recordedAtOf(e),
        },
        homeOfficeNotification: null,
        direction: { directedAt: e.directedAt, note: e.note ?? null, recordedAt: recordedAtOf(e) },
      };
    }),
    recordTermsOfReference: assign(({ event }) => {
      const e = eventOf(event, 'AGREE_TERMS_OF_REFERENCE');
      return {
        termsOfReference: {
          agreedAt: e.agreedAt,
          scopeStart: e.scopeStart ?? null,
          scopeEnd: e.scopeEnd ?? null,
          recordedAt: recordedAtOf(e),
        },
      };
    }),
    recordRagApproval: assign(({ event }) => {
      const e = eventOf(event, 'RAG_APPROVE');
      return {
        ragApproval: { approvedAt: e.approvedAt ?? e.at, comments: e.comments ?? null, recordedAt: recordedAtOf(e) },
      };
    }),
    recordRagReturn: assign(({ context, event }) => {
      const e = eventOf(event, 'RAG_RETURN');
      return {
        ragApproval: null,
        ragReturns: [...context.ragReturns, { comments: e.comments, returnedAt: e.at }],
      };
    }),
    recordSubmission: assign(({ context, event }) => {
      const e = eventOf(event, 'SUBMIT_TO_HOME_OFFICE');
      return {
        qaRounds: [
          ...context.qaRounds,
          {
            round: context.qaRounds.length + 1,
            submittedAt: e.submittedAt,
            recordedAt: recordedAtOf(e),
            outcome: null,
            letterDate: null,
            notes: null,
            outcomeRecordedAt: null,
          },
        ],
      };
    }),
    /** A resubmission sends the report back through the board as well. */
    recordQaOutcome: assign(({ context, event }) => {
      const e = eventOf(event, 'RECORD_QA_OUTCOME');
      const last = context.qaRounds[context.qaRounds.length - 1];
      if (!last) throw new Error('Lifecycle: QA outcome without a submission');
      return {
        qaRounds: [
          ...context.qaRounds.slice(0, -1),
          { ...last, outcome: e.outcome, letterDate: e.letterDate, notes: e.notes ?? null, outcomeRecordedAt: recordedAtOf(e) },
        ],
        ragApproval: e.outcome === 'resubmit' ? null : context.ragApproval,
      };
    }),
    recordPublication: assign(({ event }) => {
      const e = eventOf(event, 'PUBLISH');
      return { publication: { publishedAt: e.publishedAt, url: e.url, recordedAt: recordedAtOf(e) } };
    }),
    recordHomeOfficeAgreement: assign(({ event }) => {
      const e = eventOf(event, 'RECORD_HOME_OFFICE_AGREEMENT');
      return { homeOfficeAgreement: { receivedAt: e.receivedAt, note: e.note ?? null, recordedAt: recordedAtOf(e) } };
    }),
    /**
     * Reopening keeps what ended the review in `reopenings` and clears it. The stage it goes
     * back to records its own entry (entry action), except `notified`, which has none.
     */
    recordReopening: assign(({ context, event }, params: { to: OpenStage }) => {
      const e = eventOf(event, 'REOPEN');
      return {
        reopenings: [
          ...(context.reopenings ?? []),
          {
            reason: e.reason,
            reopenedAt: e.at,
            recordedAt: recordedAtOf(e),
            toStage: params.to,
            closure: context.closure,
            withdrawal: context.withdrawal,
          },
        ],
        closure: null,
        withdrawal: null,
        stageHistory:
          params.to === 'notified' ? [...context.stageHistory, { stage: 'notified' as const, enteredAt: e.at }] : context.stageHistory,
      };
    }),
    recordClosure: assign(({ event }, params: { from: OpenStage }) => {
      const e = eventOf(event, 'CLOSE');
      return { closure: { closedAt: e.at, fromStage: params.from } };
    }),
    startHold: assign(({ context, event }) => {
      const e = eventOf(event, 'PLACE_ON_HOLD');
      const period: HoldPeriod = {
        reason: e.reason,
        detail: e.detail,
        expectedEnd: e.expectedEnd ?? null,
        stage: stageOf(context),
        startedAt: e.at,
        endedAt: null,
        endedBy: null,
        resumeNote: null,
      };
      return { holds: [...context.holds, period] };
    }),
    endHold: assign(({ context, event }) => {
      const e = eventOf(event, 'RESUME');
      return { holds: endCurrentHold(context, e.at, 'resume', e.note ?? null) };
    }),
    /** Withdrawing a held review ends the hold at the same instant. */
    recordWithdrawal: assign(({ context, event }) => {
      const e = eventOf(event, 'WITHDRAW');
      return {
        withdrawal: { reason: e.reason, withdrawnAt: e.at, fromStage: stageOf(context) },
        holds: endCurrentHold(context, e.at, 'withdrawal', null),
      };
    }),
  },
}).createMachine({
  id: 'review',
  context: ({ input }) => initialContext(input.at),
  initial: 'open',
  states: {
    open: {
      type: 'parallel',
      on: {
        WITHDRAW: { guard: permitted(null), target: '#review.withdrawn', actions: 'recordWithdrawal' },
      },
      states: {
        stage: {
          initial: 'notified',
          states: {
            notified: {
              on: {
                DECIDE: [
                  {
                    guard: { type: 'permittedDecision', params: { outcome: 'not_proceed' } },
                    target: 'not_proceeding',
                    actions: 'recordDecision',
                  },
                  // proceed and joint_review
                  { guard: permitted('notified'), target: 'establishing', actions: 'recordDecision' },
                ],
              },
            },
            not_proceeding: {
              entry: enter('not_proceeding'),
              on: {
                NOTIFY_HOME_OFFICE: { guard: permitted('not_proceeding'), actions: 'recordHomeOfficeNotification' },
                RECORD_HOME_OFFICE_AGREEMENT: { guard: permitted('not_proceeding'), actions: 'recordHomeOfficeAgreement' },
                DIRECT_REVIEW: { guard: permitted('not_proceeding'), target: 'establishing', actions: 'recordDirection' },
                CLOSE: {
                  guard: permitted('not_proceeding'),
                  target: '#review.closed',
                  actions: { type: 'recordClosure', params: { from: 'not_proceeding' } },
                },
              },
            },
            establishing: {
              entry: enter('establishing'),
              on: {
                NOTIFY_HOME_OFFICE: { guard: permitted('establishing'), actions: 'recordHomeOfficeNotification' },
                AGREE_TERMS_OF_REFERENCE: {
                  guard: permitted('establishing'),
                  target: 'information_gathering',
                  actions: 'recordTermsOfReference',
                },
              },
            },
            information_gathering: {
              entry: enter('information_gathering'),
              on: {
                BEGIN_DRAFTING: { guard: permitted('information_gathering'), target: 'drafting' },
              },
            },
            drafting: {
              entry: enter('drafting'),
              on: {
                AGREE_REPORT: { guard: permitted('drafting'), target: 'rag_sign_off' },
              },
            },
            rag_sign_off: {
              entry: enter('rag_sign_off'),
              on: {
                RAG_APPROVE: { guard: permitted('rag_sign_off'), actions: 'recordRagApproval' },
                RAG_RETURN: { guard: permitted('rag_sign_off'), target: 'drafting', actions: 'recordRagReturn' },
                SUBMIT_TO_HOME_OFFICE: {
                  guard: permitted('rag_sign_off'),
                  target: 'home_office_qa',
                  actions: 'recordSubmission',
                },
              },
            },
            home_office_qa: {
              entry: enter('home_office_qa'),
              on: {
                RECORD_QA_OUTCOME: [
                  {
                    guard: { type: 'permittedQaOutcome', params: { outcome: 'resubmit' } },
                    target: 'drafting',
                    actions: 'recordQaOutcome',
                  },
                  // approved and approved_with_development
                  { guard: permitted('home_office_qa'), target: 'awaiting_publication', actions: 'recordQaOutcome' },
                ],
              },
            },
            awaiting_publication: {
              entry: enter('awaiting_publication'),
              on: {
                PUBLISH: {
                  guard: permitted('awaiting_publication'),
                  target: 'action_plan_monitoring',
                  actions: 'recordPublication',
                },
              },
            },
            action_plan_monitoring: {
              entry: enter('action_plan_monitoring'),
              on: {
                CLOSE: {
                  guard: permitted('action_plan_monitoring'),
                  target: '#review.closed',
                  actions: { type: 'recordClosure', params: { from: 'action_plan_monitoring' } },
                },
              },
            },
          },
        },
        hold: {
          initial: 'active',
          states: {
            active: {
              on: { PLACE_ON_HOLD: { guard: permitted(null), target: 'onHold', actions: 'startHold' } },
            },
            onHold: {
              on: { RESUME: { guard: permitted(null), target: 'active', actions: 'endHold' } },
            },
          },
        },
      },
    },
    closed: {
      entry: enter('closed'),
      on: {
        // The Home Office's reply may come after a "no" review was closed.
        RECORD_HOME_OFFICE_AGREEMENT: { guard: permitted('closed'), actions: 'recordHomeOfficeAgreement' },
        REOPEN: reopenTransitions('closure'),
      },
    },
    withdrawn: { entry: enter('withdrawn'), on: { REOPEN: reopenTransitions('withdrawal') } },
  },
});

export type ReviewMachine = typeof reviewMachine;
