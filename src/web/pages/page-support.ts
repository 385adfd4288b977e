import { UnauthorizedException } from '@nestjs/common';
import type { AccessContext } from '../../access/access.service';
import { knownHistoryLabel } from '../labels';
import type { WebRequest } from '../web-views';

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
