import { ForbiddenException } from '@nestjs/common';
import { REVIEW_ROLES } from '../../access/review-member.entity';
import { APPOINTMENT_ROLES } from '../../casefile/entities';
import { FieldSpec, FormProblem, namedProblems } from '../forms';
import { APPOINTMENT_ROLE_LABELS, optionsOf, REVIEW_ROLE_LABELS } from '../labels';
import { codesInWords } from './more-page-support';

/** The review team's forms: their fields, notices, and the service's words put on their fields. */

type Agencies = ReadonlyArray<{ id: string; name: string }>;

const agencyOptions = (agencies: Agencies) => agencies.map((a) => ({ value: a.id, text: a.name }));

/**
 * A member of the review (addMemberSchema): a user of the service by the email they sign in
 * with, or someone who is not yet one, who is sent an invitation to that address.
 */
export function memberFields(agencies: Agencies): FieldSpec[] {
  return [
    { name: 'name', label: 'Full name', kind: 'text', optional: true, classes: 'govuk-!-width-two-thirds', autocomplete: 'off' },
    {
      name: 'email',
      label: 'Email address',
      kind: 'email',
      hint: 'If they are not yet a user of this service, they are sent an invitation to this address to choose a password and join.',
      classes: 'govuk-!-width-two-thirds',
      autocomplete: 'off',
    },
    { name: 'role', label: 'Role on the review', errorLabel: 'a role on the review', kind: 'radios', options: optionsOf(REVIEW_ROLES, REVIEW_ROLE_LABELS) },
    {
      name: 'agencyId',
      label: 'Agency',
      errorLabel: 'the agency',
      kind: 'select',
      optional: true,
      emptyOption: 'No agency (chair, report writer)',
      hint: 'Only for a panel member or an IMR author: the agency they represent or write for.',
      options: agencyOptions(agencies),
    },
    ...DECLARATION_FIELDS,
  ];
}

/**
 * What the role declares, on the same form (issue 14 item 2: one record per person): for the
 * chair or a report writer their organisation and declaration of independence (recorded as
 * their appointment), for a panel member their role in the agency and their declaration that
 * they did not manage the case (recorded as their panel place). Left empty, only the
 * membership is recorded; the appointment or panel place can be added later.
 */
export const DECLARATION_FIELDS: FieldSpec[] = [
  { name: 'organisation', label: 'Organisation', kind: 'text', optional: true, hint: 'For the chair or a report writer: given, their appointment is recorded too.', classes: 'govuk-!-width-two-thirds' },
  {
    name: 'independenceStatement',
    label: 'Declaration of independence',
    kind: 'textarea',
    optional: true,
    hint: 'For the chair or a report writer: their statement that they are independent of every agency involved in the case.',
  },
  { name: 'roleInAgency', label: 'Their position, for a panel member', errorLabel: 'their position in their agency', kind: 'text', optional: true, hint: 'For a panel member: given, their place on the panel is recorded too. For example, Detective Inspector, Public Protection', classes: 'govuk-!-width-two-thirds' },
  {
    name: 'noDirectCaseManagementDeclared',
    label: 'Panel member’s declaration',
    errorLabel: 'that they did not manage the case directly',
    kind: 'checkbox',
    optional: true,
    options: [{ value: 'true', text: 'They declare that they did not manage the case, or the staff involved, directly' }],
  },
  { name: 'startedOn', label: 'Date appointed or joined the panel', errorLabel: 'the date appointed or joined', kind: 'date', optional: true, hint: 'If not given, today. For example, 12 2 2026' },
];

/** The names the appointment and panel schemas give the declaration fields, on this form. */
const DECLARATION_NAMES: Record<string, string> = { appointedOn: 'startedOn', joinedOn: 'startedOn', role: 'roleInAgency', name: 'name', organisation: 'organisation', independenceStatement: 'independenceStatement', noDirectCaseManagementDeclared: 'noDirectCaseManagementDeclared' };

/** The form's input split: the membership's fields, and what its role declares (if anything). */
export function splitDeclarations(input: Record<string, unknown>): { member: Record<string, unknown>; declared: Record<string, unknown> } {
  const member: Record<string, unknown> = {};
  const declared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) (DECLARATION_FIELDS.some((f) => f.name === key) ? declared : member)[key] = value;
  return { member, declared };
}

/** The appointment's or panel place's input from the form, or null when the role declares nothing here. */
export function declarationInput(role: unknown, member: Record<string, unknown>, declared: Record<string, unknown>, name: string, today: string): { kind: 'appointment' | 'panel'; input: Record<string, unknown> } | null {
  const startedOn = declared.startedOn ?? today;
  if ((role === 'chair' || role === 'report_writer') && declared.organisation) {
    const input = { role, name, organisation: declared.organisation, email: member.email, appointedOn: startedOn, ...(declared.independenceStatement ? { independenceStatement: declared.independenceStatement } : {}) };
    return { kind: 'appointment', input };
  }
  if (role === 'panel_member' && declared.roleInAgency) {
    const input = { name, agencyId: member.agencyId, role: declared.roleInAgency, email: member.email, joinedOn: startedOn, noDirectCaseManagementDeclared: declared.noDirectCaseManagementDeclared ?? false };
    return { kind: 'panel', input };
  }
  return null;
}

