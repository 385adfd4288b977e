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
  @ApiQuery({ name: 'page', required: false, description: 'JSON only: this page of the reviews (from 1); with pageSize. Without either, every review.' })
  @ApiQuery({ name: 'pageSize', required: false, description: 'JSON only: reviews a page (1 to 200, default 50 when page is given).' })
  @ApiProduces('application/json', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/pdf')
  async committee(@Query() query: unknown, @Access() access: AccessContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    const parsed = this.reports.parse(query);
    const format = parsed.format ?? 'json';
    // A page of the reviews is for JSON; the DOCX and the PDF are the whole report.
    const report = await this.reports.build(format === 'json' ? parsed : { csp: parsed.csp, asAt: parsed.asAt }, access);
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
