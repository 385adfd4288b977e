import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The If-Match header a request carried, '' when it carried none. A write to an existing
 * versioned record passes it to the service, which refuses '' (and `*`, which names no version)
 * with 428 once it has found the record, and a stale version with 412, in the write's
 * transaction. (Callers inside the application, such as an import, pass undefined: no check.)
 */
export const IfMatchHeader = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const header = context.switchToHttp().getRequest<Request>().headers['if-match'];
  return (Array.isArray(header) ? header.join(',') : header) ?? '';
});

/** Whether an If-Match names a version: absent, empty or `*` ("whatever is there") does not. */
export function namesAVersion(header: string | undefined): header is string {
  return header !== undefined && header.trim() !== '' && header.trim() !== '*';
}

/** The OpenAPI description of a required If-Match on a write to `what` (an IMR, a meeting…). */
export const ifMatchDoc = (what: string) => ({
  name: 'If-Match',
  required: true,
  description: `The ${what}'s version as read (its \`version\`, such as "3"): 412 if it has changed since, 428 if absent.`,
});
