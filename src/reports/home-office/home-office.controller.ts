import { Body, Controller, Get, NotFoundException, Param, Put, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Actor } from '../../infrastructure/http/actor';
import { HomeOfficeChecklistService } from './home-office-checklist.service';
import { HomeOfficePackRecord } from './home-office.entities';
import { HomeOfficePackService } from './home-office-pack.service';

const ZIP = 'application/zip';

function sendZip(res: Response, fileName: string, sha256: string, content: Buffer): StreamableFile {
  const digest = Buffer.from(sha256, 'hex').toString('base64');
  res.set({
    'Content-Type': ZIP,
    'Content-Length': String(content.length),
    'Content-Disposition': `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
    ETag: `"${sha256}"`,
    'Repr-Digest': `sha-256=:${digest}:`,
  });
  return new StreamableFile(content);
}

/**
 * The Home Office submission pack (issue 15 item 4): the pack as it would be sent now, the
 * packs sent with each submission, and the checklist before submission. Each read is in the
 * access log (the review is in the path).
 */
@ApiTags('sign-off and quality assurance')
@Controller('reviews/:reviewId')
export class HomeOfficeController {
  constructor(
    private readonly packs: HomeOfficePackService,
    private readonly checklist: HomeOfficeChecklistService,
    private readonly dataSource: DataSource,
  ) {}

  /** The zip as it would be sent now: cover sheet, overview report, executive summary, action plan (XLSX, DOCX). 409 without an overview report. */
  @Get('home-office-pack')
  @ApiProduces(ZIP)
  @ApiOkResponse({ description: 'A zip: the cover sheet (DOCX), the latest overview report and executive summary, the action plan as XLSX and DOCX. Its SHA-256 is in the ETag and Repr-Digest headers.' })
  async pack(@Param('reviewId') reviewId: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const pack = await this.packs.build(reviewId);
    return sendZip(res, pack.fileName, pack.sha256, pack.content);
  }

  /** The packs sent, one per submission (round), with their SHA-256 (no content). */
  @Get('home-office-packs')
  async sent(@Param('reviewId') reviewId: string) {
    await this.checklist.view(reviewId); // 404 for no such review
    const rows = await this.dataSource.manager.find(HomeOfficePackRecord, { where: { reviewId }, order: { round: 'ASC' } });
    return rows.map((r) => ({ round: r.round, sha256: r.sha256, sizeBytes: r.sizeBytes, fileName: r.fileName, sentBy: r.sentBy, sentAt: r.sentAt }));
  }

  /** The pack sent with a round, byte for byte as it was sent (its SHA-256 is the one in the history). */
  @Get('home-office-packs/:round')
  @ApiProduces(ZIP)
  async sentPack(@Param('reviewId') reviewId: string, @Param('round') round: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    await this.checklist.view(reviewId);
    const n = /^\d{1,4}$/.test(round) ? Number(round) : NaN;
    const row = Number.isInteger(n)
      ? await this.dataSource.manager.createQueryBuilder(HomeOfficePackRecord, 'p').addSelect('p.content').where('p.review_id = :reviewId AND p.round = :n', { reviewId, n }).getOne()
      : null;
    if (!row || !row.content) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No pack was sent with this round of this review' });
    return sendZip(res, row.fileName, row.sha256, row.content);
  }

  @Get('home-office-checklist')
  @ApiOkResponse({ description: 'The checklist before submission: each item with its answer (confirmed or flagged, the note, who and when) or null, and the items not answered yet.' })
  checklistView(@Param('reviewId') reviewId: string) {
    return this.checklist.view(reviewId);
  }

  /** Answers items: `{ "answers": [{ "item": "anonymisation", "answer": "confirmed" | "flagged", "note": "…" }] }` (a flag needs a note). */
  @Put('home-office-checklist')
  answer(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.checklist.answer(reviewId, this.checklist.parse(body), actor);
  }
}
