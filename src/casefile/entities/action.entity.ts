import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { oneOf } from './check-sql';
import { Recommendation } from './recommendation.entity';

export const ACTION_STATUSES = ['not_started', 'in_progress', 'complete'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/**
 * An action in the action plan, under a recommendation. Complete exactly when it has a
 * completion date, and only with evidence (CHK_actions_completion).
 */
@Entity({ name: 'actions' })
@Index('IDX_actions_recommendation', ['reviewId', 'recommendationId'])
@ForeignKey(() => Recommendation, ['reviewId', 'recommendationId'], ['reviewId', 'id'], { name: 'FK_actions_recommendation' })
/** Full-text search of the register (a GIN expression index: in the migration). */
@Index('IDX_actions_search', { synchronize: false })
@Check('CHK_actions_status', oneOf('status', ACTION_STATUSES))
@Check(
  'CHK_actions_completion',
  `("status" = 'complete') = ("completed_on" IS NOT NULL) AND ("status" <> 'complete' OR "evidence" IS NOT NULL)`,
)
export class RecommendationAction extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_actions' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_actions_review' })
  review?: Review;

  @Column({ name: 'recommendation_id', type: 'uuid' })
  recommendationId!: string;

  /** Navigation only: the constraint is the composite FK_actions_recommendation. */
  @ManyToOne(() => Recommendation, (r) => r.actions, { nullable: false, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'recommendation_id' })
  recommendation?: Recommendation;

  @Column({ type: 'text' })
  description!: string;

  /** Who owns the action (usually a panel member's agency). */
  @Column({ type: 'text' })
  owner!: string;

  @Column({ name: 'target_date', type: 'date', nullable: true })
  targetDate!: string | null;

  @Column({ name: 'measure_of_success', type: 'text', nullable: true })
  measureOfSuccess!: string | null;

  /** The key milestones in enacting it (the Home Office action plan's column). */
  @Column({ type: 'text', nullable: true })
  milestones!: string | null;

  @Column({ type: 'varchar', length: 20, default: 'not_started' })
  status!: ActionStatus;

  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  @Column({ name: 'completed_on', type: 'date', nullable: true })
  completedOn!: string | null;
}
