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

/** Dates that record something that happened: YYYY-MM-DD, a real date, not after `today`. */
export function pastDate(today: () => string) {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'must be a real calendar date')
    .refine((v) => v <= today(), 'must not be in the future');
}

export const uuid = (what = 'id') => z.string().uuid(`must be a valid ${what} (UUID)`);
