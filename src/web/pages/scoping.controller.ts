import { Body, Controller, Get, HttpException, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { RecordsSecuredService } from '../../casefile/scoping/records-secured.service';
import { ScopingResponsesService } from '../../casefile/scoping/scoping-responses.service';
import { confirmRecordsSecuredSchema, correctScopingResponseSchema, recordScopingResponseSchema } from '../../casefile/scoping/scoping.schemas';
import { CspsService } from '../../csps/csps.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { cspNameOf, noticeFrom } from './more-page-support';
import { accessOf, actorOf } from './page-support';

type Agencies = ReadonlyArray<{ id: string; name: string }>;
type ScopingResponseView = Awaited<ReturnType<ScopingResponsesService['get']>>;

const CONTACT_OPTIONS = [
  { value: 'true', text: 'Yes, it had contact' },
  { value: 'false', text: 'No contact' },
];

const agencyField = (agencies: Agencies): FieldSpec => ({
  name: 'agencyId',
  label: 'Agency',
  errorLabel: 'the agency',
  kind: 'select',
  options: agencies.map((a) => ({ value: a.id, text: a.name })),
});

/** What a response says (the fields a correction may change), as the scoping schemas take them. */
const ANSWER_FIELDS: FieldSpec[] = [
  {
    name: 'hadContact',
    label: 'Did the agency have contact with the people in the case?',
    errorLabel: 'whether the agency had contact',
    kind: 'radios',
    options: CONTACT_OPTIONS,
  },
  { name: 'respondedOn', label: 'Date of the response', errorLabel: 'the date of the response', kind: 'date', hint: 'The date the agency answered the scoping letter. For example, 10 2 2026' },
  {
    name: 'summary',
    label: 'Summary of the contact',
    kind: 'textarea',
    optional: true,
    hint: 'What contact the agency had, and when. Use pseudonyms, not real names.',
  },
];

const responseFields = (agencies: Agencies): FieldSpec[] => [agencyField(agencies), ...ANSWER_FIELDS];

const recordsSecuredFields = (agencies: Agencies): FieldSpec[] => [
  agencyField(agencies),
  { name: 'confirmedOn', label: 'Date the agency confirmed it', errorLabel: 'the date the agency confirmed it', kind: 'date', hint: 'For example, 12 2 2026' },
  {
    name: 'confirmedBy',
    label: 'Who at the agency confirmed it',
    errorLabel: 'who at the agency confirmed it',
    kind: 'text',
    hint: 'Their name and role.',
    classes: 'govuk-!-width-two-thirds',
    autocomplete: 'off',
  },
];

/** Confirmations of changes that leave no row in the review's history (a correction's is SCOPING_RESPONSE_CORRECTED). */
const NOTICES = {
  SCOPING_RESPONSE_RECORDED: 'Scoping response recorded',
  SCOPING_RESPONSE_UNCHANGED: 'Nothing was changed: the response already said that',
  RECORDS_SECURED: 'Records secured confirmation recorded',
};

/** The radios' "true"/"false" as the schema's boolean; a missing answer is "is required", not the schema's "must be true or false". */
function readAnswer(fields: readonly FieldSpec[], body: FormBody): { input: Record<string, unknown>; problems: FormProblem[] } {
  const { input, problems } = readForm(fields, body);
  if (input.hadContact === 'true' || input.hadContact === 'false') input.hadContact = input.hadContact === 'true';
  return { input, problems };
}

function answerProblems(problems: readonly FormProblem[], input: Record<string, unknown>): FormProblem[] {
  return problems.map((p) => (p.field === 'hadContact' && input.hadContact === undefined ? { field: 'hadContact', message: 'is required' } : p));
}

/** The service's dates (YYYY-MM-DD) in a message, as the pages write dates. */
function datesInWords(text: string): string {
  return text.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (d) => ukDate(d));
}

/** The id of the record a 409 is about (the service names the existing response or confirmation). */
function conflictIdOf(error: unknown): string | null {
  if (!(error instanceof HttpException) || error.getStatus() !== HttpStatus.CONFLICT) return null;
  const body = error.getResponse();
  return typeof body === 'object' && body !== null && typeof (body as { id?: unknown }).id === 'string' ? (body as { id: string }).id : null;
}

