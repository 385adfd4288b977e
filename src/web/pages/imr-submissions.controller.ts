import { Inject } from '@nestjs/common';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { DocumentsService } from '../../casefile/documents/documents.service';
import { PageSubmissionUploadInterceptor, submissionFiles } from '../../casefile/imrs/imr-submission-upload.interceptor';
import type { SubmissionRequest } from '../../casefile/imrs/imr-submission-upload.interceptor';
import { ImrSubmissionsService } from '../../casefile/imrs/imr-submissions.service';
import { confirmImrSubmissionSchema, sendBackImrSubmissionSchema } from '../../casefile/imrs/imrs.schemas';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import { londonDateOf } from '../../deadlines/rules';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { caseNavigation, may } from '../case-pages';
import { FieldSpec, FieldView, formView } from '../forms';
import { csrfTokenOf, ukDate, ukDateTime } from '../web-views';
import { fileSize } from './documents.controller';
import { FormPages, FormRoute, PageController, parseWith, summaryOf } from './form-page';
import type { FormPage } from './form-page';
import { accessOf } from './page-support';
import { uploadProblems } from './page-upload.interceptor';

type ImrView = Awaited<ReturnType<ImrsService['get']>>;
type Submission = NonNullable<ImrView['submission']>;

const what = (imr: ImrView) => (imr.kind === 'short_report' ? 'short report' : 'IMR');

function uploadFields(imr: ImrView, maxBytes: number): FieldSpec[] {
  const hint = `PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG or JPEG; at most ${fileSize(maxBytes)}.`;
  return [
    { name: 'report', label: imr.kind === 'short_report' ? 'The short report' : 'The IMR', errorLabel: `the ${what(imr)} to send`, kind: 'file', hint },
    { name: 'chronology', label: 'Its chronology', errorLabel: 'the chronology', kind: 'file', optional: true, hint: `If you have it ready, send it with the ${what(imr)}. ${hint}` },
  ];
}

const CONFIRM_FIELDS: FieldSpec[] = [
  { name: 'receivedOn', label: 'Date received', kind: 'date', hint: 'The day the agency sent it through the service, unless you received it earlier.' },
];
const SEND_BACK_FIELDS: FieldSpec[] = [
  { name: 'comments', label: 'Comments for the agency', kind: 'textarea', hint: 'What the agency must change before sending it again. They see these comments, and so does the review’s history.' },
];

/** "Sent on 4 December 2026 at 10:30am by Dr Amira Bello", and what became of it. */
function submissionInWords(s: Submission): string {
  const sent = `Sent on ${ukDateTime(s.submittedAt)} by ${s.submittedByName}`;
  if (s.outcome === 'awaiting') return `${sent}, awaiting the chair’s confirmation`;
  if (s.outcome === 'sent_back') return `${sent}; sent back on ${ukDate(s.decidedAt)} by ${s.decidedByName ?? ''}`;
  if (s.outcome === 'received') return `${sent}; receipt confirmed`;
  return sent;
}

/** The IMR's state for its pages: received, waived, or outstanding with its upload (if any). */
function stateInWords(imr: ImrView): string {
  if (imr.receivedOn) return `Received on ${ukDate(imr.receivedOn)}`;
  if (imr.waivedReason) return `Waived (${imr.waivedReason})`;
  return imr.submission ? submissionInWords(imr.submission) : `Not yet sent; due on ${ukDate(imr.dueOn)}`;
}

/** What the chair's page shows of an upload: the IMR, its agency, and the files awaiting confirmation. */
interface Answer {
  review: ReviewView;
  imr: ImrView;
  agencyName: string;
  awaiting: Submission | null;
  files: Array<{ key: { text: string }; value: { text: string; href?: string } }>;
}

/**
 * An agency sends its own IMR (issue 14 item 5): the IMR author's upload page (the IMR or short
 * report and its chronology; the upload is the submission), and the chair's page that confirms
 * its receipt or sends it back with comments: two forms on one page, each posted to its own
 * route and shown again with the other left as it was. Both through ImrSubmissionsService, as
 * the API. The upload's multipart body is read after the CSRF check: its form carries the
 * session's token in its action's query string, as the documents' upload forms do.
 */
