import { z } from 'zod';
import { pastDate, uuid } from '../infrastructure/http/validation';
import { STAGES } from './lifecycle';

/** The police notification that opens a review (people come with the case file). */
export function openReviewSchema(today: () => string) {
  return z
    .object({
      cspId: uuid('CSP id'),
      dateOfDeath: pastDate(today),
      notifiedOn: pastDate(today),
      policeForce: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
      policeReference: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
      circumstances: z.string().trim().min(1, 'is required').max(20000, 'must be at most 20000 characters'),
      guidanceVersion: z.enum(['2016', '2024']).optional(),
    })
    .strict();
  // That the notification is not before the death is a rule of the chronology (chronology.ts).
}
export type OpenReviewInput = z.output<ReturnType<typeof openReviewSchema>>;

export const listReviewsQuerySchema = z
  .object({
    status: z.enum(STAGES).optional(),
    cspId: uuid('CSP id').optional(),
    onHold: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional(),
    /** Part of the reference, any case (DHR-MALDON-2026-001, or just 2026-001). */
    reference: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional(),
    /**
     * Part of the reference, the police reference, a person's pseudonym, the chair's name or an
     * agency on the panel (any case), each only where the caller may read it (review-search.ts).
     */
    q: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
    page: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').default(1),
    pageSize: z.coerce.number().int('must be a whole number').min(1).max(100, 'must be at most 100').default(20),
  })
  .strict();
export type ListReviewsQuery = z.output<typeof listReviewsQuerySchema>;

export { parseIfMatch } from '../infrastructure/http/validation';

export const etagOf = (version: number) => `"${version}"`;
