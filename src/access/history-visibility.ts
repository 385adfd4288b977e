import { REVIEW_EVENT_TYPES } from '../reviews/lifecycle/events';
import type { ReviewFacts } from '../reviews/lifecycle/review-facts';
import type { Action } from './actions';
import type { AccessContext } from './access.service';
import { Holder, permission, recordVisible, ReviewSubject } from './policy';

/**
 * Who may see which entries of a review's history. The history is read by everyone who reads
 * the review, but its entries carry what the case-file records hold (a waiver's reason, a
 * recommendation's text, a contact with the family): each entry is shown only to those the
 * policy lets read the record it is about, so the history never widens need-to-know. The
 * review's own lifecycle (its stages, holds, decisions) is shown to everyone who reads it.
 */
export const HISTORY_READ_ACTIONS: Readonly<Record<string, Action>> = {
  NOTIFICATION_RECORDED: 'review.read',
  CORRECTION: 'review.read',
  REVIEW_TRANSFERRED: 'review.read',
  MEMBER_ADDED: 'members.read',
  MEMBER_ENDED: 'members.read',
  INVITATION_SENT: 'members.read',
  INVITATION_ACCEPTED: 'members.read',
  INVITATION_EXPIRED: 'members.read',
  INVITATION_WITHDRAWN: 'members.read',
  PERSON_CORRECTED: 'people.read',
  APPOINTMENT_ENDED: 'appointments.read',
  INDEPENDENCE_DECLARED: 'appointments.read',
  PANEL_MEMBER_ADDED: 'panel.read',
  PANEL_MEMBER_LEFT: 'panel.read',
  SCOPING_RESPONSE_CORRECTED: 'scoping.read',
  IMR_COMMISSIONED: 'imrs.read',
  IMR_EXTENDED: 'imrs.read',
  IMR_RECEIVED: 'imrs.read',
  IMR_WAIVED: 'imrs.read',
  IMR_QUALITY_CHECKED: 'imrs.read',
  IMR_SIGNED_OFF: 'imrs.read',
  IMR_SUBMITTED: 'imrs.read',
  IMR_SENT_BACK: 'imrs.read',
  PANEL_MEETING_SCHEDULED: 'meetings.read',
  PANEL_MEETING_RESCHEDULED: 'meetings.read',
  PANEL_MEETING_HELD: 'meetings.read',
  PANEL_MEETING_CANCELLED: 'meetings.read',
  PANEL_MEETING_PAPERS_CIRCULATED: 'meetings.read',
  FAMILY_OFFERED_DRAFT: 'family.read',
  FAMILY_COMMENTS_RECEIVED: 'family.read',
  FAMILY_TOLD_OF_PUBLICATION: 'family.read',
  PROCEEDINGS_RECORDED: 'proceedings.read',
  PROCEEDINGS_CORRECTED: 'proceedings.read',
  PROCEEDINGS_STATUS_CHANGED: 'proceedings.read',
  RECOMMENDATION_RECORDED: 'recommendations.read',
  RECOMMENDATION_CORRECTED: 'recommendations.read',
  RECOMMENDATION_AGREED: 'recommendations.read',
  RECOMMENDATION_WITHDRAWN: 'recommendations.read',
  NO_RECOMMENDATIONS_RECORDED: 'recommendations.read',
  NO_RECOMMENDATIONS_WITHDRAWN: 'recommendations.read',
  ACTION_ADDED: 'actions.read',
  ACTION_UPDATED: 'actions.read',
  ACTION_COMPLETED: 'actions.read',
  ANONYMISATION_CONFIRMED: 'publication.read',
  ANONYMISATION_CONFIRMATION_WITHDRAWN: 'publication.read',
  REVIEW_CODED: 'review.read',
  HOME_OFFICE_CHECKLIST_ANSWERED: 'homeOfficePack.read',
  QA_LETTER_UPLOADED: 'oversight.read',
  QA_CHANGES_LISTED: 'oversight.read',
  QA_CHANGE_DONE: 'oversight.read',
};

/** An entry of a type this file does not know is shown only to those who manage the review. */
const UNKNOWN_TYPE_ACTION: Action = 'members.read';

/** The action a caller needs to see a history entry of this type. */
export function historyReadAction(type: string): Action {
  if ((REVIEW_EVENT_TYPES as readonly string[]).includes(type)) return 'review.read';
  return Object.prototype.hasOwnProperty.call(HISTORY_READ_ACTIONS, type) ? HISTORY_READ_ACTIONS[type] : UNKNOWN_TYPE_ACTION;
}

/**
 * Who may see which of a review's clocks (deadlines): an IMR's due date only those who read
 * that IMR, a meeting's only those who read meetings, an action's target those who read the
 * action plan; the review's own clocks everyone who reads the review.
 */
export const CLOCK_READ_ACTIONS: Readonly<Record<string, Action>> = {
  decision_due: 'review.read',
  home_office_notification: 'review.read',
  completion_target: 'review.read',
  rag_sign_off: 'review.read',
  qa_resubmission: 'review.read',
  imr_due: 'imrs.read',
  meeting_papers_due: 'meetings.read',
  panel_meeting: 'meetings.read',
  action_target: 'actions.read',
};

/**
 * Whether a holder may see something about a review that `action` governs; when the policy
 * narrows that action to the holder's agencies, only what concerns an IMR of theirs.
 */
export function mayReadAbout(action: Action, holder: Holder, review: ReviewSubject | null, imrAgencyId: string | undefined): boolean {
  const decision = permission(action, holder, review);
  if (!decision.allowed) return false;
  if (!decision.restriction) return true;
  const agencies = decision.restriction.agencyIds;
  return !!agencies && imrAgencyId !== undefined && agencies.includes(imrAgencyId);
}