@PageController('cases/:reviewId/imrs/:imrId')
export class ImrSubmissionsPagesController {
  constructor(
    private readonly imrs: ImrsService,
    private readonly submissions: ImrSubmissionsService,
    private readonly documents: DocumentsService,
    private readonly agencies: AgenciesService,
    readonly forms: FormPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @FormRoute('submit', { interceptors: [PageSubmissionUploadInterceptor] })
  submitPage(): FormPage<{ review: ReviewView; imr: ImrView; agencyName: string }> {
    return {
      load: ({ params }) => this.about(params),
      fields: async ({ params }) => uploadFields(await this.imrs.get(params.reviewId, params.imrId), this.config.documents.maxBytes),
      submit: async (_, { req, params, actor }) => {
        const uploaded = req as SubmissionRequest & typeof req;
        if (uploaded.uploadRefusal) throw uploaded.uploadRefusal;
        // Only the files go to the service: its form has no text fields.
        await this.submissions.submit(params.reviewId, params.imrId, {}, submissionFiles(uploaded), actor());
        return `/cases/${params.reviewId}/imrs?done=IMR_SUBMITTED`;
      },
      problems: (problems) => uploadProblems(problems, ['report', 'chronology']),
      eachProblem: true,
      view: ({ review, imr, agencyName }, { req, params }) => {
        const sentBack = imr.state === 'outstanding' && imr.submission?.outcome === 'sent_back' ? imr.submission : null;
        const closed = imr.state === 'outstanding' ? null : `Nothing more can be sent: ${stateInWords(imr).toLowerCase()}.`;
        return {
          review,
          title: `Send the ${what(imr)} – ${agencyName}`,
          heading: `Send the ${what(imr)} of ${agencyName} to the chair`,
          about: [
            ...aboutRows(imr, agencyName),
            ...(sentBack ? [{ key: { text: 'The chair’s comments' }, value: { text: sentBack.comments ?? '' } }] : []),
          ],
          intro:
            imr.submission?.outcome === 'awaiting' && !closed
              ? `The chair has not confirmed it yet. A file you send now replaces it as what the chair is asked to confirm (earlier versions are kept).`
              : `Sending it here is sending it to the chair: they are asked to confirm its receipt, or to send it back with comments. Earlier versions are kept.`,
          back: { href: `/cases/${params.reviewId}/imrs`, text: 'Back to IMRs' },
          action: `/cases/${params.reviewId}/imrs/${params.imrId}/submit?_csrf=${encodeURIComponent(csrfTokenOf(req))}`,
          enctype: 'multipart/form-data',
          button: `Send the ${what(imr)}`,
          closed,
        };
      },
    };
  }

  @FormRoute('confirm', { page: 'confirm' })
  @FormRoute('confirm', { page: 'sendBack', post: 'send-back', show: false })
  answerPage(which: string): FormPage<Answer> {
    const confirming = which === 'confirm';
    return {
      load: ({ params }) => this.answer(params),
      fields: confirming ? CONFIRM_FIELDS : SEND_BACK_FIELDS,
      values: ({ awaiting }) => (confirming ? receivedOnOf(awaiting) : {}),
      submit: async (input, { params, actor, ifMatch, own }) => {
        const { reviewId, imrId } = params;
        if (confirming) await this.submissions.confirm(reviewId, imrId, parseWith(confirmImrSubmissionSchema(this.submissions.today), input, own), actor(), ifMatch);
        else await this.submissions.sendBack(reviewId, imrId, parseWith(sendBackImrSubmissionSchema, input, own), actor(), ifMatch);
        return `/cases/${reviewId}/imrs?done=${confirming ? 'IMR_RECEIVED' : 'IMR_SENT_BACK'}`;
      },
      // A 412: the agency sent a newer version (or someone answered) since the page was opened.
      summary: (refusal, _error, _ctx, { agencyName }) =>
        refusal?.stale ? [{ text: `${agencyName} sent a new version, or someone else answered, since you opened this page. Check it as it is now.` }] : summaryOf(refusal),
      // The form posted is drawn with what was typed; the other as it starts.
      arrange: (fields: FieldView[], { awaiting }) => {
        const other = formView(confirming ? SEND_BACK_FIELDS : CONFIRM_FIELDS, { values: confirming ? {} : receivedOnOf(awaiting) }).fields;
        return confirming ? { confirmFields: fields, sendBackFields: other } : { confirmFields: other, sendBackFields: fields };
      },
      template: 'pages/cases/imr-submission-confirm.njk',
      view: ({ review, imr, agencyName, awaiting, files }, { req, params }) => ({
        pageTitle: `Confirm receipt – ${agencyName} – ${review.reference}`,
        review,
        heading: `Confirm receipt of the ${what(imr)} from ${agencyName}`,
        about: aboutRows(imr, agencyName),
        files,
        closed: awaiting
          ? null
          : imr.state === 'outstanding'
            ? `No upload from ${agencyName} is awaiting confirmation.`
            : `Nothing more can be recorded: ${stateInWords(imr).toLowerCase()}.`,
        receiptHref: imr.state === 'outstanding' && may(accessOf(req), 'imrs.write') ? `/cases/${params.reviewId}/imrs/${params.imrId}/receipt` : null,
        back: { href: `/cases/${params.reviewId}/imrs`, text: 'Back to IMRs' },
        caseNav: caseNavigation(accessOf(req), params.reviewId, 'imrs'),
        confirmAction: `/cases/${params.reviewId}/imrs/${params.imrId}/confirm`,
        sendBackAction: `/cases/${params.reviewId}/imrs/${params.imrId}/send-back`,
        version: imr.version,
      }),
    };
  }

  /** The review, the IMR and its agency's name. */
  private async about(params: Record<string, string>) {
    const review = await this.forms.review(params.reviewId);
    const imr = await this.imrs.get(params.reviewId, params.imrId);
    const agencyName = (await this.agencies.list()).find((a) => a.id === imr.agencyId)?.name ?? 'the agency';
    return { review, imr, agencyName };
  }

  /** What the chair is asked to confirm: the upload awaiting it, each file a download of the version sent. */
  private async answer(params: Record<string, string>): Promise<Answer> {
    const { review, imr, agencyName } = await this.about(params);
    const awaiting = imr.state === 'outstanding' && imr.submission?.outcome === 'awaiting' ? imr.submission : null;
    const files: Answer['files'] = [];
    const sent = awaiting
      ? ([
          [imr.kind === 'short_report' ? 'The short report' : 'The IMR', awaiting.report],
          ['Its chronology', awaiting.chronology],
        ] as const)
      : [];
    for (const [label, ref] of sent) {
      if (!ref) {
        files.push({ key: { text: label }, value: { text: 'Not sent' } });
        continue;
      }
      const document = await this.documents.get(params.reviewId, ref.documentId);
      const version = document.versions?.find((v) => v.version === ref.version);
      files.push({
        key: { text: label },
        value: version ? { text: `${version.filename} (version ${version.version}, ${fileSize(version.sizeBytes)})`, href: version.contentUrl } : { text: `Version ${ref.version}` },
      });
    }
    return { review, imr, agencyName, awaiting, files };
  }
}

function aboutRows(imr: ImrView, agencyName: string) {
  return [
    { key: { text: 'Agency' }, value: { text: agencyName } },
    { key: { text: 'Due' }, value: { text: ukDate(imr.dueOn) } },
    { key: { text: 'State' }, value: { text: stateInWords(imr) } },
  ];
}

/** The confirmation's date starts as the day the upload was sent. */
function receivedOnOf(awaiting: Submission | null) {
  return { receivedOn: awaiting ? londonDateOf(new Date(awaiting.submittedAt)) : null };
}
