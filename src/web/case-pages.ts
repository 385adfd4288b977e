import { allows } from '../access/access.service';
import type { AccessContext } from '../access/access.service';
import type { Action } from '../access/actions';
import { boardReturnedAtOf, EVENT_ROLES } from '../access/policy';
import type { ReviewEventType } from '../reviews/lifecycle/events';
import { historyLabel, STAGE_LABELS } from './labels';
import type { Stage } from '../reviews/lifecycle';
import { ukDateTime } from './web-views';

export { mayApply } from '../access/access.service';

const ROLE_WORDS: Record<string, string> = {
  csp_lead: 'the CSP lead',
  chair: 'the chair',
  rag_member: 'a RAG member',
  administrator: 'an administrator',
  report_writer: 'the report writer',
  panel_member: 'a panel member',
  imr_author: 'an IMR author',
};

/** Who may apply an event, in words ("the CSP lead or the chair"). */
export function whoMayApply(type: ReviewEventType): string {
  return EVENT_ROLES[type].map((r) => ROLE_WORDS[r] ?? r).join(' or ');
}

export function may(access: AccessContext | undefined, action: Action): boolean {
  return !!access && allows(access, action);
}

/** The tabs of a review's pages, each shown only to those the policy lets read it. */
export function caseNavigation(access: AccessContext | undefined, reviewId: string, current: string) {
  const base = `/cases/${reviewId}`;
  const tabs: Array<{ key: string; href: string; text: string; action: Action }> = [
    { key: 'overview', href: base, text: 'Overview', action: 'review.read' },
    { key: 'team', href: `${base}/team`, text: 'Team', action: 'members.read' },
    { key: 'people', href: `${base}/people`, text: 'People', action: 'people.read' },
    { key: 'scoping', href: `${base}/scoping`, text: 'Scoping', action: 'scoping.read' },
    { key: 'imrs', href: `${base}/imrs`, text: 'IMRs', action: 'imrs.read' },
    { key: 'meetings', href: `${base}/meetings`, text: 'Meetings', action: 'meetings.read' },
    { key: 'documents', href: `${base}/documents`, text: 'Documents', action: 'documents.read' },
    { key: 'family', href: `${base}/family`, text: 'Family', action: 'family.read' },
    { key: 'proceedings', href: `${base}/proceedings`, text: 'Proceedings', action: 'proceedings.read' },
    { key: 'recommendations', href: `${base}/recommendations`, text: 'Recommendations', action: 'recommendations.read' },
    { key: 'action-plan', href: `${base}/action-plan`, text: 'Action plan', action: 'actions.read' },
    { key: 'sign-off', href: `${base}/sign-off`, text: 'RAG sign-off', action: 'documents.read' },
    { key: 'qa', href: `${base}/qa`, text: 'Home Office QA', action: 'oversight.read' },
    { key: 'publication', href: `${base}/publication`, text: 'Publication', action: 'publication.read' },
  ];
  return tabs.filter((t) => t.key === current || may(access, t.action)).map((t) => ({ ...t, current: t.key === current }));
}

export interface HistoryEntry {
  sequence: number;
  type: string;
  payload: Record<string, unknown>;
  actor: string;
  /** The actor's display name, when the actor is a user. */
  actorName?: string;
  occurredAt: Date | string;
  recordedAt: Date | string;
  origin: string;
  fromStatus: string | null;
  toStatus: string;
  fromOnHold: boolean | null;
  toOnHold: boolean;
}

/** What happened to a review after the version a form was rendered from, in words. */
export function changesSince(history: readonly HistoryEntry[], version: number, about?: (entry: HistoryEntry) => boolean) {
  return history
    .filter((e) => e.sequence > version && (!about || about(e)))
    .map((e) => ({
      text: `${historyLabel(e.type)} by ${e.actorName ?? e.actor} (${ukDateTime(e.occurredAt)})` +
        (e.fromStatus !== e.toStatus && e.fromStatus ? `: stage ${STAGE_LABELS[e.toStatus as Stage] ?? e.toStatus}` : ''),
      entry: e,
    }));
}

/**
 * The error summary of a form whose record changed since it was rendered (412), or whose
 * action someone else took first: what changed and who changed it, never a silent overwrite.
 */
export function staleSummary(what: string, changes: ReturnType<typeof changesSince>, now: string | null) {
  const last = changes[changes.length - 1];
  const title = `This ${what} changed since you opened it`;
  const description = last
    ? `${now ? `${now}, ` : ''}changed by ${last.entry.actorName ?? last.entry.actor}. Nothing you entered has been saved: check the page as it is now and try again if it is still needed.`
    : 'Nothing you entered has been saved: check the page as it is now and try again if it is still needed.';
  // A change the caller's history does not show (or none recorded there): say what it is now.
  const errorList = changes.length > 0 ? changes.map((c) => ({ text: c.text })) : [{ text: now ?? `The ${what} was changed by someone else` }];
  return { errorTitle: title, errorDescription: description, errorList };
}

/**
 * The board's return the chair has still to answer: the review is in drafting and the board's
 * latest return came after the report last reached it (not a QA resubmission). Null otherwise.
 */
export function pendingBoardReturn(view: {
  status: string;
  lifecycle: { ragReturns: ReadonlyArray<{ comments: string; returnedAt: string }>; stageHistory: ReadonlyArray<{ stage: string; enteredAt: string }> };
}): { comments: string; returnedAt: string } | null {
  if (!boardReturnedAtOf(view.status as Stage, view.lifecycle)) return null;
  return view.lifecycle.ragReturns[view.lifecycle.ragReturns.length - 1] ?? null;
}

