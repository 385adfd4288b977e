import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn, VersionColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';

/** The codes a review is coded with (relationship category, vulnerabilities, themes, family involvement). */
export interface ReviewCodes {
  relationshipCategory: string | null;
  vulnerabilities: string[];
  themes: string[];
  familyInvolvement: string[];
}

/**
 * A review coded with the taxonomy (config/taxonomy/), as the Home Office's national DHR library
 * codes published reviews: one row a review, with the taxonomy version the codes come from.
 */
@Entity({ name: 'review_codings' })
export class ReviewCoding {
  @PrimaryColumn({ name: 'review_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_codings' })
  reviewId!: string;

  @OneToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_review_codings_review' })
  review?: Review;

  @Column({ name: 'taxonomy_version', type: 'varchar', length: 20 })
  taxonomyVersion!: string;

  @Column({ type: 'jsonb' })
  codes!: ReviewCodes;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_by', type: 'varchar', length: 200 })
  updatedBy!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}
