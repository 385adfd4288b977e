import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReviewMember } from '../../access/review-member.entity';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { oneOf } from './check-sql';

export const APPOINTMENT_ROLES = ['chair', 'report_writer'] as const;
export type AppointmentRole = (typeof APPOINTMENT_ROLES)[number];

/**
 * The independent chair or a report writer appointed to a review, with the independence
 * declaration. At most one chair appointment of a review is open (not ended) at a time.
 */
@Entity({ name: 'appointments' })
@Index('IDX_appointments_review', ['reviewId', 'role'])
@Index('IDX_appointments_one_chair', ['reviewId'], { unique: true, where: `"role" = 'chair' AND "ended_on" IS NULL` })
@Check('CHK_appointments_role', oneOf('role', APPOINTMENT_ROLES))
@Check('CHK_appointments_ended_after_appointed', `"ended_on" IS NULL OR "ended_on" >= "appointed_on"`)
export class Appointment extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_appointments' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_appointments_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 20 })
  role!: AppointmentRole;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 200 })
  organisation!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ name: 'appointed_on', type: 'date' })
  appointedOn!: string;

  @Column({ name: 'independence_declared_at', type: 'timestamptz', nullable: true })
  independenceDeclaredAt!: Date | null;

  @Column({ name: 'independence_statement', type: 'text', nullable: true })
  independenceStatement!: string | null;

  /** Set when the appointment ends (the chair stood down or was replaced). */
  @Column({ name: 'ended_on', type: 'date', nullable: true })
  endedOn!: string | null;

  /** The team record (review_members) this is the declaration of: one record per person on the review. */
  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => ReviewMember, { nullable: false })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'FK_appointments_member' })
  member?: ReviewMember;
}
