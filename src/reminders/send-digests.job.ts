import { imrAuthorEmails, reminderLink } from './reminder-link';
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import type { ConcernedPerson } from '../deadlines/deadline.entity';
import { londonDateOf } from '../deadlines/rules';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { ROOT_LOGGER } from '../infrastructure/logging/logging.module';
import type { Logger } from '../infrastructure/logging/root-logger';
import { JobHandler } from '../infrastructure/queue/job-handler';
import { DigestItem, renderDigestEmail } from './mail/digest-email';
import { Mailer, MailDeliveryError } from './mail/mailer';
import { assertNoRealNames, ReminderKind } from './mail/reminder-email';
import { dueAtOfReminderKey } from './send-reminder.job';
import { messageIdFor } from './notification-ledger';

interface QueuedRow {
  id: string;
  key: string;
  slot: string;
  recipient: string;
  reviewId: string;
  deadlineId: string | null;
  deadlineStatus: string | null;
  dueAt: Date | null;
  kind: string | null;
  subjectId: string | null;
  title: string | null;
  concerns: ConcernedPerson[] | null;
  reference: string;
}

export interface DigestRunResult {
  /** Digest emails sent. */
  digests: number;
  /** Queued reminders those digests carried. */
  items: number;
  /** Queued reminders settled without an email: their deadline closed or moved first. */
  dropped: number;
  /** Recipients who already had today's digest (a re-run); their queue waits for tomorrow. */
  alreadySent: number;
}

interface RecipientResult extends DigestRunResult {
  failure?: MailDeliveryError;
}

/**
 * The daily digest (09:30 Europe/London, see reminder-schedules.ts): for each address with
 * reminders queued for it (SendReminderJob queues them for people who chose daily_digest),
 * one email listing them all, one entry per deadline.
 *
 * - The database decides, as for reminders: a queued reminder whose deadline is no longer open
 *   (met, waived, paused by a hold, cancelled), or whose due time has moved since (new
 *   reminders follow for the new time), is left out and marked `sent` with `digest_sent_at`
 *   but no `message_id` and no `sent_at`: settled, no email. Nothing is gained by telling
 *   someone about work that is done, and marking it keeps it from being carried for ever.
 * - At most one digest per address per London date: a run finds today's digest already sent
 *   (a `sent` row with `digest_sent_at` today and a `message_id`) and sends nothing; what was
 *   queued after it waits for tomorrow's. Each address is handled in one transaction holding
 *   an advisory lock on the address and the queued rows, so two runs at once cannot both send;
 *   the rows are marked only if the SMTP server accepted the message. A crash between the
 *   server accepting and the commit sends the digest again on the retried job, with the same
 *   Message-ID (derived from the address and date), as for reminders.
 * - A transient SMTP failure leaves the reminders queued with the error, and the job throws so
 *   BullMQ retries it with backoff; a permanent one marks them `failed` with the reason
 *   (visible in GET /reviews/:id/notifications).
 */
@Injectable()
export class SendDigestsJob implements JobHandler<'reminders'> {
  readonly queue = 'reminders' as const;
  readonly job = 'send-digests' as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async handle(_job?: Job): Promise<DigestRunResult> {
    const now = this.clock.now();
    const date = londonDateOf(now);
    const recipients: Array<{ recipient: string }> = await this.dataSource.query(
      `SELECT DISTINCT lower(recipient) AS recipient FROM notifications WHERE status = 'queued' ORDER BY 1`,
    );
    const total: DigestRunResult = { digests: 0, items: 0, dropped: 0, alreadySent: 0 };
    let transient: MailDeliveryError | null = null;
    let unexpected: unknown = null;
    for (const { recipient } of recipients) {
      try {
        const result = await this.dataSource.transaction((manager) => this.digestFor(manager, recipient, now, date));
        total.digests += result.digests;
        total.items += result.items;
        total.dropped += result.dropped;
        total.alreadySent += result.alreadySent;
        if (result.failure && !result.failure.permanent) transient ??= result.failure;
      } catch (error) {
        // One address's problem (a real name in the email, say) does not hold up the others.
        this.logger.error({ err: error instanceof Error ? error.message : String(error), date }, 'daily digest not sent');
        unexpected ??= error;
      }
    }
    if (unexpected) throw unexpected;
    if (transient) throw transient;
    return total;
  }

