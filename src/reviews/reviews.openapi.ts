import { zodToJsonSchema } from 'zod-to-json-schema';
import type { z } from 'zod';
import { REVIEW_EVENT_SCHEMAS, REVIEW_EVENT_TYPES } from './lifecycle';

type JsonSchema = Record<string, unknown>;

function toOpenApi(schema: z.ZodTypeAny, title: string): JsonSchema {
  const json = zodToJsonSchema(schema, { target: 'openApi3', $refStrategy: 'none' }) as JsonSchema;
  delete json.$schema;
  return { title, ...json };
}

/** One schema per lifecycle event type, generated from the same zod schemas that validate. */
export function reviewEventBodySchema(): JsonSchema {
  return {
    description:
      'A lifecycle event: `type` selects the schema. The server adds the time and the case-file facts.',
    oneOf: REVIEW_EVENT_TYPES.map((type) => toOpenApi(REVIEW_EVENT_SCHEMAS[type], type)),
  };
}

export function openReviewBodySchema(schema: z.ZodTypeAny): JsonSchema {
  return toOpenApi(schema, 'PoliceNotification');
}
