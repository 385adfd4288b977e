import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { MeetingsController } from './meetings.controller';
import { MeetingsService } from './meetings.service';

@Module({ imports: [CaseFileCoreModule], controllers: [MeetingsController], providers: [MeetingsService], exports: [MeetingsService] })
export class MeetingsModule {}
