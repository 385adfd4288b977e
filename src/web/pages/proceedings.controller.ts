import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PROCEEDING_STATUSES, PROCEEDING_TYPES } from '../../casefile/entities';
import type { ProceedingStatus, ProceedingType } from '../../casefile/entities';
import { changeProceedingStatusSchema, recordProceedingSchema, updateProceedingSchema } from '../../casefile/proceedings/proceedings.schemas';
import { ProceedingsService } from '../../casefile/proceedings/proceedings.service';
import { CspsService } from '../../csps/csps.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { optionsOf } from '../labels';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { codesInWords, cspNameOf } from './more-page-support';
import { accessOf, actorOf, noticeOf, submitForm } from './page-support';

type ProceedingView = Awaited<ReturnType<ProceedingsService['get']>>;

/** The kinds and statuses of proceedings in words (the codes are the proceedings schemas'). */
const PROCEEDING_TYPE_LABELS: Readonly<Record<ProceedingType, string>> = {
  criminal: 'Criminal investigation or trial',
  inquest: 'Inquest',
  iopc: 'IOPC investigation',
  other_review: 'Another review',
};

/** A kind of proceedings within a sentence ("Change the status of the inquest"). */
const PROCEEDING_TYPE_NOUNS: Readonly<Record<ProceedingType, string>> = {
  criminal: 'the criminal investigation or trial',
  inquest: 'the inquest',
  iopc: 'the IOPC investigation',
  other_review: 'the other review',
};

const PROCEEDING_STATUS_LABELS: Readonly<Record<ProceedingStatus, string>> = {
  active: 'Active',
  concluded: 'Concluded',
};

const RECORD_FIELDS: FieldSpec[] = [
  {
    name: 'type',
    label: 'Kind of proceedings',
    errorLabel: 'the kind of proceedings',
    kind: 'radios',
    hint: 'Publication of the report must wait until criminal proceedings have ended.',
    options: optionsOf(PROCEEDING_TYPES, PROCEEDING_TYPE_LABELS),
  },
  { name: 'status', label: 'Status', errorLabel: 'the status', kind: 'radios', options: optionsOf(PROCEEDING_STATUSES, PROCEEDING_STATUS_LABELS) },
];

const DESCRIPTION_FIELD: FieldSpec = {
  name: 'description',
  label: 'Description',
  kind: 'textarea',
  optional: true,
  hint: 'For example the court or coroner and the charge. Use pseudonyms, not real names. Changes to it are kept in the review’s history.',
};

const STATUS_FIELDS: FieldSpec[] = [
  { name: 'status', label: 'New status', errorLabel: 'the new status', kind: 'radios', options: optionsOf(PROCEEDING_STATUSES, PROCEEDING_STATUS_LABELS) },
  { name: 'on', label: 'Date of the change', errorLabel: 'the date of the change', kind: 'date', hint: 'For example, the date of the verdict or of the inquest’s conclusion: 13 3 2026' },
];

/** Empty key-date rows offered beyond those already recorded. */
const SPARE_KEY_DATE_ROWS = 3;
/** The schema's limit on key dates. */
const MAX_KEY_DATE_ROWS = 50;

function keyDateFields(index: number): FieldSpec[] {
  const n = index + 1;
  return [
    {
      name: `keyDates.${index}.label`,
      label: `Key date ${n}`,
      errorLabel: `what happened on key date ${n}`,
      kind: 'text',
      optional: true,
      hint: index === 0 ? 'What happened or is listed: for example charged, trial listed, verdict, inquest opened.' : undefined,
      classes: 'govuk-!-width-two-thirds',
    },
    {
      name: `keyDates.${index}.date`,
      label: `Date of key date ${n}`,
      errorLabel: `the date of key date ${n}`,
      kind: 'date',
      optional: true,
      hint: index === 0 ? 'A listed date may be ahead. For example, 14 9 2026' : undefined,
    },
  ];
}

/** The key-date rows of a form: as many as it had (a hidden field, bounded), at least those recorded plus spare ones. */
function keyDateRowCount(body: FormBody | null, recorded: number): number {
  const sent = /^\d{1,3}$/.test(body?.keyDateRows ?? '') ? Number(body?.keyDateRows) : 0;
  return Math.min(Math.max(sent, recorded + SPARE_KEY_DATE_ROWS), MAX_KEY_DATE_ROWS);
}

/**
 * Key dates from the form's rows (read by readForm): a row with neither a label nor a date is
 * left out; the others go to the service as they are (a half-filled row is the schema's to
 * refuse). `rows` maps the index sent back to the form's row, to put its problems on the row.
 */
