import nunjucks from 'nunjucks';
import { REMINDER_TEMPLATES } from './templates/reminder-templates';
import { clockTime, shortWeekdayDate, weekdayDate } from '../../shared/display-dates';

export const REMINDER_KINDS = [
  'imr_due',
  'decision_due',
  'completion_target',
  'meeting_papers_due',
  'panel_meeting',
  'rag_sign_off',
  'qa_resubmission',
  'action_target',
  'home_office_notification',
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export const KIND_LABELS: Record<ReminderKind, string> = {
  imr_due: 'individual management review',
  decision_due: 'decision whether to hold a review',
  completion_target: 'review completion target',
  meeting_papers_due: 'papers for a panel meeting',
  panel_meeting: 'panel meeting',
  rag_sign_off: 'RAG sign-off',
  qa_resubmission: 'resubmission for Home Office quality assurance',
  action_target: 'action plan target date',
  home_office_notification: 'Home Office to be told of the decision',
};

export interface ReminderEmailInput {
  reviewReference: string;
  /** The only way people in the review are named. */
  pseudonyms: string[];
  kind: ReminderKind;
  /** What is due, e.g. 'IMR from Essex Police'. */
  what: string;
  /** ISO instant (with Z or an offset); shown in Europe/London. */
  dueAt: string;
  /** 'before-7d', 'on-day', 'overdue-3d' or 'escalate-7d'. */
  slot: string;
  /** Absolute http(s) URL of the record. */
  link: string;
  /** The person the reminder goes to (a professional, not a person in the review). */
  recipientName: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export type ReminderSlot =
  | { type: 'before'; days: number }
  | { type: 'on-day' }
  | { type: 'overdue'; days: number }
  | { type: 'escalate'; days: number };

export function parseSlot(slot: string): ReminderSlot {
  if (slot === 'on-day') return { type: 'on-day' };
  const match = /^(before|overdue|escalate)-([1-9]\d{0,3})d$/.exec(slot);
  if (!match) {
    throw new Error(
      `reminder slot must be before-Nd, on-day, overdue-Nd or escalate-Nd; got ${JSON.stringify(slot)}`,
    );
  }
  return { type: match[1] as 'before' | 'overdue' | 'escalate', days: Number(match[2]) };
}

/** 'Tue 14 April 2026', the date in London (src/shared/display-dates.ts, as the pages). */
export function londonShortDate(at: Date): string {
  return shortWeekdayDate(at);
}

/** 'Tuesday 14 April 2026', the date in London. */
export function londonLongDate(at: Date): string {
  return weekdayDate(at);
}

/** '09:30', the time of day in London (24-hour). */
export function londonTime(at: Date): string {
  return clockTime(at);
}

export function parseInstant(value: string): Date {
  const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  const at = new Date(value);
  if (!isoInstant.test(value) || Number.isNaN(at.getTime())) {
    throw new Error(`dueAt must be an ISO instant with Z or an offset; got ${JSON.stringify(value)}`);
  }
  return at;
}

export function absoluteLink(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`link must be an absolute URL; got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`link must be an http(s) URL; got ${JSON.stringify(value)}`);
  }
  return url.href;
}

/** One line, no control characters: for the subject and the short fields. */
export function oneLine(value: string, field: string): string {
  const line = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!line) throw new Error(`${field} must not be empty`);
  return line;
}

const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

/** Everything the templates see; all plain strings (escaped by the HTML template, not here). */
export interface ReminderView {
  subject: string;
  sentence: string;
  recipientName: string;
  reviewReference: string;
  pseudonymList: string;
  what: string;
  kindLabel: string;
  whenLabel: string;
  dueLong: string;
  link: string;
  overdue: boolean;
  escalation: boolean;
}

export function reminderView(input: ReminderEmailInput): ReminderView {
  if (!(REMINDER_KINDS as readonly string[]).includes(input.kind)) {
    throw new Error(`unknown reminder kind ${JSON.stringify(input.kind)}`);
  }
  const slot = parseSlot(input.slot);
  const dueAt = parseInstant(input.dueAt);
  const reference = oneLine(input.reviewReference, 'reviewReference');
  const what = oneLine(input.what, 'what');
  const meeting = input.kind === 'panel_meeting';
  const time = londonTime(dueAt);
  const hasTime = meeting || time !== '00:00';
  const when = meeting ? `${londonShortDate(dueAt)}, ${time}` : londonShortDate(dueAt);
  const due = meeting ? '' : ' due';
  // "Papers for the panel meeting … are overdue": the one kind whose name is plural.
  const is = input.kind === 'meeting_papers_due' ? 'are' : 'is';

  let headline: string;
  let sentence: string;
  switch (slot.type) {
    case 'before':
      headline = `${what}${due} in ${days(slot.days)} (${when})`;
      sentence = meeting ? `This meeting is in ${days(slot.days)}.` : `This is due in ${days(slot.days)}.`;
      break;
    case 'on-day':
      headline = `${what}${due} today (${when})`;
      sentence = meeting ? 'This meeting is today.' : 'This is due today.';
      break;
    case 'overdue':
      headline = `${what} ${is} ${days(slot.days)} overdue (due ${when})`;
      sentence = `This is ${days(slot.days)} overdue.`;
      break;
    case 'escalate':
      headline = `Escalation: ${what} ${is} ${days(slot.days)} overdue (due ${when})`;
      sentence = `This is ${days(slot.days)} overdue and has been escalated to you.`;
      break;
  }

  const pseudonyms = input.pseudonyms.map((p) => oneLine(p, 'pseudonym'));
  return {
    subject: `[${reference}] ${headline}`,
    sentence,
    recipientName: oneLine(input.recipientName, 'recipientName'),
    reviewReference: reference,
    pseudonymList: pseudonyms.length ? pseudonyms.join(', ') : 'none recorded',
    what,
    kindLabel: KIND_LABELS[input.kind],
    whenLabel: meeting ? 'When' : 'Due',
    dueLong: hasTime ? `${londonLongDate(dueAt)} at ${time} (UK time)` : londonLongDate(dueAt),
    link: absoluteLink(input.link),
    overdue: slot.type === 'overdue' || slot.type === 'escalate',
    escalation: slot.type === 'escalate',
  };
}

/** Serves the templates compiled into reminder-templates.ts by name (see that file for why). */
class ConstantLoader implements nunjucks.ILoader {
  getSource(name: string): nunjucks.LoaderSource {
    const src = REMINDER_TEMPLATES[name];
    if (src === undefined) throw new Error(`no mail template named ${JSON.stringify(name)}`);
    return { src, path: name, noCache: false };
  }
}

const environmentOptions = { throwOnUndefined: true, trimBlocks: true, lstripBlocks: true };
const textEnvironment = new nunjucks.Environment(new ConstantLoader(), {
  ...environmentOptions,
  autoescape: false,
});
const htmlEnvironment = new nunjucks.Environment(new ConstantLoader(), {
  ...environmentOptions,
  autoescape: true,
});

/**
 * A deadline reminder as subject, plain text and HTML. It names the review by its reference
 * and the people in it by their pseudonyms only; run `assertNoRealNames` on the result with
 * the review's real names before sending.
 */
export function renderReminderEmail(input: ReminderEmailInput): RenderedEmail {
  const view = reminderView(input);
  return {
    subject: view.subject,
    text: textEnvironment.render('reminder.txt.njk', view),
    html: htmlEnvironment.render('reminder.html.njk', view),
  };
}

export class RealNameInEmailError extends Error {
  /** Which of the given names was found (its position, never the name itself: errors get logged). */
  constructor(readonly nameIndex: number) {
    super(
      `rendered email contains a real name (name ${nameIndex + 1} of those checked); ` +
        'only the review reference and pseudonyms may appear',
    );
    this.name = 'RealNameInEmailError';
  }
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeHtml(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity[0] === '#') {
        const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
    });
}

function decodeUri(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Throws a RealNameInEmailError if any of `realNames` appears in the email (subject, text, or
 * HTML as a reader sees it, links included): case-insensitive, as a whole word or words (so
 * 'Ann' is caught in "Ann's IMR" but not in "Annual"), whatever the spacing. Pass every form a
 * name takes (full name, given name, family name, known-as).
 */
export function assertNoRealNames(rendered: RenderedEmail | string, realNames: string[]): void {
  const pieces =
    typeof rendered === 'string'
      ? [rendered, decodeHtml(rendered)]
      : [rendered.subject, rendered.text, rendered.html, decodeHtml(rendered.html)];
  const haystack = pieces
    .flatMap((piece) => [piece, decodeUri(piece)])
    .join('\n')
    .normalize('NFC');
  realNames.forEach((name, index) => {
    const words = name.normalize('NFC').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const pattern = new RegExp(
      `(?<![\\p{L}\\p{N}])${words.map(escapeRegExp).join('\\s+')}(?![\\p{L}\\p{N}])`,
      'iu',
    );
    if (pattern.test(haystack)) throw new RealNameInEmailError(index);
  });
}
