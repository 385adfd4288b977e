import { Module } from '@nestjs/common';
import { DocumentContentStore } from '../casefile/documents/document-content.store';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { ImportsController } from './imports.controller';
import { ReviewImportService } from './review-import.service';

/** Reviews already under way, brought in from a file (API and command line). */
@Module({
  imports: [DeadlinesModule],
  controllers: [ImportsController],
  providers: [ReviewImportService, DocumentContentStore],
  exports: [ReviewImportService],
})
export class ImportsModule {}
