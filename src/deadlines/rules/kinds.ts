/** Every kind of tracked deadline. */
export const DEADLINE_KINDS = [
  'decision_due',
  'home_office_notification',
  'completion_target',
  'imr_due',
  'meeting_papers_due',
  'panel_meeting',
  'rag_sign_off',
  'qa_resubmission',
  'action_target',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** Kinds whose due date a period in config/statutory-periods.json can compute. */
export const PERIOD_KINDS = [
  'decision_due',
  'home_office_notification',
  'completion_target',
  'imr_due',
  'meeting_papers_due',
  'rag_sign_off',
  'qa_resubmission',
] as const satisfies readonly DeadlineKind[];
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/**
 * Statutory clocks keep running through a hold; task clocks pause and shift on resume
 * (docs/domain: "a hold pauses task clocks (IMRs, meetings, actions)").
 */
export const STATUTORY_KINDS = [
  'decision_due',
  'home_office_notification',
  'completion_target',
] as const satisfies readonly DeadlineKind[];
export const TASK_KINDS = [
  'imr_due',
  'meeting_papers_due',
  'panel_meeting',
  'rag_sign_off',
  'qa_resubmission',
  'action_target',
] as const satisfies readonly DeadlineKind[];

export function pausesOnHold(kind: DeadlineKind): boolean {
  return (TASK_KINDS as readonly DeadlineKind[]).includes(kind);
}

/** A key of config/statutory-periods.json `versions` ('2016', '2024', …): data, not code. */
export type GuidanceVersion = string;

/** Who a reminder goes to, relative to the deadline. */
export const RECIPIENTS = ['owner', 'chair', 'csp_lead', 'panel'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

/** Who an escalation goes to. */
export const ESCALATION_ROLES = ['chair', 'csp_lead', 'agency_senior_manager'] as const;
export type EscalationRole = (typeof ESCALATION_ROLES)[number];
