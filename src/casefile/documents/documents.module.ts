import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { CaseFileCoreModule } from '../casefile-core.module';
import { DocumentContentStore } from './document-content.store';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { UploadErrorsInterceptor } from './upload-errors';

/**
 * Multer keeps an upload in memory (never on disk before it is checked), one file, a few
 * short fields. fileSize is DOCUMENT_MAX_BYTES + 1 so that multer stops reading one byte past
 * the limit, and the service's own check answers the file exactly one byte too large.
 */
@Module({
  imports: [
    CaseFileCoreModule,
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        defParamCharset: 'utf8',
        limits: { fileSize: config.documents.maxBytes + 1, files: 1, fields: 10, fieldSize: 4096, parts: 12, headerPairs: 100 },
      }),
    }),
  ],
  controllers: [DocumentsController],
  providers: [DocumentsService, DocumentContentStore, UploadErrorsInterceptor],
  // The web pages' upload form reads its file with the same multer limits and error translation.
  exports: [DocumentsService, UploadErrorsInterceptor, MulterModule],
})
export class DocumentsModule {}
