import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { IdentityGuard } from './identity.guard';
import { IdentityService } from './identity.service';
import { OidcController } from './oidc.controller';
import { OidcService } from './oidc.service';
import { SessionsController, SignInRateLimitMiddleware } from './sessions.controller';
import { SessionService } from './sessions.service';
import { TokensController } from './tokens.controller';
import { UsersAdminController, UsersAdminService } from './users-admin';

/** Who is calling: API tokens for scripts, signed-in sessions (password, or the organisation's OpenID Connect provider) for people. */
@Module({
  controllers: [TokensController, SessionsController, OidcController, UsersAdminController],
  // Not a global guard itself: the access guard (src/access) runs it, then the policy.
  providers: [IdentityService, SessionService, OidcService, IdentityGuard, UsersAdminService],
  exports: [IdentityService, SessionService, OidcService, IdentityGuard, UsersAdminService],
})
export class IdentityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // On every route: any sign-in route (this API's, a web page's) may use signInRateLimit.
    consumer.apply(SignInRateLimitMiddleware).forRoutes('{*splat}');
  }
}
