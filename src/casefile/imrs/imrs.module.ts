import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { DocumentsModule } from '../documents/documents.module';
import { ImrSubmissionUploadInterceptor, PageSubmissionUploadInterceptor } from './imr-submission-upload.interceptor';
import { ImrSubmissionsController } from './imr-submissions.controller';
import { ImrSubmissionsService } from './imr-submissions.service';
import { ImrsController } from './imrs.controller';
import { ImrsService } from './imrs.service';

@Module({
  imports: [CaseFileCoreModule, DocumentsModule],
  controllers: [ImrsController, ImrSubmissionsController],
  providers: [ImrsService, ImrSubmissionsService, ImrSubmissionUploadInterceptor, PageSubmissionUploadInterceptor],
  exports: [ImrsService, ImrSubmissionsService, PageSubmissionUploadInterceptor],
})
export class ImrsModule {}
