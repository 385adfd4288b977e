import { Module } from '@nestjs/common';
import { BoardPaperController } from './board-paper/board-paper.controller';
import { BoardPaperService } from './board-paper/board-paper.service';
import { CommitteeReportService } from './committee-report.service';
import { ReportsController } from './reports.controller';

/** The partnership's reports: the committee progress report (API here; its page is in the web module). */
@Module({ controllers: [ReportsController, BoardPaperController], providers: [CommitteeReportService, BoardPaperService], exports: [CommitteeReportService] })
export class ReportsModule {}
