import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Review } from '../../reviews/review.entity';

export const CHECKLIST_ANSWERS = ['confirmed', 'flagged'] as const;
export type ChecklistAnswer = (typeof CHECKLIST_ANSWERS)[number];

/**
 * The CSP lead's answer to one item of the checklist before submission (config/
 * home-office-checklist.json): confirmed, or flagged with a note. One row per item and review,
 * the latest answer; every answer is also in the review's history.
 */
@Entity({ name: 'home_office_checklist_answers' })
@Unique('UQ_home_office_checklist_answers_item', ['reviewId', 'item'])
@Check('CHK_home_office_checklist_answers_answer', `"answer" IN ('confirmed', 'flagged')`)
@Check('CHK_home_office_checklist_answers_flag_note', `"answer" <> 'flagged' OR "note" IS NOT NULL`)
export class HomeOfficeChecklistAnswer {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_home_office_checklist_answers' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_home_office_checklist_answers_review' })
  review?: Review;

  /** The item's id in the checklist file. */
  @Column({ type: 'varchar', length: 64 })
  item!: string;

  /** The checklist's version when it was answered. */
  @Column({ name: 'checklist_version', type: 'varchar', length: 40 })
  checklistVersion!: string;

  @Column({ type: 'varchar', length: 12 })
  answer!: ChecklistAnswer;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'answered_by', type: 'varchar', length: 200 })
  answeredBy!: string;

  @Column({ name: 'answered_at', type: 'timestamptz' })
  answeredAt!: Date;
}

/** The pack sent with one submission to the Home Office (a round): its SHA-256 and the zip itself. */
@Entity({ name: 'home_office_packs' })
@Unique('UQ_home_office_packs_round', ['reviewId', 'round'])
@Check('CHK_home_office_packs_sha256', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Check('CHK_home_office_packs_round', `"round" >= 1`)
export class HomeOfficePackRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_home_office_packs' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_home_office_packs_review' })
  review?: Review;

  /** The QA round it was sent for (1 for the first submission, 2 for a resubmission…). */
  @Column({ type: 'integer' })
  round!: number;

  /** Lower-case hex SHA-256 of the zip's bytes. */
  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName!: string;

  /** Not loaded unless asked for. */
  @Column({ type: 'bytea', select: false })
  content?: Buffer;

  @Column({ name: 'sent_by', type: 'varchar', length: 200 })
  sentBy!: string;

  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;
}

export const HOME_OFFICE_ENTITIES = [HomeOfficeChecklistAnswer, HomeOfficePackRecord];
