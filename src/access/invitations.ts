import { createHash, randomBytes } from 'node:crypto';
import { HttpException, HttpStatus, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { User, UserRoleGrant } from '../identity/identity.entities';
import { PasswordRejectedError } from '../identity/sessions.service';
import { hashPassword, passwordProblem } from '../identity/passwords';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { Mailer, OutgoingMail } from '../reminders/mail/mailer';
import { lockReview, recordInHistory } from '../reviews/review-history';
import type { Review } from '../reviews/review.entity';
import { dateInWords } from '../shared/display-dates';
import { ReviewInvitation } from './review-invitation.entity';
import { ReviewMember, ReviewRole } from './review-member.entity';

/** The link's secret: 256 random bits; only its SHA-256 is stored. */
export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const ROLE_WORDS: Record<ReviewRole, string> = {
  chair: 'the independent chair',
  report_writer: 'the report writer',
  panel_member: 'a panel member',
  imr_author: 'an IMR author',
};

/** The invitation email: who invited them, to which review, in which role, and until when the link works. */
export function invitationEmail(input: {
  to: string;
  name: string;
  reviewReference: string;
  role: ReviewRole;
  agency: string | null;
  invitedBy: string;
  link: string;
  expiresAt: Date;
}): OutgoingMail {
  const role = `${ROLE_WORDS[input.role]}${input.agency ? ` for ${input.agency}` : ''}`;
  const until = dateInWords(input.expiresAt);
  const lines = [
    `Dear ${input.name},`,
    '',
    `${input.invitedBy} has added you to the team of the domestic homicide review ${input.reviewReference} as ${role}.`,
    '',
    'To use the DHR service for this review, open this link and choose a password:',
    input.link,
    '',
    `The link works once, until ${until}. If it has expired, ask the person who invited you to send a new one.`,
    'If you were not expecting this email, you can ignore it.',
  ];
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const html = [
    `<p>Dear ${escape(input.name)},</p>`,
    `<p>${escape(input.invitedBy)} has added you to the team of the domestic homicide review ${escape(input.reviewReference)} as ${escape(role)}.</p>`,
    `<p>To use the DHR service for this review, <a href="${escape(input.link)}">accept the invitation and choose a password</a>.</p>`,
    `<p>The link works once, until ${escape(until)}. If it has expired, ask the person who invited you to send a new one.</p>`,
    '<p>If you were not expecting this email, you can ignore it.</p>',
  ].join('\n');
  return { to: input.to, subject: `You are invited to the review team of ${input.reviewReference}`, text: lines.join('\n'), html };
}

/** 410 (or 404 for a token never issued): why a link cannot be used, said plainly. */
export class InvitationUnusableError extends HttpException {
  constructor(
    readonly state: 'unknown' | 'expired' | 'accepted' | 'withdrawn',
    message: string,
  ) {
    super({ statusCode: state === 'unknown' ? 404 : 410, error: state === 'unknown' ? 'Not Found' : 'Gone', message }, state === 'unknown' ? HttpStatus.NOT_FOUND : HttpStatus.GONE);
  }
}

export interface OpenInvitation {
  id: string;
  email: string;
  displayName: string;
  expiresAt: Date;
  reviewReference: string;
}

/** Memberships whose invitee accepted: a user now, and who accepted, per review. */
export interface Accepted {
  user: User;
  /** False when the email already belonged to a user (they sign in as they always have). */
  created: boolean;
}

/**
 * Invitations to a review team by email. The CSP lead (any role) or the chair (agency roles)
 * adds someone who is not yet a user: their membership is pending and an email with a
 * single-use link goes out; opening the link and choosing a password makes them a user (no CSP
 * role), attaches every pending membership for their email and signs them in. Sending,
 * accepting, withdrawing and a use of an expired link are in the review's history.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * In the caller's review transaction (after the pending membership is saved): a new or
   * refreshed invitation for (review, email) and its email. A failed send throws, so the whole
   * transaction (membership included) is undone and the caller can try again.
   */
  async send(
    manager: EntityManager,
    args: { review: Review; email: string; displayName: string; role: ReviewRole; agency: string | null; actor: string; now: Date; resent: boolean },
    record: (type: string, payload: Record<string, unknown>) => Promise<void>,
  ): Promise<ReviewInvitation> {
    const token = newInvitationToken();
    const expiresAt = new Date(args.now.getTime() + this.config.identity.invitationLifetimeDays * 86_400_000);
    let invitation = await manager.findOne(ReviewInvitation, {
      where: { reviewId: args.review.id, email: args.email, acceptedAt: IsNull(), withdrawnAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    const resent = args.resent && invitation !== null;
    if (invitation) {
      Object.assign(invitation, { tokenHash: hashInvitationToken(token), sentAt: args.now, expiresAt, expiryNoticedAt: null, displayName: args.displayName });
    } else {
      invitation = manager.create(ReviewInvitation, {
        reviewId: args.review.id,
        email: args.email,
        displayName: args.displayName,
        tokenHash: hashInvitationToken(token),
        invitedBy: args.actor,
        sentAt: args.now,
        expiresAt,
        acceptedAt: null,
        acceptedUserId: null,
        withdrawnAt: null,
        withdrawnBy: null,
        expiryNoticedAt: null,
      });
    }
    invitation = await manager.save(invitation);
    await record('INVITATION_SENT', { invitationId: invitation.id, email: args.email, name: args.displayName, expiresAt: expiresAt.toISOString(), resent });
    const inviter = await manager.findOne(User, { where: { email: args.actor } });
    const link = `${this.config.http.publicBaseUrl.replace(/\/$/, '')}/sign-in/invitations/${token}`;
    try {
      await this.mailer.send(
        invitationEmail({
          to: args.email,
          name: args.displayName,
          reviewReference: args.review.reference,
          role: args.role,
          agency: args.agency,
          invitedBy: inviter?.displayName ?? args.actor,
          link,
          expiresAt,
        }),
      );
    } catch (error) {
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        message: `The invitation email to ${args.email} could not be sent, so nothing was saved: try again later (${error instanceof Error ? error.message : String(error)})`,
      });
    }
    return invitation;
  }

  /** In the caller's review transaction: the invitation of (review, email) withdrawn, unless another pending role on this review still needs it. */
  async withdrawIfUnused(manager: EntityManager, reviewId: string, email: string, actor: string, now: Date, record: (type: string, payload: Record<string, unknown>) => Promise<void>): Promise<boolean> {
    const stillPending = await manager.count(ReviewMember, { where: { reviewId, email, userId: IsNull(), endedAt: IsNull() } });
    if (stillPending > 0) return false;
    const invitation = await manager.findOne(ReviewInvitation, { where: { reviewId, email, acceptedAt: IsNull(), withdrawnAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
    if (!invitation) return false;
    invitation.withdrawnAt = now;
    invitation.withdrawnBy = actor;
    await manager.save(invitation);
    await record('INVITATION_WITHDRAWN', { invitationId: invitation.id, email });
    return true;
  }

  /**
   * The invitation a link names, if it can still be accepted; otherwise an InvitationUnusableError
   * saying why. The first use of an expired link is noted in the review's history (nothing else is written).
   */
  async open(token: string): Promise<OpenInvitation> {
    const invitation = await this.find(token);
    const now = this.clock.now();
    this.usable(invitation, now);
    const reference = ((await this.dataSource.query(`SELECT reference FROM reviews WHERE id = $1`, [invitation.reviewId])) as Array<{ reference: string }>)[0]?.reference ?? '';
    return { id: invitation.id, email: invitation.email, displayName: invitation.displayName, expiresAt: invitation.expiresAt, reviewReference: reference };
  }

  /**
   * Accepts the invitation a link names, with the password the invitee chose: one transaction
   * makes the user (no CSP role) and attaches every pending membership for their email, on
   * every review, each review's history saying so. The link is then used up.
   */
  async accept(token: string, password: string): Promise<Accepted> {
    const problem = passwordProblem(password);
    if (problem) throw new PasswordRejectedError(`password: ${problem}`);
    const invitation = await this.find(token);
    this.usable(invitation, this.clock.now());
    const passwordHash = await hashPassword(password);
    return this.attach(invitation.email, invitation.displayName, { passwordHash, tokenHash: invitation.tokenHash });
  }

  /**
   * For a sign-in by the organisation's OpenID Connect provider with a verified email of nobody:
   * if an invitation to that email is open, the same as accepting it (a user without a
   * password); otherwise null.
   */
  async acceptByVerifiedEmail(email: string): Promise<User | null> {
    const now = this.clock.now();
    const open = await this.dataSource.manager
      .createQueryBuilder(ReviewInvitation, 'i')
      .where('i.email = :email AND i.accepted_at IS NULL AND i.withdrawn_at IS NULL AND i.expires_at > :now', { email, now })
      .orderBy('i.sent_at', 'DESC')
      .getOne();
    if (!open) return null;
    try {
      return (await this.attach(email, open.displayName, { passwordHash: null, tokenHash: open.tokenHash })).user;
    } catch (error) {
      if (error instanceof InvitationUnusableError) return null;
      throw error;
    }
  }

  private async attach(email: string, displayName: string, how: { passwordHash: string | null; tokenHash: string }): Promise<Accepted> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      // The invitation again, locked: two uses of one link at once make one user.
      const invitation = await manager.findOne(ReviewInvitation, { where: { tokenHash: how.tokenHash }, lock: { mode: 'pessimistic_write' } });
      if (!invitation) throw new InvitationUnusableError('unknown', 'This invitation link is not valid.');
      this.usable(invitation, now);
      let user = await manager.findOne(User, { where: { email } });
      const created = !user;
      if (!user) {
        user = await manager.save(manager.create(User, { email, displayName, disabledAt: null, passwordHash: how.passwordHash, failedSignIns: 0, lockedUntil: null }));
      }
      const grants = (await manager.find(UserRoleGrant, { where: { userId: user.id } })).filter((g) => g.role !== 'administrator');
      const pending = await manager.find(ReviewMember, { where: { email, userId: IsNull(), endedAt: IsNull() }, order: { reviewId: 'ASC' } });
      const reviewIds = [...new Set(pending.map((m) => m.reviewId))].sort();
      for (const reviewId of reviewIds) {
        // Reviews locked in id order, so two acceptances never wait on each other in a circle.
        const review = await lockReview(manager, reviewId);
        // Someone who became a CSP role holder of another CSP meanwhile is not attached to this CSP's reviews.
        if (grants.length > 0 && !grants.some((g) => g.cspId === review.cspId)) continue;
        const memberIds: string[] = [];
        for (const member of pending.filter((m) => m.reviewId === reviewId)) {
          const duplicate = await manager
            .createQueryBuilder(ReviewMember, 'm')
            .where('m.review_id = :reviewId AND m.user_id = :userId AND m.role = :role AND m.ended_at IS NULL', { reviewId, userId: user.id, role: member.role })
            .andWhere(member.agencyId ? 'm.agency_id = :agencyId' : 'm.agency_id IS NULL', { agencyId: member.agencyId })
            .getCount();
          if (duplicate > 0) {
            member.endedAt = now;
            member.endedBy = email;
          } else {
            member.userId = user.id;
            memberIds.push(member.id);
          }
          await manager.save(member);
        }
        const invitations = await manager.find(ReviewInvitation, { where: { reviewId, email, acceptedAt: IsNull(), withdrawnAt: IsNull() } });
        for (const i of invitations) {
          i.acceptedAt = now;
          i.acceptedUserId = user.id;
          await manager.save(i);
        }
        await recordInHistory(manager, review, {
          type: 'INVITATION_ACCEPTED',
          payload: { email, name: user.displayName, memberIds, invitationIds: invitations.map((i) => i.id), newUser: created },
          actor: email,
          at: now,
        });
      }
      // The link used here is used up even when it attached nothing (every role ended meanwhile).
      if (!invitation.acceptedAt) {
        invitation.acceptedAt = now;
        invitation.acceptedUserId = user.id;
        await manager.save(invitation);
      }
      delete user.passwordHash;
      return { user, created };
    });
  }

  private async find(token: string): Promise<ReviewInvitation> {
    const invitation = /^[A-Za-z0-9_-]{20,100}$/.test(token)
      ? await this.dataSource.manager.findOne(ReviewInvitation, { where: { tokenHash: hashInvitationToken(token) } })
      : null;
    if (!invitation) {
      throw new InvitationUnusableError('unknown', 'This invitation link is not valid. It may have been replaced by a newer invitation: use the link in the latest email, or ask the person who invited you to send it again.');
    }
    if (!invitation.acceptedAt && !invitation.withdrawnAt && invitation.expiresAt.getTime() <= this.clock.now().getTime() && !invitation.expiryNoticedAt) {
      await this.noteExpiry(invitation.id);
    }
    return invitation;
  }

  /** The first use of an expired link, in the review's history (once). */
  private async noteExpiry(invitationId: string): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      const first = await manager.findOneOrFail(ReviewInvitation, { where: { id: invitationId } });
      const review = await lockReview(manager, first.reviewId);
      const invitation = await manager.findOneOrFail(ReviewInvitation, { where: { id: invitationId }, lock: { mode: 'pessimistic_write' } });
      if (invitation.expiryNoticedAt || invitation.acceptedAt || invitation.withdrawnAt) return;
      invitation.expiryNoticedAt = now;
      await manager.save(invitation);
      await recordInHistory(manager, review, {
        type: 'INVITATION_EXPIRED',
        payload: { invitationId, email: invitation.email, expiredAt: invitation.expiresAt.toISOString() },
        actor: invitation.email,
        at: now,
      });
    });
  }

  private usable(invitation: ReviewInvitation, now: Date): void {
    if (invitation.acceptedAt) {
      throw new InvitationUnusableError('accepted', `This invitation was already used on ${dateInWords(invitation.acceptedAt)}. Sign in with your email address and the password you chose.`);
    }
    if (invitation.withdrawnAt) throw new InvitationUnusableError('withdrawn', 'This invitation was withdrawn. If you think you should be on the review team, ask the person who invited you.');
    if (invitation.expiresAt.getTime() <= now.getTime()) {
      throw new InvitationUnusableError('expired', `This invitation expired on ${dateInWords(invitation.expiresAt)}. Ask the person who invited you to send it again.`);
    }
  }
}
