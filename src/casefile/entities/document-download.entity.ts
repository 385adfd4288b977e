import { Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { CaseDocument } from './document.entity';
import { DocumentVersion } from './document-version.entity';

/**
 * Who downloaded which version of a document, and when: case material is OFFICIAL-SENSITIVE,
 * so every read of a document's content is attributable. Append-only (nothing updates or
 * deletes these rows).
 */
@Entity({ name: 'document_downloads' })
@Index('IDX_document_downloads_document', ['reviewId', 'documentId', 'downloadedAt'])
@ForeignKey(() => CaseDocument, ['reviewId', 'documentId'], ['reviewId', 'id'], { name: 'FK_document_downloads_document' })
@ForeignKey(() => DocumentVersion, ['documentId', 'versionNo'], ['documentId', 'versionNo'], { name: 'FK_document_downloads_version' })
export class DocumentDownload {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_document_downloads' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_document_downloads_review' })
  review?: Review;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId!: string;

  @Column({ name: 'version_no', type: 'integer' })
  versionNo!: number;

  @Column({ name: 'downloaded_by', type: 'varchar', length: 200 })
  downloadedBy!: string;

  @Column({ name: 'downloaded_at', type: 'timestamptz' })
  downloadedAt!: Date;
}
