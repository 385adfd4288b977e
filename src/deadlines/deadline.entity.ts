import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn, VersionColumn } from 'typeorm';
import { Review } from '../reviews/review.entity';

export const DEADLINE_STATUSES = ['open', 'paused', 'met', 'missed', 'waived', 'cancelled', 'returned', 'not_computed'] as const;
export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];

export interface ConcernedPerson {
  name: string;
  email: string | null;
  /** `agency_senior_manager`: the agency's senior representative on the panel (escalations about its IMR). */
  role: 'chair' | 'csp_lead' | 'panel' | 'owner' | 'agency_senior_manager';
}

/**
 * One tracked clock: a review-level statutory clock (subject = the review) or a task clock on
 * an IMR, a meeting or an action (subject = that record). `baseDueAt` is the due time before
 * holds; `dueAt` includes the shift for time held (task clocks only).
 */
@Entity({ name: 'deadlines' })
@Unique('UQ_deadlines_subject', ['reviewId', 'kind', 'subjectId'])
@Check('CHK_deadlines_status', `"status" IN ('open', 'paused', 'met', 'missed', 'waived', 'cancelled', 'returned', 'not_computed')`)
@Index('IDX_deadlines_status_due', ['status', 'dueAt'])
// The running clocks soonest first (migration NextWorkOn).
@Index('IDX_deadlines_running_due', ['dueAt', 'id'], { where: `"status" IN ('open', 'paused')` })
@Index('IDX_deadlines_next_reminder', ['nextReminderAt'], { where: '"next_reminder_at" IS NOT NULL' })
@Index('IDX_deadlines_open_plan', ['reminderPlan'], { where: `"status" = 'open'` })
export class Deadline {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_deadlines' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_deadlines_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId!: string;

  /** What is due, in words that are safe in an email (agency names, never people's names). */
  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'boolean' })
  statutory!: boolean;

  @Column({ name: 'base_due_at', type: 'timestamptz' })
  baseDueAt!: Date;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  status!: DeadlineStatus;

  /** Why the clock has no due date (`not_computed`): the data it needs is missing. */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  /** When the clock started running (the notification, the decision, the IMR request...). */
  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  /**
   * When the current due time was set (created, or moved). A clock whose due time was already
   * past then was overdue when it came into being: it owes no back-log of reminders.
   */
  @Column({ name: 'due_set_at', type: 'timestamptz' })
  dueSetAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  concerns!: ConcernedPerson[];

  @Column({ name: 'held_days', type: 'integer', default: 0 })
  heldDays!: number;

  /**
   * The next reminder this clock owes (null: none), planned by the worker from the reminder
   * policy; the dispatcher hands it to BullMQ when its time comes (see ReminderScheduler).
   * These columns are the worker's alone, written by its SQL: an entity save never writes them
   * back (a lifecycle write that loaded the row before the worker moved it on cannot undo that).
   */
  @Column({ name: 'next_reminder_at', type: 'timestamptz', nullable: true, insert: false, update: false })
  nextReminderAt!: Date | null;

  @Column({ name: 'next_reminder_slot', type: 'varchar', length: 40, nullable: true, insert: false, update: false })
  nextReminderSlot!: string | null;

  /** Bumped each time the next reminder is set: a send job of an earlier plan does not move it. */
  @Column({ name: 'reminder_seq', type: 'integer', default: 0, insert: false, update: false })
  reminderSeq!: number;

  /** The reminder policy (its hash) the next reminder was planned with. */
  @Column({ name: 'reminder_plan', type: 'varchar', length: 64, nullable: true, insert: false, update: false })
  reminderPlan!: string | null;

  /** When the next reminder was last handed to BullMQ (null: not yet). */
  @Column({ name: 'reminder_dispatched_at', type: 'timestamptz', nullable: true, insert: false, update: false })
  reminderDispatchedAt!: Date | null;

  /** When the next reminder was first handed to BullMQ: how long it has been owed and not finished. */
  @Column({ name: 'reminder_handed_at', type: 'timestamptz', nullable: true, insert: false, update: false })
  reminderHandedAt!: Date | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
