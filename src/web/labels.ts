import type { Stage } from '../reviews/lifecycle';
import type { ReviewEventType } from '../reviews/lifecycle/events';
import type {
  AdvocacyOrganisation,
  AgencyKind,
  AttendanceStatus,
  ContributionPreference,
  FamilyEngagementKind,
  PanelMeetingStatus,
} from '../casefile/entities';
import type { UserRole } from '../identity/identity.entities';
import type { ReviewRole } from '../access/review-member.entity';
import type { AppointmentRole, LegalStatus } from '../casefile/entities';

/**
 * Words the pages show for the service's codes. Presentation only: which stages, events and
 * values exist comes from the lifecycle and the case-file schemas (a spec checks every code
 * has its words here).
 */

export const SERVICE_NAME = 'Domestic Homicide Review';

export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  notified: 'Notified',
  not_proceeding: 'Not proceeding',
  establishing: 'Establishing the review',
  information_gathering: 'Information gathering',
  drafting: 'Drafting the report',
  rag_sign_off: 'RAG sign-off',
  home_office_qa: 'Home Office quality assurance',
  awaiting_publication: 'Awaiting publication',
  action_plan_monitoring: 'Action plan monitoring',
  closed: 'Closed',
  withdrawn: 'Withdrawn',
};

/** What each lifecycle event does, as the heading and button of its form. */
export const EVENT_ACTION_LABELS: Readonly<Record<ReviewEventType, string>> = {
  DECIDE: 'Record the decision',
  NOTIFY_HOME_OFFICE: 'Record that the Home Office was told',
  DIRECT_REVIEW: 'Record a direction to hold a review',
  AGREE_TERMS_OF_REFERENCE: 'Record that the terms of reference were agreed',
  BEGIN_DRAFTING: 'Begin drafting the report',
  AGREE_REPORT: 'Record that the panel agreed the report',
  RAG_APPROVE: 'Approve the report',
  RAG_RETURN: 'Return the report with comments',
  SUBMIT_TO_HOME_OFFICE: 'Record the submission to the Home Office',
  RECORD_QA_OUTCOME: 'Record the Home Office quality assurance outcome',
  PUBLISH: 'Record the publication',
  CLOSE: 'Close the review',
  PLACE_ON_HOLD: 'Place the review on hold',
  RESUME: 'Resume the review',
  WITHDRAW: 'Withdraw the review',
  RECORD_HOME_OFFICE_AGREEMENT: "Record the Home Office's agreement not to review",
  REOPEN: 'Reopen the review',
};