/** The clocks of one review this holder may see (`imrAgency`: whose each IMR is). */
export function visibleClocks<C extends { kind: string; subjectId: string | null }>(
  clocks: readonly C[],
  holder: Holder | null,
  review: ReviewSubject | null,
  imrAgency: ReadonlyMap<string, string>,
): C[] {
  if (!holder) return [];
  return clocks.filter((clock) =>
    mayReadAbout(CLOCK_READ_ACTIONS[clock.kind] ?? UNKNOWN_TYPE_ACTION, holder, review, clock.kind === 'imr_due' && clock.subjectId ? imrAgency.get(clock.subjectId) : undefined),
  );
}

/**
 * The entries of a history this caller may see. An entry about an IMR is shown to an IMR
 * author only when the IMR is their agency's (`imrAgency` says whose an IMR is).
 */
export function visibleHistory<E extends { type: string; payload: Record<string, unknown> | null }>(
  entries: readonly E[],
  access: AccessContext,
  imrAgency: ReadonlyMap<string, string>,
): E[] {
  if (access.trusted) return [...entries];
  const holder = access.holder;
  if (!holder) return [];
  return entries.filter((entry) => {
    const imrId = entry.payload?.imrId;
    return mayReadAbout(historyReadAction(entry.type), holder, access.review, typeof imrId === 'string' ? imrAgency.get(imrId) : undefined);
  });
}

/**
 * The review summary's facts (GET /reviews/:id, an event's answer, the review page): each is a
 * count or a yes/no about records of one kind, shown only to those who may read every record it
 * counts. An IMR author (who reads only their agency's IMRs) sees no IMR counts; the RAG, who
 * reads only the report among the documents, sees whether the drafts are there.
 */
export const FACT_READ: Readonly<Record<keyof ReviewFacts, { action: Action; documentKind?: string }>> = {
  chairAppointed: { action: 'appointments.read' },
  panelMemberCount: { action: 'panel.read' },
  imrsCommissioned: { action: 'imrs.read' },
  imrsOutstanding: { action: 'imrs.read' },
  meetingsConsideringImrs: { action: 'meetings.read' },
  draftOverviewReport: { action: 'documents.read', documentKind: 'overview_report' },
  draftExecutiveSummary: { action: 'documents.read', documentKind: 'executive_summary' },
  overviewReportRevisedSinceReturn: { action: 'documents.read', documentKind: 'overview_report' },
  recommendationsCount: { action: 'recommendations.read' },
  noRecommendationsReason: { action: 'recommendations.read' },
  familyOfferedDraft: { action: 'family.read' },
  activeCriminalProceedings: { action: 'proceedings.read' },
  anonymisationConfirmed: { action: 'publication.read' },
  familyToldOfPublication: { action: 'family.read' },
  actionsTotal: { action: 'actions.read' },
  actionsIncomplete: { action: 'actions.read' },
};

/** Facts under which no rule gives a reason: what a hidden fact is replaced by when the reasons are worked out. */
export const SATISFIED_FACTS: ReviewFacts = Object.freeze({
  chairAppointed: true,
  panelMemberCount: 1,
  imrsCommissioned: 1,
  imrsOutstanding: 0,
  meetingsConsideringImrs: 1,
  draftOverviewReport: true,
  draftExecutiveSummary: true,
  overviewReportRevisedSinceReturn: true,
  recommendationsCount: 1,
  noRecommendationsReason: true,
  familyOfferedDraft: true,
  activeCriminalProceedings: false,
  anonymisationConfirmed: true,
  familyToldOfPublication: true,
  actionsTotal: 1,
  actionsIncomplete: 0,
});

/** The facts this holder may not see (all of them for nobody). */
export function hiddenFacts(holder: Holder | null, review: ReviewSubject | null): Array<keyof ReviewFacts> {
  return (Object.keys(FACT_READ) as Array<keyof ReviewFacts>).filter((fact) => {
    if (!holder) return true;
    const { action, documentKind } = FACT_READ[fact];
    const decision = permission(action, holder, review);
    if (!decision.allowed) return true;
    return decision.restriction !== null && !recordVisible(decision.restriction, { agencyId: null, documentKind });
  });
}

/** What an event blocked only by what the caller may not see says instead. */
export const HIDDEN_REASON = 'Records you may not see are not ready yet';

/**
 * The summary a holder may see: the facts without the hidden ones, and each blocked event with
 * only the reasons that still stand when the hidden facts are taken as satisfied (`masked`: the
 * reasons worked out that way); an event blocked by hidden facts alone says HIDDEN_REASON.
 */
export function visibleSummary<B extends { type: string; reasons: string[] }>(
  facts: ReviewFacts,
  blocked: readonly B[],
  hidden: ReadonlyArray<keyof ReviewFacts>,
  masked: ReadonlyArray<{ type: string; reasons: string[] }>,
): { facts: Partial<ReviewFacts>; blockedEvents: B[] } {
  const shown: Partial<ReviewFacts> = { ...facts };
  for (const fact of hidden) delete shown[fact];
  const standing = new Map(masked.map((b) => [b.type, new Set(b.reasons)]));
  const blockedEvents = blocked.map((b) => {
    const reasons = b.reasons.filter((r) => standing.get(b.type)?.has(r));
    return { ...b, reasons: reasons.length > 0 ? reasons : [HIDDEN_REASON] };
  });
  return { facts: shown, blockedEvents };
}
