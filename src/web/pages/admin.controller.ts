import { Get, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgenciesService, createAgencySchema } from '../../casefile/agencies/agencies.service';
import { AGENCY_KINDS } from '../../casefile/entities';
import { createCspSchema } from '../../csps/csps.controller';
import { CspsService } from '../../csps/csps.service';
import { USER_ROLES } from '../../identity/identity.entities';
import { changerOf, createUserSchema, grantRoleSchema, revokeRoleSchema, UsersAdminService } from '../../identity/users-admin';
import { parseInput } from '../../infrastructure/http/validation';
import { may } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { AGENCY_KIND_LABELS, optionsOf, USER_ROLE_LABELS } from '../labels';
import { ukDate, ukDateTime, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { FormPages, FormRoute, PageController } from './form-page';
import type { FormPage } from './form-page';
import { noticeFrom } from './more-page-support';
import { accessOf } from './page-support';

type Csps = ReadonlyArray<{ code: string; name: string }>;

function roleFields(csps: Csps, optionalRole: boolean): FieldSpec[] {
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

function reasonField(optional: boolean, hint: string): FieldSpec {
  return { name: 'reason', label: 'Reason', errorLabel: 'the reason', kind: 'textarea', optional, hint };
}

function userFields(csps: Csps): FieldSpec[] {
  return [
    { name: 'email', label: 'Email address', kind: 'email', autocomplete: 'off', classes: 'govuk-!-width-two-thirds' },
    { name: 'displayName', label: 'Full name', kind: 'text', autocomplete: 'off', classes: 'govuk-!-width-two-thirds' },
    ...roleFields(csps, true),
    reasonField(true, 'Needed with a role: why they are given it (recorded with the change, for example the request that asked for it).'),
  ];
}

const CSP_FIELDS: FieldSpec[] = [
  { name: 'code', label: 'Code', kind: 'text', hint: 'Used in review references: capital letters, digits or -, for example MALDON.', classes: 'govuk-input--width-10' },
  { name: 'name', label: 'Name', kind: 'text', hint: 'For example, Maldon Community Safety Partnership.', classes: 'govuk-!-width-two-thirds' },
  { name: 'boardName', label: 'Name of its sign-off board', kind: 'text', optional: true, hint: 'Leave empty for Responsible Authorities Group.', classes: 'govuk-!-width-two-thirds' },
];

const AGENCY_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', hint: 'For example, Essex Police.', classes: 'govuk-!-width-two-thirds' },
  { name: 'kind', label: 'Kind of agency', errorLabel: 'the kind of agency', kind: 'radios', options: optionsOf(AGENCY_KINDS, AGENCY_KIND_LABELS) },
];

const NOTICES: Record<string, string> = {
  USER_CREATED: 'User created',
  ROLE_GRANTED: 'Role given',
  ROLE_REVOKED: 'Role revoked: it no longer gives access',
  USER_DISABLED: 'User disabled: their sessions and tokens have ended',
  CSP_CREATED: 'Community Safety Partnership added',
  AGENCY_CREATED: 'Agency added',
};

/** A grant as the form gives it, and the service's problems about `roles.0.*` on the form's fields. */
function grantOf(input: Record<string, unknown>): Record<string, unknown> | null {
  if (input.role === undefined && input.cspCode === undefined) return null;
  return { ...(input.role !== undefined ? { role: input.role } : {}), ...(input.cspCode !== undefined ? { cspCode: input.cspCode } : {}) };
}

function userProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => {
    const match = /^roles\.0\.(role|cspCode)$/.exec(p.field);
    return match ? { field: match[1], message: p.message } : p;
  });
}

/** A role in words: "Chair, Maldon Community Safety Partnership" with the CSPs' names, else "Chair (MALDON)". */
function roleInWords(role: string, cspCode: string | null, cspNames?: ReadonlyMap<string, string>): string {
  const label = USER_ROLE_LABELS[role as keyof typeof USER_ROLE_LABELS] ?? role;
  if (!cspCode) return label;
  return cspNames ? `${label}, ${cspNames.get(cspCode) ?? cspCode}` : `${label} (${cspCode})`;
}

type User = Awaited<ReturnType<UsersAdminService['list']>>[number];

function aboutUser(user: User) {
  return [
    { key: { text: 'Email address' }, value: { text: user.email } },
    { key: { text: 'Roles' }, value: { text: user.roles.map((r) => roleInWords(r.role, r.cspCode)).join(', ') || 'None' } },
    ...(user.disabledAt ? [{ key: { text: 'Disabled' }, value: { text: ukDate(user.disabledAt) } }] : []),
  ];
}

interface AdminForm {
  title: string;
  intro?: string;
  back: { href: string; text: string };
  action: string;
  fields: FieldSpec[];
  button: string;
  warning?: boolean;
  about?: Array<{ key: { text: string }; value: { text: string } }>;
}

