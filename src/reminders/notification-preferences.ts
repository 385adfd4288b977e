import { EntityManager } from 'typeorm';
import { DEFAULT_NOTIFICATION_MODE, NotificationMode } from './notification-preference.entity';

/** Addresses are compared and stored lower-case. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Each address's reminder mode (no row: immediate), keyed by the lower-cased address. */
export async function notificationModes(manager: EntityManager, emails: string[]): Promise<Map<string, NotificationMode>> {
  const wanted = [...new Set(emails.map(normaliseEmail))];
  const modes = new Map<string, NotificationMode>(wanted.map((e) => [e, DEFAULT_NOTIFICATION_MODE]));
  if (wanted.length === 0) return modes;
  const rows: Array<{ email: string; mode: NotificationMode }> = await manager.query(
    `SELECT email, mode FROM notification_preferences WHERE email = ANY($1::varchar[])`,
    [wanted],
  );
  for (const row of rows) modes.set(row.email, row.mode);
  return modes;
}
