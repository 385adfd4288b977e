import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { restrictToVisibleReviews } from '../access/access.service';
import type { AccessContext } from '../access/access.service';
import { Clock } from '../infrastructure/clock/clock';
import { deadlineView } from './deadline-clocks.service';
import { Deadline, DEADLINE_STATUSES } from './deadline.entity';
import { londonDateOf } from './rules';

export const listDeadlinesQuery = z
  .object({
    due_before: z.string().datetime({ offset: true, message: 'must be an ISO date-time such as 2026-12-01T00:00:00Z' }).or(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date or date-time')).optional(),
    owner: z.string().trim().min(1).max(320).optional(),
    status: z.enum(DEADLINE_STATUSES).optional(),
    reviewId: z.string().uuid('must be a review id (UUID)').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type ListDeadlinesQuery = z.output<typeof listDeadlinesQuery>;

/** Deadlines across reviews, soonest first: the API's list and the web's "My work". */
@Injectable()
export class DeadlinesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Only deadlines of reviews the caller may see (the access policy narrows the query). */
  async list(q: ListDeadlinesQuery, access: AccessContext) {
    const qb = this.dataSource.manager.createQueryBuilder(Deadline, 'd').orderBy('d.due_at', 'ASC').addOrderBy('d.id').take(q.limit);
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    else qb.andWhere(`d.status IN ('open', 'paused')`);
    if (q.due_before) qb.andWhere('d.due_at < :before', { before: q.due_before.length === 10 ? `${q.due_before}T00:00:00Z` : q.due_before });
    if (q.reviewId) qb.andWhere('d.review_id = :reviewId', { reviewId: q.reviewId });
    restrictToVisibleReviews(qb, access, 'd.review_id');
    if (q.owner) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(d.concerns) p WHERE lower(p->>'email') = lower(:owner) OR lower(p->>'name') = lower(:owner))`,
        { owner: q.owner },
      );
    }
    const today = londonDateOf(this.clock.now());
    return (await qb.getMany()).map((d) => deadlineView(d, today));
  }
}
