import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { DeadlineClocks } from '../deadlines/deadline-clocks.service';
import { Clock } from '../infrastructure/clock/clock';
import { PreconditionRequiredError, RequestValidationError, StaleVersionError } from '../infrastructure/http/errors';
import { namesAVersion } from '../infrastructure/http/if-match';
import { isUuid, parseIfMatch } from '../infrastructure/http/validation';
import { assertChronology, chronologyConflicts } from '../reviews/chronology';
import { caseFileFacts, reviewDatedFacts } from '../reviews/chronology.query';
import { businessDate, effectiveInstant, migrateSnapshot } from '../reviews/lifecycle';
import { findReview, lockReview, recordInHistory } from '../reviews/review-history';
import type { Review } from '../reviews/review.entity';

export interface CaseFileWrite {
  manager: EntityManager;
  review: Review;
  now: Date;
  /** Appends a lifecycle-relevant change to the review's history (and bumps its version). */
  record(type: string, payload: Record<string, unknown>): Promise<void>;
}

/**
 * How every case-file service touches the database: writes run in one transaction under the
 * review's row lock (so they take turns with lifecycle events and a failure writes nothing),
 * reads check the review exists. Records are always looked up within their review.
 */
@Injectable()
export class CaseFileTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly clocks: DeadlineClocks,
  ) {}

  /** Today's date in Europe/London, for "not in the future" checks. */
  today(): string {
    return businessDate(this.clock.now());
  }

  async write<T>(reviewId: string, actor: string, work: (w: CaseFileWrite) => Promise<T>): Promise<T> {
    const now = this.clock.now();
    let clean = false;
    const written = await this.dataSource.transaction(async (manager) => {
      const review = await lockReview(manager, reviewId);
      const context = migrateSnapshot(review.snapshot, review.machineVersion).context;
      // What was there before is needed only to excuse conflicts a review already had; a review
      // seen in order once stays in order (every write is checked), so it is not read again.
      const before = IN_ORDER.has(reviewId) ? null : await caseFileFacts(manager, reviewId);
      const result = await work({
        manager,
        review,
        now,
        record: (type, payload) => recordInHistory(manager, review, { type, payload, actor, at: now, occurredAt: happenedAt(payload, now) }),
      });
      // Every dated fact must still fit the review's chronology (src/reviews/chronology.ts).
      const after = reviewDatedFacts(review, context, await caseFileFacts(manager, reviewId));
      await assertChronology(after, () => (before ? reviewDatedFacts(review, context, before) : []));
      clean = chronologyConflicts(after).length === 0;
      // Deadlines follow the case file in the same transaction (an IMR received meets its clock).
      await this.clocks.sync(manager, review, now);
      return result;
    });
    // Only once committed: a write rolled back leaves the review as it was.
    if (clean) inOrder(reviewId);
    return written;
  }

  async read<T>(reviewId: string, work: (manager: EntityManager, review: Review) => Promise<T>): Promise<T> {
    const manager = this.dataSource.manager;
    const review = await findReview(manager, reviewId);
    return work(manager, review);
  }
}

/**
 * Reviews this process has seen with every dated fact in order. Every write keeps a review in
 * order (a write that brings a conflict is refused), so this stays true; bounded, oldest out.
 */
const IN_ORDER = new Set<string>();
const IN_ORDER_LIMIT = 50_000;
function inOrder(reviewId: string): void {
  if (IN_ORDER.has(reviewId)) return;
  if (IN_ORDER.size >= IN_ORDER_LIMIT) IN_ORDER.delete(IN_ORDER.values().next().value as string);
  IN_ORDER.add(reviewId);
}

/**
 * The payload fields that say when a case-file change happened (an IMR received on its date):
 * the history shows that date, and when the change was entered beside it.
 */
const WHEN_FIELDS = ['requestedOn', 'receivedOn', 'checkedOn', 'signedOffOn', 'grantedOn', 'appointedOn', 'endedOn', 'joinedOn', 'leftOn', 'occurredOn', 'completedOn', 'confirmedOn', 'respondedOn', 'on'] as const;

export function happenedAt(payload: Record<string, unknown>, now: Date): Date {
  for (const field of WHEN_FIELDS) {
    const value = payload[field];
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(effectiveInstant(value, now));
  }
  return now;
}

/** A record of this review, or 404 (a record of another review is "not found" here too). */
export async function findInReview<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  reviewId: string,
  id: string,
  what: string,
  options: { lock?: boolean } = {},
): Promise<E> {
  const found = isUuid(id)
    ? await manager.findOne(entity, {
        where: { id, reviewId } as never,
        ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
      })
    : null;
  if (!found) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No ${what} with this id in this review` });
  return found;
}

/**
 * Refuses a write to an existing record whose If-Match names no version (428: '' is what the
 * HTTP layer passes when the request carried none) or an older one (412). Undefined (a write
 * from inside the application, such as an import) is not checked.
 */
export function checkIfMatch(ifMatch: string | undefined, current: number): void {
  if (ifMatch !== undefined && !namesAVersion(ifMatch)) throw new PreconditionRequiredError();
  const expected = parseIfMatch(ifMatch);
  if (expected === 'invalid') throw new RequestValidationError([{ field: 'If-Match', message: 'must be an ETag such as "3"' }]);
  if (expected !== undefined && expected !== current) throw new StaleVersionError(expected, current);
}

/** A referenced record that must exist (400 naming the field when it does not). */
export async function mustExist<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  where: Record<string, unknown>,
  field: string,
  what: string,
): Promise<E> {
  const found = await manager.findOne(entity, { where: where as never });
  if (!found) throw new RequestValidationError([{ field, message: `no ${what} has this id` }]);
  return found;
}
