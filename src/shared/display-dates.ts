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

/** "2026-12-04" or an instant → "4 December 2026" (an instant's London date); '' for none. */
export function dateInWords(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const date = parse(value);
  return date ? date.toFormat('d MMMM yyyy') : String(value);
}

/** "10:30am", "2pm"-style London time of day, GOV.UK style ("10:00am", "2:15pm"). */
export function timeInWords(value: unknown): string {
  const date = parse(value);
  return date ? date.toFormat('h:mma').toLowerCase() : '';
}

/** An instant → "4 December 2026 at 10:30am" (London); a calendar date → its date alone. */
export function dateTimeInWords(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string' && CIVIL_DATE.test(value)) return dateInWords(value);
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
