import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AccessContext } from './access.service';
import type { AccessRequest } from './access.guard';

/** What the access guard decided for this request (lists narrow themselves with it). */
export const Access = createParamDecorator((_: unknown, ctx: ExecutionContext): AccessContext => {
  const access = ctx.switchToHttp().getRequest<AccessRequest>().access;
  if (!access) throw new Error('The access guard did not run for this route');
  return access;
});
