import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { RecommendationsController } from './recommendations.controller';
import { RecommendationsService } from './recommendations.service';

@Module({ imports: [CaseFileCoreModule], controllers: [RecommendationsController], providers: [RecommendationsService], exports: [RecommendationsService] })
export class RecommendationsModule {}
