import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { DocumentsModule } from '../documents/documents.module';
import { OversightController } from './oversight.controller';
import { OversightService } from './oversight.service';
import { QaRoundsService } from './qa-rounds.service';

@Module({
  imports: [CaseFileCoreModule, DocumentsModule],
  controllers: [OversightController],
  providers: [OversightService, QaRoundsService],
  exports: [OversightService, QaRoundsService],
})
export class OversightModule {}
