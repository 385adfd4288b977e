import type { Stage } from '../reviews/lifecycle';
import type { ReviewEventType } from '../reviews/lifecycle/events';
import type { Action } from './actions';
import type { ReviewRole } from './review-member.entity';

/** Roles held for a CSP (from user_roles). A county team may hold them for several CSPs. */
export type CspRole = 'csp_lead' | 'rag_member';
export type Role = 'administrator' | CspRole | ReviewRole;
export const ROLES: readonly Role[] = ['administrator', 'csp_lead', 'rag_member', 'chair', 'report_writer', 'panel_member', 'imr_author'];

/**
 * How far a grant reaches.
 * - `anyone`: any signed-in user (no case content: the CSP and agency names, their own tokens).
 * - `installation`: the administrator, installation-wide (users, CSPs, agencies; never case content).
 * - `csp`: a CSP role, for reviews of that CSP (or, with no review, for a CSP the caller holds it in).
 * - `signOff`: a RAG member of the review's CSP, once the report has reached RAG sign-off; and,
 *   after the board returned the report and until it comes back, only for `AFTER_RETURN_ACTIONS`
 *   (what they returned: the review, their decisions, the report versions they saw).
 * - `review`: a member of this review in that role.
 * - `agency`: a member of this review in that role, only for their agency's records (lists filtered).
 */
export type Scope = 'anyone' | 'installation' | 'csp' | 'signOff' | 'review' | 'agency';

type Grants = Partial<Record<Role | 'anyone', Scope>>;

const CASE_TEAM: Grants = { csp_lead: 'csp', chair: 'review', report_writer: 'review', panel_member: 'review' };
const CORE_TEAM: Grants = { csp_lead: 'csp', chair: 'review', report_writer: 'review' };

/**
 * The policy table: action → role → scope. Nothing else decides who may do what; the guard
 * applies it to every route (src/access/route-actions.ts maps each route to its action) and the
 * list queries apply the same scopes. Actions not listed for a role are refused.
 */
export const POLICY: Readonly<Record<Action, Grants>> = {
  public: { anyone: 'anyone' },
  self: { anyone: 'anyone' },
  'review.list': { anyone: 'anyone' },
  'deadlines.list': { anyone: 'anyone' },
  'csps.read': { anyone: 'anyone' },
  'agencies.read': { anyone: 'anyone' },
  'csps.manage': { administrator: 'installation' },
  'agencies.manage': { administrator: 'installation', csp_lead: 'csp' },
  'users.manage': { administrator: 'installation' },
  'review.create': { csp_lead: 'csp' },
  // Each review of a file is checked against the CSPs the caller leads (review-import.service.ts).
  'review.import': { csp_lead: 'csp' },
  'review.read': { ...CASE_TEAM, imr_author: 'review', rag_member: 'signOff' },
  'review.event': { csp_lead: 'csp', chair: 'review', rag_member: 'signOff' },
  'review.correct': { csp_lead: 'csp' },
  'review.transfer': { csp_lead: 'csp' },
  'members.read': { csp_lead: 'csp', chair: 'review' },
  'members.manage': { csp_lead: 'csp', chair: 'review' },
  'people.read': { ...CASE_TEAM, imr_author: 'review' },
  'people.write': { csp_lead: 'csp', chair: 'review' },
  'people.realNames': { csp_lead: 'csp', chair: 'review' },
  'appointments.read': CASE_TEAM,
  'appointments.write': { csp_lead: 'csp' },
  'panel.read': CASE_TEAM,
  'panel.write': { csp_lead: 'csp', chair: 'review' },
  'scoping.read': CASE_TEAM,
  'scoping.write': { csp_lead: 'csp', chair: 'review' },
  'imrs.read': { ...CASE_TEAM, imr_author: 'agency' },
  'imrs.write': { csp_lead: 'csp', chair: 'review' },
  'imrs.signOff': { chair: 'review', imr_author: 'agency' },
  // Sending the agency's report through the service (the upload is the submission).
  'imrs.submit': { csp_lead: 'csp', chair: 'review', imr_author: 'agency' },
  'documents.read': { ...CASE_TEAM, imr_author: 'agency', rag_member: 'signOff' },
  'documents.write': CORE_TEAM,
  'meetings.read': CASE_TEAM,
  'meetings.write': { csp_lead: 'csp', chair: 'review' },
  'family.read': CORE_TEAM,
  'family.write': { chair: 'review', report_writer: 'review' },
  'proceedings.read': CORE_TEAM,
  'proceedings.write': { csp_lead: 'csp', chair: 'review' },
  'recommendations.read': { ...CASE_TEAM, rag_member: 'signOff' },
  'recommendations.write': { chair: 'review', report_writer: 'review' },
  'actions.read': { ...CASE_TEAM, rag_member: 'signOff' },
  'actions.write': { csp_lead: 'csp', chair: 'review' },
  'publication.read': { ...CORE_TEAM, rag_member: 'signOff' },
  'publication.write': { csp_lead: 'csp' },
  'oversight.read': { csp_lead: 'csp', chair: 'review', rag_member: 'signOff' },
  // The committee progress report (src/reports): names no review; its service narrows the
  // reviews to these scopes (a RAG member: only reviews at sign-off or after).
  'reports.read': { csp_lead: 'csp', rag_member: 'signOff' },
  // The board paper of one review (src/reports/board-paper), offered from sign-off on.
  'boardPaper.read': { csp_lead: 'csp', chair: 'review', rag_member: 'signOff' },
  // Coding a review with the taxonomy (src/reports/register); read with the review.
  'coding.write': { csp_lead: 'csp', chair: 'review' },
  // The Home Office submission pack and its checklist (src/reports/home-office): the CSP lead
  // sends it, the chair checks it; the CSP lead answers the checklist.
  'homeOfficePack.read': { csp_lead: 'csp', chair: 'review' },
  'homeOfficeChecklist.write': { csp_lead: 'csp' },
  // A QA round's letter and the changes it asks for: the CSP lead deals with the Home Office,
  // the chair makes the changes; both keep the list (read with oversight.read).
  'qaRounds.write': { csp_lead: 'csp', chair: 'review' },
  'accessLog.read': { csp_lead: 'csp' },
  'notifications.read': { csp_lead: 'csp', chair: 'review' },
};

