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
import { Imr } from './imr.entity';

/** An extension of an IMR's due date, with its reason. */
@Entity({ name: 'imr_extensions' })
@Index('IDX_imr_extensions_imr', ['reviewId', 'imrId'])
@ForeignKey(() => Imr, ['reviewId', 'imrId'], ['reviewId', 'id'], { name: 'FK_imr_extensions_imr' })
@Check('CHK_imr_extensions_later_due_date', `"new_due_on" > "previous_due_on"`)
export class ImrExtension extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_imr_extensions' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_imr_extensions_review' })
  review?: Review;

  @Column({ name: 'imr_id', type: 'uuid' })
  imrId!: string;

  /** Navigation only: the constraint is the composite FK_imr_extensions_imr above. */
  @ManyToOne(() => Imr, (imr) => imr.extensions, { nullable: false, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'imr_id' })
  imr?: Imr;

  @Column({ name: 'previous_due_on', type: 'date' })
  previousDueOn!: string;

  @Column({ name: 'new_due_on', type: 'date' })
  newDueOn!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'granted_on', type: 'date' })
  grantedOn!: string;
}
