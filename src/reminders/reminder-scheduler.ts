import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { REMINDER_SYNC_TOPIC } from '../deadlines/deadline-clocks.service';
import { Deadline } from '../deadlines/deadline.entity';
import { MeetingInvitationMessage, OUTBOX_TOPICS } from '../deadlines/outbox';
import { OutboxMessage } from '../deadlines/outbox.entity';
import { DeadlineKind, epochMillis, loadReminderPolicy, reminderSchedule } from '../deadlines/rules';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { resolvedUrl } from '../infrastructure/config/resolved-config';
import { ROOT_LOGGER } from '../infrastructure/logging/logging.module';
import type { Logger } from '../infrastructure/logging/root-logger';

export const REMINDERS_QUEUE = 'reminders';

export interface ReminderJobData {
  deadlineId: string;
  slot: string;
  /** The due time the reminder was scheduled for: a job for an older due time is stale. */
  dueAt: string;
  at: string;
}

/** Deterministic and free of ':' (BullMQ ids): one job per deadline, slot and due time. */
export function reminderJobId(deadlineId: string, slot: string, dueAt: string): string {
  return `reminder-${deadlineId}-${slot}-${Math.floor(epochMillis(dueAt) / 1000)}`;
}

/**
 * Turns deadline rows into BullMQ delayed jobs. The database is the source of truth: the
 * outbox says which deadlines changed, and the reconciler re-arms every open deadline, so an
 * emptied Redis loses nothing, and a reminder whose time passed while the system was down is
 * sent once on recovery (the send ledger stops a second copy). A deadline that was already
 * overdue when its due time was set (Deadline.dueSetAt) is armed with no back-log: at most one
 * overdue notice (reminderSchedule, overdueOnArrival in config/reminder-policy.json).
 */
@Injectable()
export class ReminderScheduler implements OnModuleDestroy {
  private readonly policy = loadReminderPolicy();
  private readonly queue: Queue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.queue = new Queue(REMINDERS_QUEUE, {
      connection: { url: resolvedUrl(config, 'redis'), maxRetriesPerRequest: null },
      prefix: config.queue.prefix,
    });
  }

  /** Relays outbox messages written by committed transactions; each batch in its own transaction. */
  async relayOutbox(batch = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const messages = await manager
        .createQueryBuilder(OutboxMessage, 'o')
        .where('o.processed_at IS NULL')
        .orderBy('o.id', 'ASC')
        .limit(batch)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const message of messages) {
        if (message.topic === REMINDER_SYNC_TOPIC) {
          const { deadlineId, previousDueAt } = message.payload as { deadlineId: string; previousDueAt: string | null };
          await this.reconcileDeadline(deadlineId, previousDueAt);
        } else if (message.topic === OUTBOX_TOPICS.meetingInvitation) {
          const invitation = message.payload as unknown as MeetingInvitationMessage;
          await this.queue.add('send-meeting-invitation', invitation, {
            jobId: `invite-${invitation.meetingId}-${invitation.sequence}-${invitation.method}`,
            attempts: 6,
            backoff: { type: 'exponential', delay: 30_000 },
            removeOnComplete: { age: 30 * 86_400 },
            removeOnFail: { age: 90 * 86_400 },
          });
        }
        await manager.update(OutboxMessage, { id: message.id }, { processedAt: this.clock.now(), attempts: message.attempts + 1 });
      }
      return messages.length;
    });
  }

  /** Re-arms every open deadline (at worker start and on a schedule). */
  async reconcileAll(): Promise<number> {
    const open = await this.dataSource.manager.find(Deadline, { where: { status: 'open' }, select: { id: true } });
    for (const { id } of open) await this.reconcileDeadline(id, null);
    return open.length;
  }

  /** Makes Redis hold exactly the reminders this deadline's row calls for. */
  async reconcileDeadline(deadlineId: string, previousDueAt: string | null): Promise<void> {
    const deadline = await this.dataSource.manager.findOne(Deadline, { where: { id: deadlineId } });
    if (!deadline) return;
    const dueAt = deadline.dueAt.toISOString();
    const kind = deadline.kind as DeadlineKind;
    if (previousDueAt && (previousDueAt !== dueAt || deadline.status !== 'open')) {
      await this.removeSchedule(deadlineId, kind, previousDueAt);
    }
    if (deadline.status !== 'open') {
      await this.removeSchedule(deadlineId, kind, dueAt, deadline.dueSetAt);
      return;
    }
    const now = this.clock.now();
    // With when the due time was set: a clock that was already overdue then owes no back-log
    // (one overdue notice within the policy's window, or nothing).
    for (const reminder of reminderSchedule(this.policy, remindersInputOf(deadline), now)) {
      const jobId = reminderJobId(deadlineId, reminder.slot, dueAt);
      const delay = Math.max(0, epochMillis(reminder.at) - now.getTime());
      const existing = await this.queue.getJob(jobId);
      if (existing) {
        // Its time has come (the system was down, or time was moved on): run it now.
        if (delay === 0 && (await existing.isDelayed())) await existing.promote();
        continue;
      }
      const data: ReminderJobData = { deadlineId, slot: reminder.slot, dueAt, at: reminder.at };
      await this.queue.add('send-reminder', data, {
        jobId,
        delay,
        attempts: 6,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: { age: 30 * 86_400 },
        removeOnFail: { age: 90 * 86_400 },
      });
    }
  }

  /**
   * Removes the pending jobs of a due time: every slot of the policy, and the overdue notice of
   * a clock that arrived overdue when `dueSetAt` (known for the current due time) is given. A
   * job left behind (the notice of an earlier due time) is harmless: SendReminderJob finds the
   * due time moved and sends nothing.
   */
  private async removeSchedule(deadlineId: string, kind: DeadlineKind, dueAt: string, dueSetAt?: Date): Promise<void> {
    const slots = new Set(reminderSchedule(this.policy, { kind, dueAt }).map((r) => r.slot));
    if (dueSetAt) for (const r of reminderSchedule(this.policy, { kind, dueAt, dueSetAt })) slots.add(r.slot);
    for (const slot of slots) {
      const job = await this.queue.getJob(reminderJobId(deadlineId, slot, dueAt));
      if (job && ((await job.isDelayed()) || (await job.isWaiting()))) {
        await job.remove().catch((error: Error) => this.logger.warn({ err: error.message, jobId: job.id }, 'could not remove a reminder job'));
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}

/** A deadline row as the reminder schedule reads it: its due time, when it was set, and whether it moved. */
export function remindersInputOf(deadline: Deadline) {
  return {
    kind: deadline.kind as DeadlineKind,
    dueAt: deadline.dueAt.toISOString(),
    dueSetAt: deadline.dueSetAt,
    // Made and set in the same write (sync gives both "now"); set later means moved.
    moved: deadline.dueSetAt.getTime() > deadline.createdAt.getTime(),
  };
}
