import { z } from 'zod';
import { text } from '../../infrastructure/http/validation';
import { currentTaxonomy } from '../../reports/register/taxonomy';
import { ADDRESSEE_KINDS, RECOMMENDATION_LEVELS, RECOMMENDATION_SCOPES } from '../entities';

/** A recommendation theme of the current taxonomy (config/taxonomy/), or null. */
const theme = z
  .string({ invalid_type_error: 'must be a recommendation theme code of the taxonomy' })
  .refine((v) => currentTaxonomy().recommendationThemes.some((t) => t.code === v), (v) => ({
    message: `is not a recommendation theme of taxonomy version ${currentTaxonomy().version}: ${String(v).slice(0, 60)}`,
  }))
  .nullable();
const addresseeKind = z.enum(ADDRESSEE_KINDS, { message: `must be one of ${ADDRESSEE_KINDS.join(', ')}` }).nullable();

const scope = z.enum(RECOMMENDATION_SCOPES, { errorMap: () => ({ message: 'must be local, regional or national' }) });

const number = z.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be 1 or more').max(9999, 'must be at most 9999');

export const createRecommendationSchema = z
  .object({
    /** Defaults to the next number in the review (numbers are never reused). */
    number: number.optional(),
    text: text(10000),
    level: z.enum(RECOMMENDATION_LEVELS),
    addressee: text(300),
    addresseeKind: addresseeKind.optional(),
    theme: theme.optional(),
    /** The action plan's scope; default national for a national recommendation, else local. */
    scope: scope.optional(),
  })
  .strict();

/** A correction while the recommendation is a draft: any of its fields, at least one. */
export const correctRecommendationSchema = z
  .object({ number, text: text(10000), level: z.enum(RECOMMENDATION_LEVELS), addressee: text(300), addresseeKind, theme, scope })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one of number, text, level, addressee, addresseeKind, theme, scope' });

export const agreeRecommendationSchema = z.object({}).strict();

export const withdrawRecommendationSchema = z.object({ reason: text(4000) }).strict();

/** `reason: null` takes back an earlier statement that the review makes no recommendations. */
export const noRecommendationsReasonSchema = z.object({ reason: text(4000).nullable() }).strict();
