import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { NoticesService } from './notices.service';

/** People's work: their tasks across the reviews they may see (GET /me/tasks, the My work page). */
@Module({ imports: [ReviewsModule], controllers: [TasksController], providers: [TasksService, NoticesService], exports: [TasksService, NoticesService] })
export class WorkModule {}
