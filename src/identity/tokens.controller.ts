import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Clock } from '../infrastructure/clock/clock';
import { openApiBody } from '../infrastructure/http/openapi';
import { parseInput, text } from '../infrastructure/http/validation';
import type { IdentifiedRequest } from './identity.guard';
import { IdentityService } from './identity.service';

const createTokenSchema = z.object({ name: text(100) }).strict();

function userIdOf(req: IdentifiedRequest): string {
  const userId = req.identity?.userId;
  if (!userId) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Authorization: sign in, or send a bearer token, to manage your tokens' });
  return userId;
}

/** A user's own API tokens: create (shown once), list, revoke. */
@ApiTags('identity')
@ApiBearerAuth()
@Controller('me/tokens')
export class TokensController {
  constructor(
    private readonly identities: IdentityService,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(createTokenSchema, 'CreateToken'))
  create(@Req() req: IdentifiedRequest, @Body() body: unknown) {
    const userId = userIdOf(req);
    return this.identities.issueToken(userId, parseInput(createTokenSchema, body).name);
  }

  @Get()
  list(@Req() req: IdentifiedRequest) {
    return this.identities.tokensOf(userIdOf(req));
  }

  @Post(':tokenId/revoke')
  @HttpCode(200)
  async revoke(@Req() req: IdentifiedRequest, @Param('tokenId') tokenId: string) {
    const userId = userIdOf(req);
    const ok = /^[0-9a-f-]{36}$/i.test(tokenId) && (await this.identities.revokeToken(userId, tokenId, this.clock.now()));
    if (!ok) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No active token of yours has this id' });
    return { id: tokenId, revoked: true };
  }
}
