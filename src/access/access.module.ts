import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CaseFileCoreModule } from '../casefile/casefile-core.module';
import { IdentityModule } from '../identity/identity.module';
import { AccessGuard } from './access.guard';
import { AccessService } from './access.service';
import { InvitationsService } from './invitations';
import { ReviewMembersController, ReviewMembersService } from './members';
import { MailModule } from '../reminders/mail/mail.module';

/** Who may do what: the policy table applied to every route, and review memberships. */
@Global()
@Module({
  imports: [IdentityModule, CaseFileCoreModule, MailModule],
  controllers: [ReviewMembersController],
  providers: [AccessService, ReviewMembersService, InvitationsService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [AccessService, ReviewMembersService, InvitationsService],
})
export class AccessModule {}
