import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';

const ACTOR = /^[\p{L}\p{N} .@'_+-]{1,200}$/u;

/**
 * Who is acting, for the history. Until sign-in lands (the access-control issue) the caller
 * names themself in the X-Actor header; every write requires it.
 */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const given = req.headers['x-actor'];
  if (typeof given !== 'string' || !ACTOR.test(given.trim())) {
    throw new UnauthorizedException({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'X-Actor: required; name who is acting (1-200 letters, digits, spaces, . @ \' _ + -)',
    });
  }
  return given.trim();
});
