import { DataSource } from 'typeorm';

export interface ReminderFlow {
  /** Reminders whose time has come and that are not finished (sent, queued for a digest, or found not owed). */
  owed: number;
  /** How long the longest-waiting of them has been owed and unfinished, in seconds (from its first hand-over to BullMQ, or its time if never handed over). */
  oldestOwedSeconds: number;
  /** Outbox rows (deadline changes, meeting invitations) not yet processed. */
  outboxPending: number;
  oldestOutboxSeconds: number;
  /** Notifications that failed and are still being retried or finally failed, on clocks still open. */
  failed: number;
}

/** What readiness and metrics say about reminders, read from PostgreSQL (so the API can say it too). */
export async function reminderFlow(dataSource: DataSource, now: Date): Promise<ReminderFlow> {
  const [r] = await dataSource.query(
    `SELECT count(*)::int AS n, min(COALESCE(reminder_handed_at, next_reminder_at)) AS oldest
       FROM deadlines WHERE status = 'open' AND next_reminder_at <= $1`,
    [now],
  );
  const [o] = await dataSource.query(`SELECT count(*)::int AS n, min(created_at) AS oldest FROM outbox WHERE processed_at IS NULL`);
  const [f] = await dataSource.query(
    `SELECT count(*)::int AS n FROM notifications n JOIN deadlines d ON d.id = n.deadline_id
      WHERE n.status = 'failed' AND d.status = 'open'`,
  );
  const age = (d: Date | null) => (d ? Math.max(0, Math.round((now.getTime() - new Date(d).getTime()) / 1000)) : 0);
  return { owed: r.n, oldestOwedSeconds: age(r.oldest), outboxPending: o.n, oldestOutboxSeconds: age(o.oldest), failed: f.n };
}

/** Null when reminders flow; otherwise why not, in words. */
export function reminderStall(flow: ReminderFlow, stalledAfterMs: number): string | null {
  const limit = Math.round(stalledAfterMs / 1000);
  if (flow.oldestOwedSeconds > limit) {
    return `reminders are not flowing: ${flow.owed} owed, the oldest unfinished for ${flow.oldestOwedSeconds} s (limit ${limit} s)`;
  }
  if (flow.oldestOutboxSeconds > limit) {
    return `reminders are not flowing: ${flow.outboxPending} outbox rows unprocessed, the oldest for ${flow.oldestOutboxSeconds} s (limit ${limit} s)`;
  }
  return null;
}
