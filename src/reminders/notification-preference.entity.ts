import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export const NOTIFICATION_MODES = ['immediate', 'daily_digest'] as const;
export type NotificationMode = (typeof NOTIFICATION_MODES)[number];

/** No row for an address means this. */
export const DEFAULT_NOTIFICATION_MODE: NotificationMode = 'immediate';

/**
 * How a person wants their deadline reminders: each at once, or gathered into one email a day
 * (09:30 UK time, after that morning's 09:00 reminders are queued). Keyed by email address, stored lower-case, because reminders are addressed
 * to the emails recorded on the case file and there are no user accounts yet. When user
 * accounts land (the access-control issue), this preference moves onto the user (keyed by the
 * user's id, with the address as one of the user's attributes).
 */
@Entity({ name: 'notification_preferences' })
@Check('CHK_notification_preferences_mode', `"mode" IN ('immediate', 'daily_digest')`)
@Check('CHK_notification_preferences_email_lower', `"email" = lower("email")`)
export class NotificationPreference {
  @PrimaryColumn({ type: 'varchar', length: 320, primaryKeyConstraintName: 'PK_notification_preferences' })
  email!: string;

  @Column({ type: 'varchar', length: 20 })
  mode!: NotificationMode;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Who made the choice (the X-Actor of the request, until sign-in lands). */
  @Column({ name: 'updated_by', type: 'varchar', length: 200 })
  updatedBy!: string;
}
