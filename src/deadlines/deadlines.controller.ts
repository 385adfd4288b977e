import { Controller, Get, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Clock } from '../infrastructure/clock/clock';
import { parseInput } from '../infrastructure/http/validation';
import { deadlineView } from './deadline-clocks.service';
import { Deadline, DEADLINE_STATUSES } from './deadline.entity';
import { londonDateOf } from './rules';

const listDeadlinesQuery = z
  .object({
    due_before: z.string().datetime({ offset: true, message: 'must be an ISO date-time such as 2026-12-01T00:00:00Z' }).or(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date or date-time')).optional(),
    owner: z.string().trim().min(1).max(320).optional(),
    status: z.enum(DEADLINE_STATUSES).optional(),
    reviewId: z.string().uuid('must be a review id (UUID)').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** Deadlines across reviews: what is due, for whom, soonest first. */
@ApiTags('deadlines')
@Controller('deadlines')
export class DeadlinesController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiQuery({ name: 'due_before', required: false, description: 'Only deadlines due before this date or instant.' })
  @ApiQuery({ name: 'owner', required: false, description: 'Only deadlines concerning this person (email or name).' })
  @ApiQuery({ name: 'status', required: false, enum: DEADLINE_STATUSES })
  @ApiQuery({ name: 'reviewId', required: false })
  async list(@Query() query: unknown) {
    const q = parseInput(listDeadlinesQuery, query);
    const qb = this.dataSource.manager.createQueryBuilder(Deadline, 'd').orderBy('d.due_at', 'ASC').addOrderBy('d.id').take(q.limit);
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    else qb.andWhere(`d.status IN ('open', 'paused')`);
    if (q.due_before) qb.andWhere('d.due_at < :before', { before: q.due_before.length === 10 ? `${q.due_before}T00:00:00Z` : q.due_before });
    if (q.reviewId) qb.andWhere('d.review_id = :reviewId', { reviewId: q.reviewId });
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
