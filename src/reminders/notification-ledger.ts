import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
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
import { running, SentJournal } from './sent-journal';

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

/** `held`: another live claimant is sending this key now (see ClaimResult); look again later. */
export type SendOutcome = { outcome: 'sent' } | { outcome: 'already_sent' } | { outcome: 'held' } | { outcome: 'failed'; error: MailDeliveryError };

/**
 * How long a claim for sending holds its key against every other job, unless its claimant is
 * known to be dead. Longer than an SMTP conversation can take (the mailer's connection,
 * greeting and socket timeouts, SMTP_TIMEOUTS: 10 + 10 + 60 s); the claim is renewed just before each
 * conversation. A claim whose worker died on another machine is taken over once it lapses.
 */
export const CLAIM_LEASE_MS = 2 * 60 * 1000;

/** A key claimed for sending: the notification row's id, and how many claims it has had. */
export interface Claim {
  id: string;
  key: string;
  /** More than 1: claimed before (a crash, a failure, another worker gone quiet). Fences the claim: a take-over counts one more. */
  attempts: number;
}

/**
 * What a claim found: the key is now this job's to send; or it is `settled` (sent, or queued
 * for a digest) and must not be sent; or another live claimant is sending it now (`held`), and
 * the job must look again later, since that claimant may yet die without sending.
 */
export type ClaimResult = Claim | 'settled' | 'held';

/** Thrown by a job that found a key held by another claimant: BullMQ retries it later. */
export class ClaimHeldElsewhere extends Error {
  constructor(readonly keys: number) {
    super(`${keys} message(s) of this job are being sent by another worker; looking again later`);
    this.name = 'ClaimHeldElsewhere';
  }
}

/**
 * The condition under which an insert's conflicting row may be claimed at once: it is not settled
 * (`sending`, or `failed` and so to be tried again) and no live claim holds it: its claim ended
 * (a failure clears it), was made before claims had a time, or is older than the lease (`lease`:
 * the statement's parameter holding CLAIM_LEASE_MS). PostgreSQL's clock on both sides.
 */
function reclaimable(lease: string): string {
  return `notifications.status IN ('sending', 'failed')
    AND (notifications.claimed_at IS NULL OR notifications.claimed_at < clock_timestamp() - ${lease} * interval '1 millisecond')`;
}

/** This process, as a claimant: its machine, its pid, and a token of this start (a pid is reused). */
const CLAIMANT = `${hostname()}|${process.pid}|${randomUUID()}`;

/**
 * Whether the process that made a claim is known to have ended: it ran on this machine, and
 * its pid is no longer running, or is this process's under another start's token. A claimant on
 * another machine is never known dead here: its claim holds until its lease lapses.
 */
export function claimantEnded(claimedBy: string | null, self: string = CLAIMANT): boolean {
  if (claimedBy === null) return true;
  const [host, pid, token] = claimedBy.split('|');
  const [myHost, myPid, myToken] = self.split('|');
  if (host !== myHost || !/^\d+$/.test(pid ?? '')) return false;
  if (pid === myPid) return token !== myToken;
  return !running(Number(pid));
}