/**
 * Administration (administrators): users and their CSP roles, the Community Safety
 * Partnerships and the agencies, through the services of the /users, /csps and /agencies API.
 * No case content is shown here.
 */
@PageController('admin')
export class AdminPagesController {
  constructor(
    private readonly users: UsersAdminService,
    private readonly csps: CspsService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
    readonly forms: FormPages,
  ) {}

  @Get()
  async index(@Req() req: WebRequest, @Res() res: Response) {
    const access = accessOf(req);
    const [users, csps, agencies] = await Promise.all([this.users.list(), this.csps.list(), this.agencies.list()]);
    return this.views.render(req, res, 'pages/admin/index.njk', {
      pageTitle: 'Administration',
      sections: [
        { href: '/admin/users', text: 'Users', description: `${users.length} ${users.length === 1 ? 'user' : 'users'}: who may sign in, and their roles.`, show: may(access, 'users.manage') },
        { href: '/admin/csps', text: 'Community Safety Partnerships', description: `${csps.length} ${csps.length === 1 ? 'partnership' : 'partnerships'}.`, show: may(access, 'csps.manage') },
        { href: '/admin/agencies', text: 'Agencies', description: `${agencies.length} ${agencies.length === 1 ? 'agency' : 'agencies'} that sit on panels and write IMRs.`, show: may(access, 'agencies.manage') },
      ].filter((s) => s.show),
    });
  }

  // Users

  @Get('users')
  async userList(@Req() req: WebRequest, @Res() res: Response, @Query('done') done: unknown) {
    const csps = await this.csps.list();
    const cspNames = new Map(csps.map((c) => [c.code, c.name]));
    const users = (await this.users.list()).map((u) => ({
      ...u,
      roleTexts: u.roles.map((r) => roleInWords(r.role, r.cspCode, cspNames)),
      disabledText: u.disabledAt ? `Disabled on ${ukDate(u.disabledAt)}` : null,
    }));
    return this.views.render(req, res, 'pages/admin/users.njk', {
      pageTitle: 'Users',
      users,
      notice: noticeFrom(done, NOTICES),
    });
  }

  @FormRoute('users/new', { post: 'users' })
  userPage(): FormPage<AdminForm> {
    return this.formPage(async () => ({
      title: 'Add a user',
      intro: 'They sign in with a password an administrator sets on the command line (npm run cli -- users:add --email … --password).',
      back: { href: '/admin/users', text: 'Back to users' },
      action: '/admin/users',
      fields: userFields(await this.csps.list()),
      button: 'Add the user',
    }), {
      submit: async (input, { req }) => {
        const grant = grantOf(input);
        const reason = input.reason !== undefined ? { reason: input.reason } : {};
        await this.users.create(parseInput(createUserSchema, { email: input.email, displayName: input.displayName, roles: grant ? [grant] : [], ...reason }), changerOf(req));
        return '/admin/users?done=USER_CREATED';
      },
      problems: userProblems,
    });
  }

  @FormRoute('users/:userId/roles')
  grantPage(): FormPage<AdminForm> {
    return this.formPage(async (p) => {
      const user = await this.user(p.userId);
      return {
        title: `Give ${user.displayName} a role`,
        about: aboutUser(user),
        back: { href: '/admin/users', text: 'Back to users' },
        action: `/admin/users/${user.id}/roles`,
        fields: [...roleFields(await this.csps.list(), false), reasonField(false, 'Why they are given it: recorded with the change, with your name and the time.')],
        button: 'Give the role',
      };
    }, {
      submit: async (input, { req, params }) => {
        await this.users.grant(params.userId, parseInput(grantRoleSchema, input), changerOf(req));
        return `/admin/users/${params.userId}?done=ROLE_GRANTED`;
      },
    });
  }

