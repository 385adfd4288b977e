import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { AppConfig } from '../../infrastructure/config/app-config';
import type { RecordRestriction } from '../../access/policy';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { FieldProblem, RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { zodProblems } from '../../infrastructure/http/validation';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { CaseDocument, DocumentDownload, DocumentKind, DocumentVersion, Imr } from '../entities';
import { AllowedContentType, checkContent } from './content-check';
import { DocumentContentStore } from './document-content.store';
import { addDocumentVersionSchema, createDocumentSchema } from './documents.schemas';
import type { listDocumentsQuerySchema } from './documents.schemas';
import { FileTooLargeError, UploadedContent } from './upload-errors';

/** Drafts of the report: their upload is a lifecycle fact (draftOverviewReport, draftExecutiveSummary). */
const DRAFT_KINDS: readonly DocumentKind[] = ['overview_report', 'executive_summary'];

export interface CheckedUpload {
  content: Buffer;
  filename: string;
  contentType: AllowedContentType;
  sizeBytes: number;
  sha256: string;
}

export interface DownloadedContent {
  content: Buffer;
  filename: string;
  contentType: string;
  sha256: string;
  sizeBytes: number;
}

/** Whether a version is within a restriction's `uploadedBefore` (the RAG after a return sees the versions it saw). */
export function versionVisible(restriction: RecordRestriction | null, version: { uploadedAt: Date }): boolean {
  return !restriction?.uploadedBefore || version.uploadedAt.getTime() <= Date.parse(restriction.uploadedBefore);
}

/**
 * Documents of a review and their versions. An upload is validated whole (fields, size, type
 * allow-list, magic bytes) before anything is written; the version row, its content (row or
 * file) and the history entry are then written under the review lock, and a failure removes a
 * file it placed. Versions are never replaced or deleted: a correction is the next version.
 * Every download is recorded with who made it.
 */
@Injectable()
export class DocumentsService {
  private readonly logger = new Logger(DocumentsService.name);

  constructor(
    private readonly tx: CaseFileTransactions,
    private readonly store: DocumentContentStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The review's documents; a restriction narrows them to an agency's IMR papers or to given kinds. */
  list(reviewId: string, { kind }: z.output<typeof listDocumentsQuerySchema>, restriction: RecordRestriction | null = null) {
    return this.tx.read(reviewId, async (manager) => {
      const qb = manager
        .createQueryBuilder(CaseDocument, 'd')
        .where('d.review_id = :reviewId', { reviewId })
        .orderBy('d.created_at', 'ASC')
        .addOrderBy('d.id', 'ASC');
      if (kind) qb.andWhere('d.kind = :kind', { kind });
      if (restriction) {
        qb.andWhere(
          '(d.kind = ANY(CAST(:kinds AS text[])) OR EXISTS (SELECT 1 FROM imrs i WHERE i.review_id = d.review_id AND i.id = d.imr_id AND i.agency_id = ANY(CAST(:agencies AS uuid[]))))',
          { kinds: [...(restriction.documentKinds ?? [])], agencies: [...(restriction.agencyIds ?? [])] },
        );
      }
      const documents = await qb.getMany();
      const versions = (await manager.find(DocumentVersion, { where: { reviewId }, order: { versionNo: 'ASC' } })).filter((v) => versionVisible(restriction, v));
      return documents
        .map((d) => ({ d, of: versions.filter((v) => v.documentId === d.id) }))
        .filter(({ of }) => !restriction?.uploadedBefore || of.length > 0)
        .map(({ d, of }) => this.view(d, of, false));
    });
  }

  get(reviewId: string, documentId: string, restriction: RecordRestriction | null = null) {
    return this.tx.read(reviewId, async (manager) => {
      const document = await findInReview(manager, CaseDocument, reviewId, documentId, 'document');
      return this.view(document, (await this.versionsOf(manager, reviewId, documentId)).filter((v) => versionVisible(restriction, v)), true);
    });
  }

  async create(reviewId: string, fields: unknown, file: UploadedContent | undefined, actor: string) {
    const problems: FieldProblem[] = [];
    const input = this.parse(createDocumentSchema, fields, problems);
    const upload = this.checkUpload(file, problems);
    if (problems.length > 0 || !input || !upload) throw new RequestValidationError(problems);
    return this.placing(async (undoOnFailure) =>
      this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
        if (input.imrId) await findInReview(manager, Imr, reviewId, input.imrId, 'IMR');
        const document = await manager.save(
          manager.create(CaseDocument, { reviewId, kind: input.kind, title: input.title, imrId: input.imrId ?? null, createdBy: actor }),
        );
        const version = await this.saveVersion(manager, document, 1, upload, actor, now, undoOnFailure);
        await this.recordUpload(record, document, version);
        return this.view(document, [version], true);
      }),
    );
  }

  async addVersion(reviewId: string, documentId: string, fields: unknown, file: UploadedContent | undefined, actor: string, ifMatch?: string) {
    const problems: FieldProblem[] = [];
    this.parse(addDocumentVersionSchema, fields, problems);
    const upload = this.checkUpload(file, problems);
    if (problems.length > 0 || !upload) throw new RequestValidationError(problems);
    return this.placing(async (undoOnFailure) =>
      this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
        const document = await findInReview(manager, CaseDocument, reviewId, documentId, 'document', { lock: true });
        checkIfMatch(ifMatch, document.version);
        const versions = await this.versionsOf(manager, reviewId, documentId);
        const latest = versions[versions.length - 1];
        if (latest && latest.sha256 === upload.sha256) {
          throw new StateConflictError(`This file is identical to version ${latest.versionNo} of the document (same SHA-256)`, [
            'Upload the changed file as the next version',
          ]);
        }
        const versionNo = (latest?.versionNo ?? 0) + 1;
        const version = await this.saveVersion(manager, document, versionNo, upload, actor, now, undoOnFailure);
        await manager.update(CaseDocument, { id: document.id }, { version: document.version + 1 });
        document.version += 1;
        await this.recordUpload(record, document, version);
        return this.view(document, [...versions, version], true);
      }),
    );
  }

  /** The content of one version, after recording who downloaded it (no record, no content). */
  download(reviewId: string, documentId: string, versionParam: string, actor: string): Promise<DownloadedContent> {
    return this.tx.read(reviewId, async (manager) => {
      const document = await findInReview(manager, CaseDocument, reviewId, documentId, 'document');
      const versionNo = /^[1-9]\d{0,8}$/.test(versionParam) ? Number(versionParam) : NaN;
      const version = Number.isNaN(versionNo)
        ? null
        : await manager
            .createQueryBuilder(DocumentVersion, 'v')
            .addSelect('v.content')
            .where('v.review_id = :reviewId AND v.document_id = :documentId AND v.version_no = :versionNo', {
              reviewId,
              documentId: document.id,
              versionNo,
            })
            .getOne();
      if (!version) {
        throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No version ${versionParam} of this document` });
      }
      const content = await this.store.read(version);
      const sha256 = sha256Of(content);
      if (sha256 !== version.sha256 || content.length !== version.sizeBytes) {
        this.logger.error({ reviewId, documentId, versionNo, storage: version.storage }, 'stored document content does not match its checksum');
        throw new Error('stored document content does not match its recorded SHA-256');
      }
      await manager.save(
        manager.create(DocumentDownload, {
          reviewId,
          documentId: document.id,
          versionNo: version.versionNo,
          downloadedBy: actor,
          downloadedAt: new Date(),
        }),
      );
      return { content, filename: version.filename, contentType: version.contentType, sha256, sizeBytes: version.sizeBytes };
    });
  }

  downloads(reviewId: string, documentId: string) {
    return this.tx.read(reviewId, async (manager) => {
      await findInReview(manager, CaseDocument, reviewId, documentId, 'document');
      const rows = await manager.find(DocumentDownload, { where: { reviewId, documentId }, order: { downloadedAt: 'ASC', id: 'ASC' } });
      return rows.map((d) => ({ version: d.versionNo, downloadedBy: d.downloadedBy, downloadedAt: d.downloadedAt }));
    });
  }

  /**
   * Within a caller's write (one transaction, under the review lock): a new document, or the next
   * version of `documentId`, from a checked upload, with its history entry. A file identical to
   * the document's latest version is that version (`reused`) when `reuseIdentical`, else a 409.
   */
  async uploadWithin(
    { manager, record, now }: { manager: EntityManager; record: (type: string, payload: Record<string, unknown>) => Promise<void>; now: Date },
    reviewId: string,
    target: { documentId: string } | { kind: DocumentKind; title: string; imrId: string | null },
    upload: CheckedUpload,
    actor: string,
    undoOnFailure: (undo: () => Promise<void>) => void,
    options: { reuseIdentical?: boolean } = {},
  ): Promise<{ documentId: string; version: number; filename: string; reused: boolean }> {
    if ('documentId' in target) {
      const document = await findInReview(manager, CaseDocument, reviewId, target.documentId, 'document', { lock: true });
      const versions = await this.versionsOf(manager, reviewId, document.id);
      const latest = versions[versions.length - 1];
      if (latest && latest.sha256 === upload.sha256) {
        if (options.reuseIdentical) return { documentId: document.id, version: latest.versionNo, filename: latest.filename, reused: true };
        throw new StateConflictError(`This file is identical to version ${latest.versionNo} of ${document.title} (same SHA-256)`, [
          'Upload the changed file as the next version',
        ]);
      }
      const version = await this.saveVersion(manager, document, (latest?.versionNo ?? 0) + 1, upload, actor, now, undoOnFailure);
      await manager.update(CaseDocument, { id: document.id }, { version: document.version + 1 });
      await this.recordUpload(record, document, version);
      return { documentId: document.id, version: version.versionNo, filename: version.filename, reused: false };
    }
    const document = await manager.save(manager.create(CaseDocument, { reviewId, kind: target.kind, title: target.title, imrId: target.imrId, createdBy: actor }));
    const version = await this.saveVersion(manager, document, 1, upload, actor, now, undoOnFailure);
    await this.recordUpload(record, document, version);
    return { documentId: document.id, version: 1, filename: version.filename, reused: false };
  }

  /** Size, allow-list and magic bytes; the checksum is computed here, never taken from the client. */
  checkUpload(file: UploadedContent | undefined, problems: FieldProblem[], field = 'file'): CheckedUpload | undefined {
    if (!file) {
      problems.push({ field, message: `is required: send the document as a multipart/form-data part named "${field}"` });
      return undefined;
    }
    const content = file.buffer;
    if (content.length > this.config.documents.maxBytes) throw new FileTooLargeError(this.config.documents.maxBytes, field);
    const checked = checkContent(file.mimetype, content);
    if (!checked.ok) {
      problems.push({ field, message: checked.message });
      return undefined;
    }
    return { content, filename: safeFilename(file.originalname), contentType: checked.contentType, sizeBytes: content.length, sha256: sha256Of(content) };
  }

  private parse<S extends z.ZodTypeAny>(schema: S, input: unknown, problems: FieldProblem[]): z.output<S> | undefined {
    const result = schema.safeParse(input ?? {});
    if (result.success) return result.data;
    problems.push(...zodProblems(result.error));
    return undefined;
  }

  /**
   * Runs a write that may write files, and removes them again when the write (or its commit)
   * fails: a failed upload leaves nothing behind.
   */
  async placing<T>(write: (undoOnFailure: (undo: () => Promise<void>) => void) => Promise<T>): Promise<T> {
    const undos: Array<() => Promise<void>> = [];
    try {
      return await write((undo) => undos.push(undo));
    } catch (error) {
      for (const undo of undos) await undo();
      throw error;
    }
  }

  /** The version row first (a constraint failure then writes no file), then its content. */
  private async saveVersion(
    manager: EntityManager,
    document: CaseDocument,
    versionNo: number,
    upload: CheckedUpload,
    actor: string,
    now: Date,
    undoOnFailure: (undo: () => Promise<void>) => void,
  ): Promise<DocumentVersion> {
    const location = this.store.locate(document.reviewId, upload.sha256, upload.content);
    const saved = await manager.save(
      manager.create(DocumentVersion, {
        reviewId: document.reviewId,
        documentId: document.id,
        versionNo,
        filename: upload.filename,
        contentType: upload.contentType,
        sizeBytes: upload.sizeBytes,
        sha256: upload.sha256,
        ...location,
        uploadedBy: actor,
        uploadedAt: now,
        createdBy: actor,
      }),
    );
    undoOnFailure(await this.store.write(location, upload.content));
    delete saved.content;
    return saved;
  }

  private recordUpload(record: (type: string, payload: Record<string, unknown>) => Promise<void>, document: CaseDocument, version: DocumentVersion) {
    return record(DRAFT_KINDS.includes(document.kind) ? 'DRAFT_UPLOADED' : 'DOCUMENT_UPLOADED', {
      documentId: document.id,
      kind: document.kind,
      title: document.title,
      version: version.versionNo,
      sha256: version.sha256,
    });
  }

  private versionsOf(manager: EntityManager, reviewId: string, documentId: string) {
    return manager.find(DocumentVersion, { where: { reviewId, documentId }, order: { versionNo: 'ASC' } });
  }

  private view(document: CaseDocument, versions: DocumentVersion[], withVersions: boolean) {
    const versionView = (v: DocumentVersion) => ({
      version: v.versionNo,
      filename: v.filename,
      contentType: v.contentType,
      sizeBytes: v.sizeBytes,
      sha256: v.sha256,
      storage: v.storage,
      uploadedBy: v.uploadedBy,
      uploadedAt: v.uploadedAt,
      contentUrl: `/reviews/${document.reviewId}/documents/${document.id}/versions/${v.versionNo}/content`,
    });
    const latest = versions[versions.length - 1];
    return {
      id: document.id,
      reviewId: document.reviewId,
      kind: document.kind,
      imrId: document.imrId,
      title: document.title,
      versionCount: versions.length,
      latest: latest ? versionView(latest) : null,
      ...(withVersions ? { versions: versions.map(versionView) } : {}),
      version: document.version,
      createdBy: document.createdBy,
      createdAt: document.createdAt,
    };
  }
}

export function sha256Of(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The client's file name, made safe to store and to send back: no folders, no control
 * characters or quotes, at most 255 characters; "document" if nothing is left.
 */
export function safeFilename(original: string | undefined): string {
  const base = (original ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f"]/g, '')
    .replace(/^[\s.]+/, '')
    .trim();
  return [...cleaned].slice(0, 255).join('') || 'document';
}
