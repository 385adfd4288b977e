import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { oneOf } from './check-sql';

export const PROCEEDING_TYPES = ['criminal', 'inquest', 'iopc', 'other_review'] as const;
export type ProceedingType = (typeof PROCEEDING_TYPES)[number];
export const PROCEEDING_STATUSES = ['active', 'concluded'] as const;
export type ProceedingStatus = (typeof PROCEEDING_STATUSES)[number];

/** A dated step of a proceeding: charge, trial, verdict, sentence, inquest hearing... */
export interface ProceedingKeyDate {
  label: string;
  /** YYYY-MM-DD */
  date: string;
}

/** A parallel proceeding (criminal, inquest, IOPC, another review). */
@Entity({ name: 'proceedings' })
@Index('IDX_proceedings_review', ['reviewId', 'type', 'status'])
@Check('CHK_proceedings_type', oneOf('type', PROCEEDING_TYPES))
@Check('CHK_proceedings_status', oneOf('status', PROCEEDING_STATUSES))
@Check('CHK_proceedings_key_dates', `jsonb_typeof("key_dates") = 'array'`)
export class Proceeding extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_proceedings' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_proceedings_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 20 })
  type!: ProceedingType;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status!: ProceedingStatus;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'key_dates', type: 'jsonb', default: [] })
  keyDates!: ProceedingKeyDate[];

  /** When the current status took effect, if it changed after the proceeding was recorded. */
  @Column({ name: 'status_changed_on', type: 'date', nullable: true })
  statusChangedOn!: string | null;
}
