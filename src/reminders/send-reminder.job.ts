import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { ConcernedPerson, Deadline } from '../deadlines/deadline.entity';
import { daysBetween, DeadlineKind, loadReminderPolicy, londonDateOf, reminderSchedule, type ReminderPolicy } from '../deadlines/rules';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { ROOT_LOGGER } from '../infrastructure/logging/logging.module';
import type { Logger } from '../infrastructure/logging/root-logger';
import { metrics } from '../infrastructure/metrics/metrics';
import { JobHandler } from '../infrastructure/queue/job-handler';
import { Review } from '../reviews/review.entity';
import { MailDeliveryError, OutgoingMail } from './mail/mailer';
import { Claim, ClaimHeldElsewhere, NotificationLedger } from './notification-ledger';
import { assertNoRealNames, renderReminderEmail, ReminderKind } from './mail/reminder-email';
import { notificationModes } from './notification-preferences';
import { imrAuthorEmails, reminderLink } from './reminder-link';
import { ReminderScheduler, remindersInputOf, type ReminderJobData } from './reminder-scheduler';

/** The send ledger's key of one reminder to one person: deadline, slot, due time, address. */
export function reminderKey(deadlineId: string, slot: string, dueAt: string, email: string): string {
  return `${deadlineId}|${slot}|${dueAt}|${email.toLowerCase()}`;
}

/** The due time a reminder key was made for (a reminder for an older due time is stale). */
export function dueAtOfReminderKey(key: string): string | null {
  return key.split('|')[2] ?? null;
}

/**
 * Sends one reminder. The database decides, not the job: a deadline that is no longer open,
 * whose due time moved since the job was made, or whose reminder schedule (re-derived now,
 * with when its due time was set) no longer owes this slot, sends nothing. Each (deadline,
 * slot, due time, recipient) is sent at most once: the notification row's idempotency key is
 * claimed before the SMTP conversation and marked sent after it.
 *
 * The check and the claims are one transaction that first takes the review row FOR SHARE.
 * Every lifecycle event and case-file write takes that row FOR UPDATE (lockReview) and moves
 * the review's deadlines in the same transaction, and the two modes conflict; FOR SHARE does
 * not conflict with itself, so reminders of one review do not wait for each other. So either
 * the claims commit first (the reminder was sent before the event, and the event waits the
 * few milliseconds the claims take) or the event commits first, and the check, a statement
 * run after the lock was granted (READ COMMITTED: a fresh snapshot), sees the clock closed or
 * moved and claims nothing. No reminder is claimed for a clock an already-committed event has
 * closed. The SMTP conversations run after the commit, outside the transaction.
 *
 * Someone who chose a daily digest (notification_preferences) is not emailed now: the same
 * key is claimed with status `queued` (in the same transaction, under the same lock) and the
 * reminder's subject kept, and SendDigestsJob sends them one email a day listing everything
 * queued. Escalations still go at once to everyone: they are the signal that something is
 * already late and needs someone to act today, which a digest could hold back by up to a day.
 */