function readKeyDates(input: Record<string, unknown>, count: number): { keyDates: Array<Record<string, unknown>>; rows: number[] } {
  const keyDates: Array<Record<string, unknown>> = [];
  const rows: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const label = input[`keyDates.${i}.label`];
    const date = input[`keyDates.${i}.date`];
    delete input[`keyDates.${i}.label`];
    delete input[`keyDates.${i}.date`];
    if (label === undefined && date === undefined) continue;
    keyDates.push({ ...(label !== undefined ? { label } : {}), ...(date !== undefined ? { date } : {}) });
    rows.push(i);
  }
  return { keyDates, rows };
}

function keyDateValues(keyDates: ReadonlyArray<{ label: string; date: string }>): Record<string, string> {
  const values: Record<string, string> = {};
  keyDates.forEach((k, i) => {
    values[`keyDates.${i}.label`] = k.label;
    values[`keyDates.${i}.date`] = k.date;
  });
  return values;
}

/** The service's problems on the form's fields: key dates by form row; codes of statuses in words. */
function formProblems(problems: readonly FormProblem[], rows: readonly number[]): FormProblem[] {
  return problems.map((p) => {
    const keyDate = /^keyDates\.(\d+)\.(label|date)$/.exec(p.field);
    if (!keyDate) return p;
    const row = rows[Number(keyDate[1])] ?? Number(keyDate[1]);
    return { field: `keyDates.${row}.${keyDate[2]}`, message: /^required$/i.test(p.message) ? 'is required' : p.message };
  });
}

function statusInWords(p: ProceedingView): string {
  const status = PROCEEDING_STATUS_LABELS[p.status].toLowerCase();
  return p.statusChangedOn ? `${status} since ${ukDate(p.statusChangedOn)}` : status;
}

function kindOf(p: ProceedingView): string {
  return PROCEEDING_TYPE_LABELS[p.type];
}

type Which = 'correct' | 'status';

