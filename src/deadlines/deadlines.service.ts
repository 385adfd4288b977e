import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { BOARD_RETURNED_AT_SQL, restrictToVisibleReviews } from '../access/access.service';
import type { AccessContext } from '../access/access.service';
import { visibleClocks } from '../access/history-visibility';
import type { Holder } from '../access/policy';
import type { ReviewRole } from '../access/review-member.entity';
import type { Stage } from '../reviews/lifecycle';
import { Clock } from '../infrastructure/clock/clock';
import { dateOrDateTime } from '../infrastructure/http/validation';
import { deadlineView } from './deadline-clocks.service';
import { Deadline, DEADLINE_STATUSES } from './deadline.entity';
import { londonDateOf } from './rules';

export const listDeadlinesQuery = z
  .object({
    due_before: dateOrDateTime('must be a date (YYYY-MM-DD) or an ISO date-time such as 2026-12-01T00:00:00Z').optional(),
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
    const qb = this.dataSource.manager.createQueryBuilder(Deadline, 'd').orderBy('d.due_at', 'ASC').addOrderBy('d.id');
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
    if (access.trusted) return (await qb.limit(q.limit).getMany()).map((d) => deadlineView(d, today));
    // The SQL keeps the reviews the caller may see; which of their clocks (an IMR author: their
    // agency's IMR only) is the policy's, in visible(). Read in batches, soonest first, until the
    // limit is met: a CSP lead, who sees every clock, needs one batch, not every matching row
    // (issue 16: at 100,000 reviews this list read and filtered them all).
    const batch = Math.max(q.limit, 100);
    const shown: Deadline[] = [];
    for (let offset = 0; shown.length < q.limit; offset += batch) {
      const rows = await qb.clone().offset(offset).limit(batch).getMany();
      shown.push(...(await this.visible(rows, access)));
      if (rows.length < batch) break;
    }
    return shown.slice(0, q.limit).map((d) => deadlineView(d, today));
  }

  /**
   * The next `each` running clocks of each of these reviews that the caller may see, in one
   * query (the reviews list shows them beside each review).
   */
  async nextByReview(reviewIds: readonly string[], each: number, access: AccessContext, always: readonly string[] = []): Promise<Map<string, ReturnType<typeof deadlineView>[]>> {
    const byReview = new Map<string, ReturnType<typeof deadlineView>[]>(reviewIds.map((id) => [id, []]));
    if (reviewIds.length === 0) return byReview;
    const qb = this.dataSource.manager
      .createQueryBuilder(Deadline, 'd')
      .where(`d.status IN ('open', 'paused')`)
      .andWhere('d.review_id = ANY(:reviewIds)', { reviewIds: [...reviewIds] })
      .orderBy('d.due_at', 'ASC')
      .addOrderBy('d.id');
    restrictToVisibleReviews(qb, access, 'd.review_id');
    const rows = await qb.getMany();
    const today = londonDateOf(this.clock.now());
    for (const d of access.trusted ? rows : await this.visible(rows, access)) {
      const list = byReview.get(d.reviewId)!;
      // The `each` soonest; then a kind named in `always` (the reviews list: the completion target) even after them.
      if (list.length < each || (always.includes(d.kind) && !list.some((x) => x.kind === d.kind))) list.push(deadlineView(d, today));
    }
    return byReview;
  }

  /**
   * The clocks the caller may see, review by review, as the policy says for what each clock is
   * about (history-visibility.ts): an IMR author only their agency's IMR, the RAG no meeting or
   * IMR clocks. The SQL has already kept only reviews the caller may see.
   */
  private async visible(rows: Deadline[], access: AccessContext): Promise<Deadline[]> {
    if (!access.holder || rows.length === 0) return [];
    const reviewIds = [...new Set(rows.map((d) => d.reviewId))];
    // As for the review itself (AccessService): its stage, and the board's return while the chair revises (a RAG member still reads the review then).
    const reviews: Array<{ id: string; cspId: string; status: string; boardReturnedAt: Date | null }> = await this.dataSource.query(
      `SELECT r.id, r.csp_id AS "cspId", r.status, ${BOARD_RETURNED_AT_SQL('r')} AS "boardReturnedAt" FROM reviews r WHERE r.id = ANY($1)`,
      [reviewIds],
    );
    const memberships: Array<{ reviewId: string; role: ReviewRole; agencyId: string | null }> = access.userId
      ? await this.dataSource.query(
          `SELECT review_id AS "reviewId", role, agency_id AS "agencyId" FROM review_members WHERE user_id = $1 AND ended_at IS NULL AND review_id = ANY($2)`,
          [access.userId, reviewIds],
        )
      : [];
    const imrIds = rows.filter((d) => d.kind === 'imr_due' && d.subjectId).map((d) => d.subjectId as string);
    const imrAgency = new Map<string, string>(
      imrIds.length === 0
        ? []
        : ((await this.dataSource.query(`SELECT id, agency_id AS "agencyId" FROM imrs WHERE id = ANY($1)`, [imrIds])) as Array<{ id: string; agencyId: string }>).map(
            (r) => [r.id, r.agencyId],
          ),
    );
    // Grouped once by review: each review's clocks and the caller's memberships of it (not a pass over every row per review).
    const group = <T extends { reviewId: string }>(items: readonly T[]) => {
      const by = new Map<string, T[]>();
      for (const item of items) {
        const list = by.get(item.reviewId);
        if (list) list.push(item);
        else by.set(item.reviewId, [item]);
      }
      return by;
    };
    const clocksOf = group(rows);
    const membershipsOf = group(memberships);
    const shown = new Set<string>();
    for (const review of reviews) {
      const holder: Holder = { ...access.holder, memberships: membershipsOf.get(review.id) ?? [] };
      const subject = { cspId: review.cspId, stage: review.status as Stage, boardReturnedAt: review.boardReturnedAt ? new Date(review.boardReturnedAt).toISOString() : null };
      for (const d of visibleClocks(clocksOf.get(review.id) ?? [], holder, subject, imrAgency)) shown.add(d.id);
    }
    return rows.filter((d) => shown.has(d.id));
  }
}
