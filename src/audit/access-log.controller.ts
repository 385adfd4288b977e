import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { findReview } from '../reviews/review-history';
import { AccessLogEntry } from './access-log.entity';

/** Who read a review's case content, newest first (for the CSP lead). */
@ApiTags('audit')
@Controller('reviews/:reviewId/access-log')
export class AccessLogController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOkResponse({ description: 'Reads of this review: actor, time, route, address, request id.' })
  async list(@Param('reviewId') reviewId: string) {
    await findReview(this.dataSource.manager, reviewId);
    const rows = await this.dataSource.manager.find(AccessLogEntry, { where: { reviewId }, order: { at: 'DESC', id: 'DESC' }, take: 1000 });
    return rows.map(({ id, actor, method, route, path, status, ip, userAgent, requestId, at }) => ({ id, actor, method, route, path, status, ip, userAgent, requestId, at }));
  }
}
