import { Body, Controller, Get, Inject, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { DocumentsService } from '../../casefile/documents/documents.service';
import { PageSubmissionUploadInterceptor, submissionFiles } from '../../casefile/imrs/imr-submission-upload.interceptor';
import type { SubmissionRequest } from '../../casefile/imrs/imr-submission-upload.interceptor';
import { ImrSubmissionsService } from '../../casefile/imrs/imr-submissions.service';
import { confirmImrSubmissionSchema, sendBackImrSubmissionSchema } from '../../casefile/imrs/imrs.schemas';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import { CspsService } from '../../csps/csps.service';
import { londonDateOf } from '../../deadlines/rules';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, may } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, Refusal, refusalOf } from '../forms';
import { csrfTokenOf, ukDate, ukDateTime, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { fileSize } from './documents.controller';
import { summaryOf } from './imrs.controller';
import { cspNameOf } from './more-page-support';
import { accessOf, actorOf, submitForm } from './page-support';

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

/**
 * An agency sends its own IMR (issue 14 item 5): the IMR author's upload page (the IMR or short
 * report and its chronology; the upload is the submission), and the chair's page that confirms
 * its receipt or sends it back with comments. Both through ImrSubmissionsService, as the API.
 * The upload's multipart body is read after the CSRF check: its form carries the session's
 * token in its action's query string, as the documents' upload forms do.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/imrs/:imrId')
export class ImrSubmissionsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly imrs: ImrsService,
    private readonly submissions: ImrSubmissionsService,
    private readonly documents: DocumentsService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('submit')
  async submitPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.renderSubmit(req, res, reviewId, imrId, [], 200);
  }

  @Post('submit')
  @UseInterceptors(PageSubmissionUploadInterceptor)
  async submit(@Req() req: SubmissionRequest & WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    try {
      if (req.uploadRefusal) throw req.uploadRefusal;
      // Only the files go to the service: its form has no text fields.
      await this.submissions.submit(reviewId, imrId, {}, submissionFiles(req), actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/imrs?done=IMR_SUBMITTED`);
    } catch (error) {
      const refusal = refusalOf(error, ['report', 'chronology']);
      if (!refusal) throw error;
      const problems = refusal.problems.map((p) => (/^is required/.test(p.message) ? { field: p.field, message: 'is required' } : p));
      return this.renderSubmit(req, res, reviewId, imrId, problems, refusal.status, refusal);
    }
  }

  @Get('confirm')
  async confirmPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.renderConfirm(req, res, reviewId, imrId, {}, [], 200);
  }

  @Post('confirm')
  async confirm(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      CONFIRM_FIELDS,
      body,
      async (input) => {
        await this.submissions.confirm(reviewId, imrId, parseInput(confirmImrSubmissionSchema(this.submissions.today), input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/imrs?done=IMR_RECEIVED`;
      },
      (problems, refusal) => this.renderConfirm(req, res, reviewId, imrId, body, problems, refusal.status, refusal, 'confirm'),
    );
  }

  @Post('send-back')
  async sendBack(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      SEND_BACK_FIELDS,
      body,
      async (input) => {
        await this.submissions.sendBack(reviewId, imrId, parseInput(sendBackImrSubmissionSchema, input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/imrs?done=IMR_SENT_BACK`;
      },
      (problems, refusal) => this.renderConfirm(req, res, reviewId, imrId, body, problems, refusal.status, refusal, 'sendBack'),
    );
  }

  private async context(reviewId: string, imrId: string) {
    const review = await this.reviews.get(reviewId);
    const imr = await this.imrs.get(reviewId, imrId);
    const agencyName = (await this.agencies.list()).find((a) => a.id === imr.agencyId)?.name ?? 'the agency';
    return { review, imr, agencyName, cspName: cspNameOf(await this.csps.list(), review.cspId) };
  }

  private async renderSubmit(req: WebRequest, res: Response, reviewId: string, imrId: string, problems: FormProblem[], status: number, refusal?: Refusal) {
    const { review, imr, agencyName, cspName } = await this.context(reviewId, imrId);
    const fields = uploadFields(imr, this.config.documents.maxBytes);
    const form = formView(fields, { problems });
    const sentBack = imr.state === 'outstanding' && imr.submission?.outcome === 'sent_back' ? imr.submission : null;
    const about = [
      { key: { text: 'Agency' }, value: { text: agencyName } },
      { key: { text: 'Due' }, value: { text: ukDate(imr.dueOn) } },
      { key: { text: 'State' }, value: { text: stateInWords(imr) } },
      ...(sentBack ? [{ key: { text: 'The chair’s comments' }, value: { text: sentBack.comments ?? '' } }] : []),
    ];
    const closed = imr.state === 'outstanding' ? null : `Nothing more can be sent: ${stateInWords(imr).toLowerCase()}.`;
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Send the ${what(imr)} – ${agencyName} – ${review.reference}`,
        review,
        cspName,
        heading: `Send the ${what(imr)} of ${agencyName} to the chair`,
        about,
        intro:
          imr.submission?.outcome === 'awaiting' && !closed
            ? `The chair has not confirmed it yet. A file you send now replaces it as what the chair is asked to confirm (earlier versions are kept).`
            : `Sending it here is sending it to the chair: they are asked to confirm its receipt, or to send it back with comments. Earlier versions are kept.`,
        back: { href: `/cases/${reviewId}/imrs`, text: 'Back to IMRs' },
        action: `/cases/${reviewId}/imrs/${imrId}/submit?_csrf=${encodeURIComponent(csrfTokenOf(req))}`,
        enctype: 'multipart/form-data',
        hidden: {},
        fields: form.fields,
        button: `Send the ${what(imr)}`,
        closed,
        errorList: [...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }

  private async renderConfirm(
    req: WebRequest,
    res: Response,
    reviewId: string,
    imrId: string,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
    which: 'confirm' | 'sendBack' = 'confirm',
  ) {
    const access = accessOf(req);
    const { review, imr, agencyName, cspName } = await this.context(reviewId, imrId);
    const awaiting = imr.state === 'outstanding' && imr.submission?.outcome === 'awaiting' ? imr.submission : null;
    const files = [];
    if (awaiting) {
      for (const [label, ref] of [
        [imr.kind === 'short_report' ? 'The short report' : 'The IMR', awaiting.report],
        ['Its chronology', awaiting.chronology],
      ] as const) {
        if (!ref) {
          files.push({ key: { text: label }, value: { text: 'Not sent' } });
          continue;
        }
        const document = await this.documents.get(reviewId, ref.documentId);
        const version = document.versions?.find((v) => v.version === ref.version);
        files.push({
          key: { text: label },
          value: version ? { text: `${version.filename} (version ${version.version}, ${fileSize(version.sizeBytes)})`, href: version.contentUrl } : { text: `Version ${ref.version}` },
        });
      }
    }
    const stale = !!refusal?.stale;
    const confirmForm = formView(CONFIRM_FIELDS, {
      idPrefix: 'confirm-',
      body: which === 'confirm' && !stale ? body : {},
      problems: which === 'confirm' && !stale ? problems : [],
      values: { receivedOn: awaiting ? londonDateOf(new Date(awaiting.submittedAt)) : null },
    });
    const sendBackForm = formView(SEND_BACK_FIELDS, {
      idPrefix: 'send-back-',
      body: which === 'sendBack' && !stale ? body : {},
      problems: which === 'sendBack' && !stale ? problems : [],
    });
    return this.views.render(
      req,
      res,
      'pages/cases/imr-submission-confirm.njk',
      {
        pageTitle: `Confirm receipt – ${agencyName} – ${review.reference}`,
        review,
        cspName,
        heading: `Confirm receipt of the ${what(imr)} from ${agencyName}`,
        about: [
          { key: { text: 'Agency' }, value: { text: agencyName } },
          { key: { text: 'Due' }, value: { text: ukDate(imr.dueOn) } },
          { key: { text: 'State' }, value: { text: stateInWords(imr) } },
        ],
        files,
        closed: awaiting
          ? null
          : imr.state === 'outstanding'
            ? `No upload from ${agencyName} is awaiting confirmation.`
            : `Nothing more can be recorded: ${stateInWords(imr).toLowerCase()}.`,
        receiptHref: imr.state === 'outstanding' && may(access, 'imrs.write') ? `/cases/${reviewId}/imrs/${imrId}/receipt` : null,
        back: { href: `/cases/${reviewId}/imrs`, text: 'Back to IMRs' },
        caseNav: caseNavigation(access, reviewId, 'imrs'),
        confirmAction: `/cases/${reviewId}/imrs/${imrId}/confirm`,
        sendBackAction: `/cases/${reviewId}/imrs/${imrId}/send-back`,
        version: imr.version,
        confirmFields: confirmForm.fields,
        sendBackFields: sendBackForm.fields,
        errorList: stale
          ? [{ text: `${agencyName} sent a new version, or someone else answered, since you opened this page. Check it as it is now.` }]
          : [...confirmForm.errorList, ...sendBackForm.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }
}
