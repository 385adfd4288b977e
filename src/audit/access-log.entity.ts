import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Review } from '../reviews/review.entity';

export const ACCESS_OUTCOMES = ['allowed', 'refused'] as const;
export type AccessOutcome = (typeof ACCESS_OUTCOMES)[number];

/**
 * One request: a read or change of a review's case content, or any refused request (a 4xx,
 * with or without a review) and failed sign-in: who, when, what, from where and the outcome.
 * Append-only. The partial index IDX_access_log_refused_at is in the migration.
 */
@Entity({ name: 'access_log' })
@Index('IDX_access_log_review_at', ['reviewId', 'at'])
@Index('IDX_access_log_refused_at', { synchronize: false })
@Check('CHK_access_log_outcome', `"outcome" IN ('allowed', 'refused')`)
export class AccessLogEntry {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_access_log' })
  id!: string;

  /** Empty for a request that names no review (or one that does not exist). */
  @Column({ name: 'review_id', type: 'uuid', nullable: true })
  reviewId!: string | null;

  @ManyToOne(() => Review, { nullable: true })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_access_log_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 10 })
  method!: string;

  /** The route pattern, e.g. /reviews/:reviewId/imrs/:imrId. */
  @Column({ type: 'varchar', length: 300 })
  route!: string;

  /** The path as requested, without the query string. */
  @Column({ type: 'varchar', length: 500 })
  path!: string;

  @Column({ type: 'integer' })
  status!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 300, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;

  /** 'refused' for every 4xx (and failed sign-in); 'allowed' otherwise. */
  @Column({ type: 'varchar', length: 10, default: 'allowed' })
  outcome!: AccessOutcome;

  /** Why it was refused (the error's message; for a failed sign-in, the real reason). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  /** The email a failed sign-in named. */
  @Column({ name: 'attempted_email', type: 'varchar', length: 320, nullable: true })
  attemptedEmail!: string | null;
}
