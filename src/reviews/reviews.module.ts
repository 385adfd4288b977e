import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { ReviewEventRecord } from './review-event.entity';
import { ReviewCorrections } from './review-corrections.service';
import { ReviewLifecycleService } from './review-lifecycle.service';
import { Review } from './review.entity';
import { ReviewsController } from './reviews.controller';

@Module({
  imports: [TypeOrmModule.forFeature([Review, ReviewEventRecord]), DeadlinesModule],
  controllers: [ReviewsController],
  providers: [ReviewLifecycleService, ReviewCorrections],
  exports: [ReviewLifecycleService, ReviewCorrections],
})
export class ReviewsModule {}
