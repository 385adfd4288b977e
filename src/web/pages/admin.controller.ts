import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AgenciesService, createAgencySchema } from '../../casefile/agencies/agencies.service';
import { AGENCY_KINDS } from '../../casefile/entities';
import { createCspSchema } from '../../csps/csps.controller';
import { CspsService } from '../../csps/csps.service';
import { USER_ROLES } from '../../identity/identity.entities';
import { changerOf, createUserSchema, grantRoleSchema, revokeRoleSchema, UsersAdminService } from '../../identity/users-admin';
import { parseInput } from '../../infrastructure/http/validation';
import { may } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { AGENCY_KIND_LABELS, optionsOf, USER_ROLE_LABELS } from '../labels';
import { ukDate, ukDateTime, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { noticeFrom } from './more-page-support';
import { accessOf, actorOf, submitForm } from './page-support';

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
@ApiExcludeController()
@Controller('admin')
export class AdminPagesController {
  constructor(
    private readonly users: UsersAdminService,
    private readonly csps: CspsService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
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
      roleTexts: u.roles.map((r) => `${USER_ROLE_LABELS[r.role as keyof typeof USER_ROLE_LABELS] ?? r.role}${r.cspCode ? `, ${cspNames.get(r.cspCode) ?? r.cspCode}` : ''}`),
      disabledText: u.disabledAt ? `Disabled on ${ukDate(u.disabledAt)}` : null,
    }));
    return this.views.render(req, res, 'pages/admin/users.njk', {
      pageTitle: 'Users',
      users,
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('users/new')
  async newUser(@Req() req: WebRequest, @Res() res: Response) {
    return this.renderForm(req, res, await this.userForm(), {}, [], 200);
  }

  @Post('users')
  async createUser(@Req() req: WebRequest, @Res() res: Response, @Body() raw: unknown) {
    const body = formBody(raw);
    const form = await this.userForm();
    const { input, problems } = readForm(form.fields, body);
    const grant = grantOf(input);
    try {
      await this.users.create(
        parseInput(createUserSchema, { email: input.email, displayName: input.displayName, roles: grant ? [grant] : [], ...(input.reason !== undefined ? { reason: input.reason } : {}) }),
        changerOf(req),
      );
      return this.views.redirect(res, '/admin/users?done=USER_CREATED');
    } catch (error) {
      const refusal = refusalOf(error, form.fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderForm(req, res, form, body, mergeProblems(problems, userProblems(refusal.problems)), refusal.status, refusal);
    }
  }

  @Get('users/:userId/roles')
  async grantPage(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string) {
    return this.renderForm(req, res, await this.grantForm(userId), {}, [], 200);
  }

  @Post('users/:userId/roles')
  async grant(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const form = await this.grantForm(userId);
    const { input, problems } = readForm(form.fields, body);
    try {
      await this.users.grant(userId, parseInput(grantRoleSchema, input), changerOf(req));
      return this.views.redirect(res, `/admin/users/${userId}?done=ROLE_GRANTED`);
    } catch (error) {
      const refusal = refusalOf(error, form.fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderForm(req, res, form, body, mergeProblems(problems, refusal.problems), refusal.status, refusal);
    }
  }

  @Get('users/:userId')
  async userPage(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string, @Query('done') done: unknown) {
    const user = await this.user(userId);
    const changes = await this.users.changes(user.id);
    const cspNames = new Map((await this.csps.list()).map((c) => [c.code, c.name]));
    const roleText = (role: string, cspCode: string | null) =>
      `${USER_ROLE_LABELS[role as keyof typeof USER_ROLE_LABELS] ?? role}${cspCode ? `, ${cspNames.get(cspCode) ?? cspCode}` : ''}`;
    return this.views.render(req, res, 'pages/admin/user.njk', {
      pageTitle: user.displayName,
      user,
      about: this.aboutUser(user).filter((row) => row.key.text !== 'Roles'),
      roles: user.roles.map((r) => ({ id: r.id, text: roleText(r.role, r.cspCode) })),
      changes: changes.map((c) => ({
        when: ukDateTime(c.at),
        change: c.change === 'grant' ? 'Given' : 'Revoked',
        role: roleText(c.role, c.cspCode),
        by: c.changedBy,
        reason: c.reason,
      })),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('users/:userId/roles/:grantId/revoke')
  async revokePage(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string, @Param('grantId') grantId: string) {
    return this.renderForm(req, res, await this.revokeForm(userId, grantId), {}, [], 200);
  }

  @Post('users/:userId/roles/:grantId/revoke')
  async revoke(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string, @Param('grantId') grantId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const form = await this.revokeForm(userId, grantId);
    const { input, problems } = readForm(form.fields, body);
    try {
      await this.users.revoke(userId, grantId, parseInput(revokeRoleSchema, input), changerOf(req));
      return this.views.redirect(res, `/admin/users/${userId}?done=ROLE_REVOKED`);
    } catch (error) {
      const refusal = refusalOf(error, form.fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderForm(req, res, form, body, mergeProblems(problems, refusal.problems), refusal.status, refusal);
    }
  }

  @Get('users/:userId/disable')
  async disablePage(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string) {
    return this.renderForm(req, res, await this.disableForm(userId), {}, [], 200);
  }

  @Post('users/:userId/disable')
  async disable(@Req() req: WebRequest, @Res() res: Response, @Param('userId') userId: string) {
    try {
      await this.users.disable(userId, actorOf(req));
      return this.views.redirect(res, '/admin/users?done=USER_DISABLED');
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      return this.renderForm(req, res, await this.disableForm(userId), {}, refusal.problems, refusal.status, refusal);
    }
  }

  // Community Safety Partnerships

  @Get('csps')
  async cspList(@Req() req: WebRequest, @Res() res: Response, @Query('done') done: unknown) {
    return this.views.render(req, res, 'pages/admin/csps.njk', { pageTitle: 'Community Safety Partnerships', csps: await this.csps.list(), notice: noticeFrom(done, NOTICES) });
  }

  @Get('csps/new')
  async newCsp(@Req() req: WebRequest, @Res() res: Response) {
    return this.renderForm(req, res, this.cspForm(), {}, [], 200);
  }

  @Post('csps')
  async createCsp(@Req() req: WebRequest, @Res() res: Response, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      CSP_FIELDS,
      body,
      async (input) => {
        await this.csps.create(parseInput(createCspSchema, input));
        return '/admin/csps?done=CSP_CREATED';
      },
      (problems, refusal) => this.renderForm(req, res, this.cspForm(), body, problems, refusal.status, refusal),
    );
  }

  // Agencies

  @Get('agencies')
  async agencyList(@Req() req: WebRequest, @Res() res: Response, @Query('done') done: unknown) {
    const agencies = (await this.agencies.list()).map((a) => ({ ...a, kindText: AGENCY_KIND_LABELS[a.kind] ?? a.kind }));
    return this.views.render(req, res, 'pages/admin/agencies.njk', { pageTitle: 'Agencies', agencies, notice: noticeFrom(done, NOTICES) });
  }

  @Get('agencies/new')
  async newAgency(@Req() req: WebRequest, @Res() res: Response) {
    return this.renderForm(req, res, this.agencyForm(), {}, [], 200);
  }

  @Post('agencies')
  async createAgency(@Req() req: WebRequest, @Res() res: Response, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      AGENCY_FIELDS,
      body,
      async (input) => {
        await this.agencies.create(parseInput(createAgencySchema, input));
        return '/admin/agencies?done=AGENCY_CREATED';
      },
      (problems, refusal) => this.renderForm(req, res, this.agencyForm(), body, problems, refusal.status, refusal),
    );
  }

  private async userForm(): Promise<AdminForm> {
    return {
      title: 'Add a user',
      intro: 'They sign in with a password an administrator sets on the command line (npm run cli -- users:add --email … --password).',
      back: { href: '/admin/users', text: 'Back to users' },
      action: '/admin/users',
      fields: userFields(await this.csps.list()),
      button: 'Add the user',
    };
  }

  /** The user a page is about (404 when there is none, as UsersAdminService answers). */
  private async user(userId: string) {
    const user = (await this.users.list()).find((u) => u.id === userId);
    if (!user) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No user with this id' });
    return user;
  }

  private async grantForm(userId: string): Promise<AdminForm> {
    const user = await this.user(userId);
    return {
      title: `Give ${user.displayName} a role`,
      about: this.aboutUser(user),
      back: { href: '/admin/users', text: 'Back to users' },
      action: `/admin/users/${user.id}/roles`,
      fields: [...roleFields(await this.csps.list(), false), reasonField(false, 'Why they are given it: recorded with the change, with your name and the time.')],
      button: 'Give the role',
    };
  }

  private async revokeForm(userId: string, grantId: string): Promise<AdminForm> {
    const user = await this.user(userId);
    const grant = user.roles.find((r) => r.id === grantId);
    if (!grant) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No role with this id for this user (it may have been revoked already)' });
    const role = `${USER_ROLE_LABELS[grant.role as keyof typeof USER_ROLE_LABELS] ?? grant.role}${grant.cspCode ? ` (${grant.cspCode})` : ''}`;
    return {
      title: `Revoke ${user.displayName}’s role: ${role}`,
      intro: 'The role stops giving access at once. The revocation is recorded with your name, the time and the reason.',
      about: this.aboutUser(user),
      back: { href: `/admin/users/${user.id}`, text: `Back to ${user.displayName}` },
      action: `/admin/users/${user.id}/roles/${grant.id}/revoke`,
      fields: [reasonField(false, 'Why the role is taken away.')],
      button: 'Revoke the role',
      warning: true,
    };
  }

  private async disableForm(userId: string): Promise<AdminForm> {
    const user = await this.user(userId);
    return {
      title: `Disable ${user.displayName}`,
      intro: 'They can no longer sign in; their sessions and API tokens end at once. Users are never deleted: what they did stays in the reviews’ history.',
      about: this.aboutUser(user),
      back: { href: '/admin/users', text: 'Back to users' },
      action: `/admin/users/${user.id}/disable`,
      fields: [],
      button: 'Disable the user',
      warning: true,
    };
  }

  private aboutUser(user: Awaited<ReturnType<UsersAdminService['list']>>[number]) {
    return [
      { key: { text: 'Email address' }, value: { text: user.email } },
      { key: { text: 'Roles' }, value: { text: user.roles.map((r) => `${USER_ROLE_LABELS[r.role as keyof typeof USER_ROLE_LABELS] ?? r.role}${r.cspCode ? ` (${r.cspCode})` : ''}`).join(', ') || 'None' } },
      ...(user.disabledAt ? [{ key: { text: 'Disabled' }, value: { text: ukDate(user.disabledAt) } }] : []),
    ];
  }

  private cspForm(): AdminForm {
    return { title: 'Add a Community Safety Partnership', back: { href: '/admin/csps', text: 'Back to Community Safety Partnerships' }, action: '/admin/csps', fields: CSP_FIELDS, button: 'Add the partnership' };
  }

  private agencyForm(): AdminForm {
    return {
      title: 'Add an agency',
      intro: 'Agencies are shared by every review: police forces, health trusts, councils, probation, specialist services.',
      back: { href: '/admin/agencies', text: 'Back to agencies' },
      action: '/admin/agencies',
      fields: AGENCY_FIELDS,
      button: 'Add the agency',
    };
  }

  private renderForm(req: WebRequest, res: Response, form: AdminForm, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const view = formView(form.fields, { body, problems });
    return this.views.render(
      req,
      res,
      'pages/admin/form.njk',
      {
        pageTitle: form.title,
        heading: form.title,
        intro: form.intro,
        about: form.about,
        back: form.back,
        action: form.action,
        fields: view.fields,
        button: form.button,
        warning: form.warning ?? false,
        errorList: [...view.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }
}
