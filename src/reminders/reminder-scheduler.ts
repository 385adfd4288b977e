import { createHash } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { REMINDER_SYNC_TOPIC } from '../deadlines/deadline-clocks.service';
import { Deadline } from '../deadlines/deadline.entity';
import { MeetingInvitationMessage, OUTBOX_TOPICS } from '../deadlines/outbox';
import { OutboxMessage } from '../deadlines/outbox.entity';
import { DeadlineKind, loadReminderPolicy, nextReminder, type ReminderPolicy } from '../deadlines/rules';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { resolvedUrl } from '../infrastructure/config/resolved-config';
import { RETRY_WHILE_OWED } from '../infrastructure/queue/retry';

/**
 * For a batch of deadlines (alias `d`): their review's row, KEY SHARE, skipping a review being
 * written (held FOR UPDATE by a lifecycle event or case-file write, which then moves its
 * deadlines): updating a deadline takes that lock anyway through the foreign key, and taking it
 * only after the deadline's could deadlock with such a write. Skipped rows wait for the next batch.
 */
const REVIEW_NOT_BEING_WRITTEN = 'EXISTS (SELECT 1 FROM reviews lr WHERE lr.id = d.review_id FOR KEY SHARE SKIP LOCKED)';

export const REMINDERS_QUEUE = 'reminders';

export interface ReminderJobData {
  deadlineId: string;
  slot: string;
  /** The due time the reminder was planned for: a job for an older due time is stale. */
  dueAt: string;
  at: string;
  /** The deadline's reminder_seq when it was planned: only that plan's job moves the pointer on. */
  seq?: number;
}

/** Deterministic and free of ':' (BullMQ ids): one job per deadline and plan. */
export function reminderJobId(deadlineId: string, seq: number): string {
  return `reminder-${deadlineId}-${seq}`;
}

/** A short fingerprint of a reminder policy: deadlines planned with another are planned again. */
export function policyFingerprint(policy: ReminderPolicy): string {
  return createHash('sha256').update(JSON.stringify(policy)).digest('hex').slice(0, 16);
}

/**
 * Plans reminders in PostgreSQL and hands BullMQ only what is owed now.
 *
 * Each open deadline row carries its next reminder (next_reminder_at, next_reminder_slot),
 * planned from the reminder policy when the outbox says the deadline changed (relayOutbox),
 * when the policy differs from the one it was planned with (replanAll, at start and every few
 * minutes), and by the send job when it has finished with a reminder (advance). The
 * dispatcher (dispatchDue, every REMINDER_DISPATCH_MS) hands the reminders whose time has
 * come to BullMQ, one job per deadline and plan, and stamps reminder_dispatched_at; a
 * reminder not finished within the lease (REMINDER_LEASE_MS) is handed over again, which is
 * a no-op while Redis still has the job and the job again if Redis lost it. Nothing about a
 * future reminder lives in Redis, so a Redis emptied, failed over or replaced loses only
 * what was being sent, and that comes back within the lease; there is nothing to re-arm.
 *
 * Whether a reminder is still owed, and to whom, is decided by SendReminderJob against the
 * deadline as it is when the job runs; its send ledger makes a job handed over twice send once.
 */
