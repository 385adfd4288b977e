import { HttpException, HttpStatus } from '@nestjs/common';
import { z } from 'zod';
import { RequestValidationError } from '../infrastructure/http/errors';
import { zodProblems } from '../infrastructure/http/validation';
import { datesInWords } from '../shared/display-dates';

/**
 * Forms of the pages: what fields a form has (labels, kinds), reading a submitted form into the
 * body the service's schema validates, and turning what the service refused into a GOV.UK
 * error summary and inline errors. No rule about the values lives here: the services' schemas
 * and rules decide, and the page shows what they said.
 */

/**
 * `checkbox`: one box (its one option's text beside it) whose value `true` is sent to the schema
 * as `true` (a declaration); `file`: a file input, read by the upload (multer), not by readForm.
 */
export type FieldKind = 'text' | 'textarea' | 'date' | 'radios' | 'select' | 'url' | 'email' | 'password' | 'number' | 'checkbox' | 'file';

export interface FieldSpec {
  /** The name the service's schema gives the field (and the form field's name). */
  name: string;
  label: string;
  /** How an error names the field, when not its label in lower case ("the Community Safety Partnership"). */
  errorLabel?: string;
  kind: FieldKind;
  hint?: string;
  optional?: boolean;
  options?: ReadonlyArray<{ value: string; text: string }>;
  /** Selects: the text of the empty first option ("Choose…" unless given). */
  emptyOption?: string;
  /** govuk-frontend classes for the input (width). */
  classes?: string;
  autocomplete?: string;
}

export interface FormProblem {
  field: string;
  message: string;
}

/** A submitted form: the fields as strings (a repeated field is its last value). */
export type FormBody = Record<string, string>;

export function formBody(body: unknown): FormBody {
  const out: FormBody = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && typeof value[value.length - 1] === 'string') out[key] = value[value.length - 1] as string;
  }
  return out;
}

/** A box of one entry a line (pseudonyms, the changes a letter asks for): its lines, trimmed, blank ones left out. */
export function linesOf(text: string | undefined): string[] {
  return (text ?? '').split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line !== '');
}

