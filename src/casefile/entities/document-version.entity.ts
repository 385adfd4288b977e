import {
  Check,
  Column,
  Entity,
  ForeignKey,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { CaseDocument } from './document.entity';

export const DOCUMENT_STORAGES = ['database', 'folder'] as const;
export type DocumentStorage = (typeof DOCUMENT_STORAGES)[number];

/**
 * One uploaded version of a document: checksum and size, and the content either in the row
 * (`storage = 'database'`, `content`) or in the configured folder (`storage_path`).
 */
@Entity({ name: 'document_versions' })
@Unique('UQ_document_versions_number', ['documentId', 'versionNo'])
@ForeignKey(() => CaseDocument, ['reviewId', 'documentId'], ['reviewId', 'id'], { name: 'FK_document_versions_document' })
@Check('CHK_document_versions_version_no', `"version_no" >= 1`)
@Check('CHK_document_versions_size', `"size_bytes" >= 0`)
@Check('CHK_document_versions_sha256', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Check(
  'CHK_document_versions_storage',
  `("storage" = 'database' AND "content" IS NOT NULL AND "storage_path" IS NULL) OR ("storage" = 'folder' AND "content" IS NULL AND "storage_path" IS NOT NULL)`,
)
export class DocumentVersion extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_document_versions' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_document_versions_review' })
  review?: Review;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId!: string;

  /** Navigation only: the constraint is the composite FK_document_versions_document. */
  @ManyToOne(() => CaseDocument, (d) => d.versions, { nullable: false, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'document_id' })
  document?: CaseDocument;

  /** 1, 2, 3... within the document. */
  @Column({ name: 'version_no', type: 'integer' })
  versionNo!: number;

  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  /** Lower-case hex SHA-256 of the content. */
  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ type: 'varchar', length: 10 })
  storage!: DocumentStorage;

  /** Not loaded unless asked for: `select: false`. */
  @Column({ type: 'bytea', nullable: true, select: false })
  content?: Buffer | null;

  /** Relative to the configured documents folder. */
  @Column({ name: 'storage_path', type: 'text', nullable: true })
  storagePath!: string | null;

  @Column({ name: 'uploaded_by', type: 'varchar', length: 200 })
  uploadedBy!: string;

  @Column({ name: 'uploaded_at', type: 'timestamptz', default: () => 'now()' })
  uploadedAt!: Date;
}
