import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../../access/access.decorator';
import type { AccessContext } from '../../access/access.service';
import { oversightXlsx, tableCsv } from './oversight-files';
import { OVERSIGHT_TABLES, PartnershipOversightService } from './oversight.service';

/** The partnership's oversight figures (issue 15 item 1). */
@ApiTags('reports')
@Controller('reports')
export class PartnershipOversightController {
  constructor(private readonly oversight: PartnershipOversightService) {}

  /**
   * The oversight figures over the reviews of the CSPs named that the caller may see, as at the
   * end of `asAt`, flows counted over the period `from`–`to`: JSON, every table as one XLSX, or
   * one table (`table`) as CSV. CSP leads and RAG members of those CSPs (a RAG member: reviews at
   * sign-off or after). Each request is in the access log (a row naming no review).
   */
  @Get('oversight')
  @ApiQuery({ name: 'csp', required: true, description: 'One or more CSP codes, separated by commas (CSPs where you are a CSP lead or RAG member).' })
  @ApiQuery({ name: 'asAt', required: false, description: 'YYYY-MM-DD, not in the future; default today.' })
  @ApiQuery({ name: 'from', required: false, description: 'Start of the period, YYYY-MM-DD; default 12 months before `to`.' })
  @ApiQuery({ name: 'to', required: false, description: 'End of the period, YYYY-MM-DD, not after `asAt`; default `asAt`.' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'] })
  @ApiQuery({ name: 'table', required: false, enum: OVERSIGHT_TABLES, description: 'The table to download as CSV (required with format=csv).' })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async figures(@Query() query: unknown, @Access() access: AccessContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    const parsed = this.oversight.parse(query);
    const report = await this.oversight.build(parsed, access);
    const name = `oversight-${parsed.csp.join('-').toLowerCase()}-${parsed.asAt}`;
    let body: Buffer;
    let type = 'application/json';
    if (parsed.format === 'xlsx') {
      body = await oversightXlsx(report);
      type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    } else if (parsed.format === 'csv') {
      body = Buffer.from(tableCsv(report.tables.find((t) => t.key === parsed.table)!), 'utf8');
      type = 'text/csv; charset=utf-8';
    } else body = Buffer.from(JSON.stringify(report));
    await this.oversight.recordAccess(req, 200);
    res.status(200).setHeader('Cache-Control', 'no-store');
    if (parsed.format !== 'json') res.setHeader('Content-Disposition', `attachment; filename="${name}${parsed.format === 'csv' ? `-${parsed.table}` : ''}.${parsed.format}"`);
    res.type(type).send(body);
  }
}
