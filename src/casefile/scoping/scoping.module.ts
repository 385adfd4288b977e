import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { RecordsSecuredService } from './records-secured.service';
import { RecordsSecuredController, ScopingResponsesController } from './scoping.controller';
import { ScopingResponsesService } from './scoping-responses.service';

/** Scoping responses from agencies and their records-secured confirmations. */
@Module({
  imports: [CaseFileCoreModule],
  controllers: [ScopingResponsesController, RecordsSecuredController],
  providers: [ScopingResponsesService, RecordsSecuredService],
  exports: [ScopingResponsesService, RecordsSecuredService],
})
export class ScopingModule {}
