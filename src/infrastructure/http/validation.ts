import { z } from 'zod';
import { FieldProblem, RequestValidationError } from './errors';

export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: 'is not a recognised field' };
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return { field, message: issue.message };
  });
}

/** Parses request input with a zod schema, or throws a 400 naming each bad field. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new RequestValidationError(zodProblems(result.error));
  return result.data;
}

/**
 * Every date and date-time the service takes lies in EARLIEST_DATE_YEAR … LATEST_DATE_YEAR
 * (1900-01-01 … 2200-12-31): years outside are typing mistakes (year 0000, 20266), not a
 * review's history or plans, and PostgreSQL itself refuses some of them (year 0000). (The
 * lifecycle's events use the same bounds: src/reviews/lifecycle/events.ts.)
 */
export const EARLIEST_DATE_YEAR = 1900;
export const LATEST_DATE_YEAR = 2200;

/** Refines a date or date-time string: its year is EARLIEST_DATE_YEAR or later. */
export const fromEarliestYear = (v: string) => Number(v.slice(0, 4)) >= EARLIEST_DATE_YEAR;
export const EARLIEST_YEAR_MESSAGE = `must be a date from ${EARLIEST_DATE_YEAR} on`;
/** Refines a date or date-time string: its year is LATEST_DATE_YEAR or earlier. */
export const untilLatestYear = (v: string) => !(Number(v.slice(0, 4)) > LATEST_DATE_YEAR);
export const LATEST_YEAR_MESSAGE = `must be a date no later than ${LATEST_DATE_YEAR}-12-31`;

/** A calendar date as YYYY-MM-DD that exists (no 30 February), from 1900 to 2200. */
export function calendarDate() {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
    .refine(
      (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      'must be a real calendar date',
    )
    .refine(fromEarliestYear, EARLIEST_YEAR_MESSAGE)
    .refine(untilLatestYear, LATEST_YEAR_MESSAGE);
}

/** An ISO 8601 date-time with `Z` or an offset, on a real calendar day, from 1900 to 2200. */
export function dateTime(message = 'must be an ISO date-time with an offset (e.g. 2026-03-01T10:00:00Z)') {
  return z
    .string()
    .max(40, message)
    .datetime({ offset: true, message })
    .refine(fromEarliestYear, EARLIEST_YEAR_MESSAGE)
    .refine(untilLatestYear, LATEST_YEAR_MESSAGE);
}

/** A calendar date (YYYY-MM-DD) or a date-time with an offset, within the same range. */
export function dateOrDateTime(message = 'must be a date (YYYY-MM-DD) or an ISO date-time with an offset') {
  const date = z.string().date();
  const instant = z.string().datetime({ offset: true });
  return z
    .string()
    .max(40, message)
    .refine((v) => date.safeParse(v).success || instant.safeParse(v).success, message)
    .refine(fromEarliestYear, EARLIEST_YEAR_MESSAGE)
    .refine(untilLatestYear, LATEST_YEAR_MESSAGE);
}

/** Dates that record something that happened: a real date, not after `today`. */
export function pastDate(today: () => string) {
  return calendarDate().refine((v) => v <= today(), 'must not be in the future');
}

/** Bounded free text: trimmed, required unless optional, at most `max` characters. */
export function text(max: number) {
  return z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
}

export const uuid = (what = 'id') => z.string().uuid(`must be a valid ${what} (UUID)`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID (any version, either case): ids that are not cannot match a row. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** If-Match: "3", W/"3" or 3 → 3; absent or * → undefined; anything else → 'invalid'. */
export function parseIfMatch(header: string | undefined): number | undefined | 'invalid' {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  return match ? Number(match[1]) : 'invalid';
}
