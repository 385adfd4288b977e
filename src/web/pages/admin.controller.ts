import { Get, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgenciesService, createAgencySchema } from '../../casefile/agencies/agencies.service';
import { createCspSchema } from '../../csps/csps.controller';
import { CspsService } from '../../csps/csps.service';
import { changerOf, createUserSchema, grantRoleSchema, revokeRoleSchema, UsersAdminService } from '../../identity/users-admin';
import { parseInput } from '../../infrastructure/http/validation';
import { may } from '../case-pages';
import { AGENCY_KIND_LABELS } from '../labels';
import { ukDate, ukDateTime, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { aboutUser, AGENCY_FIELDS, CSP_FIELDS, grantOf, NOTICES, reasonField, roleFields, roleInWords, userFields, userProblems } from './admin-forms';
import type { AdminForm } from './admin-forms';
import { FormPages, FormRoute, PageController } from './form-page';
import type { FormPage } from './form-page';
import { noticeFrom } from './more-page-support';
import { accessOf } from './page-support';

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
