import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { CaseDocument } from './document.entity';

/**
 * The Home Office's letter of one quality assurance round, kept as a document of the review
 * (kind `letter`): a later upload for the same round is the document's next version. The round
 * itself (its submission, outcome and letter date) is the lifecycle's; this is its paper.
 */
@Entity({ name: 'qa_letters' })
@Index('UQ_qa_letters_round', ['reviewId', 'round'], { unique: true })
@ForeignKey(() => CaseDocument, ['reviewId', 'documentId'], ['reviewId', 'id'], { name: 'FK_qa_letters_document' })
@Check('CHK_qa_letters_round', `"round" >= 1`)
export class QaLetter extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_qa_letters' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_qa_letters_review' })
  review?: Review;

  @Column({ type: 'integer' })
  round!: number;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId!: string;
}

/**
 * One change the Home Office's letter of a round asks for, numbered within the round, and when
 * it was done (with a note of what was done). A resubmission waits until every change asked for
 * is marked done.
 */
@Entity({ name: 'qa_changes' })
@Index('UQ_qa_changes_number', ['reviewId', 'round', 'number'], { unique: true })
@Check('CHK_qa_changes_round', `"round" >= 1 AND "number" >= 1`)
@Check('CHK_qa_changes_done', `("done_on" IS NULL) = ("done_by" IS NULL)`)
export class QaChange extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_qa_changes' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_qa_changes_review' })
  review?: Review;

  @Column({ type: 'integer' })
  round!: number;

  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'done_on', type: 'date', nullable: true })
  doneOn!: string | null;

  @Column({ name: 'done_note', type: 'text', nullable: true })
  doneNote!: string | null;

  @Column({ name: 'done_by', type: 'varchar', length: 200, nullable: true })
  doneBy!: string | null;
}