  @Get('users/:userId')
  async userDetails(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string, @Query('done') done: unknown) {
    const user = await this.user(userId);
    const changes = await this.users.changes(user.id);
    const cspNames = new Map((await this.csps.list()).map((c) => [c.code, c.name]));
    return this.views.render(req, res, 'pages/admin/user.njk', {
      pageTitle: user.displayName,
      user,
      about: aboutUser(user).filter((row) => row.key.text !== 'Roles'),
      roles: user.roles.map((r) => ({ id: r.id, text: roleInWords(r.role, r.cspCode, cspNames) })),
      changes: changes.map((c) => ({
        when: ukDateTime(c.at),
        change: c.change === 'grant' ? 'Given' : 'Revoked',
        role: roleInWords(c.role, c.cspCode, cspNames),
        by: c.changedBy,
        reason: c.reason,
      })),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @FormRoute('users/:userId/roles/:grantId/revoke')
  revokePage(): FormPage<AdminForm> {
    return this.formPage(async (p) => {
      const user = await this.user(p.userId);
      const grant = user.roles.find((r) => r.id === p.grantId);
      if (!grant) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No role with this id for this user (it may have been revoked already)' });
      return {
        title: `Revoke ${user.displayName}’s role: ${roleInWords(grant.role, grant.cspCode)}`,
        intro: 'The role stops giving access at once. The revocation is recorded with your name, the time and the reason.',
        about: aboutUser(user),
        back: { href: `/admin/users/${user.id}`, text: `Back to ${user.displayName}` },
        action: `/admin/users/${user.id}/roles/${grant.id}/revoke`,
        fields: [reasonField(false, 'Why the role is taken away.')],
        button: 'Revoke the role',
        warning: true,
      };
    }, {
      submit: async (input, { req, params }) => {
        await this.users.revoke(params.userId, params.grantId, parseInput(revokeRoleSchema, input), changerOf(req));
        return `/admin/users/${params.userId}?done=ROLE_REVOKED`;
      },
    });
  }

  @FormRoute('users/:userId/disable')
  disablePage(): FormPage<AdminForm> {
    return this.formPage(async (p) => {
      const user = await this.user(p.userId);
      return {
        title: `Disable ${user.displayName}`,
        intro: 'They can no longer sign in; their sessions and API tokens end at once. Users are never deleted: what they did stays in the reviews’ history.',
        about: aboutUser(user),
        back: { href: '/admin/users', text: 'Back to users' },
        action: `/admin/users/${user.id}/disable`,
        fields: [],
        button: 'Disable the user',
        warning: true,
      };
    }, {
      submit: async (_, { params, actor }) => {
        await this.users.disable(params.userId, actor());
        return '/admin/users?done=USER_DISABLED';
      },
      eachProblem: true,
    });
  }

  // Community Safety Partnerships

  @Get('csps')
  async cspList(@Req() req: WebRequest, @Res() res: Response, @Query('done') done: unknown) {
    return this.views.render(req, res, 'pages/admin/csps.njk', { pageTitle: 'Community Safety Partnerships', csps: await this.csps.list(), notice: noticeFrom(done, NOTICES) });
  }

  @FormRoute('csps/new', { post: 'csps' })
  cspPage(): FormPage<AdminForm> {
    const back = { href: '/admin/csps', text: 'Back to Community Safety Partnerships' };
    return this.formPage(() => ({ title: 'Add a Community Safety Partnership', back, action: '/admin/csps', fields: CSP_FIELDS, button: 'Add the partnership' }), {
      submit: async (input) => {
        await this.csps.create(parseInput(createCspSchema, input));
        return '/admin/csps?done=CSP_CREATED';
      },
    });
  }

  // Agencies

  @Get('agencies')
  async agencyList(@Req() req: WebRequest, @Res() res: Response, @Query('done') done: unknown) {
    const agencies = (await this.agencies.list()).map((a) => ({ ...a, kindText: AGENCY_KIND_LABELS[a.kind] ?? a.kind }));
    return this.views.render(req, res, 'pages/admin/agencies.njk', { pageTitle: 'Agencies', agencies, notice: noticeFrom(done, NOTICES) });
  }

  @FormRoute('agencies/new', { post: 'agencies' })
  agencyPage(): FormPage<AdminForm> {
    const intro = 'Agencies are shared by every review: police forces, health trusts, councils, probation, specialist services.';
    const back = { href: '/admin/agencies', text: 'Back to agencies' };
    return this.formPage(() => ({ title: 'Add an agency', intro, back, action: '/admin/agencies', fields: AGENCY_FIELDS, button: 'Add the agency' }), {
      submit: async (input) => {
        await this.agencies.create(parseInput(createAgencySchema, input));
        return '/admin/agencies?done=AGENCY_CREATED';
      },
    });
  }

  /** An administration form: the page AdminForm describes, and what the service is asked. */
  private formPage(form: (params: Record<string, string>) => AdminForm | Promise<AdminForm>, handling: Pick<FormPage<AdminForm>, 'submit' | 'problems' | 'eachProblem'>): FormPage<AdminForm> {
    return {
      template: 'pages/admin/form.njk',
      load: async ({ params }) => form(params),
      fields: async ({ params }, loaded) => (loaded ?? (await form(params))).fields,
      view: (f) => ({ pageTitle: f.title, heading: f.title, intro: f.intro, about: f.about, back: f.back, action: f.action, button: f.button, warning: f.warning ?? false }),
      ...handling,
    };
  }

  /** The user a page is about (404 when there is none, as UsersAdminService answers). */
  private async user(userId: string) {
    const user = (await this.users.list()).find((u) => u.id === userId);
    if (!user) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No user with this id' });
    return user;
  }
}
