import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IdentityGuard } from './identity.guard';
import { IdentityService } from './identity.service';
import { TokensController } from './tokens.controller';

/** Who is calling: API tokens now; sign-in, sessions and OIDC with the access-control issue. */
@Module({
  controllers: [TokensController],
  providers: [IdentityService, { provide: APP_GUARD, useClass: IdentityGuard }],
  exports: [IdentityService],
})
export class IdentityModule {}
