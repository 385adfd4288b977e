import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';

/**
 * The publication record of a review (at most one per review): date, URL, pseudonyms used,
 * redaction log, and who confirmed the published text anonymised.
 */
@Entity({ name: 'publications' })
@Unique('UQ_publications_review', ['reviewId'])
@Check('CHK_publications_pseudonyms', `jsonb_typeof("pseudonyms") = 'array'`)
@Check('CHK_publications_anonymisation', `("anonymisation_confirmed_by" IS NULL) = ("anonymisation_confirmed_at" IS NULL)`)
export class Publication extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_publications' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_publications_review' })
  review?: Review;

  @Column({ name: 'published_on', type: 'date', nullable: true })
  publishedOn!: string | null;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  /** The pseudonyms used in the published text (never the real names they stand for). */
  @Column({ type: 'jsonb', default: [] })
  pseudonyms!: string[];

  @Column({ name: 'redaction_log', type: 'text', nullable: true })
  redactionLog!: string | null;

  @Column({ name: 'anonymisation_confirmed_by', type: 'varchar', length: 200, nullable: true })
  anonymisationConfirmedBy!: string | null;

  @Column({ name: 'anonymisation_confirmed_at', type: 'timestamptz', nullable: true })
  anonymisationConfirmedAt!: Date | null;
}
