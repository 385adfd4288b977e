import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agency } from '../casefile/entities/agency.entity';
import { User } from '../identity/identity.entities';
import { Review } from '../reviews/review.entity';

export const REVIEW_ROLES = ['chair', 'report_writer', 'panel_member', 'imr_author'] as const;
export type ReviewRole = (typeof REVIEW_ROLES)[number];
/** Roles held for an agency: a panel member represents one, an IMR author writes its report. */
export const AGENCY_ROLES: readonly ReviewRole[] = ['panel_member', 'imr_author'];

/**
 * A person's role on one review: a user's, or (pending) someone invited by email who becomes
 * a user when they accept. Need-to-know starts here: apart from the CSP's lead (and its
 * RAG at sign-off), only members see a review. Never deleted: ending a membership keeps who
 * added and who ended it. One active membership per (review, user, role, agency): the partial
 * unique index UQ_review_members_active is in the migration.
 */
@Entity({ name: 'review_members' })
@Index('IDX_review_members_user', ['userId'])
@Index('UQ_review_members_active', { synchronize: false })
@Index('UQ_review_members_pending', { synchronize: false })
@Index('IDX_review_members_pending_email', { synchronize: false })
@Check('CHK_review_members_role', `"role" IN ('chair', 'report_writer', 'panel_member', 'imr_author')`)
@Check('CHK_review_members_who', `"user_id" IS NOT NULL OR "display_name" IS NOT NULL`)
@Check('CHK_review_members_email_lower', `"email" IS NULL OR "email" = lower("email")`)
@Check('CHK_review_members_agency', `("role" IN ('panel_member', 'imr_author')) = ("agency_id" IS NOT NULL)`)
export class ReviewMember {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_review_members' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_review_members_review' })
  review?: Review;

  /** Null while pending: invited by email, not yet a user (see ReviewInvitation). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { nullable: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_review_members_user' })
  user?: User;

  /** The address they were invited at (lower-case); for a member who is a user, their user's email is theirs. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  /** The name they were invited by; a user's own display name is theirs once they accept. */
  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 30 })
  role!: ReviewRole;

  @Column({ name: 'agency_id', type: 'uuid', nullable: true })
  agencyId!: string | null;

  @ManyToOne(() => Agency, { nullable: true })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'FK_review_members_agency' })
  agency?: Agency | null;

  @Column({ name: 'added_by', type: 'varchar', length: 320 })
  addedBy!: string;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;

  @Column({ name: 'ended_by', type: 'varchar', length: 320, nullable: true })
  endedBy!: string | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}
