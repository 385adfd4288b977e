import { Inject } from '@nestjs/common';
import type { AccessContext } from '../../access/access.service';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { createDocumentSchema } from '../../casefile/documents/documents.schemas';
import { DocumentsService } from '../../casefile/documents/documents.service';
import type { UploadedContent } from '../../casefile/documents/upload-errors';
import { DOCUMENT_KINDS } from '../../casefile/entities';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { zodProblems } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { DOCUMENT_KIND_LABELS, IMR_KIND_LABELS, optionsOf } from '../labels';
import { csrfTokenOf, ukDate, ukDateTime } from '../web-views';
import type { WebRequest } from '../web-views';
import { FormPages, FormRoute, PageController, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { noticeFrom } from './more-page-support';
import { accessOf } from './page-support';
import { PageUploadInterceptor, uploadProblems } from './page-upload.interceptor';
import type { UploadRequest } from './page-upload.interceptor';

type ImrChoice = { value: string; text: string };
type DocumentView = Awaited<ReturnType<DocumentsService['get']>>;

/** "2.4 MB", "18 KB", "312 bytes". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

function fileField(maxBytes: number): FieldSpec {
  return {
    name: 'file',
    label: 'File',
    errorLabel: 'the file to upload',
    kind: 'file',
    hint: `PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG or JPEG; at most ${fileSize(maxBytes)}.`,
  };
}

/** A new document (createDocumentSchema's fields, then the file). */
function documentFields(imrs: readonly ImrChoice[], maxBytes: number): FieldSpec[] {
  return [
    { name: 'kind', label: 'What it is', errorLabel: 'what the document is', kind: 'radios', options: optionsOf(DOCUMENT_KINDS, DOCUMENT_KIND_LABELS) },
    { name: 'title', label: 'Title', kind: 'text', hint: 'For example, Overview report, draft 1', classes: 'govuk-!-width-two-thirds' },
    {
      name: 'imrId',
      label: 'IMR',
      errorLabel: 'the IMR',
      kind: 'select',
      optional: true,
      emptyOption: 'Not an agency’s IMR paper',
      hint: 'For an IMR or a paper of one agency: its IMR. Its agency’s IMR author can then see it.',
      options: imrs,
    },
    fileField(maxBytes),
  ];
}

const NOTICES = {
  DOCUMENT_UPLOADED: 'Document uploaded',
  DRAFT_UPLOADED: 'Draft uploaded',
  VERSION_UPLOADED: 'New version uploaded',
};

/**
 * A review's documents, as DocumentsService lists them for the caller (its restriction exactly
 * as the API passes it: an IMR author sees their agency's papers, the RAG the report), each
 * version with its download (the API's content route, which records the download); and the
 * forms to upload a document and a new version of one. The file is read by the API's
 * FileInterceptor (PageUploadInterceptor) and checked by the service (size, allow-list, magic
 * bytes). A multipart body is read after the CSRF check, so these forms carry the session's
 * token in their action's query string (`?_csrf=`), which the identity guard accepts for
 * multipart POSTs only.
 */
@PageController('cases/:reviewId/documents')
export class DocumentsPagesController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly imrs: ImrsService,
    private readonly agencies: AgenciesService,
    readonly forms: FormPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @TabRoute('', { template: 'pages/cases/documents.njk', key: 'documents', heading: 'Documents' })
  async list(_review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const access = accessOf(req);
    const mayWrite = may(access, 'documents.write');
    const imrNames = new Map((await this.imrChoices(reviewId, access)).map((i) => [i.value, i.text]));
    const listed = await this.documents.list(reviewId, {}, access.restriction);
    const rows = [];
    for (const listedDocument of listed) {
      const document = await this.documents.get(reviewId, listedDocument.id, access.restriction);
      rows.push({
        ...document,
        kindText: DOCUMENT_KIND_LABELS[document.kind] ?? document.kind,
        imrText: document.imrId ? (imrNames.get(document.imrId) ?? 'An IMR') : null,
        versions: [...(document.versions ?? [])].reverse().map((v) => ({
          ...v,
          size: fileSize(v.sizeBytes),
          uploaded: `${ukDateTime(v.uploadedAt)} by ${v.uploadedBy}`,
        })),
        newVersionHref: mayWrite ? `/cases/${reviewId}/documents/${document.id}/versions` : null,
      });
    }
    return {
      rows,
      restricted: access.restriction !== null,
      mayWrite,
      notice: noticeFrom(query.done, NOTICES),
    };
  }

  @FormRoute('new', { post: '', interceptors: [PageUploadInterceptor] })
  newPage(): FormPage {
    return {
      // Only the form's fields go to the service (its schema refuses any other, such as the version fields).
      fields: async ({ req, params }) => documentFields(await this.imrChoices(params.reviewId, accessOf(req)), this.config.documents.maxBytes),
      submit: async (input, { req, params, actor }) => {
        if ((req as UploadRequest).uploadRefusal) throw (req as UploadRequest).uploadRefusal;
        const document = await this.documents.create(params.reviewId, input, fileOf(req), actor());
        const done = document.kind === 'overview_report' || document.kind === 'executive_summary' ? 'DRAFT_UPLOADED' : 'DOCUMENT_UPLOADED';
        return `/cases/${params.reviewId}/documents?done=${done}`;
      },
      // A refused file (multer's) says nothing of the other fields: their schema's words too, so every problem shows at once.
      problems: (problems, input, { req }) => [...uploadProblems(problems), ...((req as UploadRequest).uploadRefusal ? schemaProblems(input) : [])],
      view: (review, { req, params }) => ({
        review,
        heading: 'Upload a document',
        intro: 'A draft of the overview report or executive summary, a chronology, an IMR, minutes, a letter. Later drafts are uploaded as new versions of the same document.',
        back: { href: `/cases/${params.reviewId}/documents`, text: 'Back to documents' },
        action: uploadAction(req, `/cases/${params.reviewId}/documents`),
        enctype: 'multipart/form-data',
        button: 'Upload the document',
      }),
    };
  }

  @FormRoute(':documentId/versions', { interceptors: [PageUploadInterceptor] })
  versionPage(): FormPage<{ review: ReviewView; document: DocumentView }> {
    return {
      load: async ({ params }) => ({ review: await this.forms.review(params.reviewId), document: await this.documents.get(params.reviewId, params.documentId) }),
      fields: [fileField(this.config.documents.maxBytes)],
      submit: async (_, { req, params, actor, ifMatch }) => {
        if ((req as UploadRequest).uploadRefusal) throw (req as UploadRequest).uploadRefusal;
        await this.documents.addVersion(params.reviewId, params.documentId, {}, fileOf(req), actor(), ifMatch);
        return `/cases/${params.reviewId}/documents?done=VERSION_UPLOADED`;
      },
      problems: (problems) => uploadProblems(problems),
      eachProblem: true,
      stale: {
        what: 'document',
        about: (e, { params }) => e.payload?.documentId === params.documentId,
        now: ({ document: d }) =>
          `It now has ${d.versionCount} ${d.versionCount === 1 ? 'version' : 'versions'}${d.latest ? `, the latest uploaded ${ukDateTime(d.latest.uploadedAt)} by ${d.latest.uploadedBy}` : ''}`,
      },
      view: ({ review, document }, { req, params }) => {
        const latest = document.latest;
        return {
          review,
          title: `Upload a new version – ${document.title}`,
          heading: `Upload a new version of ${document.title}`,
          about: [
            { key: { text: 'Title' }, value: { text: document.title } },
            { key: { text: 'What it is' }, value: { text: DOCUMENT_KIND_LABELS[document.kind] ?? document.kind } },
            {
              key: { text: 'Latest version' },
              value: { text: latest ? `Version ${latest.version}: ${latest.filename} (${fileSize(latest.sizeBytes)}), uploaded ${ukDate(latest.uploadedAt)} by ${latest.uploadedBy}` : 'None yet' },
            },
          ],
          intro: 'Earlier versions are kept: a new version never replaces one.',
          back: { href: `/cases/${params.reviewId}/documents`, text: 'Back to documents' },
          action: uploadAction(req, `/cases/${params.reviewId}/documents/${params.documentId}/versions`),
          enctype: 'multipart/form-data',
          hidden: versions(document, review),
          button: 'Upload the new version',
        };
      },
    };
  }

  /** The IMRs a document may belong to, as the caller sees them (their agency's, for an agency-scoped role). */
  private async imrChoices(reviewId: string, access: AccessContext): Promise<ImrChoice[]> {
    if (!may(access, 'imrs.read')) return [];
    const agencyIds = access.restriction ? (access.restriction.agencyIds ?? []) : null;
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    return (await this.imrs.list(reviewId, agencyIds)).map((imr) => ({
      value: imr.id,
      text: `${agencyNames.get(imr.agencyId) ?? 'An agency'}: ${IMR_KIND_LABELS[imr.kind as keyof typeof IMR_KIND_LABELS] ?? imr.kind}`,
    }));
  }
}

/** The form's action: the page's route, with the session's CSRF token (a multipart body is read after the check). */
function uploadAction(req: WebRequest, path: string): string {
  return `${path}?_csrf=${encodeURIComponent(csrfTokenOf(req))}`;
}

/** The file the upload read (FileInterceptor's req.file), if any. */
function fileOf(req: WebRequest): UploadedContent | undefined {
  return (req as WebRequest & { file?: UploadedContent }).file;
}

/** The schema's problems with a new document's fields, when the upload itself was refused before the service saw them. */
function schemaProblems(input: Record<string, unknown>): FormProblem[] {
  const result = createDocumentSchema.safeParse(input);
  return result.success ? [] : zodProblems(result.error);
}
