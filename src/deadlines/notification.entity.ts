import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Review } from '../reviews/review.entity';
import { Deadline } from './deadline.entity';

export const NOTIFICATION_STATUSES = ['sending', 'sent', 'failed', 'queued'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * Every notification sent or attempted; the idempotency key makes a repeated job a no-op.
 *
 * `queued`: a reminder for someone who chose a daily digest, waiting for the next digest
 * (src/reminders/send-digests.job.ts). The digest marks it `sent` with `digest_sent_at`; one
 * whose deadline closed (or moved) before the digest is also marked `sent` with
 * `digest_sent_at` but no `message_id`: it was settled without an email.
 */
@Entity({ name: 'notifications' })
@Unique('UQ_notifications_idempotency_key', ['idempotencyKey'])
@Check('CHK_notifications_status', `"status" IN ('sending', 'sent', 'failed', 'queued')`)
@Index('IDX_notifications_review', ['reviewId', 'createdAt'])
@Index('IDX_notifications_status_recipient', ['status', 'recipient'])
export class Notification {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_notifications' })
  id!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 300 })
  idempotencyKey!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_notifications_review' })
  review?: Review;

  @Column({ name: 'deadline_id', type: 'uuid', nullable: true })
  deadlineId!: string | null;

  @ManyToOne(() => Deadline, { nullable: true })
  @JoinColumn({ name: 'deadline_id', foreignKeyConstraintName: 'FK_notifications_deadline' })
  deadline?: Deadline;

  @Column({ type: 'varchar', length: 40 })
  slot!: string;

  @Column({ type: 'varchar', length: 320 })
  recipient!: string;

  @Column({ type: 'varchar', length: 10 })
  status!: NotificationStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'message_id', type: 'varchar', length: 300, nullable: true })
  messageId!: string | null;

  /** When the current claim for sending was made (clock_timestamp(), PostgreSQL's clock); see NotificationLedger. */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  /** The process that made the current claim: `host|pid|start token`. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 300, nullable: true })
  claimedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** The reminder's subject line, kept for a queued reminder (what the digest lists). */
  @Column({ type: 'varchar', length: 300, nullable: true })
  subject!: string | null;

  /** When the daily digest that carried (or dropped) this queued reminder went. */
  @Column({ name: 'digest_sent_at', type: 'timestamptz', nullable: true })
  digestSentAt!: Date | null;
}
