import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../../casefile/casefile-core.module';
import { DocumentContentStore } from '../../casefile/documents/document-content.store';
import { SUBMISSION_GATE } from '../../reviews/submission-gate';
import { HomeOfficeChecklistService } from './home-office-checklist.service';
import { HomeOfficeController } from './home-office.controller';
import { HomeOfficePackService } from './home-office-pack.service';
import { HomeOfficeSubmissionGate } from './home-office-submission.gate';

/**
 * The Home Office submission pack, its checklist and the gate on SUBMIT_TO_HOME_OFFICE (the
 * reviews module imports this for the gate; the checklist page is in the web module).
 */
@Module({
  imports: [CaseFileCoreModule],
  controllers: [HomeOfficeController],
  providers: [
    HomeOfficePackService,
    HomeOfficeChecklistService,
    HomeOfficeSubmissionGate,
    DocumentContentStore,
    { provide: SUBMISSION_GATE, useExisting: HomeOfficeSubmissionGate },
  ],
  exports: [HomeOfficePackService, HomeOfficeChecklistService, SUBMISSION_GATE],
})
export class HomeOfficeModule {}
