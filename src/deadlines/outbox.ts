import { EntityManager } from 'typeorm';
import { OutboxMessage } from './outbox.entity';

/** Topics of work the worker picks up from the outbox after the writing transaction commits. */
export const OUTBOX_TOPICS = {
  /** A deadline's reminders must be (re)scheduled or removed. */
  reminderSync: 'reminders.sync',
  /** A panel meeting was scheduled, moved or cancelled: send calendar invitations. */
  meetingInvitation: 'meetings.invitation',
} as const;

export interface MeetingInvitationMessage {
  meetingId: string;
  /** The meeting's version minus one: iCalendar SEQUENCE, 0 for the first invitation. */
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
}

export async function queueMeetingInvitation(manager: EntityManager, message: MeetingInvitationMessage): Promise<void> {
  await manager.save(manager.create(OutboxMessage, { topic: OUTBOX_TOPICS.meetingInvitation, payload: { ...message } }));
}
