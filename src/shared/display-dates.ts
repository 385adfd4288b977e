import { DateTime } from 'luxon';

/**
 * Dates as people read them, the one way every page and email words a date: "4 December 2026",
 * and a moment as "4 December 2026 at 10:30am", in London time (GOV.UK style). A calendar date
 * (YYYY-MM-DD) is the day it names, whatever the time zone; an instant is the London day and
 * time it fell on. Machine forms (the API, form inputs, attributes) keep ISO 8601.
 */

const LONDON = 'Europe/London';
const CIVIL_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parse(value: unknown): DateTime | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : DateTime.fromJSDate(value, { zone: LONDON });
  const text = String(value);
  if (CIVIL_DATE.test(text)) {
    const day = DateTime.fromISO(text, { zone: LONDON });
    return day.isValid ? day : null;
  }
  const at = DateTime.fromISO(text, { setZone: false, zone: LONDON });
  return at.isValid ? at.setZone(LONDON) : null;
}

/*
 * The words of the pages' dates, without building a formatter for each (issue 16: formatting was
 * 9% of the reviews list): a calendar date is read off its digits, an instant's London date and
 * time come from one Intl formatter made once. What these fast paths do not read (an instant
 * without an offset, a week date) goes through luxon as before; display-dates.spec.ts checks that
 * both give the same words.
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
const INSTANT_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The London date and time of a value, read without luxon where that is plain; undefined to ask luxon. */
function fastParts(value: unknown): Parts | null | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : londonParts(value);
  if (typeof value !== 'string') return undefined;
  if (CIVIL_DATE.test(value)) {
    const [year, month, day] = value.split('-').map(Number);
    const check = new Date(0);
    check.setUTCFullYear(year, month - 1, day);
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
    return { year, month, day, hour: 0, minute: 0 };
  }
  if (INSTANT_WITH_OFFSET.test(value)) {
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? undefined : londonParts(at);
  }
  return undefined;
}

function londonParts(at: Date): Parts | null {
  const year = at.getUTCFullYear();
  // Intl's calendar for years before the Gregorian reform or beyond four digits is not worth the risk: luxon reads them.
  if (year < 1900 || year > 2200) return null;
  const parts: Record<string, number> = {};
  for (const p of LONDON_PARTS.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute };
}

const dayWords = (p: Parts) => `${p.day} ${MONTHS[p.month - 1]} ${String(p.year).padStart(4, '0')}`;
const timeWords = (p: Parts) => `${p.hour % 12 === 0 ? 12 : p.hour % 12}:${String(p.minute).padStart(2, '0')}${p.hour < 12 ? 'am' : 'pm'}`;

/** "2026-12-04" or an instant → "4 December 2026" (an instant's London date); '' for none. */
export function dateInWords(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const fast = fastParts(value);
  if (fast) return dayWords(fast);
  const date = parse(value);
  return date ? date.toFormat('d MMMM yyyy') : String(value);
}

/** "10:30am", "2pm"-style London time of day, GOV.UK style ("10:00am", "2:15pm"). */
export function timeInWords(value: unknown): string {
  const fast = fastParts(value);
  if (fast) return timeWords(fast);
  const date = parse(value);
  return date ? date.toFormat('h:mma').toLowerCase() : '';
}

/** An instant → "4 December 2026 at 10:30am" (London); a calendar date → its date alone. */
export function dateTimeInWords(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string' && CIVIL_DATE.test(value)) return dateInWords(value);
  const fast = fastParts(value);
  if (fast) return `${dayWords(fast)} at ${timeWords(fast)}`;
  const date = parse(value);
  return date ? `${dateInWords(value)} at ${timeInWords(value)}` : String(value);
}

/** "Tue 14 April 2026" (emails' subjects and lists), the London date. */
export function shortWeekdayDate(value: unknown): string {
  const date = parse(value);
  return date ? date.toFormat('ccc d MMMM yyyy') : '';
}

/** "Tuesday 14 April 2026" (emails' sentences), the London date. */
export function weekdayDate(value: unknown): string {
  const date = parse(value);
  return date ? date.toFormat('cccc d MMMM yyyy') : '';
}

/** "09:30", the London time of day on a 24-hour clock (emails, calendar files). */
export function clockTime(value: unknown): string {
  const date = parse(value);
  return date ? date.toFormat('HH:mm') : '';
}

/** ISO dates and instants inside a sentence (a refusal's reason from the lifecycle or the chronology). */
const ISO_IN_TEXT = /\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;

/**
 * A sentence with every ISO date or instant in it put into words: "…since 2026-12-18" → "…since
 * 18 December 2026"; an instant at London midnight reads as its date, any other with its time.
 */
export function datesInWords(text: unknown): string {
  if (text === null || text === undefined) return '';
  return String(text).replace(ISO_IN_TEXT, (match) => {
    const date = parse(match);
    if (!date) return match;
    if (match.length === 10) return dateInWords(match);
    return date.hour === 0 && date.minute === 0 ? dateInWords(match) : dateTimeInWords(match);
  });
}
