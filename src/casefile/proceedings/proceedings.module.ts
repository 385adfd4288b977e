import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { ProceedingsController } from './proceedings.controller';
import { ProceedingsService } from './proceedings.service';

@Module({ imports: [CaseFileCoreModule], controllers: [ProceedingsController], providers: [ProceedingsService], exports: [ProceedingsService] })
export class ProceedingsModule {}
