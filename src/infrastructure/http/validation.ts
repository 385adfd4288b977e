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
 * Dates before this year are typing mistakes (year 0000), not a review's history. (The
 * lifecycle's events use the same floor: EARLIEST_YEAR in src/reviews/lifecycle/events.ts.)
 */
export const EARLIEST_DATE_YEAR = 1900;

/** Refines a date or date-time string: its year is EARLIEST_DATE_YEAR or later. */
export const fromEarliestYear = (v: string) => Number(v.slice(0, 4)) >= EARLIEST_DATE_YEAR;
export const EARLIEST_YEAR_MESSAGE = `must be a date from ${EARLIEST_DATE_YEAR} on`;

/** A calendar date as YYYY-MM-DD that exists (no 30 February), from 1900 on. */
export function calendarDate() {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
    .refine(
      (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      'must be a real calendar date',
    )
    .refine(fromEarliestYear, EARLIEST_YEAR_MESSAGE);
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
