import { z } from 'zod';
import { pastDate, text, uuid } from '../../infrastructure/http/validation';

export function recordScopingResponseSchema(today: () => string) {
  return z
    .object({
      agencyId: uuid('agency id'),
      hadContact: z.boolean({ message: 'must be true or false' }),
      summary: text(10000).optional(),
      respondedOn: pastDate(today),
    })
    .strict();
}

/** A correction: only the fields sent change (null clears the summary); the agency cannot change. */
export function correctScopingResponseSchema(today: () => string) {
  return z
    .object({
      hadContact: z.boolean({ message: 'must be true or false' }).optional(),
      summary: text(10000).nullable().optional(),
      respondedOn: pastDate(today).optional(),
    })
    .strict()
    .refine((v) => Object.keys(v).length > 0, { message: 'name at least one field to correct', path: ['body'] });
}

export function confirmRecordsSecuredSchema(today: () => string) {
  return z
    .object({
      agencyId: uuid('agency id'),
      confirmedOn: pastDate(today),
      /** Who at the agency confirmed it. */
      confirmedBy: text(200),
    })
    .strict();
}
