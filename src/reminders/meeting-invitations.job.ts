import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { PanelMeeting } from '../casefile/entities';
import type { MeetingInvitationMessage } from '../deadlines/outbox';
import { OutboxMessage } from '../deadlines/outbox.entity';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { JobHandler } from '../infrastructure/queue/job-handler';
import { Review } from '../reviews/review.entity';
import { MailDeliveryError } from './mail/mailer';
import { ClaimHeldElsewhere, NotificationLedger } from './notification-ledger';
import { buildMeetingInvitation } from './mail/meeting-invitation';
import { londonLongDate, londonTime } from './mail/reminder-email';

/** Meetings have no end time in the record: invitations block out two hours. */
export const MEETING_LENGTH_MS = 2 * 60 * 60 * 1000;

/**
 * Sends the iCalendar invitation (or update, or cancellation) for a panel meeting to the chair
 * and every panel member with an email address. A REQUEST for an older version of the meeting
 * is stale (a newer one follows); each (meeting, sequence, person) is sent at most once.
 */
@Injectable()
export class SendMeetingInvitationJob implements JobHandler<'reminders'> {
  readonly queue = 'reminders' as const;
  readonly job = 'send-meeting-invitation' as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: NotificationLedger,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Transient SMTP failures throw (as does an invitation another worker is sending now), and
   * BullMQ retries at a growing interval (RETRY_WHILE_OWED) until the meeting begins; then it is
   * no longer worth sending. When the job has finished, its
   * outbox row is processed (one relayed and never finished is relayed again).
   */
  async handle(job: Job<MeetingInvitationMessage & { outboxId?: string }>): Promise<{ sent: number; skipped?: string }> {
    const result = await this.send(job.data);
    if (job.data.outboxId) {
      await this.dataSource.manager.update(OutboxMessage, { id: job.data.outboxId }, { processedAt: this.clock.now() });
    }
    return result;
  }

  private async send({ meetingId, sequence, method }: MeetingInvitationMessage): Promise<{ sent: number; skipped?: string }> {
    const meeting = await this.dataSource.manager.findOne(PanelMeeting, { where: { id: meetingId } });
    if (!meeting) return { sent: 0, skipped: 'no such meeting' };
    if (method === 'REQUEST' && (meeting.status !== 'scheduled' || meeting.version - 1 !== sequence)) {
      return { sent: 0, skipped: 'superseded' };
    }
    if (meeting.startsAt.getTime() <= this.clock.now().getTime()) return { sent: 0, skipped: 'the meeting has begun' };
    const review = await this.dataSource.manager.findOneOrFail(Review, { where: { id: meeting.reviewId } });
    const attendees: Array<{ name: string; email: string }> = await this.dataSource.query(
      `SELECT DISTINCT ON (lower(email)) name, email FROM (
         SELECT name, email, 0 AS ord FROM appointments WHERE review_id = $1 AND role = 'chair' AND ended_on IS NULL AND email IS NOT NULL
         UNION ALL
         SELECT name, email, 1 FROM panel_members WHERE review_id = $1 AND left_on IS NULL AND email IS NOT NULL
       ) people ORDER BY lower(email), ord`,
      [review.id],
    );
    const link = `${this.config.http.publicBaseUrl.replace(/\/$/, '')}/cases/${review.id}`;
    const invitation = buildMeetingInvitation({
      meetingId,
      sequence,
      method,
      reviewReference: review.reference,
      startsAt: meeting.startsAt,
      endsAt: new Date(meeting.startsAt.getTime() + MEETING_LENGTH_MS),
      location: meeting.location,
      url: meeting.onlineLink ?? link,
      organizer: this.config.mail.from,
      attendees,
    });
    const when = `${londonLongDate(meeting.startsAt)}, ${londonTime(meeting.startsAt)}`;
    const subject = `[${review.reference}] ${method === 'CANCEL' ? 'Cancelled: panel meeting' : sequence === 0 ? 'Panel meeting' : 'Updated: panel meeting'} on ${when}`;
    const where = meeting.location ?? meeting.onlineLink ?? '';
    const text = `${subject}\n\n${method === 'CANCEL' ? 'This meeting has been cancelled.' : `Where: ${where}`}\n\nDetails: ${link}\n`;
    const html = `<p>${escapeHtml(subject)}</p><p>${method === 'CANCEL' ? 'This meeting has been cancelled.' : `Where: ${escapeHtml(where)}`}</p><p><a href="${escapeHtml(link)}">Open the review</a></p>`;
    const slot = `${method === 'CANCEL' ? 'cancellation' : 'invitation'}-${sequence}`;
    let sent = 0;
    let transient: MailDeliveryError | null = null;
    let heldElsewhere = 0;
    for (const person of attendees) {
      const key = `meeting|${meetingId}|${sequence}|${method}|${person.email.toLowerCase()}`;
      const result = await this.ledger.sendOnce(
        { key, reviewId: review.id, deadlineId: null, slot, recipient: person.email },
        { to: person.email, subject, text, html, icalEvent: { method, content: invitation.content } },
      );
      if (result.outcome === 'sent') sent += 1;
      if (result.outcome === 'held') heldElsewhere += 1;
      if (result.outcome === 'failed' && !result.error.permanent) transient = result.error;
    }
    if (transient) throw transient;
    if (heldElsewhere > 0) throw new ClaimHeldElsewhere(heldElsewhere);
    return { sent };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
