import {  } from '@nestjs/common';
import { PROCEEDING_STATUSES, PROCEEDING_TYPES } from '../../casefile/entities';
import type { ProceedingStatus, ProceedingType } from '../../casefile/entities';
import { changeProceedingStatusSchema, recordProceedingSchema, updateProceedingSchema } from '../../casefile/proceedings/proceedings.schemas';
import { ProceedingsService } from '../../casefile/proceedings/proceedings.service';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FormBody, FormProblem } from '../forms';
import { optionsOf } from '../labels';
import { ukDate } from '../web-views';
import { FormPages, FormRoute, PageController, summaryOf, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { codesInWords } from './more-page-support';
import { accessOf, noticeOf } from './page-support';

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

type Subject = { review: ReviewView; proceeding: ProceedingView };

/** The form's key-date rows: as many as it had (or those recorded, on a record), plus spare ones. */
const keyDateRows = (body: FormBody | null, recorded = 0) => rowFields(keyDateRowCount(body, recorded));

/**
 * Parallel proceedings (criminal investigation and trial, inquest, IOPC investigation, other
 * reviews): the list with kind, status and key dates, and whether publication must wait; the
 * forms to record proceedings, correct their description and key dates, and change their
 * status, through the service the proceedings API routes use.
 */
@PageController('cases/:reviewId/proceedings')
export class ProceedingsPagesController {
  constructor(private readonly proceedings: ProceedingsService, readonly forms: FormPages) {}

  @TabRoute('', { template: 'pages/cases/proceedings.njk', key: 'proceedings', heading: 'Parallel proceedings' })
  async list(review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
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
    return {
      rows,
      activeCount: rows.filter((r) => r.status === 'active').length,
      publicationWaits: review.facts.activeCriminalProceedings,
      mayWrite: may(accessOf(req), 'proceedings.write'),
      notice: noticeOf(query.done),
    };
  }

  @FormRoute('new', { post: '' })
  recordPage(): FormPage {
    return {
      fields: ({ body }) => [...RECORD_FIELDS, DESCRIPTION_FIELD, ...keyDateRows(body)],
      submit: async (input, { params, body, actor }) => {
        const { keyDates } = readKeyDates({ ...input }, keyDateRowCount(body, 0));
        await this.proceedings.record(params.reviewId, parseInput(recordProceedingSchema, { ...withoutRows(input), ...(keyDates.length > 0 ? { keyDates } : {}) }), actor());
        return `/cases/${params.reviewId}/proceedings?done=PROCEEDINGS_RECORDED`;
      },
      problems: (problems, input, { body }) => formProblems(problems, readKeyDates({ ...input }, keyDateRowCount(body, 0)).rows),
      summary: (refusal) => inWords(summaryOf(refusal)),
      view: (review, { params, body }) => ({
        review,
        heading: 'Record parallel proceedings',
        intro: 'A criminal investigation or trial, an inquest, an IOPC investigation or another review running alongside this one. Key dates are optional: leave the ones you do not need empty.',
        back: { href: `/cases/${params.reviewId}/proceedings`, text: 'Back to parallel proceedings' },
        action: `/cases/${params.reviewId}/proceedings`,
        hidden: { keyDateRows: keyDateRowCount(body, 0) },
        button: 'Record the proceedings',
      }),
    };
  }

  /** The correction form (description and key dates, as recorded) or the status form. */
  @FormRoute(':proceedingId/correct', { page: 'correct' })
  @FormRoute(':proceedingId/status', { page: 'status' })
  changePage(which: Which): FormPage<Subject> {
    const correct = which === 'correct';
    return {
      load: async ({ params }) => ({ review: await this.forms.review(params.reviewId), proceeding: await this.proceedings.get(params.reviewId, params.proceedingId) }),
      fields: ({ body }, s) => (correct ? [DESCRIPTION_FIELD, ...keyDateRows(body, s?.proceeding.keyDates.length)] : STATUS_FIELDS),
      values: ({ proceeding }) => (correct ? { description: proceeding.description, ...keyDateValues(proceeding.keyDates) } : {}),
      submit: async (input, { params, body, actor, ifMatch }) => {
        const { reviewId, proceedingId } = params;
        if (correct) {
          // Every field is sent: an emptied description clears it, the rows left are the key dates.
          const { keyDates } = readKeyDates({ ...input }, keyDateRowCount(body, 0));
          await this.proceedings.update(reviewId, proceedingId, parseInput(updateProceedingSchema, { description: input.description ?? null, keyDates }), actor(), ifMatch);
        } else {
          await this.proceedings.changeStatus(reviewId, proceedingId, parseInput(changeProceedingStatusSchema(this.proceedings.today), input), actor(), ifMatch);
        }
        return `/cases/${reviewId}/proceedings?done=${correct ? 'PROCEEDINGS_CORRECTED' : 'PROCEEDINGS_STATUS_CHANGED'}`;
      },
      problems: (problems, input, { body }) => (correct ? formProblems(problems, readKeyDates({ ...input }, keyDateRowCount(body, 0)).rows) : problems),
      summary: (refusal) => inWords(summaryOf(refusal)),
      stale: {
        what: 'record of proceedings',
        about: (e, { params }) => e.payload?.proceedingId === params.proceedingId,
        // What the proceedings are now.
        now: ({ proceeding: p }) => `It is now ${statusInWords(p)}${p.keyDates.length ? `, with ${p.keyDates.length === 1 ? '1 key date' : `${p.keyDates.length} key dates`}` : ''}`,
      },
      view: ({ review, proceeding }, { params, body }) => {
        const noun = PROCEEDING_TYPE_NOUNS[proceeding.type];
        return {
          review,
          heading: correct ? `Correct the details of ${noun}` : `Change the status of ${noun}`,
          about: [
            { key: { text: 'Kind' }, value: { text: kindOf(proceeding) } },
            { key: { text: 'Status' }, value: { text: statusInWords(proceeding).replace(/^./, (c) => c.toUpperCase()) } },
            ...(!correct && proceeding.keyDates.length
              ? [{ key: { text: 'Key dates' }, value: { text: proceeding.keyDates.map((k) => `${k.label}: ${ukDate(k.date)}`).join('; ') } }]
              : []),
          ],
          intro: correct
            ? 'Change the description, correct a key date, or add one. Empty a key date’s boxes to remove it.'
            : 'The change and its date go into the review’s history. While criminal proceedings are active, the report cannot be published.',
          back: { href: `/cases/${params.reviewId}/proceedings`, text: 'Back to parallel proceedings' },
          action: `/cases/${params.reviewId}/proceedings/${params.proceedingId}/${which}`,
          hidden: { ...versions(proceeding, review), ...(correct ? { keyDateRows: keyDateRowCount(body, proceeding.keyDates.length) } : {}) },
          button: correct ? 'Save the changes' : 'Change the status',
        };
      },
    };
  }
}

/** The input without its key-date rows (they go to the service as keyDates). */
function withoutRows(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([name]) => !name.startsWith('keyDates.')));
}

function rowFields(count: number): FieldSpec[] {
  return Array.from({ length: count }, (_, i) => keyDateFields(i)).flat();
}

/** A refusal's words with the codes of statuses in words ("The proceeding is already “Active”"). */
function inWords(items: Array<{ text: string }>): Array<{ text: string }> {
  return items.map((i) => ({ text: codesInWords(i.text, PROCEEDING_STATUS_LABELS) }));
}
