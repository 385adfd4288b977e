import { Body, Controller, ForbiddenException, Get, HttpCode, Injectable, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { DataSource, IsNull } from 'typeorm';
import { z } from 'zod';
import { Clock } from '../infrastructure/clock/clock';
import { Actor } from '../infrastructure/http/actor';
import { RequestValidationError, StateConflictError } from '../infrastructure/http/errors';
import { openApiBody } from '../infrastructure/http/openapi';
import { isUuid, parseInput } from '../infrastructure/http/validation';
import type { IdentifiedRequest } from './identity.guard';
import { ApiToken, User, USER_ROLES, UserRoleChange, UserRoleGrant } from './identity.entities';
import { CASE_USER_ROLES, IdentityError, IdentityService, recordRoleChange, RoleChangeBy } from './identity.service';

const email = z.string().trim().toLowerCase().email('must be an email address').max(320, 'must be at most 320 characters');
const grant = z
  .object({
    role: z.enum(USER_ROLES, { errorMap: () => ({ message: `must be one of ${USER_ROLES.join(', ')}` }) }),
    cspCode: z.string().trim().min(1).max(30).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.role !== 'administrator' && !value.cspCode) ctx.addIssue({ code: 'custom', path: ['cspCode'], message: `is required for the role ${value.role}` });
    if (value.role === 'administrator' && value.cspCode) ctx.addIssue({ code: 'custom', path: ['cspCode'], message: 'must not be given for an administrator' });
  });
const reason = z
  .string({ required_error: 'is required: say why (it is recorded with the change)', invalid_type_error: 'must be text' })
  .trim()
  .min(1, 'is required: say why (it is recorded with the change)')
  .max(1000, 'must be at most 1000 characters');
export const createUserSchema = z
  .object({
    email,
    displayName: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    roles: z.array(grant).max(20).default([]),
    /** Why the roles are given: required with roles. */
    reason: reason.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.roles.length > 0 && !value.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required with roles: say why (it is recorded with the change)' });
  });
export const grantRoleSchema = z
  .object({ role: grant.innerType().shape.role, cspCode: grant.innerType().shape.cspCode, reason })
  .strict()
  .superRefine((value, ctx) => {
    if (value.role !== 'administrator' && !value.cspCode) ctx.addIssue({ code: 'custom', path: ['cspCode'], message: `is required for the role ${value.role}` });
    if (value.role === 'administrator' && value.cspCode) ctx.addIssue({ code: 'custom', path: ['cspCode'], message: 'must not be given for an administrator' });
  });
export const revokeRoleSchema = z.object({ reason }).strict();

/** Who is making a change through the API or the pages. */
export interface Changer {
  actor: string;
  userId: string | null;
}

export function changerOf(req: IdentifiedRequest): Changer {
  return { actor: req.identity?.actor ?? 'anonymous', userId: req.identity?.userId ?? null };
}

/**
 * Users and their CSP roles, for administrators (the policy's `users.manage`). Users are never
 * deleted: disabling one ends their sign-ins and tokens at once. Per-review roles are given on
 * the review (POST /reviews/:id/members) by its CSP lead or chair.
 */
