import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { OversightService } from '../../casefile/oversight/oversight.service';
import { confirmAnonymisationSchema, putPublicationSchema } from '../../casefile/publication/publication.schemas';
import { PublicationService } from '../../casefile/publication/publication.service';
import { CspsService } from '../../csps/csps.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService, ReviewView } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, readForm, Refusal, refusalOf } from '../forms';
import { QA_OUTCOME_LABELS } from '../labels';
import { ukDate, ukDateTime, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { cspNameOf, noticeFrom } from './more-page-support';
import { lifecycleForms } from './oversight.controller';
import { accessOf, actorOf, submitForm } from './page-support';

type PublicationView = Awaited<ReturnType<PublicationService['get']>>;

const RECORD_FIELDS: FieldSpec[] = [
  {
    name: 'pseudonyms',
    label: 'Pseudonyms used in the report',
    errorLabel: 'the pseudonyms used in the report',
    kind: 'textarea',
    optional: true,
    hint: 'One on each line, for example Adult A. Agree them with the family.',
  },
  { name: 'redactionLog', label: 'Redaction log', kind: 'textarea', optional: true, hint: 'What was taken out of the published text, and why.' },
];

const CONFIRM_FIELDS: FieldSpec[] = [
  {
    name: 'confirmedBy',
    label: 'Who confirmed the report is anonymised',
    errorLabel: 'who confirmed the report is anonymised',
    kind: 'text',
    hint: 'Their name and role, for example Chris Rowe, independent chair.',
    classes: 'govuk-!-width-two-thirds',
  },
];

const NOTICES = { PUBLICATION_RECORDED: 'Pseudonyms and redaction log saved' };

/** The pseudonyms box: one a line, blank lines left out. */
function pseudonymsOf(text: string | undefined): string[] {
  return (text ?? '').split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line !== '');
}

/** A problem with one pseudonym ("pseudonyms.2") is about the box, naming the pseudonym. */
function recordProblems(problems: readonly FormProblem[], pseudonyms: readonly string[]): FormProblem[] {
  return problems.map((p) => {
    const match = /^pseudonyms\.(\d+)$/.exec(p.field);
    if (!match) return p;
    const name = pseudonyms[Number(match[1])] ?? '';
    return { field: 'pseudonyms', message: p.message === 'is listed twice' ? `must not list “${name}” twice` : `(“${name.slice(0, 40)}”) ${p.message}` };
  });
}

type Status = { text: string; classes?: string };
const DONE: Status = { text: 'Completed' };
const todo = (text = 'Incomplete'): Status => ({ text, classes: 'govuk-tag--blue' });
const waiting = (text = 'Cannot start yet'): Status => ({ text, classes: 'govuk-tag--grey' });
const tag = (status: Status) => (status === DONE ? { text: status.text } : { tag: status });

