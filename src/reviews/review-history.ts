import { NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { entityFromRow, selectListOf } from '../infrastructure/database/entity-rows';
import { isUuid } from '../infrastructure/http/validation';
import { historyOrigin, ReviewEventRecord } from './review-event.entity';
import { Review } from './review.entity';

export const reviewNotFound = () =>
  new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No review with this id' });

/**
 * Locks the review row for the rest of the transaction (or 404s). Case-file writes and
 * lifecycle events on one review take turns through this lock.
 */
export async function lockReview(manager: EntityManager, reviewId: string): Promise<Review> {
  const review = isUuid(reviewId) ? await reviewRow(manager, reviewId, 'FOR UPDATE') : null;
  if (!review) throw reviewNotFound();
  return review;
}

/** 404 unless the review exists (no lock: for reads). */
export async function findReview(manager: EntityManager, reviewId: string): Promise<Review> {
  const review = isUuid(reviewId) ? await reviewRow(manager, reviewId, '') : null;
  if (!review) throw reviewNotFound();
  return review;
}

/** The review's row, its text built once (src/infrastructure/database/entity-rows.ts): every request on a review reads it. */
async function reviewRow(manager: EntityManager, reviewId: string, lock: 'FOR UPDATE' | ''): Promise<Review | null> {
  const sql = `SELECT ${selectListOf(manager, Review, 'r')} FROM reviews r WHERE r.id = $1 ${lock}`;
  const [row] = (await manager.query(sql, [reviewId])) as Array<Record<string, unknown>>;
  return row ? entityFromRow(manager, Review, 'r', row) : null;
}

/**
 * Appends a case-file change that matters to the lifecycle (an IMR received, a meeting held,
 * a recommendation agreed) to the review's history, in the caller's transaction. The review's
 * version goes up, because what it allows next may have changed (its ETag must change too).
 * The caller must hold the review lock (lockReview).
 */
export async function recordInHistory(
  manager: EntityManager,
  review: Review,
  entry: { type: string; payload: Record<string, unknown>; actor: string; at: Date; occurredAt?: Date },
): Promise<void> {
  const version = review.version + 1;
  await manager.update(Review, { id: review.id }, { version });
  await manager.save(
    manager.create(ReviewEventRecord, {
      reviewId: review.id,
      sequence: version,
      type: entry.type,
      payload: entry.payload,
      actor: entry.actor,
      // When it happened, if the change says (an IMR received on its date), else now.
      occurredAt: entry.occurredAt ?? entry.at,
      recordedAt: entry.at,
      origin: historyOrigin(),
      fromStatus: review.status,
      toStatus: review.status,
      fromOnHold: review.onHold,
      toOnHold: review.onHold,
    }),
  );
  review.version = version;
}
