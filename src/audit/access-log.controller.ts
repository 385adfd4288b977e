import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { z } from 'zod';
import { parseInput } from '../infrastructure/http/validation';
import { findReview } from '../reviews/review-history';
import { ACCESS_OUTCOMES, AccessLogEntry } from './access-log.entity';

export const accessLogQuerySchema = z
  .object({
    outcome: z.enum(ACCESS_OUTCOMES, { errorMap: () => ({ message: `must be one of ${ACCESS_OUTCOMES.join(', ')}` }) }).optional(),
  })
  .strict();

/** Who read or changed a review's case content, and who was refused on it, newest first (for the CSP lead). */
@ApiTags('audit')
@Controller('reviews/:reviewId/access-log')
export class AccessLogController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiQuery({ name: 'outcome', required: false, enum: ACCESS_OUTCOMES, description: 'Only allowed requests, or only refused ones (every 4xx, probes included).' })
  @ApiOkResponse({ description: 'Requests on this review: actor, time, route, status, outcome and reason, address, request id.' })
  async list(@Param('reviewId') reviewId: string, @Query() query: unknown) {
    const { outcome } = parseInput(accessLogQuerySchema, query);
    await findReview(this.dataSource.manager, reviewId);
    const rows = await this.dataSource.manager.find(AccessLogEntry, {
      where: { reviewId, ...(outcome ? { outcome } : {}) },
      order: { at: 'DESC', id: 'DESC' },
      take: 1000,
    });
    return rows.map(({ id, actor, method, route, path, status, outcome, reason, attemptedEmail, ip, userAgent, requestId, at }) => ({
      id,
      actor,
      method,
      route,
      path,
      status,
      outcome,
      reason,
      attemptedEmail,
      ip,
      userAgent,
      requestId,
      at,
    }));
  }
}

/**
 * Refused requests that name no review, for administrators: failed sign-ins (with the email
 * tried and the real reason), refused tokens, routes that do not exist, and administration
 * refused. No case content: a refusal on a review is its CSP lead's to see, on that review.
 */
@ApiTags('audit')
@Controller('access-log')
export class InstallationAccessLogController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get('refusals')
  @ApiOkResponse({ description: 'Refused requests naming no review, newest first (at most 1000): actor, email tried, time, route, status, reason, address.' })
  async refusals() {
    const rows = await this.dataSource.manager.find(AccessLogEntry, {
      where: { reviewId: IsNull(), outcome: 'refused' },
      order: { at: 'DESC', id: 'DESC' },
      take: 1000,
    });
    return rows.map(({ id, actor, attemptedEmail, method, route, path, status, reason, ip, userAgent, requestId, at }) => ({
      id,
      actor,
      attemptedEmail,
      method,
      route,
      path,
      status,
      reason,
      ip,
      userAgent,
      requestId,
      at,
    }));
  }
}