/**
 * The publication checklist: the record (pseudonyms, redaction log), who confirmed it
 * anonymised, what the lifecycle knows (the family told, proceedings, the Home Office's
 * outcome), and publishing itself, the lifecycle's PUBLISH event. Done or missing is what the
 * services say: the records as stored, the review's facts, and the reasons PUBLISH is refused.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/publication')
export class PublicationPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly publication: PublicationService,
    private readonly oversight: OversightService,
    private readonly views: WebViews,
  ) {}

  /** The record, or null when there is none yet (the service's 404). */
  private async record(reviewId: string): Promise<PublicationView | null> {
    try {
      return await this.publication.get(reviewId);
    } catch (error) {
      if (error instanceof NotFoundException) return null;
      throw error;
    }
  }

  @Get()
  async checklist(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    // The facts and reasons this reader may see (the RAG reads neither the family log nor the proceedings).
    const review = await this.reviews.get(reviewId, access);
    const record = await this.record(reviewId);
    const published = !!record?.publishedAt;
    const mayWrite = may(access, 'publication.write') && !published;
    const rounds = may(access, 'oversight.read') ? await this.oversight.qaRounds(reviewId) : null;
    const lastRound = rounds?.[rounds.length - 1] ?? null;
    const base = `/cases/${reviewId}/publication`;
    const lifecycle = lifecycleForms(access, review, ['PUBLISH']);
    // What PUBLISH still needs, in the lifecycle's words (shown to every reader of the checklist).
    const publishReasons = review.blockedEvents.find((b) => b.type === 'PUBLISH')?.reasons ?? [];
    const publishBlocked = !review.allowedEvents.includes('PUBLISH');

    const items = [
      {
        title: { text: 'Record the pseudonyms and the redaction log' },
        hint: { text: record?.id ? `${record.pseudonyms.length} ${record.pseudonyms.length === 1 ? 'pseudonym' : 'pseudonyms'}${record.redactionLog ? ', redaction log recorded' : ', no redaction log'}` : 'Not recorded yet' },
        href: mayWrite ? `${base}/record` : undefined,
        status: tag(record?.id ? DONE : todo()),
      },
      {
        title: { text: 'Confirm the report is anonymised' },
        hint: {
          text: record?.anonymisationConfirmedAt
            ? `Confirmed by ${record.anonymisationConfirmedBy} on ${ukDateTime(record.anonymisationConfirmedAt)}`
            : record?.id
              ? 'Not confirmed yet. Changing the pseudonyms or redaction log afterwards withdraws a confirmation.'
              : 'Record the pseudonyms and redaction log first.',
        },
        href: mayWrite && record?.id && !record.anonymisationConfirmedAt ? `${base}/anonymisation-confirmation` : undefined,
        status: tag(record?.anonymisationConfirmedAt ? DONE : record?.id ? todo() : waiting()),
      },
      ...(review.facts.familyToldOfPublication !== undefined
        ? [
            {
              title: { text: 'Tell the family about the publication' },
              hint: { text: review.facts.familyToldOfPublication ? 'Recorded in the family involvement log' : 'Record it in the family involvement log when they have been told the date and where.' },
              href: may(access, 'family.read') ? `/cases/${reviewId}/family` : undefined,
              status: tag(review.facts.familyToldOfPublication ? DONE : todo()),
            },
          ]
        : []),
      ...(review.facts.activeCriminalProceedings !== undefined
        ? [
            {
              title: { text: 'Criminal proceedings' },
              hint: { text: review.facts.activeCriminalProceedings ? 'Proceedings are still active: publication waits until they end.' : 'None active' },
              status: tag(review.facts.activeCriminalProceedings ? waiting('Still active') : DONE),
            },
          ]
        : []),
      ...(rounds
        ? [
            {
              title: { text: 'Home Office quality assurance' },
              hint: {
                text: lastRound
                  ? lastRound.outcome
                    ? `Round ${lastRound.round}: ${QA_OUTCOME_LABELS[lastRound.outcome as keyof typeof QA_OUTCOME_LABELS] ?? lastRound.outcome}, letter of ${ukDate(lastRound.letterDate)}`
                    : `Round ${lastRound.round}: submitted ${ukDate(lastRound.submittedAt)}, awaiting the letter`
                  : 'Not submitted yet',
              },
              href: `/cases/${reviewId}/qa`,
              status: tag(lastRound?.outcome && lastRound.outcome !== 'resubmit' ? DONE : lastRound ? todo('In progress') : waiting()),
            },
          ]
        : []),
      {
        title: { text: 'Publish the report' },
        hint: { text: published ? `Published on ${ukDate(record?.publishedAt)}${record?.url ? ` at ${record.url}` : ''}` : publishBlocked ? publishReasons.join('. ') || 'Not possible now.' : 'Ready to publish.' },
        status: tag(published ? DONE : publishBlocked ? waiting() : todo('Ready')),
      },
    ];

    return this.views.render(req, res, 'pages/cases/publication.njk', {
      pageTitle: `Publication – ${review.reference}`,
      heading: 'Publication',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      record,
      items,
      ...lifecycle,
      blocked: [],
      caseNav: caseNavigation(access, reviewId, 'publication'),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('record')
  async recordPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderForm(req, res, reviewId, 'record', null, [], 200);
  }

  @Post('record')
  async saveRecord(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const { input } = readForm(RECORD_FIELDS, body);
    const pseudonyms = pseudonymsOf(body.pseudonyms);
    try {
      await this.publication.put(reviewId, parseInput(putPublicationSchema, { ...input, pseudonyms }), actorOf(req), ifMatchOf(body.version));
      return this.views.redirect(res, `/cases/${reviewId}/publication?done=PUBLICATION_RECORDED`);
    } catch (error) {
      const refusal = refusalOf(error, RECORD_FIELDS.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderForm(req, res, reviewId, 'record', body, recordProblems(refusal.problems, pseudonyms), refusal.status, refusal);
    }
  }

  @Get('anonymisation-confirmation')
  async confirmPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderForm(req, res, reviewId, 'confirm', null, [], 200);
  }

  @Post('anonymisation-confirmation')
  async confirm(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      CONFIRM_FIELDS,
      body,
      async (input) => {
        await this.publication.confirmAnonymisation(reviewId, parseInput(confirmAnonymisationSchema, input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/publication?done=ANONYMISATION_CONFIRMED`;
      },
      (problems, refusal) => this.renderForm(req, res, reviewId, 'confirm', body, problems, refusal.status, refusal),
    );
  }

  private async renderForm(
    req: WebRequest,
    res: Response,
    reviewId: string,
    which: 'record' | 'confirm',
    body: FormBody | null,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review: ReviewView = await this.reviews.get(reviewId);
    const record = await this.record(reviewId);
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body?.reviewVersion ?? '');
    const fields = which === 'record' ? RECORD_FIELDS : CONFIRM_FIELDS;
    const values = { pseudonyms: (record?.pseudonyms ?? []).join('\n'), redactionLog: record?.redactionLog ?? '' };
    const form = formView(fields, stale ? { values } : { body: body ?? undefined, values, problems });
    const now = record
      ? `It now lists ${record.pseudonyms.length} ${record.pseudonyms.length === 1 ? 'pseudonym' : 'pseudonyms'}, and the anonymisation is ${record.anonymisationConfirmedAt ? `confirmed by ${record.anonymisationConfirmedBy}` : 'not confirmed'}`
      : null;
    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...summaryOf(refusal)] };
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body?.reviewVersion), (e) => e.type.startsWith('ANONYMISATION_'));
      errors = staleSummary('publication record', changes, now);
    }
    const about = record?.id
      ? [
          { key: { text: 'Pseudonyms' }, value: { text: record.pseudonyms.join(', ') || 'None' } },
          { key: { text: 'Redaction log' }, value: { text: record.redactionLog ?? 'None' } },
        ]
      : undefined;
    const closed = record?.publishedAt
      ? `The review was published on ${ukDate(record.publishedAt)}: its publication record is fixed.`
      : which === 'confirm' && !record?.id
        ? 'Record the pseudonyms and redaction log first.'
        : which === 'confirm' && record?.anonymisationConfirmedAt
          ? `The anonymisation was confirmed by ${record.anonymisationConfirmedBy} on ${ukDateTime(record.anonymisationConfirmedAt)}.`
          : null;
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `${which === 'record' ? 'Pseudonyms and redaction log' : 'Confirm the report is anonymised'} – ${review.reference}`,
        review,
        heading: which === 'record' ? 'Pseudonyms and redaction log' : 'Confirm the report is anonymised',
        about: which === 'confirm' ? about : undefined,
        intro:
          which === 'record'
            ? 'The names used in the published report instead of real names, and what was redacted. Changing them after the anonymisation was confirmed withdraws the confirmation.'
            : 'Someone who has read the text to be published confirms that nobody can be identified from it.',
        back: { href: `/cases/${reviewId}/publication`, text: 'Back to publication' },
        action: `/cases/${reviewId}/publication/${which === 'record' ? 'record' : 'anonymisation-confirmation'}`,
        hidden: { version: record?.version ?? 0, reviewVersion: review.version },
        fields: form.fields,
        button: which === 'record' ? 'Save' : 'Confirm the anonymisation',
        closed,
        ...errors,
      },
      status,
    );
  }
}
