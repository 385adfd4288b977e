import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { Agency } from './agency.entity';

/** An agency's confirmation that it has secured its records of the case (one per agency and review). */
@Entity({ name: 'records_secured' })
@Unique('UQ_records_secured_agency', ['reviewId', 'agencyId'])
export class RecordsSecured extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_records_secured' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_records_secured_review' })
  review?: Review;

  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => Agency, { nullable: false })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'FK_records_secured_agency' })
  agency?: Agency;

  @Column({ name: 'confirmed_on', type: 'date' })
  confirmedOn!: string;

  /** Who at the agency confirmed it (name and role, as given). */
  @Column({ name: 'confirmed_by', type: 'varchar', length: 200 })
  confirmedBy!: string;
}
