import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { User } from '../identity/identity.entities';
import { Review } from '../reviews/review.entity';

/**
 * An invitation to join a review's team, sent by email to someone who is not yet a user. Only
 * the SHA-256 of the link's token is stored. Used once (accepted), or withdrawn, or expired;
 * accepting it attaches every pending membership for the email (any review) to the new user.
 */
@Entity({ name: 'review_invitations' })
@Unique('UQ_review_invitations_token', ['tokenHash'])
@Index('IDX_review_invitations_email', ['email'])
@Check('CHK_review_invitations_email_lower', `"email" = lower("email")`)
export class ReviewInvitation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_review_invitations' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_review_invitations_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ name: 'invited_by', type: 'varchar', length: 320 })
  invitedBy!: string;

  /** When the (latest) email was sent: a resend replaces the token and the expiry. */
  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'accepted_user_id', type: 'uuid', nullable: true })
  acceptedUserId!: string | null;

  @ManyToOne(() => User, { nullable: true })
  @JoinColumn({ name: 'accepted_user_id', foreignKeyConstraintName: 'FK_review_invitations_user' })
  acceptedUser?: User | null;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  @Column({ name: 'withdrawn_by', type: 'varchar', length: 320, nullable: true })
  withdrawnBy!: string | null;

  /** When a use of the expired link was first noticed (and put in the review's history). */
  @Column({ name: 'expiry_noticed_at', type: 'timestamptz', nullable: true })
  expiryNoticedAt!: Date | null;
}
