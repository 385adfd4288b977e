import { z } from 'zod';
import { text } from '../../infrastructure/http/validation';
import { LEGAL_STATUSES, PERSON_ROLES } from '../entities';

const age = z.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(130, 'must be at most 130');

const legalStatusRule = (role: string | undefined, legalStatus: string | null | undefined, ctx: z.RefinementCtx) => {
  if (role === 'perpetrator' && !legalStatus) {
    ctx.addIssue({ code: 'custom', path: ['legalStatus'], message: 'is required for a perpetrator' });
  }
  if (role !== undefined && role !== 'perpetrator' && legalStatus) {
    ctx.addIssue({ code: 'custom', path: ['legalStatus'], message: 'is only recorded for a perpetrator' });
  }
};

export const addPersonSchema = z
  .object({
    role: z.enum(PERSON_ROLES),
    realName: text(200),
    pseudonym: text(100),
    relationshipToVictim: text(500).optional(),
    age: age.optional(),
    legalStatus: z.enum(LEGAL_STATUSES).optional(),
    notes: text(5000).optional(),
  })
  .strict()
  .superRefine((v, ctx) => legalStatusRule(v.role, v.legalStatus, ctx));

/**
 * A correction: only the fields sent change; null clears an optional field. Whether a
 * perpetrator has a legal status is checked against the corrected record by the service.
 */
export const correctPersonSchema = z
  .object({
    role: z.enum(PERSON_ROLES).optional(),
    realName: text(200).optional(),
    pseudonym: text(100).optional(),
    relationshipToVictim: text(500).nullable().optional(),
    age: age.nullable().optional(),
    legalStatus: z.enum(LEGAL_STATUSES).nullable().optional(),
    notes: text(5000).nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one field to correct', path: ['body'] });

/** `?include=realNames` adds real names to what is read. */
export const readPeopleQuerySchema = z
  .object({ include: z.enum(['realNames'], { message: 'must be realNames' }).optional() })
  .strict();
