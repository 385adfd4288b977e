import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { HomeOfficeModule } from '../reports/home-office/home-office.module';
import { ReviewEventRecord } from './review-event.entity';
import { ReviewCorrections } from './review-corrections.service';
import { ReviewLifecycleService } from './review-lifecycle.service';
import { Review } from './review.entity';
import { ReviewsController } from './reviews.controller';

@Module({
  // HomeOfficeModule: the gate on SUBMIT_TO_HOME_OFFICE (the checklist, the pack sent).
  imports: [TypeOrmModule.forFeature([Review, ReviewEventRecord]), DeadlinesModule, HomeOfficeModule],
  controllers: [ReviewsController],
  providers: [ReviewLifecycleService, ReviewCorrections],
  exports: [ReviewLifecycleService, ReviewCorrections],
})
export class ReviewsModule {}
