import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AccessContext } from '../../access/access.service';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { createDocumentSchema } from '../../casefile/documents/documents.schemas';
import { DocumentsService } from '../../casefile/documents/documents.service';
import type { UploadedContent } from '../../casefile/documents/upload-errors';
import { DOCUMENT_KINDS } from '../../casefile/entities';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import { CspsService } from '../../csps/csps.service';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { zodProblems } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { DOCUMENT_KIND_LABELS, IMR_KIND_LABELS, optionsOf } from '../labels';
import { csrfTokenOf, ukDate, ukDateTime, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { cspNameOf, noticeFrom } from './more-page-support';
import { accessOf, actorOf } from './page-support';
import { PageUploadInterceptor } from './page-upload.interceptor';
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

/** The problems of a refused upload: a missing file in words the file field takes. */
function uploadProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => (p.field === 'file' && /^is required/.test(p.message) ? { field: 'file', message: 'is required' } : p));
}

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
@ApiExcludeController()
@Controller('cases/:reviewId/documents')
export class DocumentsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly documents: DocumentsService,
    private readonly imrs: ImrsService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
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
    return this.views.render(req, res, 'pages/cases/documents.njk', {
      pageTitle: `Documents – ${review.reference}`,
      heading: 'Documents',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      rows,
      restricted: access.restriction !== null,
      mayWrite,
      caseNav: caseNavigation(access, reviewId, 'documents'),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('new')
  async newDocument(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderNew(req, res, reviewId, {}, [], 200);
  }

  @Post()
  @UseInterceptors(PageUploadInterceptor)
  async upload(@Req() req: UploadRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown, @UploadedFile() file: UploadedContent | undefined) {
    const body = formBody(raw);
    const fields = documentFields(await this.imrChoices(reviewId, accessOf(req)), this.config.documents.maxBytes);
    // Only the form's fields go to the service (its schema refuses any other, such as the version fields).
    const { input, problems } = readForm(fields, body);
    try {
      if (req.uploadRefusal) throw req.uploadRefusal;
      const document = await this.documents.create(reviewId, input, file, actorOf(req));
      const done = document.kind === 'overview_report' || document.kind === 'executive_summary' ? 'DRAFT_UPLOADED' : 'DOCUMENT_UPLOADED';
      return this.views.redirect(res, `/cases/${reviewId}/documents?done=${done}`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      // A refused file (multer's) says nothing of the other fields: their schema's words too, so every problem shows at once.
      const fieldProblems = req.uploadRefusal ? schemaProblems(input) : [];
      return this.renderNew(req, res, reviewId, body, mergeProblems(problems, [...uploadProblems(refusal.problems), ...fieldProblems]), refusal.status, refusal);
    }
  }

  @Get(':documentId/versions')
  async newVersionPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('documentId') documentId: string) {
    return this.renderVersion(req, res, reviewId, documentId, {}, [], 200);
  }

  @Post(':documentId/versions')
  @UseInterceptors(PageUploadInterceptor)
  async addVersion(
    @Req() req: UploadRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('documentId') documentId: string,
    @Body() raw: unknown,
    @UploadedFile() file: UploadedContent | undefined,
  ) {
    const body = formBody(raw);
    try {
      if (req.uploadRefusal) throw req.uploadRefusal;
      await this.documents.addVersion(reviewId, documentId, {}, file, actorOf(req), ifMatchOf(body.version));
      return this.views.redirect(res, `/cases/${reviewId}/documents?done=VERSION_UPLOADED`);
    } catch (error) {
      const refusal = refusalOf(error, ['file']);
      if (!refusal) throw error;
      return this.renderVersion(req, res, reviewId, documentId, body, uploadProblems(refusal.problems), refusal.status, refusal);
    }
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

  /** The form's action: the page's route, with the session's CSRF token (a multipart body is read after the check). */
  private uploadAction(req: WebRequest, path: string): string {
    return `${path}?_csrf=${encodeURIComponent(csrfTokenOf(req))}`;
  }

  private async renderNew(req: WebRequest, res: Response, reviewId: string, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const review = await this.reviews.get(reviewId);
    const form = formView(documentFields(await this.imrChoices(reviewId, accessOf(req)), this.config.documents.maxBytes), { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Upload a document – ${review.reference}`,
        review,
        heading: 'Upload a document',
        intro: 'A draft of the overview report or executive summary, a chronology, an IMR, minutes, a letter. Later drafts are uploaded as new versions of the same document.',
        back: { href: `/cases/${reviewId}/documents`, text: 'Back to documents' },
        action: this.uploadAction(req, `/cases/${reviewId}/documents`),
        enctype: 'multipart/form-data',
        hidden: {},
        fields: form.fields,
        button: 'Upload the document',
        errorList: [...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }

  private async renderVersion(
    req: WebRequest,
    res: Response,
    reviewId: string,
    documentId: string,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review = await this.reviews.get(reviewId);
    const document: DocumentView = await this.documents.get(reviewId, documentId);
    const fields = [fileField(this.config.documents.maxBytes)];
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body.reviewVersion ?? '');
    const form = formView(fields, stale ? {} : { body, problems });
    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...summaryOf(refusal)] };
    const latest = document.latest;
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body.reviewVersion), (e) => e.payload?.documentId === documentId);
      errors = staleSummary('document', changes, `It now has ${document.versionCount} ${document.versionCount === 1 ? 'version' : 'versions'}${latest ? `, the latest uploaded ${ukDateTime(latest.uploadedAt)} by ${latest.uploadedBy}` : ''}`);
    }
    const about = [
      { key: { text: 'Title' }, value: { text: document.title } },
      { key: { text: 'What it is' }, value: { text: DOCUMENT_KIND_LABELS[document.kind] ?? document.kind } },
      {
        key: { text: 'Latest version' },
        value: { text: latest ? `Version ${latest.version}: ${latest.filename} (${fileSize(latest.sizeBytes)}), uploaded ${ukDate(latest.uploadedAt)} by ${latest.uploadedBy}` : 'None yet' },
      },
    ];
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Upload a new version – ${document.title} – ${review.reference}`,
        review,
        heading: `Upload a new version of ${document.title}`,
        about,
        intro: 'Earlier versions are kept: a new version never replaces one.',
        back: { href: `/cases/${reviewId}/documents`, text: 'Back to documents' },
        action: this.uploadAction(req, `/cases/${reviewId}/documents/${documentId}/versions`),
        enctype: 'multipart/form-data',
        hidden: { version: document.version, reviewVersion: review.version },
        fields: form.fields,
        button: 'Upload the new version',
        ...errors,
      },
      status,
    );
  }
}

/** The schema's problems with a new document's fields, when the upload itself was refused before the service saw them. */
function schemaProblems(input: Record<string, unknown>): FormProblem[] {
  const result = createDocumentSchema.safeParse(input);
  return result.success ? [] : zodProblems(result.error);
}