@Injectable()
export class UsersAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly identities: IdentityService,
    private readonly clock: Clock,
  ) {}

  async list() {
    const users = await this.dataSource.manager.find(User, { order: { email: 'ASC' } });
    const grants = await this.dataSource.manager.find(UserRoleGrant, { relations: { csp: true } });
    return users.map((u) => this.view(u, grants.filter((g) => g.userId === u.id)));
  }

  async create(input: z.output<typeof createUserSchema>, by: Changer) {
    if (await this.dataSource.manager.findOne(User, { where: { email: input.email } })) {
      throw new StateConflictError(`A user with the email ${input.email} already exists`);
    }
    return this.dataSource.transaction(async (tx) => {
      let user = await this.identities.addUser({ email: input.email, displayName: input.displayName }, tx);
      for (const [i, g] of input.roles.entries()) {
        user = await this.grantIn(tx, user, g, `roles.${i}.cspCode`, this.changeBy(by, input.reason ?? ''));
      }
      return this.view(user, await tx.find(UserRoleGrant, { where: { userId: user.id }, relations: { csp: true } }));
    });
  }

  /** Gives a user a role, recorded with who gave it and why; nobody gives themself a case role. */
  async grant(userId: string, input: z.output<typeof grantRoleSchema>, by: Changer) {
    return this.dataSource.transaction(async (tx) => {
      const user = await this.find(tx, userId);
      this.refuseSelf(user, input.role, by, 'give yourself');
      await this.grantIn(tx, user, input, 'cspCode', this.changeBy(by, input.reason));
      return this.view(user, await tx.find(UserRoleGrant, { where: { userId: user.id }, relations: { csp: true } }));
    });
  }

  /**
   * Takes a role away at once (the next request is decided without it), recorded with who and
   * why. Nobody revokes a case role from themself, nor their own administrator role.
   */
  async revoke(userId: string, grantId: string, input: z.output<typeof revokeRoleSchema>, by: Changer) {
    return this.dataSource.transaction(async (tx) => {
      const user = await this.find(tx, userId);
      const grant = isUuid(grantId) ? await tx.findOne(UserRoleGrant, { where: { id: grantId, userId: user.id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!grant) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No role with this id for this user (it may have been revoked already)' });
      this.refuseSelf(user, grant.role, by, 'revoke from yourself');
      if (grant.role === 'administrator' && this.isSelf(user, by)) throw new StateConflictError('You cannot revoke your own administrator role: another administrator must');
      await tx.delete(UserRoleGrant, { id: grant.id });
      await recordRoleChange(tx, { userId: user.id, role: grant.role, cspId: grant.cspId, change: 'revoke', grantId: grant.id }, this.changeBy(by, input.reason));
      return this.view(user, await tx.find(UserRoleGrant, { where: { userId: user.id }, relations: { csp: true } }));
    });
  }

  /** Every grant and revocation of the user's roles, newest first. */
  async changes(userId: string) {
    const user = await this.find(this.dataSource.manager, userId, false);
    const rows = await this.dataSource.manager.find(UserRoleChange, { where: { userId: user.id }, relations: { csp: true }, order: { at: 'DESC', id: 'DESC' } });
    return rows.map((c) => ({
      id: c.id,
      change: c.change,
      role: c.role,
      cspId: c.cspId,
      cspCode: c.csp?.code ?? null,
      grantId: c.grantId,
      reason: c.reason,
      changedBy: c.changedBy,
      at: c.at,
    }));
  }

  private isSelf(user: User, by: Changer): boolean {
    return (by.userId !== null && by.userId === user.id) || by.actor.toLowerCase() === user.email;
  }

  /** 403: an administrator who could give themself a CSP role could read the case files it opens. */
  private refuseSelf(user: User, role: string, by: Changer, what: string): void {
    if (!this.isSelf(user, by) || !(CASE_USER_ROLES as readonly string[]).includes(role)) return;
    throw new ForbiddenException({
      statusCode: 403,
      error: 'Forbidden',
      message: `role: you cannot ${what} the case role ${role}; another administrator must do it`,
    });
  }

  private changeBy(by: Changer, reason: string): RoleChangeBy {
    return { changedBy: by.actor, changedByUserId: by.userId, reason, at: this.clock.now() };
  }

  async disable(userId: string, actor: string) {
    return this.dataSource.transaction(async (tx) => {
      const user = await this.find(tx, userId);
      if (user.disabledAt) throw new StateConflictError(`This user was already disabled on ${user.disabledAt.toISOString()}`);
      if (user.email === actor.toLowerCase()) throw new StateConflictError('You cannot disable yourself');
      user.disabledAt = this.clock.now();
      await tx.save(user);
      await tx.update(ApiToken, { userId: user.id, revokedAt: IsNull() }, { revokedAt: user.disabledAt });
      return this.view(user, await tx.find(UserRoleGrant, { where: { userId: user.id }, relations: { csp: true } }));
    });
  }

  private async grantIn(
    tx: import('typeorm').EntityManager,
    user: User,
    g: { role: z.output<typeof grant>['role']; cspCode?: string },
    field: string,
    change: RoleChangeBy,
  ): Promise<User> {
    try {
      return await this.identities.addUser({ email: user.email, displayName: user.displayName, role: g.role, cspCode: g.cspCode, change }, tx);
    } catch (error) {
      if (error instanceof IdentityError) throw new RequestValidationError([{ field, message: error.message.replace(/^--csp /, '') }]);
      throw error;
    }
  }

  private async find(manager: import('typeorm').EntityManager, userId: string, lock = true): Promise<User> {
    const user = isUuid(userId) ? await manager.findOne(User, { where: { id: userId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) }) : null;
    if (!user) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No user with this id' });
    return user;
  }

  private view(user: User, grants: UserRoleGrant[]) {
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      disabledAt: user.disabledAt,
      createdAt: user.createdAt,
      roles: grants.map((g) => ({ id: g.id, role: g.role, cspId: g.cspId, cspCode: g.csp?.code ?? null })),
    };
  }
}

@ApiTags('administration')
@Controller('users')
export class UsersAdminController {
  constructor(private readonly users: UsersAdminService) {}

  @Get()
  list() {
    return this.users.list();
  }

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(createUserSchema, 'CreateUser'))
  create(@Body() body: unknown, @Req() req: IdentifiedRequest) {
    return this.users.create(parseInput(createUserSchema, body), changerOf(req));
  }

  @Post(':userId/roles')
  @HttpCode(200)
  @ApiBody(openApiBody(grantRoleSchema, 'GrantRole'))
  grant(@Param('userId') userId: string, @Body() body: unknown, @Req() req: IdentifiedRequest) {
    return this.users.grant(userId, parseInput(grantRoleSchema, body), changerOf(req));
  }

  @Post(':userId/roles/:grantId/revoke')
  @HttpCode(200)
  @ApiBody(openApiBody(revokeRoleSchema, 'RevokeRole'))
  revoke(@Param('userId') userId: string, @Param('grantId') grantId: string, @Body() body: unknown, @Req() req: IdentifiedRequest) {
    return this.users.revoke(userId, grantId, parseInput(revokeRoleSchema, body), changerOf(req));
  }

  @Get(':userId/role-changes')
  roleChanges(@Param('userId') userId: string) {
    return this.users.changes(userId);
  }

  @Post(':userId/disable')
  @HttpCode(200)
  disable(@Param('userId') userId: string, @Actor() actor: string) {
    return this.users.disable(userId, actor);
  }
}
