import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
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

/** A user's own API tokens: create (shown once, valid API_TOKEN_LIFETIME_DAYS), list, revoke. */
@ApiTags('identity')
@ApiBearerAuth()
@Controller('me/tokens')
export class TokensController {
  constructor(
    private readonly identities: IdentityService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(createTokenSchema, 'CreateToken'))
  create(@Req() req: IdentifiedRequest, @Body() body: unknown) {
    const userId = userIdOf(req);
    const name = parseInput(createTokenSchema, body).name;
    return this.identities.issueToken(userId, name, { now: this.clock.now(), lifetimeDays: this.config.identity.apiTokenLifetimeDays });
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
