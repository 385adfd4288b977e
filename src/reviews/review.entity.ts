import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Csp } from '../csps/csp.entity';
import type { PersistedReview } from './lifecycle';

/**
 * A review: the police notification that opened it, and its lifecycle as a persisted
 * statechart snapshot. `status` and `onHold` are copies of the snapshot for queries; `version`
 * goes up by one with every accepted event (optimistic concurrency, ETag).
 */
@Entity({ name: 'reviews' })
@Index('IDX_reviews_csp_status', ['cspId', 'status'])
@Index('IDX_reviews_status_hold', ['status', 'onHold'])
// The list's newest-first order (created_at DESC, id), overall and per CSP: made by the migration ReviewListOrder (TypeORM cannot say DESC).
@Index('IDX_reviews_list_order', { synchronize: false })
@Index('IDX_reviews_csp_list_order', { synchronize: false })
// My work's order, overall and per CSP: made by the migration NextWorkOn (TypeORM cannot say COLLATE).
@Index('IDX_reviews_next_work', { synchronize: false })
@Index('IDX_reviews_csp_next_work', { synchronize: false })
@Index('IDX_reviews_csp_next_lead', { synchronize: false })
@Index('IDX_reviews_csp_next_rag', { synchronize: false })
export class Review {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  reference!: string;

  @Column({ name: 'csp_id', type: 'uuid' })
  cspId!: string;

  @ManyToOne(() => Csp, { nullable: false })
  @JoinColumn({ name: 'csp_id', foreignKeyConstraintName: 'FK_reviews_csp' })
  csp?: Csp;

  @Column({ name: 'guidance_version', type: 'varchar', length: 8, default: '2016' })
  guidanceVersion!: '2016' | '2024';

  @Column({ name: 'date_of_death', type: 'date' })
  dateOfDeath!: string;

  @Column({ name: 'notified_on', type: 'date' })
  notifiedOn!: string;

  @Column({ name: 'police_force', type: 'varchar', length: 200 })
  policeForce!: string;

  @Column({ name: 'police_reference', type: 'varchar', length: 100 })
  policeReference!: string;

  @Column({ type: 'text' })
  circumstances!: string;

  /** Recorded when the panel makes no recommendations (AGREE_REPORT needs one or the other). */
  @Column({ name: 'no_recommendations_reason', type: 'text', nullable: true })
  noRecommendationsReason!: string | null;

  @Column({ name: 'machine_version', type: 'integer' })
  machineVersion!: number;

  @Column({ type: 'jsonb' })
  snapshot!: PersistedReview;

  @Column({ type: 'varchar', length: 40 })
  status!: string;

  @Column({ name: 'on_hold', type: 'boolean', default: false })
  onHold!: boolean;

  @Column({ type: 'integer' })
  version!: number;

  /**
   * The soonest date a task on the review can be due (its soonest running clock, outstanding
   * IMR, scheduled meeting or open action; null: none has a date). Kept by DeadlineClocks.sync;
   * My work reads reviews in this order (migration NextWorkOn).
   */
  @Column({ name: 'next_work_on', type: 'date', nullable: true })
  nextWorkOn!: string | null;

  /** The soonest running clock dating a CSP lead's step the review's stage handles (null: none). */
  @Column({ name: 'next_lead_on', type: 'date', nullable: true })
  nextLeadOn!: string | null;

  /** The same for a RAG member's step (the board's sign-off). */
  @Column({ name: 'next_rag_on', type: 'date', nullable: true })
  nextRagOn!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
