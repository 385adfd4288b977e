import { Column, CreateDateColumn, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { Imr } from './imr.entity';
import { PanelMeeting } from './panel-meeting.entity';

/**
 * An IMR considered at a panel meeting. The meeting and the IMR must belong to the row's review
 * (composite foreign keys). A link row is added or removed whole, so it has no version.
 */
@Entity({ name: 'panel_meeting_imrs' })
@Index('IDX_panel_meeting_imrs_imr', ['reviewId', 'imrId'])
@ForeignKey(() => PanelMeeting, ['reviewId', 'meetingId'], ['reviewId', 'id'], { name: 'FK_panel_meeting_imrs_meeting' })
@ForeignKey(() => Imr, ['reviewId', 'imrId'], ['reviewId', 'id'], { name: 'FK_panel_meeting_imrs_imr' })
export class PanelMeetingImr {
  @PrimaryColumn({ name: 'meeting_id', type: 'uuid', primaryKeyConstraintName: 'PK_panel_meeting_imrs' })
  meetingId!: string;

  @PrimaryColumn({ name: 'imr_id', type: 'uuid', primaryKeyConstraintName: 'PK_panel_meeting_imrs' })
  imrId!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_panel_meeting_imrs_review' })
  review?: Review;

  /** Navigation only: the constraint is the composite FK_panel_meeting_imrs_meeting. */
  @ManyToOne(() => PanelMeeting, (meeting) => meeting.imrsConsidered, { nullable: false, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'meeting_id' })
  meeting?: PanelMeeting;

  /** Navigation only: the constraint is the composite FK_panel_meeting_imrs_imr. */
  @ManyToOne(() => Imr, { nullable: false, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'imr_id' })
  imr?: Imr;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
