import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../access/access.decorator';
import type { AccessContext } from '../access/access.service';
import { committeeReportDocx, committeeReportPdf } from './committee-report-files';
import { CommitteeReportService } from './committee-report.service';

/** The partnership's reports (issue 15). */
@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: CommitteeReportService) {}

  /**
   * The committee progress report: each review of the CSPs named, as it stood at the end of
   * `asAt` (default today), as JSON, DOCX or PDF. CSP leads and RAG members of those CSPs (a RAG
   * member: only reviews at sign-off or after). One access-log row per review in it.
   */
  @Get('committee')
  @ApiQuery({ name: 'csp', required: true, description: 'One or more CSP codes, separated by commas (CSPs where you are a CSP lead or RAG member).' })
  @ApiQuery({ name: 'asAt', required: false, description: 'The date the report is as at (YYYY-MM-DD, not in the future); default today.' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'docx', 'pdf'] })
  @ApiProduces('application/json', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/pdf')
  async committee(@Query() query: unknown, @Access() access: AccessContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    const parsed = this.reports.parse(query);
    const report = await this.reports.build(parsed, access);
    const format = parsed.format ?? 'json';
    const name = `committee-report-${parsed.csp.join('-').toLowerCase()}-${parsed.asAt}`;
    const body =
      format === 'docx' ? await committeeReportDocx(report) : format === 'pdf' ? await committeeReportPdf(report) : Buffer.from(JSON.stringify(report));
    await this.reports.recordAccess(req, 200, report);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'json') {
      res.status(200).type('application/json').send(body);
      return;
    }
    res
      .status(200)
      .type(format === 'docx' ? 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' : 'application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="${name}.${format}"`);
    res.send(body);
  }
}
