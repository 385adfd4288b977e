import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../../access/access.decorator';
import type { AccessContext } from '../../access/access.service';
import { registerCsv, registerXlsx } from './register-files';
import { MAX_PAGE_SIZE, RecommendationsRegisterService, REGISTER_STATUSES } from './register.service';

/** The recommendations register (issue 15 item 5). */
@ApiTags('reports')
@Controller('reports')
export class RecommendationsRegisterController {
  constructor(private readonly register: RecommendationsRegisterService) {}

  /**
   * Every recommendation and action of the CSPs named that the caller may see, filtered and
   * searched: JSON a page at a time, or every matching row as CSV or XLSX. CSP leads and RAG
   * members of those CSPs (a RAG member: reviews at sign-off or after). One access-log row per
   * review shown.
   */
  @Get('register')
  @ApiQuery({ name: 'csp', required: true, description: 'One or more CSP codes, separated by commas (CSPs where you are a CSP lead or RAG member).' })
  @ApiQuery({ name: 'theme', required: false, description: 'A recommendation theme code of the taxonomy (config/taxonomy/).' })
  @ApiQuery({ name: 'addressee', required: false, description: 'An addressee by name, or a kind: agency, partnership, government_department.' })
  @ApiQuery({ name: 'status', required: false, enum: REGISTER_STATUSES })
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'q', required: false, description: 'Full-text search of the recommendations and actions (PostgreSQL websearch syntax: words, "a phrase", -not, or).' })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'pageSize', required: false, description: `Rows a page, 1 to ${MAX_PAGE_SIZE}; default 50.` })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'] })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async get(@Query() query: unknown, @Access() access: AccessContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    const parsed = this.register.parse(query);
    const register = await this.register.build(parsed, access, { all: parsed.format !== 'json' });
    const name = `recommendations-register-${parsed.csp.join('-').toLowerCase()}-${register.asAt}`;
    let body: Buffer;
    let type = 'application/json';
    if (parsed.format === 'xlsx') {
      body = await registerXlsx(register);
      type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    } else if (parsed.format === 'csv') {
      body = Buffer.from(registerCsv(register), 'utf8');
      type = 'text/csv; charset=utf-8';
    } else body = Buffer.from(JSON.stringify(register));
    await this.register.recordAccess(req, 200, register);
    res.status(200).setHeader('Cache-Control', 'no-store');
    if (parsed.format !== 'json') res.setHeader('Content-Disposition', `attachment; filename="${name}.${parsed.format}"`);
    res.type(type).send(body);
  }
}
