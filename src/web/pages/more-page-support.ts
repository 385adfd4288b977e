import type { FormProblem } from '../forms';
import { noticeOf } from './page-support';

/**
 * Small helpers of the meetings, family, QA, publication and administration pages. Presentation
 * only: reading what was typed into the shape a service's schema takes, and putting what the
 * service said back on the fields it is about.
 */

/** The confirmation banner: a history type's words, or one of the page's own confirmations. */
export function noticeFrom(done: unknown, own: Readonly<Record<string, string>> = {}): string | null {
  if (typeof done !== 'string') return null;
  if (Object.prototype.hasOwnProperty.call(own, done)) return own[done];
  return noticeOf(done);
}

/** The name of a review's CSP from the list of CSPs. */
export function cspNameOf(csps: ReadonlyArray<{ id: string; name: string }>, cspId: string): string {
  return csps.find((c) => c.id === cspId)?.name ?? '';
}

/** All values of a repeated form field (checkboxes): the urlencoded parser gives one string or several. */
export function formValues(raw: unknown, name: string): string[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const value = (raw as Record<string, unknown>)[name];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return [];
}

/** Problems renamed with `rename` (null keeps a problem as it is). */
export function renameProblems(problems: readonly FormProblem[], rename: (p: FormProblem) => FormProblem | null): FormProblem[] {
  return problems.map((p) => rename(p) ?? p);
}

/** Codes in a service's message (e.g. "is only recorded for advocate_appointed") in words. */
export function codesInWords(message: string, labels: Readonly<Record<string, string>>): string {
  return message.replace(/\b[a-z]+(?:_[a-z]+)*\b/g, (word) => (Object.prototype.hasOwnProperty.call(labels, word) ? `“${labels[word]}”` : word));
}

/** Whether the actor (the signed-in user's email) can be a calendar attendee. */
export function looksLikeEmail(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^[^\s<>@",;:\\]+@[^\s<>@",;:\\]+$/.test(value);
}

