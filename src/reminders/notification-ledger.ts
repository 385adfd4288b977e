import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Notification } from '../deadlines/notification.entity';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { ROOT_LOGGER } from '../infrastructure/logging/logging.module';
import type { Logger } from '../infrastructure/logging/root-logger';
import { MailDeliveryError, Mailer, OutgoingMail } from './mail/mailer';
import { metrics } from '../infrastructure/metrics/metrics';
import { SentJournal } from './sent-journal';

/** How long a worker keeps trying to record a send SMTP accepted while PostgreSQL is away. */
export const RECORD_SENT_FOR_MS = 60 * 60 * 1000;

export interface LedgerEntry {
  /** Unique per message and recipient: a second send with the same key does nothing. */
  key: string;
  reviewId: string;
  deadlineId: string | null;
  slot: string;
  recipient: string;
}

export type SendOutcome = { outcome: 'sent' } | { outcome: 'already_sent' } | { outcome: 'failed'; error: MailDeliveryError };

/** A key claimed for sending: the notification row's id, and how many claims it has had. */
export interface Claim {
  id: string;
  key: string;
  /** More than 1: claimed before (a crash, a failure, another worker gone quiet). */
  attempts?: number;
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
 * Exactly once, as far as SMTP allows: the moment SMTP accepts a message, its key is written
 * to a local fsync'd journal (SentJournal), and "sent" is then written to PostgreSQL, retried
 * for up to an hour while PostgreSQL is away; the job holds its lock meanwhile, so no other
 * worker re-sends it. A key in a journal is never sent again by a worker on the same machine:
 * the process checks its own before every send and every journal on the machine before a
 * send claimed again (its first claimant killed mid-send), and a worker starting on the
 * machine records every journal's keys as sent before it takes a job. (A worker on another
 * machine cannot see them: a key its dead colleague sent and never recorded is sent again,
 * with the same Message-ID, unless a worker is started again where the dead one ran.) What is left is the
 * moment between the server's 250 and the journal's fsync; a message re-sent from there has
 * the same Message-ID (messageIdFor), so mail clients show it once.
 *
 * `sendOnce` claims and sends. A caller that must decide whether to send and claim the key
 * atomically (SendReminderJob: the deadline still open when the claim commits) calls `claim`
 * inside its own transaction and `deliver` after that transaction has committed: the SMTP
 * conversation is never inside a transaction.
 */
@Injectable()
export class NotificationLedger implements OnApplicationBootstrap {
  private readonly journal: SentJournal;

  constructor(
    private readonly dataSource: DataSource,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.journal = new SentJournal(join(config.dataDir, 'sent-journal'), process.pid, (error) =>
      logger.warn({ err: error.message }, 'the local journal of accepted sends cannot be written; a crash while PostgreSQL is away may re-send'),
    );
  }

  /** Before any job runs: sends accepted by SMTP that a process could not record are recorded now. */
  async onApplicationBootstrap(): Promise<void> {
    const leftovers = this.journal.leftovers();
    for (const entry of leftovers) {
      await this.dataSource.query(
        `UPDATE notifications SET status = 'sent', sent_at = COALESCE(sent_at, $3), message_id = COALESCE(message_id, NULLIF($2, '')), last_error = NULL
          WHERE idempotency_key = $1 AND status <> 'sent'`,
        [entry.key, entry.messageId, this.clock.now()],
      );
    }
    this.journal.removeFilesOfEndedProcesses();
    if (leftovers.length > 0) this.logger.info({ recorded: leftovers.length }, 'sends accepted before a crash recorded from the local journal');
  }

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
       RETURNING id, attempts`,
      [entry.key, entry.reviewId, entry.deadlineId, entry.slot, entry.recipient],
    );
    return claimed ? { id: claimed.id as string, key: entry.key, attempts: Number(claimed.attempts) } : null;
  }

  /** The SMTP conversation for a claimed key (after the claim has committed), then the row marked sent or failed. */
  async deliver(claimed: Claim, mail: OutgoingMail): Promise<SendOutcome> {
    // A key claimed before may have been sent by a worker on this machine that then died
    // before recording it: every journal here is read for it.
    const journaled = (claimed.attempts ?? 1) > 1 ? this.journal.acceptedAnywhere(claimed.key) : this.journal.acceptedButUnrecorded(claimed.key);
    if (journaled !== undefined) {
      await this.recordSent(claimed, journaled);
      return { outcome: 'already_sent' };
    }
    let messageId: string;
    try {
      messageId = (await this.mailer.send({ ...mail, messageId: messageIdFor(claimed.key) })).messageId;
    } catch (error) {
      const failure = error instanceof MailDeliveryError ? error : new MailDeliveryError(String(error), false, null, null);
      metrics.emailFailures.inc({ permanent: String(failure.permanent) });
      // If PostgreSQL is away this throws and the job is retried: nothing was accepted.
      await this.dataSource.manager.update(Notification, { id: claimed.id }, { status: 'failed', lastError: failure.message.slice(0, 2000) });
      return { outcome: 'failed', error: failure };
    }
    this.journal.accepted(claimed.key, messageId);
    metrics.emailsSent.inc({ kind: claimed.key.startsWith('meeting|') ? 'invitation' : 'reminder' });
    await this.recordSent(claimed, messageId);
    return { outcome: 'sent' };
  }

  /** Writes "sent", retrying while PostgreSQL is away (up to RECORD_SENT_FOR_MS); the journal keeps it meanwhile. */
  private async recordSent(claimed: Claim, messageId: string): Promise<void> {
    const giveUpAt = Date.now() + RECORD_SENT_FOR_MS;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.dataSource.manager.update(Notification, { id: claimed.id }, { status: 'sent', sentAt: this.clock.now(), messageId, lastError: null });
        this.journal.recorded(claimed.key);
        if (attempt > 1) this.logger.info({ key: claimed.key, attempts: attempt }, 'a send accepted while PostgreSQL was away is recorded');
        return;
      } catch (error) {
        if (Date.now() >= giveUpAt) throw error;
        if (attempt === 1) this.logger.warn({ key: claimed.key, err: (error as Error).message }, 'SMTP accepted a message but PostgreSQL cannot record it yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 5000)));
      }
    }
  }
}
