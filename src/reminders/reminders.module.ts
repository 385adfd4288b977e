import { Module } from '@nestjs/common';
import { MailModule } from './mail/mail.module';
import { NotificationLedger } from './notification-ledger';
import { SendMeetingInvitationJob } from './meeting-invitations.job';
import { ReminderScheduler } from './reminder-scheduler';
import { ReminderLoops } from './reminder-loops';
import { SendDigestsJob } from './send-digests.job';
import { SendReminderJob } from './send-reminder.job';

export const REMINDER_JOB_HANDLERS = [SendReminderJob, SendMeetingInvitationJob, SendDigestsJob];

/** The worker's side of reminders: outbox relay, planning and dispatch, sending, daily digests. */
@Module({
  imports: [MailModule],
  providers: [NotificationLedger, ReminderScheduler, ReminderLoops, ...REMINDER_JOB_HANDLERS],
  exports: [ReminderScheduler, ReminderLoops, NotificationLedger, ...REMINDER_JOB_HANDLERS],
})
export class RemindersModule {}
