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
import type { PanelMeetingImr } from './panel-meeting-imr.entity';

export const PANEL_MEETING_STATUSES = ['scheduled', 'held', 'cancelled'] as const;
export type PanelMeetingStatus = (typeof PANEL_MEETING_STATUSES)[number];

export const ATTENDANCE_STATUSES = ['attended', 'apologies'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** Who was at a meeting, or sent apologies (panel members, the chair, invited guests). */
export interface MeetingAttendee {
  name: string;
  /** The agency the attendee represents, when they represent one. */
  agencyId?: string;
  status: AttendanceStatus;
}

/** A panel meeting: when and where, agenda, attendance, minutes, decisions, papers. */
@Entity({ name: 'panel_meetings' })
@Unique('UQ_panel_meetings_review_id', ['reviewId', 'id'])
@Check('CHK_panel_meetings_status', oneOf('status', PANEL_MEETING_STATUSES))
@Check('CHK_panel_meetings_attendance', `jsonb_typeof("attendance") = 'array'`)
@Check('CHK_panel_meetings_cancellation', `"cancellation_reason" IS NULL OR "status" = 'cancelled'`)
export class PanelMeeting extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_panel_meetings' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_panel_meetings_review' })
  review?: Review;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ type: 'text', nullable: true })
  location!: string | null;

  @Column({ name: 'online_link', type: 'text', nullable: true })
  onlineLink!: string | null;

  @Column({ type: 'text', nullable: true })
  agenda!: string | null;

  @Column({ type: 'varchar', length: 20, default: 'scheduled' })
  status!: PanelMeetingStatus;

  /** Attendees and apologies. */
  @Column({ type: 'jsonb', default: [] })
  attendance!: MeetingAttendee[];

  @Column({ type: 'text', nullable: true })
  minutes!: string | null;

  @Column({ type: 'text', nullable: true })
  decisions!: string | null;

  @Column({ name: 'papers_circulated_on', type: 'date', nullable: true })
  papersCirculatedOn!: string | null;

  /** Why the meeting was cancelled (set only when it is). */
  @Column({ name: 'cancellation_reason', type: 'text', nullable: true })
  cancellationReason!: string | null;

  /** The IMRs the meeting considered. */
  @OneToMany('PanelMeetingImr', (link: PanelMeetingImr) => link.meeting)
  imrsConsidered?: PanelMeetingImr[];
}