@Injectable()
export class ReminderScheduler implements OnModuleDestroy {
  private readonly policy: ReminderPolicy;
  readonly plan: string;
  private readonly queue: Queue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.policy = loadReminderPolicy(config.reminders.policyFile ?? undefined);
    this.plan = policyFingerprint(this.policy);
    this.queue = new Queue(REMINDERS_QUEUE, {
      connection: { url: resolvedUrl(config, 'redis'), maxRetriesPerRequest: null },
      prefix: config.queue.prefix,
    });
    this.queue.on('error', () => undefined); // the worker's connections report Redis errors
  }

  /**
   * One batch of outbox messages written by committed transactions, in its own transaction: a
   * deadline that changed is planned again (in PostgreSQL only); a meeting invitation is handed
   * to BullMQ and is processed when it has been sent (SendMeetingInvitationJob), so one relayed
   * but not sent within the lease is relayed again. Returns how many it dealt with.
   */
  async relayOutbox(batch = 200): Promise<number> {
    const now = this.clock.now();
    const leaseEnd = new Date(now.getTime() - this.config.reminders.leaseMs);
    return this.dataSource.transaction(async (manager) => {
      const messages = await manager
        .createQueryBuilder(OutboxMessage, 'o')
        .where('o.processed_at IS NULL')
        .andWhere('(o.relayed_at IS NULL OR o.relayed_at <= :leaseEnd)', { leaseEnd })
        .orderBy('o.id', 'ASC')
        .limit(batch)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      let done = 0;
      // A batch takes its deadline rows in id order (each after its review's row, planIn): two
      // relays that lock some of the same rows then cannot wait on each other.
      const deadlineOf = (m: OutboxMessage) => (m.topic === REMINDER_SYNC_TOPIC ? String((m.payload as { deadlineId?: unknown }).deadlineId ?? '') : '');
      messages.sort((a, b) => (deadlineOf(a) < deadlineOf(b) ? -1 : deadlineOf(a) > deadlineOf(b) ? 1 : 0));
      for (const message of messages) {
        if (message.topic === REMINDER_SYNC_TOPIC) {
          const { deadlineId, previousDueAt } = message.payload as { deadlineId: string; previousDueAt?: string | null };
          await this.planIn(manager, deadlineId, null, now, undefined, { previousDueAt: previousDueAt ?? null });
          await manager.update(OutboxMessage, { id: message.id }, { processedAt: now, attempts: message.attempts + 1 });
          done += 1;
        } else if (message.topic === OUTBOX_TOPICS.meetingInvitation) {
          const invitation = message.payload as unknown as MeetingInvitationMessage;
          try {
            await this.queue.add('send-meeting-invitation', { ...invitation, outboxId: message.id }, {
              jobId: `invite-${invitation.meetingId}-${invitation.sequence}-${invitation.method}`,
              ...RETRY_WHILE_OWED,
              removeOnComplete: { age: 86_400 },
              removeOnFail: { age: 30 * 86_400 },
            });
            await manager.update(OutboxMessage, { id: message.id }, { relayedAt: now, attempts: message.attempts + 1, lastError: null });
            done += 1;
          } catch (error) {
            await manager.update(OutboxMessage, { id: message.id }, { lastError: `could not hand to the queue: ${(error as Error).message}`.slice(0, 2000) });
          }
        } else {
          await manager.update(OutboxMessage, { id: message.id }, { processedAt: now, lastError: `unknown topic ${message.topic}` });
          done += 1;
        }
      }
      return done;
    });
  }

  /**
   * Plans a deadline's next reminder in `manager`'s transaction, taking its row FOR UPDATE:
   * the first owed reminder after `afterSlot` (the one just handled), or the first owed at all.
   * With `expectSeq`, only if the row is still on that plan (another plan has moved it on
   * otherwise). Returns whether it planned.
   */
  async planIn(
    manager: EntityManager,
    deadlineId: string,
    afterSlot: string | null,
    now: Date,
    expectSeq?: number,
    change?: { previousDueAt: string | null },
  ): Promise<boolean> {
    // The review's row first (KEY SHARE, which updating its deadline takes anyway through the
    // foreign key): a lifecycle event or case-file write holds it FOR UPDATE before it moves the
    // review's deadlines, so taking the deadline first could deadlock with one (seen under load).
    await manager.query(`SELECT 1 FROM reviews WHERE id = (SELECT review_id FROM deadlines WHERE id = $1) FOR KEY SHARE`, [deadlineId]);
    const [row] = await manager.query(
      `SELECT reminder_seq, next_reminder_at, next_reminder_slot, reminder_plan FROM deadlines WHERE id = $1 FOR UPDATE`,
      [deadlineId],
    );
    if (!row || (expectSeq !== undefined && row.reminder_seq !== expectSeq)) return false;
    const deadline = await manager.findOneOrFail(Deadline, { where: { id: deadlineId } });
    const next = deadline.status === 'open' ? nextReminder(this.policy, remindersInputOf(deadline), now, afterSlot) : null;
    // A change (an outbox message) that did not move the due time and leaves the next reminder
    // as it is planned (the same slot at the same time, under this policy) keeps the plan: its
    // job, if handed over, is still the one. A new plan would hand over a second job for the
    // same reminder, which could send it again while the first is in its SMTP conversation (a
    // new clock is planned by replanAll and by its creation's message, whichever comes first).
    if (change && (change.previousDueAt === null || change.previousDueAt === deadline.dueAt.toISOString())) {
      const plannedAt = row.next_reminder_at === null ? null : new Date(row.next_reminder_at).getTime();
      const nextAt = next ? new Date(next.at).getTime() : null;
      if (row.reminder_plan === this.plan && row.next_reminder_slot === (next?.slot ?? null) && plannedAt === nextAt) return true;
    }
    await manager.query(
      `UPDATE deadlines SET next_reminder_at = $2, next_reminder_slot = $3, reminder_seq = reminder_seq + 1,
              reminder_plan = $4, reminder_dispatched_at = NULL, reminder_handed_at = NULL WHERE id = $1`,
      [deadlineId, next ? new Date(next.at) : null, next?.slot ?? null, this.plan],
    );
    return true;
  }

  /** After a send job has finished with `slot` of plan `seq`: the next reminder, unless another plan has taken over. */
  async advance(deadlineId: string, seq: number, slot: string): Promise<boolean> {
    const now = this.clock.now();
    return this.dataSource.transaction((manager) => this.planIn(manager, deadlineId, slot, now, seq));
  }

  /**
   * Hands BullMQ the reminders whose time has come (and those handed over a lease ago and not
   * finished), a batch at a time. Returns how many it handed over.
   */
  async dispatchDue(batch = 500): Promise<number> {
    const now = this.clock.now();
    const leaseEnd = new Date(now.getTime() - this.config.reminders.leaseMs);
    return this.dataSource.transaction(async (manager) => {
      const due: Array<{ id: string; slot: string; dueAt: Date; at: Date; seq: number; dispatchedAt: Date | null }> = await manager.query(
        `SELECT id, next_reminder_slot AS slot, due_at AS "dueAt", next_reminder_at AS at, reminder_seq AS seq,
                reminder_dispatched_at AS "dispatchedAt"
           FROM deadlines d
          WHERE next_reminder_at <= $1 AND status = 'open'
            AND (reminder_dispatched_at IS NULL OR reminder_dispatched_at <= $2)
            AND ${REVIEW_NOT_BEING_WRITTEN}
          ORDER BY next_reminder_at LIMIT $3
          FOR UPDATE OF d SKIP LOCKED`,
        [now, leaseEnd, batch],
      );
      if (due.length === 0) return 0;
      // One handed over before and not finished within the lease: if Redis still holds its job
      // as failed or completed (a job that ended without moving the deadline on), it is
      // removed, so that adding it again below runs it again. A waiting, delayed or active job
      // is left alone: adding it again is a no-op.
      for (const d of due.filter((row) => row.dispatchedAt !== null)) {
        const job = await this.queue.getJob(reminderJobId(d.id, d.seq));
        const state = job ? await job.getState() : null;
        if (job && (state === 'failed' || state === 'completed')) await job.remove();
      }
      await this.queue.addBulk(
        due.map((d) => ({
          name: 'send-reminder',
          data: { deadlineId: d.id, slot: d.slot, dueAt: d.dueAt.toISOString(), at: d.at.toISOString(), seq: d.seq } satisfies ReminderJobData,
          opts: { jobId: reminderJobId(d.id, d.seq), ...RETRY_WHILE_OWED, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 30 * 86_400 } },
        })),
      );
      await manager.query(
        `UPDATE deadlines SET reminder_dispatched_at = $2, reminder_handed_at = COALESCE(reminder_handed_at, $2) WHERE id = ANY($1::uuid[])`,
        [due.map((d) => d.id), now],
      );
      return due.length;
    });
  }

  /**
   * Plans again every open deadline planned with another reminder policy (or never planned:
   * rows from before this design), a batch at a time; clears the plan of closed ones. Returns
   * how many it planned. Runs beside the dispatcher: sending does not wait for it.
   */
  async replanAll(batch = 1000): Promise<number> {
    let planned = 0;
    // Rows another transaction holds are skipped, not waited for (a write moving a review's
    // deadlines, or another re-plan, took them in another order: waiting was a deadlock); the
    // write plans them itself, and the next re-plan clears what is left.
    await this.dataSource.query(
      `UPDATE deadlines SET next_reminder_at = NULL, next_reminder_slot = NULL, reminder_dispatched_at = NULL, reminder_handed_at = NULL
        WHERE id IN (SELECT d.id FROM deadlines d WHERE d.status <> 'open' AND d.next_reminder_at IS NOT NULL AND ${REVIEW_NOT_BEING_WRITTEN}
                      ORDER BY d.id FOR UPDATE OF d SKIP LOCKED)`,
    );
    for (;;) {
      const now = this.clock.now();
      const count = await this.dataSource.transaction(async (manager) => {
        const rows = await manager
          .createQueryBuilder(Deadline, 'd')
          // Only what the schedule reads: mapping whole rows was most of the cost at 100,000.
          .select(['d.id', 'd.kind', 'd.dueAt', 'd.dueSetAt', 'd.createdAt'])
          .where(`d.status = 'open'`)
          .andWhere('d.reminder_plan IS DISTINCT FROM :plan', { plan: this.plan })
          .andWhere(REVIEW_NOT_BEING_WRITTEN)
          .orderBy('d.id')
          .limit(batch)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getMany();
        if (rows.length === 0) return 0;
        const next = rows.map((d) => nextReminder(this.policy, remindersInputOf(d), now));
        await manager.query(
          `UPDATE deadlines AS d
              SET next_reminder_at = v.at, next_reminder_slot = v.slot, reminder_seq = d.reminder_seq + 1,
                  reminder_plan = $4, reminder_dispatched_at = NULL, reminder_handed_at = NULL
             FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::timestamptz[]) AS at, unnest($3::text[]) AS slot) AS v
            WHERE d.id = v.id`,
          [rows.map((d) => d.id), next.map((r) => (r ? new Date(r.at) : null)), next.map((r) => r?.slot ?? null), this.plan],
        );
        return rows.length;
      });
      planned += count;
      if (count < batch) return planned;
    }
  }

  /** Everything at once, as the worker's loops do it over time (tests, and the start-up). */
  async reconcileAll(): Promise<number> {
    while ((await this.relayOutbox()) > 0);
    const planned = await this.replanAll();
    while ((await this.dispatchDue()) > 0);
    return planned;
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
