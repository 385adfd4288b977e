import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { AppointmentsController } from './appointments.controller';
import { AppointmentsService } from './appointments.service';

@Module({ imports: [CaseFileCoreModule], controllers: [AppointmentsController], providers: [AppointmentsService], exports: [AppointmentsService] })
export class AppointmentsModule {}
