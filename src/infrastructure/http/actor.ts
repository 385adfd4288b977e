import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Who is acting, for the history: established by the identity guard (a bearer token, or the
 * X-Actor header outside production). Every write requires one.
 */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<Request & { identity?: { actor: string | null } }>();
  const actor = req.identity?.actor;
  if (!actor) {
    throw new UnauthorizedException({
      statusCode: 401,
      error: 'Unauthorized',
      message: "X-Actor: required; send a bearer token, or (outside production) name who is acting (1-200 letters, digits, spaces, . @ ' _ + -)",
    });
  }
  return actor;
});