/**
 * Who may apply each lifecycle event (on top of `review.event`): the CSP decides and deals with
 * the Home Office, the chair moves the review's own work on, the RAG signs off.
 */
export const EVENT_ROLES: Readonly<Record<ReviewEventType, readonly Role[]>> = {
  DECIDE: ['csp_lead'],
  NOTIFY_HOME_OFFICE: ['csp_lead'],
  DIRECT_REVIEW: ['csp_lead'],
  AGREE_TERMS_OF_REFERENCE: ['csp_lead', 'chair'],
  BEGIN_DRAFTING: ['csp_lead', 'chair'],
  AGREE_REPORT: ['csp_lead', 'chair'],
  RAG_APPROVE: ['rag_member'],
  RAG_RETURN: ['rag_member'],
  SUBMIT_TO_HOME_OFFICE: ['csp_lead'],
  RECORD_QA_OUTCOME: ['csp_lead'],
  PUBLISH: ['csp_lead'],
  CLOSE: ['csp_lead'],
  PLACE_ON_HOLD: ['csp_lead'],
  RESUME: ['csp_lead'],
  WITHDRAW: ['csp_lead'],
  RECORD_HOME_OFFICE_AGREEMENT: ['csp_lead'],
  REOPEN: ['csp_lead'],
};

/** The stages at which a RAG member sees a review: awaiting sign-off, or past it. */
export const SIGN_OFF_STAGES: readonly Stage[] = ['rag_sign_off', 'home_office_qa', 'awaiting_publication', 'action_plan_monitoring', 'closed'];

/**
 * What a RAG member keeps while the chair revises a report the board returned: the review, the
 * board's decisions, and the report's documents (only the versions uploaded before the return).
 */
export const AFTER_RETURN_ACTIONS: readonly Action[] = ['review.read', 'documents.read', 'oversight.read'];

/**
 * When the board returned the report, while the chair revises it (see ReviewSubject), from the
 * lifecycle: in drafting, with the board's latest return after the report last reached it.
 */
export function boardReturnedAtOf(
  stage: Stage,
  context: { ragReturns: ReadonlyArray<{ returnedAt: string }>; stageHistory: ReadonlyArray<{ stage: string; enteredAt: string }> },
): string | null {
  if (stage !== 'drafting') return null;
  const last = context.ragReturns[context.ragReturns.length - 1];
  const reached = [...context.stageHistory].reverse().find((s) => s.stage === 'rag_sign_off');
  return last && reached && last.returnedAt >= reached.enteredAt ? last.returnedAt : null;
}

/** Actions about several reviews of a CSP at once (no review in the route): see `holds`. */
export const CSP_WIDE_ACTIONS: readonly Action[] = ['reports.read'];

/** The documents a RAG member reads: the report itself, not the agencies' material. */
export const REPORT_DOCUMENT_KINDS = ['overview_report', 'executive_summary'] as const;