/** The three boxes of a GOV.UK date input → YYYY-MM-DD; undefined when all are empty. */
export function readDate(body: FormBody, name: string): { value?: string; problem?: string } {
  const parts = (['day', 'month', 'year'] as const).map((p) => (body[`${name}-${p}`] ?? '').trim());
  const [day, month, year] = parts;
  if (parts.every((p) => p === '')) return {};
  const missing = (['day', 'month', 'year'] as const).filter((_, i) => parts[i] === '');
  if (missing.length > 0) return { problem: `must include a ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    return { problem: 'must be a real date, for example 27 3 2026' };
  }
  return { value: `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` };
}

/** A value no date schema accepts: stands in for a date the form could not read. */
const UNREADABLE_DATE = 'unreadable-date';

/**
 * Reads the fields of a form into the body a service schema takes: text as typed (an empty
 * optional field is left out, so the schema sees it absent), dates from their three boxes.
 * A date that cannot be read is a problem of the form, and the schema gets a value it
 * refuses, so the one answer names every field at once.
 */
export function readForm(fields: readonly FieldSpec[], body: FormBody): { input: Record<string, unknown>; problems: FormProblem[] } {
  const input: Record<string, unknown> = {};
  const problems: FormProblem[] = [];
  for (const field of fields) {
    if (field.kind === 'date') {
      const { value, problem } = readDate(body, field.name);
      if (problem) {
        problems.push({ field: field.name, message: problem });
        input[field.name] = UNREADABLE_DATE;
      } else if (value !== undefined) input[field.name] = value;
      continue;
    }
    if (field.kind === 'file') continue;
    const raw = body[field.name];
    if (raw === undefined) continue;
    if (field.kind === 'checkbox') {
      if (raw === 'true') input[field.name] = true;
      else if (raw.trim() !== '') input[field.name] = raw;
      continue;
    }
    if (raw.trim() === '' && (field.optional || field.kind === 'radios' || field.kind === 'select')) continue;
    if (field.kind === 'number') {
      input[field.name] = /^\s*\d{1,9}\s*$/.test(raw) ? Number(raw) : raw;
      continue;
    }
    input[field.name] = raw;
  }
  return { input, problems };
}

/** What a service said about a submitted form, for the page to show. */
export interface Refusal {
  status: number;
  /** Problems with named fields. */
  problems: FormProblem[];
  /** Why the service refused, when it is not about one field (a 409's reasons). */
  summary: string | null;
  reasons: string[];
  /** 412: the record changed since the form was rendered. */
  stale: boolean;
}

function bodyOf(error: HttpException): Record<string, unknown> {
  const body = error.getResponse();
  return typeof body === 'string' ? { message: body } : (body as Record<string, unknown>);
}

function problemList(value: unknown): FormProblem[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((p): p is FormProblem => typeof p === 'object' && p !== null && typeof p.field === 'string' && typeof p.message === 'string')
    .map((p) => ({ field: p.field, message: datesInWords(p.message) }));
}

/**
 * Problems named at the start of an error's message, as the API writes them ("dueOn: must be a
 * date", several joined by "; "), when every one names a field of the form.
 */
export function namedProblems(message: string, fieldNames: readonly string[]): FormProblem[] {
  const parts = message.split('; ').map((part) => /^([A-Za-z][\w.-]*): (.+)$/s.exec(part));
  if (parts.length === 0 || parts.some((m) => !m || !fieldNames.includes(m[1]))) return [];
  return parts.map((m) => ({ field: m![1], message: datesInWords(m![2]) }));
}

/**
 * The refusal in an error a service threw for a form: 400 (fields), 409 (not allowed now, with
 * reasons; or a field named first in the message, "number: …"), 412 (changed since read), 413,
 * 428 (the form carried no version).
 * Anything else (404, 403, 500) is not about the form: null, and the caller rethrows it.
 */
export function refusalOf(error: unknown, fieldNames: readonly string[] = []): Refusal | null {
  if (error instanceof z.ZodError) {
    return { status: 400, problems: zodProblems(error), summary: null, reasons: [], stale: false };
  }
  if (error instanceof RequestValidationError) {
    return { status: 400, problems: error.problems.map((p) => ({ ...p, message: datesInWords(p.message) })), summary: null, reasons: [], stale: false };
  }
  if (!(error instanceof HttpException)) return null;
  const status = error.getStatus();
  const body = bodyOf(error);
  const message = typeof body.message === 'string' ? body.message : null;
  const reasons = Array.isArray(body.reasons) ? body.reasons.filter((r): r is string => typeof r === 'string') : [];
  if (status === HttpStatus.BAD_REQUEST || status === HttpStatus.PAYLOAD_TOO_LARGE || status === HttpStatus.CONFLICT) {
    const problems = problemList(body.errors);
    const named = problems.length === 0 && message ? namedProblems(message, fieldNames) : [];
    const all = problems.length > 0 ? problems : named;
    return { status, problems: all, summary: all.length > 0 ? null : message, reasons, stale: false };
  }
  if (status === HttpStatus.PRECONDITION_FAILED) {
    return { status, problems: [], summary: message, reasons, stale: true };
  }
  if (status === 428) {
    // The form carried no version of the record: say so rather than fail the page.
    return { status, problems: [], summary: message, reasons, stale: false };
  }
  return null;
}

/** Merges the form's own problems (unreadable dates) over the service's, one per field. */
export function mergeProblems(own: readonly FormProblem[], service: readonly FormProblem[]): FormProblem[] {
  const byField = new Map<string, FormProblem>();
  for (const p of service) if (!byField.has(p.field)) byField.set(p.field, p);
  for (const p of own) byField.set(p.field, p);
  return [...byField.values()];
}

/** The message under a field and in the summary: "Enter …"/"Select …" when missing, else the label and what is wrong. */
export function problemText(field: FieldSpec | undefined, problem: FormProblem): string {
  if (!field) return `${problem.field}: ${problem.message}`;
  const missing = /^(is required|must not be empty|required)$/i.test(problem.message.trim());
  const what = field.errorLabel ?? field.label.charAt(0).toLowerCase() + field.label.slice(1);
  if (missing) {
    const verb = field.kind === 'checkbox' ? 'Confirm' : field.kind === 'radios' || field.kind === 'select' || field.kind === 'file' ? 'Select' : 'Enter';
    return `${verb} ${what}`;
  }
  // The boxes of a date input are not typed as YYYY-MM-DD: a date the service cannot read is "not a real date".
  if (field.kind === 'date' && /YYYY-MM-DD|ISO date|calendar date/.test(problem.message)) return `${field.label} must be a real date`;
  return `${field.label} ${problem.message}`;
}

/** The element a summary link goes to: the first box of a date, the first radio, else the input. */
export function anchorOf(idPrefix: string, field: FieldSpec): string {
  const id = `${idPrefix}${field.name}`;
  if (field.kind === 'date') return `${id}-day`;
  return id;
}

export interface FieldView extends FieldSpec {
  id: string;
  value: string;
  day: string;
  month: string;
  year: string;
  error: string | null;
  /** Radios and selects: the options, the submitted or stored one checked. */
  items: Array<{ value: string; text: string; checked: boolean; selected: boolean }>;
  /** The label as shown: "(optional)" added to optional fields. */
  labelText: string;
}

export interface FormView {
  fields: FieldView[];
  /** For govukErrorSummary: text and href of each problem. */
  errorList: Array<{ text: string; href?: string }>;
}

/**
 * The fields as the template renders them: values as submitted (or as stored, for dates given
 * as YYYY-MM-DD), and each field's error. Problems about fields the form does not have (such
 * as If-Match) go into the summary without a link.
 */
export function formView(
  fields: readonly FieldSpec[],
  options: { idPrefix?: string; body?: FormBody; values?: Record<string, string | null | undefined>; problems?: readonly FormProblem[] } = {},
): FormView {
  const idPrefix = options.idPrefix ?? '';
  const body = options.body ?? {};
  const values = options.values ?? {};
  const problems = options.problems ?? [];
  const views = fields.map((field): FieldView => {
    const problem = problems.find((p) => p.field === field.name);
    const stored = values[field.name] ?? '';
    const [year, month, day] = /^\d{4}-\d{2}-\d{2}$/.test(stored) ? stored.split('-') : ['', '', ''];
    const value = body[field.name] ?? stored;
    return {
      ...field,
      id: `${idPrefix}${field.name}`,
      value,
      items: (field.options ?? []).map((o) => ({ ...o, checked: o.value === value, selected: o.value === value })),
      labelText: field.optional ? `${field.label} (optional)` : field.label,
      day: body[`${field.name}-day`] ?? (day ? String(Number(day)) : ''),
      month: body[`${field.name}-month`] ?? (month ? String(Number(month)) : ''),
      year: body[`${field.name}-year`] ?? year,
      error: problem ? problemText(field, problem) : null,
    };
  });
  const errorList = problems.map((p) => {
    const field = fields.find((f) => f.name === p.field);
    return field ? { text: problemText(field, p), href: `#${anchorOf(idPrefix, field)}` } : { text: problemText(undefined, p) };
  });
  return { fields: views, errorList };
}

/**
 * If-Match for a record from the version a form carried; '' if it carried none, which the
 * service refuses (428) rather than write over whatever is there.
 */
export function ifMatchOf(version: string | undefined): string {
  return version && /^\d{1,9}$/.test(version) ? `"${version}"` : '';
}
