import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../../access/access.decorator';
import type { AccessContext } from '../../access/access.service';
import { recordAccessBeforeSending } from '../../audit/access-log.interceptor';
import { boardPaperDocx, boardPaperPdf } from './board-paper-files';
import { BoardPaperService } from './board-paper.service';

const TYPES = {
  json: 'application/json',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
} as const;

/** The board paper of one review (issue 15 item 3). */
@ApiTags('reports')
@Controller('reviews')
export class BoardPaperController {
  constructor(private readonly papers: BoardPaperService) {}

  /**
   * The board paper for the Responsible Authorities Group: process chronology, panel, IMRs,
   * family involvement, holds, recommendations and the action plan, as JSON, DOCX or PDF. The
   * CSP lead, the chair, and a RAG member of the CSP at sign-off; from RAG sign-off on (409
   * before). A part the caller may not read is "Not shown". One access-log row per read.
   */
  @Get(':id/board-paper')
  @ApiParam({ name: 'id', description: 'The review' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'docx', 'pdf'] })
  @ApiProduces(TYPES.json, TYPES.docx, TYPES.pdf)
  async boardPaper(@Param('id') id: string, @Query() query: unknown, @Access() access: AccessContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    const format = this.papers.parse(query).format ?? 'json';
    const paper = await this.papers.build(id, access);
    const body = format === 'docx' ? await boardPaperDocx(paper) : format === 'pdf' ? await boardPaperPdf(paper) : Buffer.from(JSON.stringify(paper));
    // Written before the paper leaves: a read that cannot be logged is not served.
    await recordAccessBeforeSending(req, 200);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).type(TYPES[format]);
    if (format !== 'json') res.setHeader('Content-Disposition', `attachment; filename="board-paper-${paper.reference.toLowerCase()}.${format}"`);
    res.send(body);
  }
}
