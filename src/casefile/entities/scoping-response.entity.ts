import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { Agency } from './agency.entity';

/**
 * An agency's answer to the CSP's scoping letter: whether it had contact with the people in
 * the case, and a summary. One per agency and review; a correction is a new version of it.
 */
@Entity({ name: 'scoping_responses' })
@Unique('UQ_scoping_responses_agency', ['reviewId', 'agencyId'])
export class ScopingResponse extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_scoping_responses' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_scoping_responses_review' })
  review?: Review;

  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => Agency, { nullable: false })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'FK_scoping_responses_agency' })
  agency?: Agency;

  @Column({ name: 'had_contact', type: 'boolean' })
  hadContact!: boolean;

  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  @Column({ name: 'responded_on', type: 'date' })
  respondedOn!: string;
}
