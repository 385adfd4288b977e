import { UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import type { AccessContext } from '../../access/access.service';
import { FieldSpec, FormBody, FormProblem, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { knownHistoryLabel } from '../labels';
import type { WebRequest, WebViews } from '../web-views';

/** Who is acting, as the API takes it (req.identity.actor, set by the identity guard). */
export function actorOf(req: WebRequest): string {
  const actor = req.identity?.actor;
  if (!actor) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Sign in to continue' });
  return actor;
}

/** What the access guard decided for this request (the API's list routes pass the same). */
export function accessOf(req: WebRequest): AccessContext {
  if (!req.access) throw new Error('The access guard did not run for this page');
  return req.access;
}

/** The confirmation banner after a redirect (`?done=IMR_RECEIVED`): known codes only. */
export function noticeOf(done: unknown): string | null {
  return typeof done === 'string' && /^[A-Z_]{1,60}$/.test(done) ? knownHistoryLabel(done) : null;
}

/** A query string value, if it is one plain string. */
export function queryValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * A form's POST, handled the one way every such page does: read the fields, let the service
 * decide (`run` returns where to go next), then go on (303, so a refresh does not post again)
 * or show the form again with the status the service gave and its problems field by field (the
 * form's own, such as an unreadable date, first). What the service threw that is not about the
 * form (404, 403, 500) goes on to the error pages.
 */
export async function submitForm(
  views: WebViews,
  res: Response,
  fields: readonly FieldSpec[],
  body: FormBody,
  run: (input: Record<string, unknown>) => Promise<string>,
  again: (problems: FormProblem[], refusal: Refusal) => Promise<void>,
): Promise<void> {
  const { input, problems } = readForm(fields, body);
  let next: string;
  try {
    next = await run(input);
  } catch (error) {
    const refusal = refusalOf(error, fields.map((f) => f.name));
    if (!refusal) throw error;
    return again(mergeProblems(problems, refusal.problems), refusal);
  }
  return views.redirect(res, next);
}
