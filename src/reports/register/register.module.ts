import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../../casefile/casefile-core.module';
import { RecommendationsRegisterController } from './register.controller';
import { RecommendationsRegisterService } from './register.service';
import { ReviewCodingController } from './review-coding.controller';
import { ReviewCodingService } from './review-coding.service';

/** The recommendations register and the reviews' taxonomy coding: API here; the register's page is in the web module. */
@Module({
  imports: [CaseFileCoreModule],
  controllers: [RecommendationsRegisterController, ReviewCodingController],
  providers: [RecommendationsRegisterService, ReviewCodingService],
  exports: [RecommendationsRegisterService, ReviewCodingService],
})
export class RecommendationsRegisterModule {}
