import {
  Check,
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { oneOf } from './check-sql';
import type { RecommendationAction } from './action.entity';

export const RECOMMENDATION_LEVELS = ['single_agency', 'multi_agency', 'national'] as const;
export type RecommendationLevel = (typeof RECOMMENDATION_LEVELS)[number];
/** The scope of the Home Office action plan's layout: where the change is to be made. */
export const RECOMMENDATION_SCOPES = ['local', 'regional', 'national'] as const;
export type RecommendationScope = (typeof RECOMMENDATION_SCOPES)[number];
export const RECOMMENDATION_STATUSES = ['draft', 'agreed', 'withdrawn'] as const;
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];

/**
 * A recommendation of the review, numbered within it (numbers are never reused). Withdrawn ones
 * are kept, with the reason, not deleted.
 */
@Entity({ name: 'recommendations' })
@Unique('UQ_recommendations_review_id', ['reviewId', 'id'])
@Unique('UQ_recommendations_number', ['reviewId', 'number'])
@Check('CHK_recommendations_number', `"number" >= 1`)
@Check('CHK_recommendations_level', oneOf('level', RECOMMENDATION_LEVELS))
@Check('CHK_recommendations_scope', oneOf('scope', RECOMMENDATION_SCOPES))
@Check('CHK_recommendations_status', oneOf('status', RECOMMENDATION_STATUSES))
@Check('CHK_recommendations_withdrawal', `"withdrawn_reason" IS NULL OR "status" = 'withdrawn'`)
export class Recommendation extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_recommendations' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_recommendations_review' })
  review?: Review;

  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'varchar', length: 20 })
  level!: RecommendationLevel;

  /** Local, regional or national (the Home Office action plan's "scope"); national when the level is national unless given. */
  @Column({ type: 'varchar', length: 20, default: 'local' })
  scope!: RecommendationScope;

  /** The agency, body or department the recommendation is addressed to. */
  @Column({ type: 'text' })
  addressee!: string;

  @Column({ type: 'varchar', length: 20, default: 'draft' })
  status!: RecommendationStatus;

  /**
   * Why it was withdrawn: only a withdrawn recommendation has one (CHK_recommendations_withdrawal);
   * the API always records one when withdrawing.
   */
  @Column({ name: 'withdrawn_reason', type: 'text', nullable: true })
  withdrawnReason!: string | null;

  @OneToMany('RecommendationAction', (action: RecommendationAction) => action.recommendation)
  actions?: RecommendationAction[];
}