@Injectable()
export class SendReminderJob implements JobHandler<'reminders'> {
  readonly queue = 'reminders' as const;
  readonly job = 'send-reminder' as const;
  private readonly policy: ReminderPolicy;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: NotificationLedger,
    private readonly clock: Clock,
    private readonly scheduler: ReminderScheduler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.policy = loadReminderPolicy(config.reminders.policyFile ?? undefined);
  }

  /**
   * Sends (or skips) the reminder, then moves the deadline on to its next one. A transient SMTP
   * failure throws instead, and BullMQ retries at a growing interval (RETRY_WHILE_OWED) for as
   * long as the slot is owed: once the next reminder's time has come (or the clock closed or
   * moved), the retry finds it not owed, sends nothing and moves on. The failed row, with the
   * server's answer, stays in the ledger for the review's notifications.
   */
  async handle(job: Job<ReminderJobData>): Promise<{ sent: number; queued?: number; skipped?: string }> {
    const now = this.clock.now();
    const decided = await this.dataSource.transaction('READ COMMITTED', (manager) => this.claim(manager, job.data, now));
    if ('skipped' in decided) {
      await this.moveOn(job.data);
      return { sent: 0, skipped: decided.skipped };
    }
    let sent = 0;
    let transientFailure: MailDeliveryError | null = null;
    for (const { claim, mail } of decided.claimed) {
      const result = await this.ledger.deliver(claim, mail);
      if (result.outcome === 'sent') {
        sent += 1;
        // By the service's clock, the one the slot's time was planned by.
        metrics.reminderLateness.observe(Math.max(0, (this.clock.now().getTime() - new Date(job.data.at).getTime()) / 1000));
      }
      if (result.outcome === 'failed' && !result.error.permanent) transientFailure = result.error;
    }
    // BullMQ retries with backoff; recipients already sent are skipped by their keys, and the
    // retry checks the deadline again. So too when another worker was sending one of them: it
    // may yet die without sending, and the retry finds the key sent, or the claim taken over.
    if (transientFailure) throw transientFailure;
    if (decided.heldElsewhere > 0) throw new ClaimHeldElsewhere(decided.heldElsewhere);
    await this.moveOn(job.data);
    return decided.queued > 0 ? { sent, queued: decided.queued } : { sent };
  }

  /** The deadline's next reminder, if this job is still its plan's (a job from before the pointer existed has no seq). */
  private async moveOn({ deadlineId, seq, slot }: ReminderJobData): Promise<void> {
    if (seq !== undefined) await this.scheduler.advance(deadlineId, seq, slot);
  }

  /**
   * In the caller's transaction: locks the review row FOR SHARE, checks the deadline is still
   * open, due at the job's due time and owed this slot, and claims each recipient's key (or
   * queues it for their digest). Returns the emails to send once the transaction has committed.
   */
  private async claim(
    manager: EntityManager,
    { deadlineId, slot, dueAt }: ReminderJobData,
    now: Date,
  ): Promise<{ skipped: string } | { claimed: Array<{ claim: Claim; mail: OutgoingMail }>; queued: number; heldElsewhere: number }> {
    // The lock first, in a statement of its own: the deadline is read by a later statement, so
    // it sees whatever an event that held the lock before us committed.
    const [locked] = await manager.query(
      `SELECT r.id FROM reviews r WHERE r.id = (SELECT d.review_id FROM deadlines d WHERE d.id = $1) FOR SHARE`,
      [deadlineId],
    );
    if (!locked) return { skipped: 'stale' };
    const deadline = await manager.findOne(Deadline, { where: { id: deadlineId } });
    if (!deadline || deadline.status !== 'open' || deadline.dueAt.toISOString() !== dueAt) return { skipped: 'stale' };
    const kind = deadline.kind as DeadlineKind;
    // A slot the schedule no longer owes is not sent: one superseded by a later reminder
    // (only the latest passed one is owed), or one a clock that was already overdue when its
    // due time was set never owed (config/reminder-policy.json, overdueOnArrival).
    const reminder = reminderSchedule(this.policy, remindersInputOf(deadline), now).find((r) => r.slot === slot);
    if (!reminder) return { skipped: 'slot not owed' };
    const review = await manager.findOneOrFail(Review, { where: { id: deadline.reviewId } });
    const people: Array<{ pseudonym: string; realName: string }> = await manager.query(
      `SELECT pseudonym, real_name AS "realName" FROM people WHERE review_id = $1 ORDER BY created_at`,
      [review.id],
    );
    // The CSP's leads are users with that role for the review's CSP (active ones).
    const leads: Array<{ name: string; email: string }> = await manager.query(
      `SELECT u.display_name AS name, u.email FROM users u JOIN user_roles g ON g.user_id = u.id
        WHERE g.role = 'csp_lead' AND g.csp_id = $1 AND u.disabled_at IS NULL ORDER BY u.email`,
      [review.cspId],
    );
    const concerns = [...deadline.concerns, ...leads.map((l): ConcernedPerson => ({ ...l, role: 'csp_lead' }))];
    const recipients = this.recipients(concerns, [...reminder.recipients, ...reminder.escalateTo]);
    if (recipients.length === 0) {
      this.logger.warn({ deadlineId, slot }, 'reminder has nobody with an email address to go to');
      return { skipped: 'no recipients' };
    }
    const escalation = reminder.type === 'escalation';
    const modes = escalation ? null : await notificationModes(manager, recipients.map((p) => p.email!));
    const claimed: Array<{ claim: Claim; mail: OutgoingMail }> = [];
    let queued = 0;
    let heldElsewhere = 0;
    // An IMR's author is taken straight to its upload page; the others to the IMR tracker.
    const authors = kind === 'imr_due' && deadline.subjectId ? await imrAuthorEmails(manager, review.id, deadline.subjectId) : new Set<string>();
    for (const person of recipients) {
      const key = reminderKey(deadlineId, slot, dueAt, person.email!);
      const email = renderReminderEmail({
        reviewReference: review.reference,
        pseudonyms: people.map((p) => p.pseudonym),
        kind: kind as ReminderKind,
        what: deadline.title,
        dueAt,
        slot: wordingSlot(slot, dueAt, now),
        link: reminderLink(this.config.http.publicBaseUrl, review.id, kind, deadline.subjectId, authors.has(person.email!.toLowerCase())),
        recipientName: person.name,
      });
      assertNoRealNames(email, people.map((p) => p.realName));
      const entry = { key, reviewId: review.id, deadlineId, slot, recipient: person.email! };
      if (modes?.get(person.email!.toLowerCase()) === 'daily_digest') {
        // Held for the daily digest. A key already queued or sent stays as it is; one whose
        // immediate send failed (or was cut short) before the person chose the digest joins it.
        const held = await this.ledger.holdForDigest(manager, entry, email.subject.slice(0, 300));
        if (held === 'queued') queued += 1;
        if (held === 'held') heldElsewhere += 1;
        continue;
      }
      // A key queued for a digest stays with the digest (even if the person has since gone
      // back to immediate reminders); a key already sent is never sent again; one another
      // worker is sending now is left to it, and this job looks again later.
      const claim = await this.ledger.claim(manager, entry);
      if (claim === 'held') heldElsewhere += 1;
      else if (claim !== 'settled') claimed.push({ claim, mail: { to: person.email!, ...email, headers: { 'X-DHR-Reminder': key } } });
    }
    return { claimed, queued, heldElsewhere };
  }

  /** The people a reminder goes to: by role, with an email address, each once. */
  private recipients(concerns: ConcernedPerson[], roles: string[]): ConcernedPerson[] {
    // The CSP lead is addressed when the CSP has one as a user; otherwise the chair. An
    // agency's senior manager is its senior representative on the panel (for an IMR); where the
    // agency has none with an email address (or the clock is not an agency's), the chair.
    // A clock with no owner of its own (a review-level clock: the decision, telling the Home
    // Office, sign-off) is the CSP lead's to chase, or the chair's where the CSP has no lead.
    const hasLead = concerns.some((p) => p.role === 'csp_lead' && p.email);
    const hasSeniorManager = concerns.some((p) => p.role === 'agency_senior_manager' && p.email);
    const wanted = new Set(
      roles.map((r) => ((r === 'csp_lead' && !hasLead) || (r === 'agency_senior_manager' && !hasSeniorManager) ? 'chair' : r)),
    );
    if (wanted.has('owner') && !concerns.some((p) => p.role === 'owner' && p.email)) wanted.add(hasLead ? 'csp_lead' : 'chair');
    const seen = new Set<string>();
    return concerns.filter((p) => {
      if (!p.email || !wanted.has(p.role)) return false;
      const address = p.email.toLowerCase();
      if (seen.has(address)) return false;
      seen.add(address);
      return true;
    });
  }
}

/**
 * The slot as the email words it: a reminder sent late (after downtime) says how long is
 * really left ("due in 6 days"), not what its slot was ("due in 7 days").
 */
export function wordingSlot(slot: string, dueAt: string, now: Date): string {
  const daysLeft = daysBetween(londonDateOf(now), londonDateOf(dueAt));
  // An escalation stays one, and says how overdue the thing really is when it goes.
  if (slot.startsWith('escalate')) return daysLeft < 0 ? `escalate-${-daysLeft}d` : slot;
  return daysLeft > 0 ? `before-${daysLeft}d` : daysLeft === 0 ? 'on-day' : `overdue-${-daysLeft}d`;
}