  private async digestFor(manager: EntityManager, recipient: string, now: Date, date: string): Promise<RecipientResult> {
    const result: RecipientResult = { digests: 0, items: 0, dropped: 0, alreadySent: 0 };
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`dhr-digest|${recipient}`]);
    const [already] = await manager.query(
      `SELECT 1 FROM notifications
        WHERE lower(recipient) = $1 AND status = 'sent' AND message_id IS NOT NULL
          AND digest_sent_at IS NOT NULL AND (digest_sent_at AT TIME ZONE 'Europe/London')::date = $2::date
        LIMIT 1`,
      [recipient, date],
    );
    if (already) return { ...result, alreadySent: 1 };

    const rows: QueuedRow[] = await manager.query(
      `SELECT n.id, n.idempotency_key AS key, n.slot, n.recipient, n.review_id AS "reviewId", n.deadline_id AS "deadlineId",
              d.status AS "deadlineStatus", d.due_at AS "dueAt", d.kind, d.subject_id AS "subjectId", d.title, d.concerns, r.reference
         FROM notifications n
         JOIN reviews r ON r.id = n.review_id
         LEFT JOIN deadlines d ON d.id = n.deadline_id
        WHERE n.status = 'queued' AND lower(n.recipient) = $1
        ORDER BY n.created_at, n.id
        FOR UPDATE OF n`,
      [recipient],
    );
    const live = rows.filter(
      (row) => row.deadlineStatus === 'open' && row.dueAt !== null && dueAtOfReminderKey(row.key) === row.dueAt.toISOString(),
    );
    const stale = rows.filter((row) => !live.includes(row));
    if (stale.length > 0) {
      await manager.query(`UPDATE notifications SET status = 'sent', digest_sent_at = $2, last_error = NULL WHERE id = ANY($1::uuid[])`, [
        stale.map((r) => r.id),
        now,
      ]);
      result.dropped = stale.length;
    }
    if (live.length === 0) return result;

    const reviewIds = [...new Set(live.map((r) => r.reviewId))];
    const people: Array<{ reviewId: string; pseudonym: string; realName: string }> = await manager.query(
      `SELECT review_id AS "reviewId", pseudonym, real_name AS "realName" FROM people WHERE review_id = ANY($1::uuid[]) ORDER BY created_at`,
      [reviewIds],
    );
    const byDeadline = new Map<string, QueuedRow[]>();
    for (const row of live) byDeadline.set(row.deadlineId!, [...(byDeadline.get(row.deadlineId!) ?? []), row]);
    const base = this.config.http.publicBaseUrl.replace(/\/$/, '');
    // As a single reminder's: an IMR's author goes straight to its upload page (reminder-link.ts).
    const links = new Map<string, string>();
    for (const group of byDeadline.values()) {
      const { reviewId, kind, subjectId, deadlineId } = group[0];
      const toAuthor = kind === 'imr_due' && !!subjectId && (await imrAuthorEmails(manager, reviewId, subjectId)).has(recipient);
      links.set(deadlineId!, reminderLink(base, reviewId, kind ?? '', subjectId, toAuthor));
    }
    const items: DigestItem[] = [...byDeadline.values()].map((group) => ({
      reviewReference: group[0].reference,
      pseudonyms: people.filter((p) => p.reviewId === group[0].reviewId).map((p) => p.pseudonym),
      kind: group[0].kind as ReminderKind,
      what: group[0].title!,
      dueAt: group[0].dueAt!.toISOString(),
      slots: group.map((r) => r.slot),
      link: links.get(group[0].deadlineId!)!,
    }));
    const named = live.flatMap((r) => r.concerns ?? []).find((p) => p.email?.toLowerCase() === recipient && p.name.trim());
    const email = renderDigestEmail({ recipientName: named?.name ?? recipient, sentAt: now.toISOString(), items });
    assertNoRealNames(email, people.map((p) => p.realName));

    const ids = live.map((r) => r.id);
    const digestKey = `digest|${recipient}|${date}`;
    try {
      const messageId = messageIdFor(digestKey);
      const sent = await this.mailer.send({ to: live[0].recipient, ...email, messageId, headers: { 'X-DHR-Digest': digestKey } });
      await manager.query(
        `UPDATE notifications SET status = 'sent', sent_at = $2, digest_sent_at = $2, message_id = $3, attempts = attempts + 1, last_error = NULL
          WHERE id = ANY($1::uuid[])`,
        [ids, now, sent.messageId],
      );
      return { ...result, digests: 1, items: live.length };
    } catch (error) {
      const failure = error instanceof MailDeliveryError ? error : new MailDeliveryError(String(error), false, null, null);
      await manager.query(
        `UPDATE notifications SET status = CASE WHEN $3 THEN 'failed' ELSE 'queued' END, attempts = attempts + 1, last_error = $2
          WHERE id = ANY($1::uuid[])`,
        [ids, failure.message.slice(0, 2000), failure.permanent],
      );
      return { ...result, failure };
    }
  }
}
