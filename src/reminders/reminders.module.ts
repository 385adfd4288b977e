import { Module } from '@nestjs/common';
import { MailModule } from './mail/mail.module';
import { NotificationLedger } from './notification-ledger';
import { SendMeetingInvitationJob } from './meeting-invitations.job';
import { ReconcileRemindersJob, RelayOutboxJob } from './reminder-maintenance.jobs';
import { ReminderScheduler } from './reminder-scheduler';
import { ReminderSchedules } from './reminder-schedules';
import { SendDigestsJob } from './send-digests.job';
import { SendReminderJob } from './send-reminder.job';

export const REMINDER_JOB_HANDLERS = [SendReminderJob, RelayOutboxJob, ReconcileRemindersJob, SendMeetingInvitationJob, SendDigestsJob];

/** The worker's side of reminders: outbox relay, reconciler, sending, daily digests. */
@Module({
  imports: [MailModule],
  providers: [NotificationLedger, ReminderScheduler, ReminderSchedules, ...REMINDER_JOB_HANDLERS],
  exports: [ReminderScheduler, ...REMINDER_JOB_HANDLERS],
})
export class RemindersModule {}
