import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Notification } from '../deadlines/notification.entity';
import { Clock } from '../infrastructure/clock/clock';
import { MailDeliveryError, Mailer, OutgoingMail } from './mail/mailer';

export interface LedgerEntry {
  /** Unique per message and recipient: a second send with the same key does nothing. */
  key: string;
  reviewId: string;
  deadlineId: string | null;
  slot: string;
  recipient: string;
}

export type SendOutcome = { outcome: 'sent' } | { outcome: 'already_sent' } | { outcome: 'failed'; error: MailDeliveryError };

/** A key claimed for sending: the notification row's id. */
export interface Claim {
  id: string;
  key: string;
}

/** A Message-ID derived from the key, so a copy re-sent after a crash is the same message to mail clients. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@dhr-engine>`;
}

/**
 * Sends each email at most once per key: the notification row is claimed before the SMTP
 * conversation and marked sent (or failed, with the reason) after it. A key already sent,
 * or queued for a daily digest, is not claimed again; one left `sending` by a crash or
 * `failed` by a transient error is.
 *
 * `sendOnce` claims and sends. A caller that must decide whether to send and claim the key
 * atomically (SendReminderJob: the deadline still open when the claim commits) calls `claim`
 * inside its own transaction and `deliver` after that transaction has committed: the SMTP
 * conversation is never inside a transaction.
 */
@Injectable()
export class NotificationLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
  ) {}

  async sendOnce(entry: LedgerEntry, mail: OutgoingMail): Promise<SendOutcome> {
    const claimed = await this.claim(this.dataSource.manager, entry);
    if (!claimed) return { outcome: 'already_sent' };
    return this.deliver(claimed, mail);
  }

  /**
   * Claims the key in `manager`'s transaction (status `sending`), or returns null if it is
   * already sent or queued for a digest. `created_at` is the moment of the claim
   * (clock_timestamp(), not the start of the caller's transaction); a re-claim keeps the
   * first claim's time and counts the attempt.
   */
  async claim(manager: EntityManager, entry: LedgerEntry): Promise<Claim | null> {
    const [claimed] = await manager.query(
      `INSERT INTO notifications (idempotency_key, review_id, deadline_id, slot, recipient, status, attempts, created_at)
       VALUES ($1, $2, $3, $4, $5, 'sending', 1, clock_timestamp())
       ON CONFLICT (idempotency_key) DO UPDATE SET attempts = notifications.attempts + 1
         WHERE notifications.status NOT IN ('sent', 'queued')
       RETURNING id`,
      [entry.key, entry.reviewId, entry.deadlineId, entry.slot, entry.recipient],
    );
    return claimed ? { id: claimed.id as string, key: entry.key } : null;
  }

  /** The SMTP conversation for a claimed key (after the claim has committed), then the row marked sent or failed. */
  async deliver(claimed: Claim, mail: OutgoingMail): Promise<SendOutcome> {
    try {
      const result = await this.mailer.send({ ...mail, messageId: messageIdFor(claimed.key) });
      await this.dataSource.manager.update(Notification, { id: claimed.id }, { status: 'sent', sentAt: this.clock.now(), messageId: result.messageId, lastError: null });
      return { outcome: 'sent' };
    } catch (error) {
      const failure = error instanceof MailDeliveryError ? error : new MailDeliveryError(String(error), false, null, null);
      await this.dataSource.manager.update(Notification, { id: claimed.id }, { status: 'failed', lastError: failure.message.slice(0, 2000) });
      return { outcome: 'failed', error: failure };
    }
  }
}
