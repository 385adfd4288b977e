import { AsyncLocalStorage } from 'node:async_hooks';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Review } from './review.entity';

export const HISTORY_ORIGINS = ['recorded', 'imported', 'correction'] as const;
export type HistoryOrigin = (typeof HISTORY_ORIGINS)[number];

const ORIGIN = new AsyncLocalStorage<HistoryOrigin>();

/** Runs `work` with every history entry it writes marked as coming from `origin` (an import). */
export function withHistoryOrigin<T>(origin: HistoryOrigin, work: () => Promise<T>): Promise<T> {
  return ORIGIN.run(origin, work);
}

/** How the entries being written now came: typed in ('recorded') unless an import runs. */
export function historyOrigin(): HistoryOrigin {
  return ORIGIN.getStore() ?? 'recorded';
}

/**
 * One accepted event in a review's history, written in the same transaction as the state
 * change. Append-only: a database trigger refuses UPDATE, DELETE and TRUNCATE.
 *
 * `occurredAt` is when the thing happened (a decision dated 2017 keeps its 2017 date);
 * `recordedAt` and `actor` say when and by whom it was entered; `origin` how.
 */
@Entity({ name: 'review_events' })
@Check('CHK_review_events_origin', `"origin" IN ('recorded', 'imported', 'correction')`)
@Unique('UQ_review_events_sequence', ['reviewId', 'sequence'])
// My work's notices: entries of some types since a time (migration NextWorkOn).
@Index('IDX_review_events_type_recorded', ['type', 'recordedAt'])
export class ReviewEventRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_review_events_review' })
  review?: Review;

  /** The review's version after this event. */
  @Column({ type: 'integer' })
  sequence!: number;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  /** When it happened. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** When it was entered in the service. */
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  @Column({ type: 'varchar', length: 12, default: 'recorded' })
  origin!: HistoryOrigin;

  @Column({ name: 'from_status', type: 'varchar', length: 40, nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'varchar', length: 40 })
  toStatus!: string;

  @Column({ name: 'from_on_hold', type: 'boolean', nullable: true })
  fromOnHold!: boolean | null;

  @Column({ name: 'to_on_hold', type: 'boolean' })
  toOnHold!: boolean;
}
