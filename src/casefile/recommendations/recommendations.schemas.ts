import { z } from 'zod';
import { text } from '../../infrastructure/http/validation';
import { RECOMMENDATION_LEVELS, RECOMMENDATION_SCOPES } from '../entities';

const scope = z.enum(RECOMMENDATION_SCOPES, { errorMap: () => ({ message: 'must be local, regional or national' }) });

const number = z.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be 1 or more').max(9999, 'must be at most 9999');

export const createRecommendationSchema = z
  .object({
    /** Defaults to the next number in the review (numbers are never reused). */
    number: number.optional(),
    text: text(10000),
    level: z.enum(RECOMMENDATION_LEVELS),
    addressee: text(300),
    /** The action plan's scope; default national for a national recommendation, else local. */
    scope: scope.optional(),
  })
  .strict();

/** A correction while the recommendation is a draft: any of its fields, at least one. */
export const correctRecommendationSchema = z
  .object({ number, text: text(10000), level: z.enum(RECOMMENDATION_LEVELS), addressee: text(300), scope })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one of number, text, level, addressee, scope' });

export const agreeRecommendationSchema = z.object({}).strict();

export const withdrawRecommendationSchema = z.object({ reason: text(4000) }).strict();

/** `reason: null` takes back an earlier statement that the review makes no recommendations. */
export const noRecommendationsReasonSchema = z.object({ reason: text(4000).nullable() }).strict();
