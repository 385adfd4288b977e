import { AGENCY_KINDS } from '../../casefile/entities';
import { USER_ROLES } from '../../identity/identity.entities';
import type { FieldSpec, FormProblem } from '../forms';
import { AGENCY_KIND_LABELS, optionsOf, USER_ROLE_LABELS } from '../labels';
import { ukDate } from '../web-views';
import type { UsersAdminService } from '../../identity/users-admin';

/**
 * The administration pages' forms (users and their roles, CSPs, agencies): their fields, the
 * confirmations, and the words about users and roles. AdminPagesController routes them.
 */

export type Csps = ReadonlyArray<{ code: string; name: string }>;

export function roleFields(csps: Csps, optionalRole: boolean): FieldSpec[] {
  return [
    {
      name: 'role',
      label: 'Role',
      errorLabel: 'the role',
      kind: optionalRole ? 'select' : 'radios',
      optional: optionalRole,
      emptyOption: 'No role yet',
      options: optionsOf(USER_ROLES, USER_ROLE_LABELS),
      hint: optionalRole ? 'Roles on a review (chair, panel member…) are given on the review by its CSP lead.' : undefined,
    },
    {
      name: 'cspCode',
      label: 'Community Safety Partnership',
      errorLabel: 'the Community Safety Partnership',
      kind: 'select',
      optional: true,
      emptyOption: 'None (administrators only)',
      hint: 'For a CSP lead or a RAG member: the CSP they hold the role in.',
      options: csps.map((c) => ({ value: c.code, text: `${c.name} (${c.code})` })),
    },
  ];
}

export function reasonField(optional: boolean, hint: string): FieldSpec {
  return { name: 'reason', label: 'Reason', errorLabel: 'the reason', kind: 'textarea', optional, hint };
}

export function userFields(csps: Csps): FieldSpec[] {
  return [
    { name: 'email', label: 'Email address', kind: 'email', autocomplete: 'off', classes: 'govuk-!-width-two-thirds' },
    { name: 'displayName', label: 'Full name', kind: 'text', autocomplete: 'off', classes: 'govuk-!-width-two-thirds' },
    ...roleFields(csps, true),
    reasonField(true, 'Needed with a role: why they are given it (recorded with the change, for example the request that asked for it).'),
  ];
}

export const CSP_FIELDS: FieldSpec[] = [
  { name: 'code', label: 'Code', kind: 'text', hint: 'Used in review references: capital letters, digits or -, for example MALDON.', classes: 'govuk-input--width-10' },
  { name: 'name', label: 'Name', kind: 'text', hint: 'For example, Maldon Community Safety Partnership.', classes: 'govuk-!-width-two-thirds' },
  { name: 'boardName', label: 'Name of its sign-off board', kind: 'text', optional: true, hint: 'Leave empty for Responsible Authorities Group.', classes: 'govuk-!-width-two-thirds' },
];

export const AGENCY_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', hint: 'For example, Essex Police.', classes: 'govuk-!-width-two-thirds' },
  { name: 'kind', label: 'Kind of agency', errorLabel: 'the kind of agency', kind: 'radios', options: optionsOf(AGENCY_KINDS, AGENCY_KIND_LABELS) },
];

export const NOTICES: Record<string, string> = {
  USER_CREATED: 'User created',
  ROLE_GRANTED: 'Role given',
  ROLE_REVOKED: 'Role revoked: it no longer gives access',
  USER_DISABLED: 'User disabled: their sessions and tokens have ended',
  CSP_CREATED: 'Community Safety Partnership added',
  AGENCY_CREATED: 'Agency added',
};

/** A grant as the form gives it, and the service's problems about `roles.0.*` on the form's fields. */
export function grantOf(input: Record<string, unknown>): Record<string, unknown> | null {
  if (input.role === undefined && input.cspCode === undefined) return null;
  return { ...(input.role !== undefined ? { role: input.role } : {}), ...(input.cspCode !== undefined ? { cspCode: input.cspCode } : {}) };
}

export function userProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => {
    const match = /^roles\.0\.(role|cspCode)$/.exec(p.field);
    return match ? { field: match[1], message: p.message } : p;
  });
}

/** A role in words: "Chair, Maldon Community Safety Partnership" with the CSPs' names, else "Chair (MALDON)". */
export function roleInWords(role: string, cspCode: string | null, cspNames?: ReadonlyMap<string, string>): string {
  const label = USER_ROLE_LABELS[role as keyof typeof USER_ROLE_LABELS] ?? role;
  if (!cspCode) return label;
  return cspNames ? `${label}, ${cspNames.get(cspCode) ?? cspCode}` : `${label} (${cspCode})`;
}

export type User = Awaited<ReturnType<UsersAdminService['list']>>[number];

export function aboutUser(user: User) {
  return [
    { key: { text: 'Email address' }, value: { text: user.email } },
    { key: { text: 'Roles' }, value: { text: user.roles.map((r) => roleInWords(r.role, r.cspCode)).join(', ') || 'None' } },
    ...(user.disabledAt ? [{ key: { text: 'Disabled' }, value: { text: ukDate(user.disabledAt) } }] : []),
  ];
}

export interface AdminForm {
  title: string;
  intro?: string;
  back: { href: string; text: string };
  action: string;
  fields: FieldSpec[];
  button: string;
  warning?: boolean;
  about?: Array<{ key: { text: string }; value: { text: string } }>;
}
