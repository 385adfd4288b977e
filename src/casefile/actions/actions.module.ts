import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { ActionsController } from './actions.controller';
import { ActionsService } from './actions.service';

@Module({ imports: [CaseFileCoreModule], controllers: [ActionsController], providers: [ActionsService], exports: [ActionsService] })
export class ActionsModule {}
