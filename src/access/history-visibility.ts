import { REVIEW_EVENT_TYPES } from '../reviews/lifecycle/events';
import type { Action } from './actions';
import type { AccessContext } from './access.service';
import { permission } from './policy';

/**
 * Who may see which entries of a review's history. The history is read by everyone who reads
 * the review, but its entries carry what the case-file records hold (a waiver's reason, a
 * recommendation's text, a contact with the family): each entry is shown only to those the
 * policy lets read the record it is about, so the history never widens need-to-know. The
 * review's own lifecycle (its stages, holds, decisions) is shown to everyone who reads it.
 */
export const HISTORY_READ_ACTIONS: Readonly<Record<string, Action>> = {
  NOTIFICATION_RECORDED: 'review.read',
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
  const decisions = new Map<Action, ReturnType<typeof permission>>();
  const decide = (action: Action) => {
    if (!decisions.has(action)) decisions.set(action, permission(action, holder, access.review));
    return decisions.get(action)!;
  };
  return entries.filter((entry) => {
    const decision = decide(historyReadAction(entry.type));
    if (!decision.allowed) return false;
    const agencies = decision.restriction?.agencyIds;
    if (!decision.restriction) return true;
    if (!agencies) return false;
    const imrId = entry.payload?.imrId;
    const agencyId = typeof imrId === 'string' ? imrAgency.get(imrId) : undefined;
    return agencyId !== undefined && agencies.includes(agencyId);
  });
}
