import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { oneOf } from './check-sql';

export const FAMILY_ENGAGEMENT_KINDS = [
  'contact_attempt',
  'advocacy_offered',
  'advocate_appointed',
  'consent',
  'meeting',
  'draft_offered',
  'draft_comments',
  'told_of_publication',
  'other',
] as const;
export type FamilyEngagementKind = (typeof FAMILY_ENGAGEMENT_KINDS)[number];

/** One entry in the log of the family's (and friends', employers') involvement. */
@Entity({ name: 'family_engagements' })
@Index('IDX_family_engagements_review', ['reviewId', 'kind'])
@Check('CHK_family_engagements_kind', oneOf('kind', FAMILY_ENGAGEMENT_KINDS))
export class FamilyEngagement {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_family_engagements' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_family_engagements_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 30 })
  kind!: FamilyEngagementKind;

  @Column({ name: 'occurred_on', type: 'date' })
  occurredOn!: string;

  /** The family member, friend or advocate concerned. */
  @Column({ name: 'contact_name', type: 'text', nullable: true })
  contactName!: string | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}
