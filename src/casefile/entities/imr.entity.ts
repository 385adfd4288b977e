import {
  Check,
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { Agency } from './agency.entity';
import { oneOf } from './check-sql';
import type { ImrExtension } from './imr-extension.entity';

export const IMR_KINDS = ['imr', 'short_report'] as const;
export type ImrKind = (typeof IMR_KINDS)[number];

/**
 * An Individual Management Review, or a short report from an agency with little contact,
 * commissioned by the chair. Outstanding until received or waived with a reason.
 * `UQ_imrs_review_id` exists so that records pointing at an IMR can carry a composite foreign
 * key (review_id, imr_id): a link to another review's IMR is refused by the database.
 */
@Entity({ name: 'imrs' })
@Unique('UQ_imrs_review_id', ['reviewId', 'id'])
@Check('CHK_imrs_kind', oneOf('kind', IMR_KINDS))
@Check('CHK_imrs_due_after_requested', `"due_on" > "requested_on"`)
@Check('CHK_imrs_received_or_waived', `"received_on" IS NULL OR "waived_reason" IS NULL`)
export class Imr extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_imrs' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_imrs_review' })
  review?: Review;

  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => Agency, { nullable: false })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'FK_imrs_agency' })
  agency?: Agency;

  @Column({ type: 'varchar', length: 20 })
  kind!: ImrKind;

  @Column({ name: 'author_name', type: 'varchar', length: 200, nullable: true })
  authorName!: string | null;

  @Column({ name: 'requested_on', type: 'date' })
  requestedOn!: string;

  /** The current due date (an extension moves it; the history is in imr_extensions). */
  @Column({ name: 'due_on', type: 'date' })
  dueOn!: string;

  @Column({ name: 'received_on', type: 'date', nullable: true })
  receivedOn!: string | null;

  @Column({ name: 'quality_checked_on', type: 'date', nullable: true })
  qualityCheckedOn!: string | null;

  /** The senior manager who signed the IMR off. */
  @Column({ name: 'signed_off_by', type: 'varchar', length: 200, nullable: true })
  signedOffBy!: string | null;

  @Column({ name: 'signed_off_on', type: 'date', nullable: true })
  signedOffOn!: string | null;

  /** Set when the chair waives the IMR; a waived IMR is no longer outstanding. */
  @Column({ name: 'waived_reason', type: 'text', nullable: true })
  waivedReason!: string | null;

  @OneToMany('ImrExtension', (extension: ImrExtension) => extension.imr)
  extensions?: ImrExtension[];
}
