import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { oneOf } from './check-sql';
import { CaseDocument } from './document.entity';
import { Imr } from './imr.entity';

/**
 * What became of a submission: awaiting the chair's confirmation, received (the chair confirmed
 * it, or recorded the IMR's receipt), sent back with comments, or replaced by a later upload
 * while it was awaiting.
 */
export const IMR_SUBMISSION_OUTCOMES = ['awaiting', 'received', 'sent_back', 'replaced'] as const;
export type ImrSubmissionOutcome = (typeof IMR_SUBMISSION_OUTCOMES)[number];

/**
 * An agency's IMR (or short report), and optionally its chronology, sent through the service:
 * the upload is the submission. The files are versions of documents linked to the IMR; the
 * IMR counts as received only once the chair confirms the submission. A submission sent back
 * carries the chair's comments.
 */
@Entity({ name: 'imr_submissions' })
@Index('IDX_imr_submissions_imr', ['reviewId', 'imrId'])
@ForeignKey(() => Imr, ['reviewId', 'imrId'], ['reviewId', 'id'], { name: 'FK_imr_submissions_imr' })
@ForeignKey(() => CaseDocument, ['reviewId', 'reportDocumentId'], ['reviewId', 'id'], { name: 'FK_imr_submissions_report' })
@ForeignKey(() => CaseDocument, ['reviewId', 'chronologyDocumentId'], ['reviewId', 'id'], { name: 'FK_imr_submissions_chronology' })
@Check('CHK_imr_submissions_outcome', oneOf('outcome', IMR_SUBMISSION_OUTCOMES))
@Check('CHK_imr_submissions_sent_back_comments', `"outcome" <> 'sent_back' OR "comments" IS NOT NULL`)
@Check('CHK_imr_submissions_chronology_version', `("chronology_document_id" IS NULL) = ("chronology_version" IS NULL)`)
export class ImrSubmission extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_imr_submissions' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_imr_submissions_review' })
  review?: Review;

  @Column({ name: 'imr_id', type: 'uuid' })
  imrId!: string;

  @Column({ name: 'report_document_id', type: 'uuid' })
  reportDocumentId!: string;

  @Column({ name: 'report_version', type: 'integer' })
  reportVersion!: number;

  @Column({ name: 'chronology_document_id', type: 'uuid', nullable: true })
  chronologyDocumentId!: string | null;

  @Column({ name: 'chronology_version', type: 'integer', nullable: true })
  chronologyVersion!: number | null;

  /** Who uploaded it (the actor) and their name as the service knows it. */
  @Column({ name: 'submitted_by', type: 'varchar', length: 200 })
  submittedBy!: string;

  @Column({ name: 'submitted_by_name', type: 'varchar', length: 200 })
  submittedByName!: string;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @Column({ type: 'varchar', length: 20 })
  outcome!: ImrSubmissionOutcome;

  @Column({ name: 'decided_by', type: 'varchar', length: 200, nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_by_name', type: 'varchar', length: 200, nullable: true })
  decidedByName!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  /** The chair's comments when they sent it back. */
  @Column({ type: 'text', nullable: true })
  comments!: string | null;
}
