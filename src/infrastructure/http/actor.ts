import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Who is acting, for the history: established by the identity guard (a session, a bearer
 * token, or the X-Actor header where TRUST_ACTOR_HEADER is on). Every write requires one.
 */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<Request & { identity?: { actor: string | null } }>();
  const actor = req.identity?.actor;
  if (!actor) {
    throw new UnauthorizedException({
      statusCode: 401,
      error: 'Unauthorized',
      message: "Sign in, or send Authorization: Bearer <token> (X-Actor, where TRUST_ACTOR_HEADER is on: 1-200 letters, digits, spaces, . @ ' _ + -)",
    });
  }
  return actor;
});
