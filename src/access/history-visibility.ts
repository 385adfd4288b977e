import { REVIEW_EVENT_TYPES } from '../reviews/lifecycle/events';
import type { Action } from './actions';
import type { AccessContext } from './access.service';
import { Holder, permission, ReviewSubject } from './policy';

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
  PANEL_MEETING_SCHEDULED: 'meetings.read',
  PANEL_MEETING_RESCHEDULED: 'meetings.read',
  PANEL_MEETING_HELD: 'meetings.read',
  PANEL_MEETING_CANCELLED: 'meetings.read',
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
