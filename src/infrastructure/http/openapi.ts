import type { ApiBodyOptions } from '@nestjs/swagger';
import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

/** The OpenAPI schema of a zod schema, so the docs come from the schema that validates. */
export function zodToOpenApi(schema: z.ZodTypeAny, title: string): Record<string, unknown> {
  const json = zodToJsonSchema(schema, { target: 'openApi3', $refStrategy: 'none' }) as Record<string, unknown>;
  delete json.$schema;
  return { title, ...json };
}

export function openApiBody(schema: z.ZodTypeAny, title: string): ApiBodyOptions {
  return { schema: zodToOpenApi(schema, title) };
}
