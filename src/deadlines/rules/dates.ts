import { DateTime } from 'luxon';

/**
 * Pure date arithmetic for deadlines.
 *
 * Two kinds of value:
 * - a civil date, 'YYYY-MM-DD', a day on the calendar with no time zone (a due date, a bank
 *   holiday, the day a hold started);
 * - an instant, an ISO 8601 string with an offset or 'Z' (when a reminder is sent). Instants
 *   produced here are always UTC with milliseconds, as Date#toISOString writes them.
 *
 * Every conversion between the two goes through Europe/London, so BST changes are handled by
 * the zone database, never by adding hours.
 */

export const LONDON = 'Europe/London';

/** 'YYYY-MM-DD' */
export type CivilDate = string;
/** ISO 8601 instant, e.g. '2026-03-29T08:00:00.000Z' */
export type Instant = string;

const CIVIL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const WALL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export class DateRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DateRuleError';
  }
}

export function isCivilDate(value: unknown): value is CivilDate {
  return typeof value === 'string' && CIVIL_DATE.test(value) && realDate(value);
}

const realDate = memo((value) => civil(value, false).isValid);

function civil(date: string, check = true): DateTime {
  const dt = DateTime.fromISO(date, { zone: 'utc' });
  if (check && (!CIVIL_DATE.test(date) || !dt.isValid)) {
    throw new DateRuleError(`'${date}' is not a civil date (expected a real date as YYYY-MM-DD)`);
  }
  return dt;
}

/** Throws unless `date` is a real 'YYYY-MM-DD' date; returns it. */
export function assertCivilDate(date: string, what = 'date'): CivilDate {
  if (!isCivilDate(date)) {
    throw new DateRuleError(`${what}: '${date}' is not a civil date (expected a real date as YYYY-MM-DD)`);
  }
  return date;
}

function toCivil(dt: DateTime): CivilDate {
  return dt.toFormat('yyyy-MM-dd');
}

/**
 * Remembers the results of a pure conversion: reminders and clocks are planned in batches of
 * thousands that share a few hundred dates, and luxon's zone arithmetic is the costly part.
 * Bounded: emptied when it reaches its size.
 */
function memo<R>(fn: (key: string) => R, size = 20_000): (key: string) => R {
  const cache = new Map<string, R>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = fn(key);
    if (cache.size >= size) cache.clear();
    cache.set(key, value);
    return value;
  };
}

function assertInteger(n: number, what: string): void {
  if (!Number.isInteger(n)) throw new DateRuleError(`${what} must be a whole number, got ${n}`);
}

const addDaysMemo = memo((key) => {
  const [date, days] = key.split('|');
  return toCivil(civil(date).plus({ days: Number(days) }));
});

export function addDays(date: CivilDate, days: number): CivilDate {
  assertInteger(days, 'days');
  return addDaysMemo(`${date}|${days}`);
}

export function addWeeks(date: CivilDate, weeks: number): CivilDate {
  assertInteger(weeks, 'weeks');
  return addDays(date, weeks * 7);
}

/**
 * Calendar months with the month-end clamp: the same day-of-month `months` later, or the last
 * day of that month when it is shorter (31 January + 1 month = 28 February, or 29 in a leap
 * year; 31 March - 1 month = 28/29 February). The clamp is not "sticky": 28 February + 1 month
 * is 28 March.
 */
export function addCalendarMonths(date: CivilDate, months: number): CivilDate {
  assertInteger(months, 'months');
  const start = civil(date);
  const totalMonths = start.year * 12 + (start.month - 1) + months;
  const year = Math.floor(totalMonths / 12);
  const month = (totalMonths % 12) + 1;
  const lastDay = DateTime.utc(year, month, 1).daysInMonth as number;
  return toCivil(DateTime.utc(year, month, Math.min(start.day, lastDay)));
}

/**
 * Milliseconds of a real civil date's UTC midnight (throws, as luxon's parse did, for anything
 * else). Plain arithmetic on these is exact: a UTC day is always 86,400,000 ms. The reports plan
 * every review's clocks as at a date, and luxon's parsing was their largest cost (issue 16).
 */