/**
 * Parallel proceedings (criminal investigation and trial, inquest, IOPC investigation, other
 * reviews): the list with kind, status and key dates, and whether publication must wait; the
 * forms to record proceedings, correct their description and key dates, and change their
 * status, through the service the proceedings API routes use.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/proceedings')
export class ProceedingsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly proceedings: ProceedingsService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async list(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const all = await this.proceedings.list(reviewId);
    const rows = all.map((p) => ({
      ...p,
      typeText: kindOf(p),
      // What a row's links are about, for screen readers: the kind, numbered when there are several of it.
      about: all.filter((o) => o.type === p.type).length > 1
        ? `${PROCEEDING_TYPE_NOUNS[p.type]} (${all.filter((o) => o.type === p.type).indexOf(p) + 1})`
        : PROCEEDING_TYPE_NOUNS[p.type],
      statusText: PROCEEDING_STATUS_LABELS[p.status],
    }));
    return this.views.render(req, res, 'pages/cases/proceedings.njk', {
      pageTitle: `Parallel proceedings – ${review.reference}`,
      heading: 'Parallel proceedings',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      rows,
      activeCount: rows.filter((r) => r.status === 'active').length,
      publicationWaits: review.facts.activeCriminalProceedings,
      mayWrite: may(access, 'proceedings.write'),
      caseNav: caseNavigation(access, reviewId, 'proceedings'),
      notice: noticeOf(done),
    });
  }

  @Get('new')
  async newProceeding(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderRecord(req, res, reviewId, {}, [], 200);
  }

  @Post()
  async record(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const count = keyDateRowCount(body, 0);
    const fields = [...RECORD_FIELDS, DESCRIPTION_FIELD, ...rowFields(count)];
    const { input, problems } = readForm(fields, body);
    const { keyDates, rows } = readKeyDates(input, count);
    try {
      await this.proceedings.record(reviewId, parseInput(recordProceedingSchema, { ...input, ...(keyDates.length > 0 ? { keyDates } : {}) }), actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/proceedings?done=PROCEEDINGS_RECORDED`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderRecord(req, res, reviewId, body, mergeProblems(problems, formProblems(refusal.problems, rows)), refusal.status, refusal);
    }
  }

  @Get(':proceedingId/correct')
  async correctPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('proceedingId') proceedingId: string) {
    return this.renderChange(req, res, reviewId, proceedingId, 'correct', null, [], 200);
  }

  @Post(':proceedingId/correct')
  async correct(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('proceedingId') proceedingId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    const count = keyDateRowCount(body, 0);
    const fields = [DESCRIPTION_FIELD, ...rowFields(count)];
    const { input, problems } = readForm(fields, body);
    const { keyDates, rows } = readKeyDates(input, count);
    // Every field is sent: an emptied description clears it, the rows left are the key dates.
    const update = { description: input.description ?? null, keyDates };
    try {
      await this.proceedings.update(reviewId, proceedingId, parseInput(updateProceedingSchema, update), actorOf(req), ifMatchOf(body.version));
      return this.views.redirect(res, `/cases/${reviewId}/proceedings?done=PROCEEDINGS_CORRECTED`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderChange(req, res, reviewId, proceedingId, 'correct', body, mergeProblems(problems, formProblems(refusal.problems, rows)), refusal.status, refusal);
    }
  }

  @Get(':proceedingId/status')
  async statusPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('proceedingId') proceedingId: string) {
    return this.renderChange(req, res, reviewId, proceedingId, 'status', null, [], 200);
  }

  @Post(':proceedingId/status')
  async changeStatus(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('proceedingId') proceedingId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      STATUS_FIELDS,
      body,
      async (input) => {
        await this.proceedings.changeStatus(
          reviewId,
          proceedingId,
          parseInput(changeProceedingStatusSchema(this.proceedings.today), input),
          actorOf(req),
          ifMatchOf(body.version),
        );
        return `/cases/${reviewId}/proceedings?done=PROCEEDINGS_STATUS_CHANGED`;
      },
      (problems, refusal) => this.renderChange(req, res, reviewId, proceedingId, 'status', body, problems, refusal.status, refusal),
    );
  }

  private async renderRecord(req: WebRequest, res: Response, reviewId: string, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const review = await this.reviews.get(reviewId);
    const count = keyDateRowCount(body, 0);
    const form = formView([...RECORD_FIELDS, DESCRIPTION_FIELD, ...rowFields(count)], { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Record parallel proceedings – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: 'Record parallel proceedings',
        intro: 'A criminal investigation or trial, an inquest, an IOPC investigation or another review running alongside this one. Key dates are optional: leave the ones you do not need empty.',
        back: { href: `/cases/${reviewId}/proceedings`, text: 'Back to parallel proceedings' },
        action: `/cases/${reviewId}/proceedings`,
        hidden: { keyDateRows: count },
        fields: form.fields,
        button: 'Record the proceedings',
        errorList: [...form.errorList, ...inWords(summaryOf(refusal))],
      },
      status,
    );
  }

  /** The correction form (description and key dates, as recorded) or the status form. */
  private async renderChange(
    req: WebRequest,
    res: Response,
    reviewId: string,
    proceedingId: string,
    which: Which,
    body: FormBody | null,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review = await this.reviews.get(reviewId);
    const proceeding = await this.proceedings.get(reviewId, proceedingId);
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body?.reviewVersion ?? '');
    const shown = stale ? null : body;
    const count = which === 'correct' ? keyDateRowCount(shown, proceeding.keyDates.length) : 0;
    const fields = which === 'correct' ? [DESCRIPTION_FIELD, ...rowFields(count)] : STATUS_FIELDS;
    const values = which === 'correct' ? { description: proceeding.description, ...keyDateValues(proceeding.keyDates) } : {};
    const form = formView(fields, { body: shown ?? undefined, values, problems: stale ? [] : problems });
    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...inWords(summaryOf(refusal))] };
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body?.reviewVersion), (e) => e.payload?.proceedingId === proceedingId);
      // What changed and who changed it (from the history), and what the proceedings are now.
      errors = staleSummary('record of proceedings', changes, `It is now ${statusInWords(proceeding)}${proceeding.keyDates.length ? `, with ${proceeding.keyDates.length === 1 ? '1 key date' : `${proceeding.keyDates.length} key dates`}` : ''}`);
    }
    const kind = kindOf(proceeding);
    const noun = PROCEEDING_TYPE_NOUNS[proceeding.type];
    const title = which === 'correct' ? `Correct the details of ${noun}` : `Change the status of ${noun}`;
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `${title} – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: title,
        about: [
          { key: { text: 'Kind' }, value: { text: kind } },
          { key: { text: 'Status' }, value: { text: statusInWords(proceeding).replace(/^./, (c) => c.toUpperCase()) } },
          ...(which === 'status' && proceeding.keyDates.length
            ? [{ key: { text: 'Key dates' }, value: { text: proceeding.keyDates.map((k) => `${k.label}: ${ukDate(k.date)}`).join('; ') } }]
            : []),
        ],
        intro:
          which === 'correct'
            ? 'Change the description, correct a key date, or add one. Empty a key date’s boxes to remove it.'
            : 'The change and its date go into the review’s history. While criminal proceedings are active, the report cannot be published.',
        back: { href: `/cases/${reviewId}/proceedings`, text: 'Back to parallel proceedings' },
        action: `/cases/${reviewId}/proceedings/${proceedingId}/${which}`,
        hidden: { version: proceeding.version, reviewVersion: review.version, ...(which === 'correct' ? { keyDateRows: count } : {}) },
        fields: form.fields,
        button: which === 'correct' ? 'Save the changes' : 'Change the status',
        ...errors,
      },
      status,
    );
  }
}

function rowFields(count: number): FieldSpec[] {
  return Array.from({ length: count }, (_, i) => keyDateFields(i)).flat();
}

/** A refusal's words with the codes of statuses in words ("The proceeding is already “Active”"). */
function inWords(items: Array<{ text: string }>): Array<{ text: string }> {
  return items.map((i) => ({ text: codesInWords(i.text, PROCEEDING_STATUS_LABELS) }));
}
