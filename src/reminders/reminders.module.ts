import { Module } from '@nestjs/common';
import { MailModule } from './mail/mail.module';
import { SendMeetingInvitationJob } from './meeting-invitations.job';
import { ReconcileRemindersJob, RelayOutboxJob } from './reminder-maintenance.jobs';
import { ReminderScheduler } from './reminder-scheduler';
import { ReminderSchedules } from './reminder-schedules';
import { SendReminderJob } from './send-reminder.job';

export const REMINDER_JOB_HANDLERS = [SendReminderJob, RelayOutboxJob, ReconcileRemindersJob, SendMeetingInvitationJob];

/** The worker's side of reminders: outbox relay, reconciler, sending. */
@Module({
  imports: [MailModule],
  providers: [ReminderScheduler, ReminderSchedules, ...REMINDER_JOB_HANDLERS],
  exports: [ReminderScheduler, ...REMINDER_JOB_HANDLERS],
})
export class RemindersModule {}
