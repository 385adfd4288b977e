import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { oneOf } from './check-sql';
import type { DocumentVersion } from './document-version.entity';
import { Imr } from './imr.entity';

export const DOCUMENT_KINDS = ['overview_report', 'executive_summary', 'chronology', 'imr', 'minutes', 'letter', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** A document of the review; its content is in its versions (uploads are never replaced). */
@Entity({ name: 'documents' })
@Unique('UQ_documents_review_id', ['reviewId', 'id'])
@Index('IDX_documents_review_kind', ['reviewId', 'kind'])
@Check('CHK_documents_kind', oneOf('kind', DOCUMENT_KINDS))
@ForeignKey(() => Imr, ['reviewId', 'imrId'], ['reviewId', 'id'], { name: 'FK_documents_imr' })
export class CaseDocument extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_documents' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_documents_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 30 })
  kind!: DocumentKind;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  /** The IMR this document belongs to (an IMR author sees only their own agency's). */
  @Column({ name: 'imr_id', type: 'uuid', nullable: true })
  imrId!: string | null;

  @OneToMany('DocumentVersion', (v: DocumentVersion) => v.document)
  versions?: DocumentVersion[];
}
