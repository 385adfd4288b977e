import { PROCEEDING_STATUSES, PROCEEDING_TYPES } from '../../casefile/entities';
import type { ProceedingStatus, ProceedingType } from '../../casefile/entities';
import type { ProceedingsService } from '../../casefile/proceedings/proceedings.service';
import type { FieldSpec, FormBody, FormProblem } from '../forms';
import { optionsOf } from '../labels';
import { ukDate } from '../web-views';
import { codesInWords } from './more-page-support';

/**
 * The parallel proceedings' forms: kinds and statuses in words, the fields, and the key-date
 * rows (as many as the form had, read into keyDates, problems put back on their row).
 * ProceedingsPagesController routes them.
 */

export type ProceedingView = Awaited<ReturnType<ProceedingsService['get']>>;

/** The kinds and statuses of proceedings in words (the codes are the proceedings schemas'). */
export const PROCEEDING_TYPE_LABELS: Readonly<Record<ProceedingType, string>> = {
  criminal: 'Criminal investigation or trial',
  inquest: 'Inquest',
  iopc: 'IOPC investigation',
  other_review: 'Another review',
};

/** A kind of proceedings within a sentence ("Change the status of the inquest"). */
export const PROCEEDING_TYPE_NOUNS: Readonly<Record<ProceedingType, string>> = {
  criminal: 'the criminal investigation or trial',
  inquest: 'the inquest',
  iopc: 'the IOPC investigation',
  other_review: 'the other review',
};

export const PROCEEDING_STATUS_LABELS: Readonly<Record<ProceedingStatus, string>> = {
  active: 'Active',
  concluded: 'Concluded',
};

export const RECORD_FIELDS: FieldSpec[] = [
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

export const DESCRIPTION_FIELD: FieldSpec = {
  name: 'description',
  label: 'Description',
  kind: 'textarea',
  optional: true,
  hint: 'For example the court or coroner and the charge. Use pseudonyms, not real names. Changes to it are kept in the review’s history.',
};

export const STATUS_FIELDS: FieldSpec[] = [
  { name: 'status', label: 'New status', errorLabel: 'the new status', kind: 'radios', options: optionsOf(PROCEEDING_STATUSES, PROCEEDING_STATUS_LABELS) },
  { name: 'on', label: 'Date of the change', errorLabel: 'the date of the change', kind: 'date', hint: 'For example, the date of the verdict or of the inquest’s conclusion: 13 3 2026' },
];

/** Empty key-date rows offered beyond those already recorded. */
export const SPARE_KEY_DATE_ROWS = 3;
/** The schema's limit on key dates. */
export const MAX_KEY_DATE_ROWS = 50;

export function keyDateFields(index: number): FieldSpec[] {
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
export function keyDateRowCount(body: FormBody | null, recorded: number): number {
  const sent = /^\d{1,3}$/.test(body?.keyDateRows ?? '') ? Number(body?.keyDateRows) : 0;
  return Math.min(Math.max(sent, recorded + SPARE_KEY_DATE_ROWS), MAX_KEY_DATE_ROWS);
}

/**
 * Key dates from the form's rows (read by readForm): a row with neither a label nor a date is
 * left out; the others go to the service as they are (a half-filled row is the schema's to
 * refuse). `rows` maps the index sent back to the form's row, to put its problems on the row.
 */
export function readKeyDates(input: Record<string, unknown>, count: number): { keyDates: Array<Record<string, unknown>>; rows: number[] } {
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

export function keyDateValues(keyDates: ReadonlyArray<{ label: string; date: string }>): Record<string, string> {
  const values: Record<string, string> = {};
  keyDates.forEach((k, i) => {
    values[`keyDates.${i}.label`] = k.label;
    values[`keyDates.${i}.date`] = k.date;
  });
  return values;
}

/** The service's problems on the form's fields: key dates by form row; codes of statuses in words. */
export function formProblems(problems: readonly FormProblem[], rows: readonly number[]): FormProblem[] {
  return problems.map((p) => {
    const keyDate = /^keyDates\.(\d+)\.(label|date)$/.exec(p.field);
    if (!keyDate) return p;
    const row = rows[Number(keyDate[1])] ?? Number(keyDate[1]);
    return { field: `keyDates.${row}.${keyDate[2]}`, message: /^required$/i.test(p.message) ? 'is required' : p.message };
  });
}

export function statusInWords(p: ProceedingView): string {
  const status = PROCEEDING_STATUS_LABELS[p.status].toLowerCase();
  return p.statusChangedOn ? `${status} since ${ukDate(p.statusChangedOn)}` : status;
}

export function kindOf(p: ProceedingView): string {
  return PROCEEDING_TYPE_LABELS[p.type];
}

export type Which = 'correct' | 'status';

/** The input without its key-date rows (they go to the service as keyDates). */
export function withoutRows(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([name]) => !name.startsWith('keyDates.')));
}

export function rowFields(count: number): FieldSpec[] {
  return Array.from({ length: count }, (_, i) => keyDateFields(i)).flat();
}

/** A refusal's words with the codes of statuses in words ("The proceeding is already “Active”"). */
export function inWords(items: Array<{ text: string }>): Array<{ text: string }> {
  return items.map((i) => ({ text: codesInWords(i.text, PROCEEDING_STATUS_LABELS) }));
}