function contactInWords(hadContact: boolean): string {
  return hadContact ? 'had contact' : 'no contact';
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Scoping: each agency's answer to the CSP's scoping letter (did it have contact with the
 * people in the case?) and each agency's confirmation that it has secured its records; the
 * forms to record a response, correct one, and record records secured, through the services
 * the scoping-responses and records-secured API routes use.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/scoping')
export class ScopingPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly responses: ScopingResponsesService,
    private readonly recordsSecured: RecordsSecuredService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async overview(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    const nameOf = (agencyId: string) => agencyNames.get(agencyId) ?? 'An agency';
    const byAgency = <T extends { agencyId: string }>(rows: T[]) =>
      rows.map((r) => ({ ...r, agencyName: nameOf(r.agencyId) })).sort((a, b) => a.agencyName.localeCompare(b.agencyName, 'en-GB'));
    const responses = byAgency(await this.responses.list(reviewId));
    const confirmations = byAgency(await this.recordsSecured.list(reviewId));
    const secured = new Set(confirmations.map((c) => c.agencyId));
    const withContact = responses.filter((r) => r.hadContact).length;
    return this.views.render(req, res, 'pages/cases/scoping.njk', {
      pageTitle: `Scoping – ${review.reference}`,
      heading: 'Scoping',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      responses,
      confirmations,
      counts: {
        responses:
          responses.length === 0
            ? null
            : `${count(responses.length, 'agency has', 'agencies have')} responded: ${withContact} had contact, ${responses.length - withContact} had none.`,
        confirmations:
          confirmations.length === 0
            ? null
            : `${count(confirmations.length, 'agency has', 'agencies have')} confirmed ${confirmations.length === 1 ? 'its' : 'their'} records are secured.`,
      },
      notYetSecured: responses.filter((r) => !secured.has(r.agencyId)).map((r) => r.agencyName),
      mayWrite: may(access, 'scoping.write'),
      caseNav: caseNavigation(access, reviewId, 'scoping'),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('responses/new')
  async newResponse(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderRecordResponse(req, res, reviewId, {}, [], 200);
  }

  @Post('responses')
  async recordResponse(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const fields = responseFields(await this.agencies.list());
    const { input, problems } = readAnswer(fields, body);
    try {
      await this.responses.record(reviewId, parseInput(recordScopingResponseSchema(this.responses.today), input), actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/scoping?done=SCOPING_RESPONSE_RECORDED`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      const existing = conflictIdOf(error);
      // The agency has answered already: its response is corrected, not recorded twice.
      const conflict = refusal.status === HttpStatus.CONFLICT
        ? [
            { text: datesInWords(refusal.summary ?? '') },
            ...(existing ? [{ text: 'Correct that response instead', href: `/cases/${reviewId}/scoping/responses/${existing}/correct` }] : []),
          ]
        : null;
      return this.renderRecordResponse(req, res, reviewId, body, mergeProblems(problems, answerProblems(refusal.problems, input)), refusal.status, refusal, conflict);
    }
  }

  @Get('responses/:responseId/correct')
  async correctPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('responseId') responseId: string) {
    return this.renderCorrect(req, res, reviewId, responseId, {}, [], 200);
  }

  @Post('responses/:responseId/correct')
  async correct(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('responseId') responseId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    const { input, problems } = readAnswer(ANSWER_FIELDS, body);
    // Every field is sent: an emptied summary clears it (the schema's null).
    if (!('summary' in input)) input.summary = null;
    try {
      const corrected = await this.responses.correct(
        reviewId,
        responseId,
        parseInput(correctScopingResponseSchema(this.responses.today), input),
        actorOf(req),
        ifMatchOf(body.version),
      );
      const unchanged = String(corrected.version) === body.version;
      return this.views.redirect(res, `/cases/${reviewId}/scoping?done=${unchanged ? 'SCOPING_RESPONSE_UNCHANGED' : 'SCOPING_RESPONSE_CORRECTED'}`);
    } catch (error) {
      const refusal = refusalOf(error, ANSWER_FIELDS.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderCorrect(req, res, reviewId, responseId, body, mergeProblems(problems, answerProblems(refusal.problems, input)), refusal.status, refusal);
    }
  }

  @Get('records-secured/new')
  async newRecordsSecured(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderRecordsSecured(req, res, reviewId, {}, [], 200);
  }

  @Post('records-secured')
  async confirmRecordsSecured(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const fields = recordsSecuredFields(await this.agencies.list());
    const { input, problems } = readForm(fields, body);
    try {
      await this.recordsSecured.confirm(reviewId, parseInput(confirmRecordsSecuredSchema(this.recordsSecured.today), input), actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/scoping?done=RECORDS_SECURED`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      const conflict = refusal.status === HttpStatus.CONFLICT ? [{ text: datesInWords(refusal.summary ?? '') }] : null;
      return this.renderRecordsSecured(req, res, reviewId, body, mergeProblems(problems, refusal.problems), refusal.status, refusal, conflict);
    }
  }

  private async renderRecordResponse(
    req: WebRequest,
    res: Response,
    reviewId: string,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
    conflict?: Array<{ text: string; href?: string }> | null,
  ) {
    const review = await this.reviews.get(reviewId);
    const form = formView(responseFields(await this.agencies.list()), { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Record a scoping response – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: 'Record a scoping response',
        intro: 'An agency’s answer to the scoping letter: whether it had contact with the people in the case. One response for each agency; a response already recorded is corrected instead.',
        back: { href: `/cases/${reviewId}/scoping`, text: 'Back to scoping' },
        action: `/cases/${reviewId}/scoping/responses`,
        hidden: {},
        fields: form.fields,
        button: 'Record the response',
        errorList: [...form.errorList, ...(conflict ?? summaryOf(refusal))],
      },
      status,
    );
  }

  private async renderCorrect(
    req: WebRequest,
    res: Response,
    reviewId: string,
    responseId: string,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review = await this.reviews.get(reviewId);
    const response: ScopingResponseView = await this.responses.get(reviewId, responseId);
    const agencyName = (await this.agencies.list()).find((a) => a.id === response.agencyId)?.name ?? 'An agency';
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body.reviewVersion ?? '');
    const values = { hadContact: String(response.hadContact), respondedOn: response.respondedOn, summary: response.summary };
    const form = formView(ANSWER_FIELDS, stale ? { values } : { body, problems, values });
    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...summaryOf(refusal)] };
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body.reviewVersion), (e) => e.payload?.scopingResponseId === responseId);
      errors = staleSummary('scoping response', changes, `It now says: ${contactInWords(response.hadContact)}, responded on ${ukDate(response.respondedOn)}`);
    }
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Correct the scoping response from ${agencyName} – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: `Correct the scoping response from ${agencyName}`,
        about: [
          { key: { text: 'Agency' }, value: { text: agencyName } },
          { key: { text: 'Recorded by' }, value: { text: response.createdBy } },
        ],
        intro: 'Which fields were corrected, and who corrected them, goes into the review’s history.',
        back: { href: `/cases/${reviewId}/scoping`, text: 'Back to scoping' },
        action: `/cases/${reviewId}/scoping/responses/${responseId}/correct`,
        hidden: { version: response.version, reviewVersion: review.version },
        fields: form.fields,
        button: 'Save the correction',
        ...errors,
      },
      status,
    );
  }

  private async renderRecordsSecured(
    req: WebRequest,
    res: Response,
    reviewId: string,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
    conflict?: Array<{ text: string }> | null,
  ) {
    const review = await this.reviews.get(reviewId);
    const form = formView(recordsSecuredFields(await this.agencies.list()), { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Record that an agency secured its records – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: 'Record that an agency secured its records',
        intro: 'The agency’s confirmation that it has secured its records of the people in the case. Each agency confirms once.',
        back: { href: `/cases/${reviewId}/scoping`, text: 'Back to scoping' },
        action: `/cases/${reviewId}/scoping/records-secured`,
        hidden: {},
        fields: form.fields,
        button: 'Record the confirmation',
        errorList: [...form.errorList, ...(conflict ?? summaryOf(refusal))],
      },
      status,
    );
  }
}
