import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReviewMember } from '../../access/review-member.entity';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { Agency } from './agency.entity';

/** A senior representative of an agency on the review's panel. */
@Entity({ name: 'panel_members' })
@Index('IDX_panel_members_review', ['reviewId'])
@Check('CHK_panel_members_left_after_joined', `"left_on" IS NULL OR "left_on" >= "joined_on"`)
export class PanelMember extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_panel_members' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_panel_members_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => Agency, { nullable: false })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'FK_panel_members_agency' })
  agency?: Agency;

  /** The member's role on the panel or in their agency, as recorded. */
  @Column({ type: 'text' })
  role!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  /** When the member declared they had no direct management of the case. */
  @Column({ name: 'no_direct_case_management_declared_at', type: 'timestamptz', nullable: true })
  noDirectCaseManagementDeclaredAt!: Date | null;

  @Column({ name: 'joined_on', type: 'date' })
  joinedOn!: string;

  @Column({ name: 'left_on', type: 'date', nullable: true })
  leftOn!: string | null;

  /** The team record (review_members) this is the declaration of: one record per person on the review. */
  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => ReviewMember, { nullable: false })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'FK_panel_members_member' })
  member?: ReviewMember;
}
