import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Review } from '../reviews/review.entity';

/** One read of a review's case content: who, when, what and from where. Append-only. */
@Entity({ name: 'access_log' })
@Index('IDX_access_log_review_at', ['reviewId', 'at'])
export class AccessLogEntry {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_access_log' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
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
}
