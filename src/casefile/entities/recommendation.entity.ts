import {
  Check,
  Column,
  Entity,
  Index,
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
/** To whom a recommendation is addressed (the taxonomy's addresseeKinds). */
export const ADDRESSEE_KINDS = ['agency', 'partnership', 'government_department'] as const;
export type AddresseeKind = (typeof ADDRESSEE_KINDS)[number];
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
/** Full-text search of the register (a GIN expression index: in the migration). */
@Index('IDX_recommendations_search', { synchronize: false })
@Check('CHK_recommendations_addressee_kind', oneOf('addressee_kind', ADDRESSEE_KINDS))
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

  /** A local agency, the partnership or a government department; null if not recorded. */
  @Column({ name: 'addressee_kind', type: 'varchar', length: 30, nullable: true })
  addresseeKind!: AddresseeKind | null;

  /** A recommendation theme of the taxonomy (config/taxonomy/); null if not recorded. */
  @Column({ type: 'varchar', length: 60, nullable: true })
  theme!: string | null;

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
