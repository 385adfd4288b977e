import { Body, Controller, ForbiddenException, Get, HttpCode, Injectable, Param, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { EntityManager, IsNull } from 'typeorm';
import { z } from 'zod';
import { CaseFileTransactions, CaseFileWrite, findInReview, mustExist } from '../casefile/casefile-transactions';
import { Agency, Appointment, PanelMember } from '../casefile/entities';
import { User, UserRoleGrant } from '../identity/identity.entities';
import { Actor } from '../infrastructure/http/actor';
import { RequestValidationError, StateConflictError } from '../infrastructure/http/errors';
import { openApiBody } from '../infrastructure/http/openapi';
import { parseInput, uuid } from '../infrastructure/http/validation';
import type { Review } from '../reviews/review.entity';
import { Access } from './access.decorator';
import type { AccessContext } from './access.service';
import { InvitationsService } from './invitations';
import { ReviewInvitation } from './review-invitation.entity';
import { AGENCY_ROLES, REVIEW_ROLES, ReviewMember, ReviewRole } from './review-member.entity';

export const addMemberSchema = z
  .object({
    email: z.string().trim().toLowerCase().email('must be an email address').max(320, 'must be at most 320 characters'),
    role: z.enum(REVIEW_ROLES, { errorMap: () => ({ message: `must be one of ${REVIEW_ROLES.join(', ')}` }) }),
    agencyId: uuid('agency id').optional(),
    /** Needed to invite someone who is not yet a user (their name in the email and on the team). */
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const needsAgency = AGENCY_ROLES.includes(value.role);
    if (needsAgency && !value.agencyId) ctx.addIssue({ code: 'custom', path: ['agencyId'], message: `is required for the role ${value.role}` });
    if (!needsAgency && value.agencyId) ctx.addIssue({ code: 'custom', path: ['agencyId'], message: `must not be given for the role ${value.role}` });
  });

/** What a team record's appointment and panel records declare, and its organisation and dates. */
function declarationsOf(appointments: readonly Appointment[], panel: readonly PanelMember[]) {
  const a = appointments.find((x) => !x.endedOn) ?? appointments[0];
  const p = panel.find((x) => !x.leftOn) ?? panel[0];
  return {
    organisation: a?.organisation ?? null,
    roleInAgency: p?.role ?? null,
    startsOn: a?.appointedOn ?? p?.joinedOn ?? null,
    endsOn: a?.endedOn ?? p?.leftOn ?? null,
    independenceDeclaredAt: a?.independenceDeclaredAt ?? null,
    independenceStatement: a?.independenceStatement ?? null,
    noDirectCaseManagementDeclaredAt: p?.noDirectCaseManagementDeclaredAt ?? null,
    appointmentId: a?.id ?? null,
    panelMemberId: p?.id ?? null,
  };
}

/** Roles only the CSP lead gives or ends: the chair does not appoint chairs. */
const LEAD_ONLY: readonly ReviewRole[] = ['chair', 'report_writer'];

/**
 * Who is on a review, in which role. Adding and ending a membership go into the review's
 * history with their actor; memberships are never deleted.
 */
@Injectable()
export class ReviewMembersService {
  constructor(
    private readonly tx: CaseFileTransactions,
    private readonly invitations: InvitationsService,
  ) {}

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const rows = await manager.find(ReviewMember, { where: { reviewId }, relations: { user: true, agency: true }, order: { addedAt: 'ASC' } });
      const open = await manager.find(ReviewInvitation, { where: { reviewId, acceptedAt: IsNull(), withdrawnAt: IsNull() } });
      // Their declarations: the appointment or panel record of each team record.
      const appointments = await manager.find(Appointment, { where: { reviewId } });
      const panel = await manager.find(PanelMember, { where: { reviewId } });
      // Who added and ended each, by the name they use in the service (the actor itself when not a user).
      const actors = [...new Set(rows.flatMap((m) => [m.addedBy, m.endedBy]).filter((a): a is string => !!a && a.includes('@')).map((a) => a.toLowerCase()))];
      const named: Array<{ email: string; name: string }> = actors.length > 0 ? await manager.query('SELECT lower(email) AS email, display_name AS name FROM users WHERE lower(email) = ANY($1::text[])', [actors]) : [];
      const nameOf = (actor: string | null) => (actor ? (named.find((n) => n.email === actor.toLowerCase())?.name ?? actor) : null);
      return rows.map((m) => ({
        ...this.view(m, m.userId ? undefined : (open.find((i) => i.email === m.email) ?? null)),
        addedByName: nameOf(m.addedBy),
        endedByName: nameOf(m.endedBy),
        declarations: declarationsOf(
          appointments.filter((a) => a.memberId === m.id),
          panel.filter((p) => p.memberId === m.id),
        ),
      }));
    });
  }

  /**
   * `declare`: what the team's one "add" form records with the membership in the same
   * transaction (the appointment with its independence statement, or the panel place with its
   * declaration), given the person's name; anything it refuses undoes the membership too.
   */
  add(
    reviewId: string,
    input: z.output<typeof addMemberSchema>,
    actor: string,
    access: AccessContext,
    declare?: (w: CaseFileWrite, name: string) => Promise<unknown>,
  ) {
    this.mayManage(input.role, access);
    return this.tx.write(reviewId, actor, async (w) => {
      const { manager, review, now, record } = w;
      // Exactly this email (never a pattern), and an answer only about users this review's CSP
      // may take: someone who holds a CSP role only for other CSPs belongs to those.
      const user = await manager.findOne(User, { where: { email: input.email } });
      if (!user) return this.invite(manager, review, input, actor, now, record, declare ? (name) => declare(w, name) : undefined);
      if (user.disabledAt) throw new RequestValidationError([{ field: 'email', message: 'is that of a disabled user: an administrator must enable them first' }]);
      const cspGrants = (await manager.find(UserRoleGrant, { where: { userId: user.id } })).filter((g) => g.role !== 'administrator');
      if (cspGrants.length > 0 && !cspGrants.some((g) => g.cspId === review.cspId)) {
        const roles = [...new Set(cspGrants.map((g) => (g.role === 'csp_lead' ? 'CSP lead' : 'RAG member')))].join(' and ');
        throw new RequestValidationError([
          { field: 'email', message: `is a ${roles} of another CSP: only people of this review's CSP, or with no CSP role, may be members of its reviews` },
        ]);
      }
      const agency = input.agencyId ? await mustExist(manager, Agency, { id: input.agencyId }, 'agencyId', 'agency') : null;
      const existing = await manager
        .createQueryBuilder(ReviewMember, 'm')
        .where('m.review_id = :reviewId AND m.user_id = :userId AND m.role = :role AND m.ended_at IS NULL', { reviewId, userId: user.id, role: input.role })
        .andWhere(agency ? 'm.agency_id = :agencyId' : 'm.agency_id IS NULL', { agencyId: agency?.id })
        .getOne();
      if (existing) throw new StateConflictError(`${user.email} is already ${input.role.replace('_', ' ')} on this review`);
      // Already on the team without a user (their appointment or panel place by this email): that record becomes theirs.
      const recorded = await this.userlessRecord(manager, reviewId, user.email, input.role, agency?.id ?? null);
      const member = recorded
        ? await manager.save(Object.assign(recorded, { userId: user.id }))
        : await manager.save(
            manager.create(ReviewMember, { reviewId, userId: user.id, role: input.role, agencyId: agency?.id ?? null, addedBy: actor, addedAt: now, endedAt: null, endedBy: null }),
          );
      await record('MEMBER_ADDED', { memberId: member.id, email: user.email, role: member.role, agency: agency?.name ?? null });
      if (declare) await declare(w, input.name ?? user.displayName);
      return this.view({ ...member, user, agency });
    });
  }

  /**
   * Someone who is not yet a user: a pending membership (their email and name) and an
   * invitation email with a single-use link, in this transaction (a failed send saves nothing).
   */
  private async invite(
    manager: EntityManager,
    review: Review,
    input: z.output<typeof addMemberSchema>,
    actor: string,
    now: Date,
    record: (type: string, payload: Record<string, unknown>) => Promise<void>,
    declare?: (name: string) => Promise<unknown>,
  ) {
    if (!input.name) {
      throw new RequestValidationError([{ field: 'name', message: 'is required to invite someone who is not yet a user of this service' }]);
    }
    const agency = input.agencyId ? await mustExist(manager, Agency, { id: input.agencyId }, 'agencyId', 'agency') : null;
    const existing = await this.userlessRecord(manager, review.id, input.email, input.role, agency?.id ?? null);
    const invited = existing ? await manager.count(ReviewInvitation, { where: { reviewId: review.id, email: input.email, acceptedAt: IsNull(), withdrawnAt: IsNull() } }) : 0;
    if (invited > 0) throw new StateConflictError(`${input.email} is already invited as ${input.role.replace('_', ' ')} on this review`);
    // On the team already without a user (their appointment or panel place by this email): that record is the one invited.
    const member = existing ? await manager.save(Object.assign(existing, { displayName: input.name })) : await manager.save(
      manager.create(ReviewMember, {
        reviewId: review.id,
        userId: null,
        email: input.email,
        displayName: input.name,
        role: input.role,
        agencyId: agency?.id ?? null,
        addedBy: actor,
        addedAt: now,
        endedAt: null,
        endedBy: null,
      }),
    );
    await record('MEMBER_ADDED', { memberId: member.id, email: input.email, name: input.name, role: member.role, agency: agency?.name ?? null, pending: true });
    if (declare) await declare(input.name);
    const invitation = await this.invitations.send(
      manager,
      { review, email: input.email, displayName: input.name, role: member.role, agency: agency?.name ?? null, actor, now, resent: false },
      record,
    );
    return this.view({ ...member, agency }, invitation);
  }

  /** The active team record without a user of this email, role and agency, if any. */
  private userlessRecord(manager: EntityManager, reviewId: string, email: string, role: ReviewRole, agencyId: string | null) {
    return manager
      .createQueryBuilder(ReviewMember, 'm')
      .where('m.review_id = :reviewId AND m.email = :email AND m.user_id IS NULL AND m.role = :role AND m.ended_at IS NULL', { reviewId, email, role })
      .andWhere(agencyId ? 'm.agency_id = :agencyId' : 'm.agency_id IS NULL', { agencyId })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** A new link for a pending member (the old one stops working), with a new expiry. */
  resend(reviewId: string, memberId: string, actor: string, access: AccessContext) {
    return this.tx.write(reviewId, actor, async ({ manager, review, now, record }) => {
      const member = await findInReview(manager, ReviewMember, reviewId, memberId, 'member', { lock: true });
      this.mayManage(member.role, access);
      if (member.userId || !member.email) throw new StateConflictError('This member is already a user of the service: there is no invitation to send');
      if (member.endedAt) throw new StateConflictError(`This invitation was withdrawn on ${member.endedAt.toISOString()}`);
      const agency = member.agencyId ? await manager.findOne(Agency, { where: { id: member.agencyId } }) : null;
      const invitation = await this.invitations.send(
        manager,
        { review, email: member.email, displayName: member.displayName ?? member.email, role: member.role, agency: agency?.name ?? null, actor, now, resent: true },
        record,
      );
      return this.view({ ...member, agency }, invitation);
    });
  }

  end(reviewId: string, memberId: string, actor: string, access: AccessContext) {
    return this.tx.write(reviewId, actor, async ({ manager, now, record }) => {
      const member = await findInReview(manager, ReviewMember, reviewId, memberId, 'member', { lock: true });
      this.mayManage(member.role, access);
      if (member.endedAt) throw new StateConflictError(`This membership already ended on ${member.endedAt.toISOString()}`);
      member.endedAt = now;
      member.endedBy = actor;
      await manager.save(member);
      const user = member.userId ? await manager.findOneOrFail(User, { where: { id: member.userId } }) : undefined;
      await record('MEMBER_ENDED', { memberId: member.id, email: user?.email ?? member.email, role: member.role, pending: !user });
      // Ending a pending membership withdraws its invitation (unless another role on this review still waits on it).
      const withdrewInvitation = !user && member.email ? await this.invitations.withdrawIfUnused(manager, reviewId, member.email, actor, now, record) : false;
      return { ...this.view({ ...member, user }), withdrewInvitation };
    });
  }

  private mayManage(role: ReviewRole, access: AccessContext): void {
    if (access.trusted) return;
    const isLead = access.holder?.cspRoles.some((g) => g.role === 'csp_lead') ?? false;
    const isChair = access.holder?.memberships.some((m) => m.role === 'chair') ?? false;
    if (LEAD_ONLY.includes(role) && !isLead) {
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: `role: only the CSP lead appoints a ${role.replace('_', ' ')}` });
    }
    if (!isLead && !isChair) throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'members.manage: not allowed' });
  }

  private view(m: ReviewMember, invitation?: ReviewInvitation | null) {
    return {
      id: m.id,
      reviewId: m.reviewId,
      userId: m.userId,
      email: m.user?.email ?? m.email ?? null,
      displayName: m.user?.displayName ?? m.displayName ?? null,
      /** Invited, not yet a user: they get access when they accept the invitation. */
      pending: m.userId === null,
      invitation: invitation ? { sentAt: invitation.sentAt, expiresAt: invitation.expiresAt, invitedBy: invitation.invitedBy } : null,
      role: m.role,
      agencyId: m.agencyId,
      agency: m.agency?.name ?? null,
      addedBy: m.addedBy,
      addedAt: m.addedAt,
      endedBy: m.endedBy,
      endedAt: m.endedAt,
    };
  }
}

@ApiTags('access')
@Controller('reviews/:reviewId/members')
export class ReviewMembersController {
  constructor(private readonly members: ReviewMembersService) {}

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.members.list(reviewId);
  }

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(addMemberSchema, 'AddReviewMember'))
  add(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string, @Access() access: AccessContext) {
    return this.members.add(reviewId, parseInput(addMemberSchema, body), actor, access);
  }

  @Post(':memberId/resend-invitation')
  @HttpCode(200)
  resend(@Param('reviewId') reviewId: string, @Param('memberId') memberId: string, @Actor() actor: string, @Access() access: AccessContext) {
    return this.members.resend(reviewId, memberId, actor, access);
  }

  @Post(':memberId/end')
  @HttpCode(200)
  end(@Param('reviewId') reviewId: string, @Param('memberId') memberId: string, @Actor() actor: string, @Access() access: AccessContext) {
    return this.members.end(reviewId, memberId, actor, access);
  }
}
