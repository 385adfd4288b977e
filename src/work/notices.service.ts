import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AccessContext } from '../access/access.service';
import { AccessService, restrictToVisibleReviews } from '../access/access.service';
import { ReviewEventRecord } from '../reviews/review-event.entity';
import { Review } from '../reviews/review.entity';
import { ReviewLifecycleService } from '../reviews/review-lifecycle.service';
import { dateInWords } from '../shared/display-dates';

/** At most this many reviews' notices on My work. */
const MAX_NOTICE_REVIEWS = 20;

/** What a notice on My work may be about: the board returning a report, an IMR arriving. */
export const NOTICE_TYPES = ['RAG_RETURN', 'IMR_RECEIVED'] as const;

export interface Notice {
  reviewId: string;
  reference: string;
  type: (typeof NOTICE_TYPES)[number];
  text: string;
  /** Where to read more. */
  href: string;
  recordedAt: string;
}

/**
 * What changed on a person's reviews since their last visit (the last activity of their
 * previous session): a report the board returned, with its comments; an IMR received. Only
 * entries of the history the person may read on that review, and not their own.
 */
@Injectable()
export class NoticesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly reviews: ReviewLifecycleService,
  ) {}

  /** When the user was last here before this session; null if this is their first. */
  async lastVisit(userId: string, currentSessionId: string | null): Promise<Date | null> {
    const rows: Array<{ last: Date | null }> = await this.dataSource.query(
      'SELECT max(last_seen_at) AS last FROM user_sessions WHERE user_id = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)',
      [userId, currentSessionId],
    );
    return rows[0]?.last ?? null;
  }

  /**
   * The notices since then on the reviews `caller` may see: of the MAX_NOTICE_REVIEWS reviews
   * with the latest such entries, found by type and time (an index), not review by review.
   */
  async since(userId: string, actor: string, since: Date, caller: AccessContext): Promise<Notice[]> {
    const qb = this.dataSource.manager
      .createQueryBuilder(ReviewEventRecord, 'e')
      .innerJoin(Review, 'r', 'r.id = e.review_id')
      .select('e.review_id', 'reviewId')
      .addSelect('r.reference', 'reference')
      .where('e.type IN (:...types)', { types: [...NOTICE_TYPES] })
      .andWhere('e.recorded_at > :since', { since })
      .andWhere('lower(e.actor) <> lower(:actor)', { actor })
      .groupBy('e.review_id')
      .addGroupBy('r.reference')
      .orderBy('max(e.recorded_at)', 'DESC')
      .limit(MAX_NOTICE_REVIEWS);
    restrictToVisibleReviews(qb, caller, 'r.id', 'r');
    const candidates: Array<{ reviewId: string; reference: string }> = await qb.getRawMany();
    const notices: Notice[] = [];
    for (const { reviewId, reference } of candidates) {
      const found = await this.access.reviewAndHolder(userId, reviewId);
      if (!found) continue;
      const { holder, review: subject } = found;
      const access: AccessContext = { trusted: false, userId, action: 'review.read', holder, review: subject, restriction: null };
      const history = await this.reviews.history(reviewId, access);
      for (const entry of history) {
        const recordedAt = new Date(entry.recordedAt);
        if (recordedAt <= since || entry.actor.toLowerCase() === actor.toLowerCase()) continue;
        if (entry.type === 'RAG_RETURN') {
          const comments = typeof entry.payload.comments === 'string' ? entry.payload.comments : '';
          notices.push({ reviewId, reference, type: 'RAG_RETURN', text: `The board returned the report on ${dateInWords(entry.occurredAt)} with comments: ${comments}`, href: `/cases/${reviewId}`, recordedAt: recordedAt.toISOString() });
        } else if (entry.type === 'IMR_RECEIVED') {
          const imrId = typeof entry.payload.imrId === 'string' ? entry.payload.imrId : null;
          const rows: Array<{ agency: string; kind: string }> = imrId
            ? await this.dataSource.query('SELECT a.name AS agency, i.kind FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.id = $1', [imrId])
            : [];
          const what = rows[0]?.kind === 'short_report' ? 'short report' : 'IMR';
          const received = typeof entry.payload.receivedOn === 'string' ? entry.payload.receivedOn : entry.occurredAt;
          notices.push({ reviewId, reference, type: 'IMR_RECEIVED', text: `The ${what} from ${rows[0]?.agency ?? 'an agency'} was received on ${dateInWords(received)}`, href: `/cases/${reviewId}/imrs`, recordedAt: recordedAt.toISOString() });
        }
      }
    }
    return notices.sort((a, b) => b.recordedAt.localeCompare(a.recordedAt));
  }
}
