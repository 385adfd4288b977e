import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
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

/** Specialist advocacy the family can be signposted to (AAFDA; NHS for murder and manslaughter). */
export const ADVOCACY_ORGANISATIONS = ['aafda', 'national_homicide_service', 'other'] as const;
export type AdvocacyOrganisation = (typeof ADVOCACY_ORGANISATIONS)[number];
/** Entries that name advocacy (offered, or an advocate appointed). */
export const ADVOCACY_KINDS = ['advocacy_offered', 'advocate_appointed'] as const satisfies readonly FamilyEngagementKind[];

/** How the family (or friend) prefers to contribute to the review. */
export const CONTRIBUTION_PREFERENCES = [
  'meeting_in_person',
  'video_call',
  'telephone',
  'in_writing',
  'through_advocate',
  'does_not_wish_to_contribute',
] as const;
export type ContributionPreference = (typeof CONTRIBUTION_PREFERENCES)[number];

/** One entry in the log of the family's (and friends', employers') involvement. */
@Entity({ name: 'family_engagements' })
@Index('IDX_family_engagements_review', ['reviewId', 'kind'])
@Check('CHK_family_engagements_kind', oneOf('kind', FAMILY_ENGAGEMENT_KINDS))
@Check('CHK_family_engagements_advocate_organisation', oneOf('advocate_organisation', ADVOCACY_ORGANISATIONS))
@Check('CHK_family_engagements_preferred_contribution', oneOf('preferred_contribution', CONTRIBUTION_PREFERENCES))
@Check('CHK_family_engagements_consent', `("kind" = 'consent') = ("consent_given" IS NOT NULL)`)
@Check(
  'CHK_family_engagements_advocate',
  `("advocate_organisation" IS NULL OR "kind" IN ('advocacy_offered', 'advocate_appointed')) AND ("kind" <> 'advocate_appointed' OR "advocate_organisation" IS NOT NULL)`,
)
export class FamilyEngagement extends AuditedRecord {
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

  /** advocacy_offered / advocate_appointed: the organisation (offered, or the advocate's). */
  @Column({ name: 'advocate_organisation', type: 'varchar', length: 40, nullable: true })
  advocateOrganisation!: AdvocacyOrganisation | null;

  /** advocate_appointed: the advocate's name, or the organisation's name when it is 'other'. */
  @Column({ name: 'advocate_name', type: 'varchar', length: 200, nullable: true })
  advocateName!: string | null;

  /** consent: whether the family member consented to take part (and to use of their information). */
  @Column({ name: 'consent_given', type: 'boolean', nullable: true })
  consentGiven!: boolean | null;

  @Column({ name: 'preferred_contribution', type: 'varchar', length: 40, nullable: true })
  preferredContribution!: ContributionPreference | null;
}
