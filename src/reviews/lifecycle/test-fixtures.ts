/**
 * Fixtures for the lifecycle specs (no test framework imports, so it also
 * compiles in the production build; it is not used by production code).
 */
import type { ReviewEvent, ReviewEventOf, ReviewEventPayloadOf, ReviewEventType } from './events';
import { applyEvent, initialSnapshot, type PersistedReview } from './lifecycle';
import type { Stage } from './review-context';
import { EMPTY_FACTS, type ReviewFacts } from './review-facts';

/** A case file where every guard's fact is satisfied. */
export const ALL_FACTS: ReviewFacts = {
  ...EMPTY_FACTS,
  chairAppointed: true,
  panelMemberCount: 6,
  imrsCommissioned: 8,
  imrsOutstanding: 0,
  meetingsConsideringImrs: 2,
  draftOverviewReport: true,
  draftExecutiveSummary: true,
  overviewReportRevisedSinceReturn: true,
  recommendationsCount: 12,
  noRecommendationsReason: false,
  familyOfferedDraft: true,
  activeCriminalProceedings: false,
  anonymisationConfirmed: true,
  familyToldOfPublication: true,
  actionsTotal: 20,
  actionsIncomplete: 0,
};

export const OPENED_AT = '2026-01-05T09:00:00.000Z';
const HOUR = 3_600_000;

/** A clock giving successive ISO instants, `stepMs` apart, after OPENED_AT. */
export function clock(stepMs = HOUR): () => string {
  let t = Date.parse(OPENED_AT);
  return () => {
    t += stepMs;
    return new Date(t).toISOString();
  };
}

/** A valid payload for every event type (dates consistent with one another). */
export const SAMPLE_PAYLOADS: { readonly [T in ReviewEventType]: ReviewEventPayloadOf<T> } = {
  DECIDE: { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria met', decidedAt: '2026-01-05' },
  NOTIFY_HOME_OFFICE: { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-06' },
  DIRECT_REVIEW: { type: 'DIRECT_REVIEW', directedAt: '2026-01-07', note: 'Secretary of State letter' },
  AGREE_TERMS_OF_REFERENCE: {
    type: 'AGREE_TERMS_OF_REFERENCE',
    agreedAt: '2026-01-05',
    scopeStart: '2023-01-01',
    scopeEnd: '2025-10-01',
  },
  BEGIN_DRAFTING: { type: 'BEGIN_DRAFTING' },
  AGREE_REPORT: { type: 'AGREE_REPORT' },
  RAG_APPROVE: { type: 'RAG_APPROVE', approvedAt: '2026-01-05' },
  RAG_RETURN: { type: 'RAG_RETURN', comments: 'Please strengthen the analysis' },
  SUBMIT_TO_HOME_OFFICE: { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-01-05' },
  RECORD_QA_OUTCOME: { type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: '2026-01-06' },
  PUBLISH: { type: 'PUBLISH', publishedAt: '2026-01-07', url: 'https://csp.example.gov.uk/dhr/adult-a' },
  CLOSE: { type: 'CLOSE' },
  PLACE_ON_HOLD: { type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Trial listed', expectedEnd: '2027-01-01' },
  RESUME: { type: 'RESUME', note: 'Verdict delivered' },
  WITHDRAW: { type: 'WITHDRAW', reason: 'Duplicate of another review' },
  RECORD_HOME_OFFICE_AGREEMENT: { type: 'RECORD_HOME_OFFICE_AGREEMENT', receivedAt: '2026-01-08' },
  REOPEN: { type: 'REOPEN', reason: 'New information from the inquest' },
};

/** Builds a machine event: sample payload + overrides, with `at` and `facts`. */
export function ev<T extends ReviewEventType>(
  type: T,
  at: string,
  overrides: Partial<ReviewEventPayloadOf<T>> = {},
  facts: ReviewFacts = ALL_FACTS,
): ReviewEventOf<T> {
  return { ...SAMPLE_PAYLOADS[type], ...overrides, at, facts } as ReviewEventOf<T>;
}

export type Step = { type: ReviewEventType; overrides?: Record<string, unknown>; facts?: ReviewFacts };

/** Shortest happy path (all facts satisfied) from `notified` to each stage. */
export const PATH_TO: { readonly [S in Stage]: readonly Step[] } = (() => {
  const establishing: Step[] = [{ type: 'DECIDE' }];
  const informationGathering: Step[] = [...establishing, { type: 'NOTIFY_HOME_OFFICE' }, { type: 'AGREE_TERMS_OF_REFERENCE' }];
  const drafting: Step[] = [...informationGathering, { type: 'BEGIN_DRAFTING' }];
  const rag: Step[] = [...drafting, { type: 'AGREE_REPORT' }];
  const qa: Step[] = [...rag, { type: 'RAG_APPROVE' }, { type: 'SUBMIT_TO_HOME_OFFICE' }];
  const awaiting: Step[] = [...qa, { type: 'RECORD_QA_OUTCOME' }];
  const monitoring: Step[] = [...awaiting, { type: 'PUBLISH' }];
  return {
    notified: [],
    not_proceeding: [{ type: 'DECIDE', overrides: { outcome: 'not_proceed', rationale: 'Not a domestic relationship' } }],
    establishing,
    information_gathering: informationGathering,
    drafting,
    rag_sign_off: rag,
    home_office_qa: qa,
    awaiting_publication: awaiting,
    action_plan_monitoring: monitoring,
    closed: [...monitoring, { type: 'CLOSE' }],
    withdrawn: [{ type: 'WITHDRAW' }],
  };
})();

/** Applies steps in order; throws (failing the test) if any is refused. */
export function drive(
  steps: readonly Step[],
  options: { from?: PersistedReview; next?: () => string } = {},
): PersistedReview {
  const next = options.next ?? clock();
  let persisted = options.from ?? initialSnapshot(OPENED_AT);
  for (const step of steps) {
    const event = ev(step.type, next(), step.overrides as never, step.facts ?? ALL_FACTS) as ReviewEvent;
    const result = applyEvent(persisted, event);
    if (!result.ok) {
      throw new Error(`${step.type} refused: ${result.reasons.join('; ')}`);
    }
    persisted = result.persisted;
  }
  return persisted;
}