/** A refusal of the appointment or panel schema, on this form's field names. */
export function declarationProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => {
    const field = DECLARATION_NAMES[p.field] ?? p.field;
    if (field === 'noDirectCaseManagementDeclared') return { field, message: 'is required for a panel member' };
    return { field, message: p.message };
  });
}

/** An appointment (appointSchema): the independent chair or a report writer, with their declaration. */
export const APPOINTMENT_FIELDS: FieldSpec[] = [
  { name: 'role', label: 'Appointed as', errorLabel: 'what they are appointed as', kind: 'radios', options: optionsOf(APPOINTMENT_ROLES, APPOINTMENT_ROLE_LABELS) },
  { name: 'name', label: 'Full name', kind: 'text', classes: 'govuk-!-width-two-thirds', autocomplete: 'off' },
  { name: 'organisation', label: 'Organisation', kind: 'text', classes: 'govuk-!-width-two-thirds' },
  { name: 'email', label: 'Email address', kind: 'email', optional: true, classes: 'govuk-!-width-two-thirds', autocomplete: 'off' },
  { name: 'appointedOn', label: 'Date appointed', errorLabel: 'the date appointed', kind: 'date', hint: 'For example, 12 2 2026' },
  {
    name: 'independenceStatement',
    label: 'Declaration of independence',
    kind: 'textarea',
    optional: true,
    hint: 'Their statement that they are independent of every agency involved in the case. If they have made it, it is recorded with the appointment.',
  },
];

/** A panel member (addPanelMemberSchema): a senior representative of an agency. */
export function panelFields(agencies: Agencies): FieldSpec[] {
  return [
    { name: 'name', label: 'Full name', kind: 'text', classes: 'govuk-!-width-two-thirds', autocomplete: 'off' },
    { name: 'agencyId', label: 'Agency', errorLabel: 'the agency', kind: 'select', options: agencyOptions(agencies) },
    { name: 'role', label: 'Their role in the agency', errorLabel: 'their role in the agency', kind: 'text', hint: 'For example, Detective Inspector, Public Protection', classes: 'govuk-!-width-two-thirds' },
    { name: 'email', label: 'Email address', kind: 'email', optional: true, classes: 'govuk-!-width-two-thirds', autocomplete: 'off' },
    { name: 'joinedOn', label: 'Date they joined the panel', errorLabel: 'the date they joined the panel', kind: 'date', hint: 'For example, 12 2 2026' },
    {
      name: 'noDirectCaseManagementDeclared',
      label: 'Declaration',
      errorLabel: 'that they did not manage the case directly',
      kind: 'checkbox',
      hint: 'Someone who managed the case directly cannot sit on the panel.',
      options: [{ value: 'true', text: 'They declare that they did not manage the case, or the staff involved, directly' }],
    },
  ];
}

export const NOTICES = {
  MEMBER_ADDED: 'Member added to the review',
  MEMBER_ENDED: 'Membership ended',
  INVITED: 'Invitation sent',
  INVITATION_RESENT: 'Invitation sent again',
  INVITATION_WITHDRAWN: 'Invitation withdrawn',
  CHAIR_APPOINTED: 'Chair appointment recorded',
  REPORT_WRITER_APPOINTED: 'Report writer appointment recorded',
  PANEL_MEMBER_ADDED: 'Panel member added',
};

/**
 * The service's words, put on the fields of the members form: an email of nobody, the codes of
 * roles, and a role only the CSP lead gives (the service's 403 "role: …", which is about the form).
 */
export function memberProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => {
    if (p.field === 'name' && /^is required/.test(p.message)) {
      return { field: 'name', message: 'is needed: they are not yet a user of this service, so they are sent an invitation in this name' };
    }
    if (p.field === 'agencyId') return { ...p, message: codesInWords(p.message, REVIEW_ROLE_LABELS) };
    return p;
  });
}

/** A 403 of the members service that names the role ("role: only the CSP lead appoints a chair"): a refusal of the form. */
export function roleRefusal(error: unknown): FormProblem[] {
  if (!(error instanceof ForbiddenException)) return [];
  const body = error.getResponse();
  const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
  return typeof message === 'string' ? namedProblems(message, ['role']).map((p) => ({ field: 'role', message: `is refused: ${p.message}` })) : [];
}

/** The panel declaration's refusal as a missing tick (the hint says why it is needed). */
export function panelProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => (p.field === 'noDirectCaseManagementDeclared' ? { field: p.field, message: 'is required' } : p));
}
