import { Module } from '@nestjs/common';
import { CommitteeReportService } from './committee-report.service';
import { ReportsController } from './reports.controller';

/** The partnership's reports: the committee progress report (API here; its page is in the web module). */
@Module({ controllers: [ReportsController], providers: [CommitteeReportService], exports: [CommitteeReportService] })
export class ReportsModule {}