/** A Message-ID derived from the key, so a copy re-sent after a crash is the same message to mail clients. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@dhr-engine>`;
}

/**
 * Sends each email at most once per key: the notification row is claimed before the SMTP
 * conversation and marked sent (or failed, with the reason) after it. A key already sent,
 * or queued for a daily digest, is not claimed again; one `failed` by a transient error is.
 * A claim holds its key for its lease (CLAIM_LEASE_MS, renewed as each conversation starts):
 * another job that comes to the key meanwhile (a re-plan made a second job while the first was
 * sending) is told it is `held` and looks again later, so the two never both send. A claim
 * left by a crash is taken over at once when its claimant ran on this machine and has ended,
 * and after the lease when it ran elsewhere.
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
  /**
   * Keys this process is in an SMTP conversation for (from its claim's renewal to the answer).
   * A claim of this process's for a key not here was abandoned (its job stopped before its
   * conversation: PostgreSQL away at the renewal, say), so a job here may take it over at once.
   */
  private readonly inConversation = new Set<string>();

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
    if (claimed === 'settled') return { outcome: 'already_sent' };
    if (claimed === 'held') return { outcome: 'held' };
    return this.deliver(claimed, mail);
  }

  /**
   * Claims the key in `manager`'s transaction, for this process, now. A key never claimed is
   * claimed with status `sending`; one whose send failed is claimed again and keeps `failed`,
   * with its last error, while it is tried again; so is one whose claim's lease has lapsed or
   * whose claimant has ended (a crash). One sent or queued for a digest is `settled`; one
   * another live claimant is sending (or trying again) is `held`. `created_at` is the
   * moment of the first claim (clock_timestamp(), not the start of the caller's transaction);
   * a re-claim keeps it and counts the attempt. A claim waits for another transaction's claim of
   * the same key to commit, then sees it.
   */
  async claim(manager: EntityManager, entry: LedgerEntry): Promise<ClaimResult> {
    const [claimed] = await manager.query(
      `INSERT INTO notifications (idempotency_key, review_id, deadline_id, slot, recipient, status, attempts, created_at, claimed_at, claimed_by)
       VALUES ($1, $2, $3, $4, $5, 'sending', 1, clock_timestamp(), clock_timestamp(), $6)
       ON CONFLICT (idempotency_key) DO UPDATE
         SET attempts = notifications.attempts + 1, claimed_at = clock_timestamp(), claimed_by = EXCLUDED.claimed_by
         WHERE ${reclaimable('$7')}
       RETURNING id, attempts`,
      [entry.key, entry.reviewId, entry.deadlineId, entry.slot, entry.recipient, CLAIMANT, CLAIM_LEASE_MS],
    );
    if (claimed) return { id: claimed.id as string, key: entry.key, attempts: Number(claimed.attempts) };
    return this.takeOverFromEnded(manager, entry.key, async (id) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, affected].
      const [[taken]] = (await manager.query(
        `UPDATE notifications SET attempts = attempts + 1, claimed_at = clock_timestamp(), claimed_by = $2 WHERE id = $1 RETURNING attempts`,
        [id, CLAIMANT],
      )) as [Array<{ attempts: number }>, number];
      return { id, key: entry.key, attempts: Number(taken.attempts) };
    });
  }

  /**
   * Holds the key for the recipient's daily digest (status `queued`, with the subject the digest
   * lists), in `manager`'s transaction. As with `claim`: a key sent or already queued is
   * `settled`, and one another live claimant is sending is `held`.
   */
  async holdForDigest(manager: EntityManager, entry: LedgerEntry, subject: string): Promise<'queued' | 'settled' | 'held'> {
    const [held] = await manager.query(
      `INSERT INTO notifications (idempotency_key, review_id, deadline_id, slot, recipient, status, attempts, subject, created_at)
       VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, clock_timestamp())
       ON CONFLICT (idempotency_key) DO UPDATE SET status = 'queued', subject = EXCLUDED.subject, claimed_at = NULL, claimed_by = NULL
         WHERE ${reclaimable('$7')}
       RETURNING id`,
      [entry.key, entry.reviewId, entry.deadlineId, entry.slot, entry.recipient, subject, CLAIM_LEASE_MS],
    );
    if (held) return 'queued';
    return this.takeOverFromEnded(manager, entry.key, async (id) => {
      await manager.query(`UPDATE notifications SET status = 'queued', subject = $2, claimed_at = NULL, claimed_by = NULL WHERE id = $1`, [id, subject]);
      return 'queued' as const;
    });
  }

  /**
   * After an insert found the key taken: `settled` if it is sent or queued; `take` it if it is
   * still to be sent (`sending` or `failed`) and its claim has ended or its claimant is known
   * to have ended (the row is locked first, so nobody claims it between the look and the
   * take); otherwise `held`.
   */
  private async takeOverFromEnded<T>(manager: EntityManager, key: string, take: (id: string) => Promise<T>): Promise<T | 'settled' | 'held'> {
    const [row] = await manager.query(`SELECT id, status, claimed_at AS "claimedAt", claimed_by AS "claimedBy" FROM notifications WHERE idempotency_key = $1 FOR UPDATE`, [key]);
    if (!row || (row.status !== 'sending' && row.status !== 'failed')) return 'settled';
    return this.claimEnded(key, row.claimedAt, row.claimedBy) ? take(row.id as string) : 'held';
  }

  /**
   * Whether a key's claim no longer holds it: there is none (a failure ended it), it was
   * abandoned by this process (which is not in a conversation for the key), or its claimant is
   * known to have ended.
   */
  private claimEnded(key: string, claimedAt: Date | null, claimedBy: string | null): boolean {
    if (claimedAt === null) return true;
    if (claimedBy === CLAIMANT) return !this.inConversation.has(key);
    return claimantEnded(claimedBy);
  }

  /** The SMTP conversation for a claimed key (after the claim has committed), then the row marked sent or failed. */
  async deliver(claimed: Claim, mail: OutgoingMail): Promise<SendOutcome> {
    // A key claimed before may have been sent by a worker on this machine that then died
    // before recording it: every journal here is read for it.
    const journaled = claimed.attempts > 1 ? this.journal.acceptedAnywhere(claimed.key) : this.journal.acceptedButUnrecorded(claimed.key);
    if (journaled !== undefined) {
      await this.recordSent(claimed, journaled);
      return { outcome: 'already_sent' };
    }
    this.inConversation.add(claimed.key);
    try {
      return await this.converse(claimed, mail);
    } finally {
      this.inConversation.delete(claimed.key);
    }
  }

  private async converse(claimed: Claim, mail: OutgoingMail): Promise<SendOutcome> {
    // The claim renewed for this conversation (deliveries of one job's claims go one after
    // another). Gone: it was taken over (its lease lapsed, or it was abandoned here and another
    // job of this process took it; the attempt count tells), or settled.
    const [, renewed] = (await this.dataSource.query(
      `UPDATE notifications SET claimed_at = clock_timestamp() WHERE id = $1 AND status IN ('sending', 'failed') AND attempts = $2 AND claimed_by = $3`,
      [claimed.id, claimed.attempts, CLAIMANT],
    )) as [unknown[], number];
    if (renewed === 0) return { outcome: 'already_sent' };
    let messageId: string;
    try {
      messageId = (await this.mailer.send({ ...mail, messageId: messageIdFor(claimed.key) })).messageId;
    } catch (error) {
      const failure = error instanceof MailDeliveryError ? error : new MailDeliveryError(String(error), false, null, null);
      metrics.emailFailures.inc({ permanent: String(failure.permanent) });
      // If PostgreSQL is away this throws and the job is retried: nothing was accepted.
      // Only this claim's row: one taken over meanwhile is its new claimant's to settle.
      // The claim ends with the conversation: the next job to come may try again at once.
      await this.dataSource.query(
        `UPDATE notifications SET status = 'failed', last_error = $2, claimed_at = NULL WHERE id = $1 AND status IN ('sending', 'failed') AND attempts = $3 AND claimed_by = $4`,
        [claimed.id, failure.message.slice(0, 2000), claimed.attempts, CLAIMANT],
      );
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
