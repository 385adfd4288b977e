import { Body, Controller, Get, HttpCode, Injectable, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { DataSource, IsNull } from 'typeorm';
import { z } from 'zod';
import { Clock } from '../infrastructure/clock/clock';
import { Actor } from '../infrastructure/http/actor';
import { RequestValidationError, StateConflictError } from '../infrastructure/http/errors';
import { openApiBody } from '../infrastructure/http/openapi';
import { isUuid, parseInput } from '../infrastructure/http/validation';
import { ApiToken, User, USER_ROLES, UserRoleGrant } from './identity.entities';
import { IdentityError, IdentityService } from './identity.service';

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
export const createUserSchema = z
  .object({ email, displayName: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'), roles: z.array(grant).max(20).default([]) })
  .strict();
export const grantRoleSchema = grant;

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

  async create(input: z.output<typeof createUserSchema>) {
    if (await this.dataSource.manager.findOne(User, { where: { email: input.email } })) {
      throw new StateConflictError(`A user with the email ${input.email} already exists`);
    }
    return this.dataSource.transaction(async (tx) => {
      let user = await this.identities.addUser({ email: input.email, displayName: input.displayName }, tx);
      for (const [i, g] of input.roles.entries()) {
        user = await this.grantIn(tx, user, g, `roles.${i}.cspCode`);
      }
      return this.view(user, await tx.find(UserRoleGrant, { where: { userId: user.id }, relations: { csp: true } }));
    });
  }

  async grant(userId: string, input: z.output<typeof grantRoleSchema>) {
    return this.dataSource.transaction(async (tx) => {
      const user = await this.find(tx, userId);
      await this.grantIn(tx, user, input, 'cspCode');
      return this.view(user, await tx.find(UserRoleGrant, { where: { userId: user.id }, relations: { csp: true } }));
    });
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

  private async grantIn(tx: import('typeorm').EntityManager, user: User, g: z.output<typeof grant>, field: string): Promise<User> {
    try {
      return await this.identities.addUser({ email: user.email, displayName: user.displayName, role: g.role, cspCode: g.cspCode }, tx);
    } catch (error) {
      if (error instanceof IdentityError) throw new RequestValidationError([{ field, message: error.message.replace(/^--csp /, '') }]);
      throw error;
    }
  }

  private async find(manager: import('typeorm').EntityManager, userId: string): Promise<User> {
    const user = isUuid(userId) ? await manager.findOne(User, { where: { id: userId }, lock: { mode: 'pessimistic_write' } }) : null;
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
  create(@Body() body: unknown) {
    return this.users.create(parseInput(createUserSchema, body));
  }

  @Post(':userId/roles')
  @HttpCode(200)
  @ApiBody(openApiBody(grantRoleSchema, 'GrantRole'))
  grant(@Param('userId') userId: string, @Body() body: unknown) {
    return this.users.grant(userId, parseInput(grantRoleSchema, body));
  }

  @Post(':userId/disable')
  @HttpCode(200)
  disable(@Param('userId') userId: string, @Actor() actor: string) {
    return this.users.disable(userId, actor);
  }
}