function civilMillis(date: string): number {
  if (!isCivilDate(date)) throw new DateRuleError(`'${date}' is not a civil date (expected a real date as YYYY-MM-DD)`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

/** Signed number of calendar days from `a` to `b` (b - a). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return Math.round((civilMillis(b) - civilMillis(a)) / 86_400_000);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: CivilDate): number {
  return ((new Date(civilMillis(date)).getUTCDay() + 6) % 7) + 1;
}

export function isWeekend(date: CivilDate): boolean {
  return isoWeekday(date) >= 6;
}

export function yearOf(date: CivilDate): number {
  civilMillis(date);
  return Number(date.slice(0, 4));
}

/**
 * The UTC instant of the wall-clock `time` ('HH:mm') on `date` in Europe/London.
 * 2026-03-28 09:00 (GMT) is 09:00Z; 2026-03-29 09:00 (BST) is 08:00Z.
 * A time that does not exist (in the spring-forward gap, 01:00-01:59 on the last Sunday of
 * March) moves forward by the gap (01:30 is read as 02:30 BST, 01:30Z); a time that happens
 * twice (01:00-01:59 on the last Sunday of October) is the later of the two, in GMT (01:30 is
 * 01:30Z). Reminders at 09:00 never meet either case.
 */
export function londonInstant(date: CivilDate, time = '09:00'): Instant {
  assertCivilDate(date);
  if (!WALL_TIME.test(time)) {
    throw new DateRuleError(`time: '${time}' is not a wall-clock time (expected HH:mm, 00:00-23:59)`);
  }
  return londonInstantMemo(`${date}T${time}`);
}

const londonInstantMemo = memo((wall) => DateTime.fromISO(wall, { zone: LONDON }).toUTC().toISO() as string);

/** An instant as Date#toISOString writes it: read without luxon when it round-trips exactly. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
function canonicalMillis(value: Instant | Date): number | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? null : ms;
  }
  return typeof value === 'string' ? canonicalStringMillis(value) : null;
}

const canonicalStringMillis = memo((value): number | null => {
  if (!CANONICAL_UTC.test(value)) return null;
  const ms = Date.parse(value);
  // Date.parse rolls 2026-02-30 over to March; the round trip refuses it (luxon then reports it).
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value ? ms : null;
});

function instant(value: Instant | Date, what = 'instant'): DateTime {
  const dt =
    value instanceof Date
      ? DateTime.fromJSDate(value, { zone: 'utc' })
      : typeof value === 'string' && /T/.test(value) && /(Z|[+-]\d{2}:?\d{2})$/.test(value)
        ? DateTime.fromISO(value, { zone: 'utc', setZone: false })
        : DateTime.invalid('not an ISO instant');
  if (!dt.isValid) {
    throw new DateRuleError(`${what}: '${String(value)}' is not an ISO 8601 instant with an offset or Z`);
  }
  return dt;
}

/** Normalises an instant to UTC, 'YYYY-MM-DDTHH:mm:ss.SSSZ'. */
export function toUtcInstant(value: Instant | Date): Instant {
  return instant(value).toUTC().toISO() as string;
}

/** The civil date in Europe/London at `value` (23:30Z on 2026-06-30 is 2026-07-01 in London). */
export function londonDateOf(value: Instant | Date): CivilDate {
  const ms = canonicalMillis(value);
  if (ms !== null) return londonDateOfMillis(String(ms));
  return toCivil(instant(value).setZone(LONDON));
}

const londonDateOfMillis = memo((ms) => {
  const at = Number(ms);
  // London's offset from UTC changes only on the hour (01:00 UTC), so it is read once per hour.
  return new Date(at + londonOffsetOfHour(String(Math.floor(at / 3_600_000)))).toISOString().slice(0, 10);
});
const londonOffsetOfHour = memo((hour) => DateTime.fromMillis(Number(hour) * 3_600_000, { zone: LONDON }).offset * 60_000);

/** The London wall-clock time 'HH:mm' at `value`. */
export function londonTimeOf(value: Instant | Date): string {
  return instant(value).setZone(LONDON).toFormat('HH:mm');
}

/** Milliseconds since the epoch, for ordering instants. */
export function epochMillis(value: Instant | Date): number {
  return canonicalMillis(value) ?? instant(value).toMillis();
}

/**
 * Accepts either a civil date or an instant and returns the civil date in London: a civil date
 * is returned as it is.
 */
export function civilDateOf(value: CivilDate | Instant | Date, what = 'date'): CivilDate {
  if (typeof value === 'string' && CIVIL_DATE.test(value)) return assertCivilDate(value, what);
  try {
    return londonDateOf(value);
  } catch {
    throw new DateRuleError(`${what}: '${String(value)}' is neither a civil date (YYYY-MM-DD) nor an ISO instant`);
  }
}

/** Adds whole days to an instant keeping its Europe/London wall-clock time (DST-aware). */
export function addLondonDays(value: Instant | Date, days: number): Instant {
  assertInteger(days, 'days');
  return instant(value).setZone(LONDON).plus({ days }).toUTC().toISO() as string;
}
