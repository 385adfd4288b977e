import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { IdentifiedRequest, IdentityGuard } from '../identity/identity.guard';
import { isUuid } from '../infrastructure/http/validation';
import { REVIEW_EVENT_TYPES } from '../reviews/lifecycle/events';
import { AccessContext, AccessService, reviewAndHolderAlongToken, TRUSTED_ACCESS } from './access.service';
import type { Action } from './actions';
import { EVENT_ROLES, permission, recordVisible, Role } from './policy';
import { ROUTE_ACTIONS } from './route-actions';

/** The review and the caller's roles, read with the caller's API token (its review id: the statement's $2). */
const ALONG_TOKEN = reviewAndHolderAlongToken('$2');

export type AccessRequest = IdentifiedRequest & { access?: AccessContext };

const NO_REVIEW = () => new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No review with this id' });
const ROLE_NAMES: Record<Role | 'anyone', string> = {
  anyone: 'anyone',
  administrator: 'administrator',
  csp_lead: 'CSP lead',
  rag_member: 'RAG member',
  chair: 'chair',
  report_writer: 'report writer',
  panel_member: 'panel member',
  imr_author: 'IMR author',
};

/**
 * Refuses a lifecycle event the caller's roles may not apply (403 naming who may). The guard
 * checks `type` in a request body; services applying an event call this as well.
 */
export function assertMayApply(access: AccessContext, eventType: string): void {
  if (access.trusted) return;
  if (access.holder && access.review && permission('review.event', access.holder, access.review, { eventType }).allowed) return;
  const who = (EVENT_ROLES as Record<string, readonly Role[]>)[eventType]?.map((r) => ROLE_NAMES[r]).join(' or ') ?? 'nobody';
  throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: `type: ${eventType} may be applied only by ${who}` });
}

/**
 * Every request passes here: first who is calling (IdentityGuard: token, session cookie, or a
 * trusted X-Actor where allowed), then whether the policy table lets them take the route's
 * action. A review the caller may not see is a 404, exactly as if it did not exist; a review
 * they see but an action their role does not allow is a 403 naming the action. Records outside
 * an agency-scoped grant (another agency's IMR) are 404s too. What was decided is left on the
 * request (`req.access`) for list queries to narrow themselves.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(
    private readonly identity: IdentityGuard,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AccessRequest>();
    const route = (req.route?.path as string | undefined) ?? '';
    // HEAD is GET without the body (Express answers it with the GET handler): same action.
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const action = ROUTE_ACTIONS[`${method} ${route}`];
    const params = (req.params ?? {}) as Record<string, string>;
    const reviewId = params.reviewId ?? (route.startsWith('/reviews/:id') ? params.id : undefined);
    // On a review, an API token is read with the review and the caller's roles on it: one statement.
    const along = action && action !== 'public' && reviewId !== undefined && isUuid(reviewId) ? { ...ALONG_TOKEN, params: [reviewId] } : undefined;
    await this.identity.canActivate(context, along);
    if (!action) {
      this.logger.error(`No action in the route table for ${method} ${route}: refused`);
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'This route has no access policy' });
    }
    if (action === 'public') {
      req.access = { trusted: false, userId: req.identity?.userId ?? null, action, holder: null, review: null, restriction: null };
      return true;
    }
    if (req.identity?.via === 'header') {
      req.access = TRUSTED_ACCESS(action);
      return true;
    }
    const userId = req.identity?.userId;
    if (!userId) {
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Authorization: sign in (at /sign-in, or POST /auth/sessions) or send Authorization: Bearer <token>' });
    }
    req.access = reviewId === undefined ? await this.withoutReview(req, action, userId) : await this.onReview(req, action, userId, reviewId);
    return true;
  }

  private async withoutReview(req: AccessRequest, action: Action, userId: string): Promise<AccessContext> {
    const holder = await this.access.holder(userId, null);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const cspId = action === 'review.create' && typeof body.cspId === 'string' && isUuid(body.cspId) ? body.cspId : null;
    const decided = permission(action, holder, null, { cspId });
    if (!decided.allowed) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: cspId ? `cspId: you hold no role in this CSP that allows ${action}` : `${action}: your roles do not allow this`,
      });
    }
    const email = req.params?.email;
    if (action === 'self' && typeof email === 'string' && email.trim().toLowerCase() !== req.identity?.actor?.toLowerCase()) {
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'email: you may only see and change your own' });
    }
    return { trusted: false, userId, action, holder, review: null, restriction: null };
  }

  private async onReview(req: AccessRequest, action: Action, userId: string, reviewId: string): Promise<AccessContext> {
    // Read with the token when the caller sent one (the same user: the token's), else now.
    const withToken = req.identity?.via === 'token' ? req.readWithToken : undefined;
    const found = !isUuid(reviewId) ? null : withToken ? this.access.reviewAndHolderOfRow(withToken) : await this.access.reviewAndHolder(userId, reviewId);
    if (!found) throw NO_REVIEW();
    const { review, holder } = found;
    if (!permission('review.read', holder, review).allowed) throw NO_REVIEW();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const eventType = action === 'review.event' && typeof body.type === 'string' && (REVIEW_EVENT_TYPES as readonly string[]).includes(body.type) ? body.type : null;
    const decided = permission(action, holder, review, { eventType });
    if (!decided.allowed) {
      const held = [...holder.memberships.map((m) => m.role), ...holder.cspRoles.filter((g) => g.cspId === review.cspId).map((g) => g.role)];
      const roles = [...new Set(held)].map((r) => ROLE_NAMES[r]).join(', ') || 'none';
      const message = eventType
        ? `type: ${eventType} may be applied only by ${EVENT_ROLES[eventType as keyof typeof EVENT_ROLES].map((r) => ROLE_NAMES[r]).join(' or ')} (your roles on this review: ${roles})`
        : `${action}: your roles on this review (${roles}) do not allow this`;
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message });
    }
    const params = (req.params ?? {}) as Record<string, string>;
    if (decided.restriction) {
      for (const [param, kind, what] of [
        ['imrId', 'imr', 'IMR'],
        ['documentId', 'document', 'document'],
      ] as const) {
        const id = params[param];
        if (id === undefined) continue;
        const record = isUuid(id) ? await this.access.record(reviewId, kind, id) : null;
        if (!record || !recordVisible(decided.restriction, record)) {
          throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No ${what} with this id in this review` });
        }
      }
    }
    // The RAG after a return: only the versions it saw (uploaded before the return).
    const before = decided.restriction?.uploadedBefore;
    if (before && params.documentId !== undefined && params.versionNo !== undefined) {
      const seen = /^\d{1,9}$/.test(params.versionNo) && (await this.access.versionUploadedBy(reviewId, params.documentId, Number(params.versionNo), before));
      if (!seen) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No version with this number of this document' });
    }
    return { trusted: false, userId, action, holder, review, restriction: decided.restriction };
  }
}
