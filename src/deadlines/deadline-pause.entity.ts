import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Deadline } from './deadline.entity';

/** The pause ledger: each period a task clock was paused by a hold on its review. */
@Entity({ name: 'deadline_pauses' })
@Index('IDX_deadline_pauses_deadline', ['deadlineId'])
export class DeadlinePause {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_deadline_pauses' })
  id!: string;

  @Column({ name: 'deadline_id', type: 'uuid' })
  deadlineId!: string;

  @ManyToOne(() => Deadline, { nullable: false })
  @JoinColumn({ name: 'deadline_id', foreignKeyConstraintName: 'FK_deadline_pauses_deadline' })
  deadline?: Deadline;

  @Column({ name: 'paused_at', type: 'timestamptz' })
  pausedAt!: Date;

  @Column({ name: 'resumed_at', type: 'timestamptz', nullable: true })
  resumedAt!: Date | null;

  @Column({ type: 'varchar', length: 40 })
  reason!: string;
}