/** What the caller holds: CSP roles from user_roles, review roles from review_members. */
export interface Holder {
  administrator: boolean;
  cspRoles: ReadonlyArray<{ role: CspRole; cspId: string }>;
  /** Memberships of the review in question (only that review's). */
  memberships: ReadonlyArray<{ role: ReviewRole; agencyId: string | null }>;
}

export interface ReviewSubject {
  cspId: string;
  stage: Stage;
  /**
   * When the board returned the report, while the chair revises it (the review is in drafting
   * and the board's return is the latest of agree, return and QA outcome); else null or absent.
   */
  boardReturnedAt?: string | null;
}

export interface Permission {
  allowed: boolean;
  /** The grants that allow it, with their scope. */
  via: ReadonlyArray<{ role: Role | 'anyone'; scope: Scope }>;
  /**
   * Null when some grant covers the whole review; otherwise only these records are visible:
   * those of the caller's agencies (an IMR author) or of these document kinds (the RAG).
   */
  restriction: RecordRestriction | null;
}

export interface RecordRestriction {
  agencyIds: readonly string[] | null;
  documentKinds: readonly string[] | null;
  /** Only document versions uploaded at or before this instant (the RAG after a return); else null. */
  uploadedBefore?: string | null;
}

/** Whether a record (an IMR, a document) is within a restriction. */
export function recordVisible(restriction: RecordRestriction | null, record: { agencyId: string | null; documentKind?: string }): boolean {
  if (!restriction) return true;
  if (restriction.agencyIds && record.agencyId !== null && restriction.agencyIds.includes(record.agencyId)) return true;
  return !!(restriction.documentKinds && record.documentKind && restriction.documentKinds.includes(record.documentKind));
}

/**
 * Whether the holder may take the action, on the review if there is one. Pure: the guard
 * loads the holder and review and calls this; the matrix test reads the table itself.
 */
export function permission(
  action: Action,
  holder: Holder,
  review: ReviewSubject | null,
  options: { cspId?: string | null; eventType?: string | null } = {},
): Permission {
  const via: Array<{ role: Role | 'anyone'; scope: Scope }> = [];
  for (const [role, scope] of Object.entries(POLICY[action]) as Array<[Role | 'anyone', Scope]>) {
    if (role !== 'anyone' && !holds(role, scope, holder, review, options.cspId ?? null, action)) continue;
    if (role !== 'anyone' && action === 'review.event' && options.eventType && options.eventType in EVENT_ROLES) {
      if (!EVENT_ROLES[options.eventType as ReviewEventType].includes(role)) continue;
    }
    via.push({ role, scope });
  }
  const narrow = (g: { scope: Scope }) => g.scope === 'agency' || (g.scope === 'signOff' && action === 'documents.read');
  const restricted = via.length > 0 && via.every(narrow);
  return {
    allowed: via.length > 0,
    via,
    restriction: restricted
      ? {
          agencyIds: via.some((g) => g.scope === 'agency')
            ? holder.memberships.filter((m) => m.role === 'imr_author' && m.agencyId !== null).map((m) => m.agencyId as string)
            : null,
          documentKinds: via.some((g) => g.scope === 'signOff') ? REPORT_DOCUMENT_KINDS : null,
          uploadedBefore: via.some((g) => g.scope === 'signOff') && review && !SIGN_OFF_STAGES.includes(review.stage) ? (review.boardReturnedAt ?? null) : null,
        }
      : null,
  };
}

function holds(role: Role, scope: Scope, holder: Holder, review: ReviewSubject | null, cspId: string | null, action: Action): boolean {
  switch (scope) {
    case 'anyone':
      return true;
    case 'installation':
      return role === 'administrator' && holder.administrator;
    case 'csp': {
      const target = review?.cspId ?? cspId;
      return holder.cspRoles.some((g) => g.role === role && (target === null || g.cspId === target));
    }
    case 'signOff': {
      // A route about no review (a report over a CSP's reviews): a RAG member of that CSP, or of
      // any when none is named; the service then narrows the reviews to those at sign-off.
      if (review === null && CSP_WIDE_ACTIONS.includes(action)) return holder.cspRoles.some((g) => g.role === role && (cspId === null || g.cspId === cspId));
      if (review === null || !holder.cspRoles.some((g) => g.role === role && g.cspId === review.cspId)) return false;
      return SIGN_OFF_STAGES.includes(review.stage) || (!!review.boardReturnedAt && AFTER_RETURN_ACTIONS.includes(action));
    }
    case 'review':
    case 'agency':
      return review !== null && holder.memberships.some((m) => m.role === role);
  }
}
