import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { findReview } from '../reviews/review-history';
import { Notification } from './notification.entity';

/** Every reminder sent or attempted for a review: delivered, or failed with the reason. */
@ApiTags('deadlines')
@Controller('reviews/:reviewId/notifications')
export class NotificationsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOkResponse({
    description:
      'Notifications newest first: status sending, sent, failed or queued (held for the recipient\'s daily digest), attempts, the last error, and when a digest carried it.',
  })
  async list(@Param('reviewId') reviewId: string) {
    await findReview(this.dataSource.manager, reviewId);
    const rows = await this.dataSource.manager.find(Notification, { where: { reviewId }, order: { createdAt: 'DESC' }, take: 500 });
    return rows.map((n) => ({
      id: n.id,
      deadlineId: n.deadlineId,
      slot: n.slot,
      recipient: n.recipient,
      status: n.status,
      attempts: n.attempts,
      lastError: n.lastError,
      sentAt: n.sentAt,
      digestSentAt: n.digestSentAt,
      createdAt: n.createdAt,
    }));
  }
}