/** History rows: lifecycle events and the case-file changes that go into the history. */
export const HISTORY_LABELS: Readonly<Record<string, string>> = {
  NOTIFICATION_RECORDED: 'Police notification recorded',
  HOME_OFFICE_CHECKLIST_ANSWERED: 'Checklist before submission answered',
  QA_LETTER_UPLOADED: 'Home Office letter uploaded',
  QA_CHANGES_LISTED: 'Changes asked for by the Home Office listed',
  QA_CHANGE_DONE: 'Change asked for by the Home Office done',
  DECIDE: 'Decision recorded',
  NOTIFY_HOME_OFFICE: 'Home Office told of the decision',
  DIRECT_REVIEW: 'Review directed by the Secretary of State',
  AGREE_TERMS_OF_REFERENCE: 'Terms of reference agreed',
  BEGIN_DRAFTING: 'Drafting begun',
  AGREE_REPORT: 'Report agreed by the panel',
  RAG_APPROVE: 'Report approved by the RAG',
  RAG_RETURN: 'Report returned by the RAG',
  SUBMIT_TO_HOME_OFFICE: 'Submitted to the Home Office',
  RECORD_QA_OUTCOME: 'Home Office quality assurance outcome recorded',
  PUBLISH: 'Published',
  CLOSE: 'Closed',
  PLACE_ON_HOLD: 'Placed on hold',
  RESUME: 'Resumed',
  WITHDRAW: 'Withdrawn',
  RECORD_HOME_OFFICE_AGREEMENT: 'The Home Office agreed with the decision not to review',
  REOPEN: 'Reopened',
  CORRECTION: 'Correction recorded',
  REVIEW_TRANSFERRED: 'Moved to another CSP',
  SCOPING_RESPONSE_CORRECTED: 'Scoping response corrected',
  IMR_COMMISSIONED: 'IMR commissioned',
  IMR_EXTENDED: 'IMR extension granted',
  IMR_RECEIVED: 'IMR received',
  IMR_WAIVED: 'IMR waived',
  IMR_QUALITY_CHECKED: 'IMR quality check recorded',
  IMR_SIGNED_OFF: 'IMR sign-off recorded',
  IMR_SUBMITTED: 'IMR sent by the agency, awaiting confirmation',
  IMR_SENT_BACK: 'IMR sent back to the agency with comments',
  PANEL_MEETING_SCHEDULED: 'Panel meeting scheduled',
  PANEL_MEETING_RESCHEDULED: 'Panel meeting rescheduled',
  PANEL_MEETING_HELD: 'Panel meeting held',
  PANEL_MEETING_CANCELLED: 'Panel meeting cancelled',
  PANEL_MEETING_PAPERS_CIRCULATED: 'Panel meeting papers circulated',
  RECOMMENDATION_RECORDED: 'Recommendation recorded',
  RECOMMENDATION_CORRECTED: 'Recommendation corrected',
  RECOMMENDATION_AGREED: 'Recommendation agreed',
  RECOMMENDATION_WITHDRAWN: 'Recommendation withdrawn',
  NO_RECOMMENDATIONS_RECORDED: 'No recommendations: reason recorded',
  NO_RECOMMENDATIONS_WITHDRAWN: 'No recommendations: reason withdrawn',
  FAMILY_OFFERED_DRAFT: 'Draft report offered to the family',
  FAMILY_COMMENTS_RECEIVED: 'The family’s comments on the draft received',
  FAMILY_TOLD_OF_PUBLICATION: 'The family told of the publication',
  PROCEEDINGS_RECORDED: 'Parallel proceedings recorded',
  PROCEEDINGS_STATUS_CHANGED: 'Parallel proceedings status changed',
  PROCEEDINGS_CORRECTED: 'Parallel proceedings details corrected',
  ANONYMISATION_CONFIRMED: 'Anonymisation of the report confirmed',
  ANONYMISATION_CONFIRMATION_WITHDRAWN: 'Anonymisation confirmation withdrawn',
  REVIEW_CODED: 'Review coded with the taxonomy',
  ACTION_ADDED: 'Action added to the action plan',
  ACTION_UPDATED: 'Action updated',
  ACTION_COMPLETED: 'Action completed',
  INVITATION_SENT: 'Invitation to the review team sent',
  INVITATION_ACCEPTED: 'Invitation to the review team accepted',
  INVITATION_EXPIRED: 'Expired invitation link used',
  INVITATION_WITHDRAWN: 'Invitation to the review team withdrawn',
};

/** The words of a history type this file knows, else null (for confirmation banners). */
export function knownHistoryLabel(type: string): string | null {
  return Object.prototype.hasOwnProperty.call(HISTORY_LABELS, type) ? HISTORY_LABELS[type] : null;
}

/** A history row's type in words; an unknown type is written out from its code. */
export function historyLabel(type: string): string {
  if (HISTORY_LABELS[type]) return HISTORY_LABELS[type];
  const words = type.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const DECISION_OUTCOME_LABELS = {
  proceed: 'Hold a review',
  not_proceed: 'Do not hold a review',
  joint_review: 'Hold a joint review with another statutory review',
} as const;

export const QA_OUTCOME_LABELS = {
  approved: 'Approved for publication',
  approved_with_development: 'Approved, with areas for final development',
  resubmit: 'Resubmit',
} as const;

export const HOLD_REASON_LABELS = {
  criminal_proceedings: 'Criminal proceedings',
  inquest: 'Inquest',
  iopc: 'IOPC investigation',
  family: 'The family',
  other: 'Another reason',
} as const;

export const IMR_KIND_LABELS = { imr: 'Individual management review (IMR)', short_report: 'Short report' } as const;

export const RECOMMENDATION_LEVEL_LABELS: Readonly<Record<string, string>> = {
  single_agency: 'Single agency',
  multi_agency: 'Multi-agency',
  national: 'National',
};

export const PERSON_ROLE_LABELS: Readonly<Record<string, string>> = {
  victim: 'Victim',
  perpetrator: 'Perpetrator',
  child: 'Child',
  family: 'Family',
  friend: 'Friend',
  other: 'Other',
};

export const DOCUMENT_KIND_LABELS: Readonly<Record<string, string>> = {
  overview_report: 'Overview report',
  executive_summary: 'Executive summary',
  chronology: 'Chronology',
  imr: 'IMR',
  minutes: 'Minutes',
  letter: 'Letter',
  other: 'Other',
};

export const ACTION_STATUS_LABELS: Readonly<Record<string, string>> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  complete: 'Complete',
};

