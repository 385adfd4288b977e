import type { Request } from 'express';

/**
 * What the access log's refusal recorder (src/audit/refusal-recorder.ts) needs to know about a
 * refused request that only the code answering it knows: why it was refused (the error's
 * message, or the real reason a sign-in failed, which the caller is never told) and the email a
 * failed sign-in named. Kept on the request until the response has been sent.
 */
export interface RefusalNote {
  reason?: string;
  attemptedEmail?: string;
}

const NOTE = Symbol('refusal note');
type NotedRequest = Request & { [NOTE]?: RefusalNote };

/** Adds to the request's refusal note; a sign-in's own reason is not overwritten by the error filter's. */
export function noteRefusal(req: Request, note: RefusalNote, options: { keepReason?: boolean } = {}): void {
  const current = (req as NotedRequest)[NOTE] ?? {};
  (req as NotedRequest)[NOTE] = {
    ...current,
    ...note,
    ...(options.keepReason && current.reason !== undefined ? { reason: current.reason } : {}),
  };
}

export function refusalNoteOf(req: Request): RefusalNote {
  return (req as NotedRequest)[NOTE] ?? {};
}

/** The message of an error's response body, as one line (Nest's body, or an Error's message). */
export function refusalReasonOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object') {
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.map(String).join('; ');
  }
  return undefined;
}
