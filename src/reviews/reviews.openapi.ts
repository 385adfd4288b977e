import { zodToOpenApi } from '../infrastructure/http/openapi';
import { REVIEW_EVENT_SCHEMAS, REVIEW_EVENT_TYPES } from './lifecycle';

/** One schema per lifecycle event type, generated from the same zod schemas that validate. */
export function reviewEventBodySchema(): Record<string, unknown> {
  return {
    description:
      'A lifecycle event: `type` selects the schema. The server adds the time and the case-file facts.',
    oneOf: REVIEW_EVENT_TYPES.map((type) => zodToOpenApi(REVIEW_EVENT_SCHEMAS[type], type)),
  };
}