export const DEADLINE_STATUS_LABELS: Readonly<Record<string, string>> = {
  open: 'Open',
  paused: 'Paused (on hold)',
  met: 'Met',
  missed: 'Missed',
  returned: 'Returned',
  waived: 'Waived',
  cancelled: 'Cancelled',
  not_computed: 'Date not computed',
};

export const MEETING_STATUS_LABELS: Readonly<Record<PanelMeetingStatus, string>> = {
  scheduled: 'Scheduled',
  held: 'Held',
  cancelled: 'Cancelled',
};

export const ATTENDANCE_STATUS_LABELS: Readonly<Record<AttendanceStatus, string>> = {
  attended: 'Attended',
  apologies: 'Sent apologies',
};

export const FAMILY_ENGAGEMENT_KIND_LABELS: Readonly<Record<FamilyEngagementKind, string>> = {
  contact_attempt: 'Contact attempted',
  advocacy_offered: 'Specialist advocacy offered',
  advocate_appointed: 'Advocate appointed',
  consent: 'Consent to take part',
  meeting: 'Meeting with the family',
  draft_offered: 'Draft report offered',
  draft_comments: 'Comments on the draft received',
  told_of_publication: 'Told of the publication',
  other: 'Something else',
};

export const ADVOCACY_ORGANISATION_LABELS: Readonly<Record<AdvocacyOrganisation, string>> = {
  aafda: 'AAFDA (Advocacy After Fatal Domestic Abuse)',
  national_homicide_service: 'National Homicide Service',
  other: 'Another organisation',
};

export const CONTRIBUTION_PREFERENCE_LABELS: Readonly<Record<ContributionPreference, string>> = {
  meeting_in_person: 'Meeting in person',
  video_call: 'Video call',
  telephone: 'Telephone',
  in_writing: 'In writing',
  through_advocate: 'Through their advocate',
  does_not_wish_to_contribute: 'Does not wish to contribute',
};

export const AGENCY_KIND_LABELS: Readonly<Record<AgencyKind, string>> = {
  police: 'Police',
  health: 'Health',
  local_authority: 'Local authority',
  probation: 'Probation',
  specialist_da_service: 'Specialist domestic abuse service',
  other: 'Other',
};

export const USER_ROLE_LABELS: Readonly<Record<UserRole, string>> = {
  csp_lead: 'CSP lead',
  rag_member: 'RAG member',
  administrator: 'Administrator',
};

/** Roles on one review (review_members). */
export const REVIEW_ROLE_LABELS: Readonly<Record<ReviewRole, string>> = {
  chair: 'Chair',
  report_writer: 'Report writer',
  panel_member: 'Panel member',
  imr_author: 'IMR author',
};

export const APPOINTMENT_ROLE_LABELS: Readonly<Record<AppointmentRole, string>> = {
  chair: 'Independent chair',
  report_writer: 'Report writer',
};

export const LEGAL_STATUS_LABELS: Readonly<Record<LegalStatus, string>> = {
  suspected: 'Suspected',
  charged: 'Charged',
  convicted: 'Convicted',
  acquitted: 'Acquitted',
  deceased: 'Deceased',
};

/** Options of a radios or select field, in the order of the codes. */
export function optionsOf(codes: readonly string[], labels: Readonly<Record<string, string>>) {
  return codes.map((value) => ({ value, text: labels[value] ?? value }));
}

/** The hold region of the lifecycle drawing. */
export const HOLD_STATE_LABELS: Readonly<Record<'active' | 'onHold', string>> = { active: 'Running', onHold: 'On hold' };

/** The lifecycle drawing's words: stages by their names, transitions by what happened. */
export const DIAGRAM_LABELS = {
  stage: (stage: string) => STAGE_LABELS[stage as Stage] ?? stage,
  event: (event: string) => HISTORY_LABELS[event] ?? event,
  hold: (state: string) => HOLD_STATE_LABELS[state as 'active' | 'onHold'] ?? state,
};
