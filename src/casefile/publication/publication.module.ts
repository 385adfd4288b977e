import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { PublicationController } from './publication.controller';
import { PublicationService } from './publication.service';

@Module({ imports: [CaseFileCoreModule], controllers: [PublicationController], providers: [PublicationService], exports: [PublicationService] })
export class PublicationModule {}
