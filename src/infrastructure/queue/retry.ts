import type { AppConfig } from '../config/app-config';

/** The backoff type of sends that retry for as long as they are owed (see cappedBackoff). */
export const CAPPED_BACKOFF = 'capped';

/**
 * Job options of a send that is retried for as long as it matters: with no practical limit on
 * attempts, at a growing interval. The job itself decides when it no longer matters (a
 * reminder no longer owed, a meeting that has begun) and then finishes without sending; so a
 * send is never given up on in silence while its reminder is owed, however long SMTP is away.
 */
export const RETRY_WHILE_OWED = { attempts: 1_000_000, backoff: { type: CAPPED_BACKOFF } } as const;

/**
 * BullMQ's custom backoff: REMINDER_RETRY_FIRST_MS, doubled at each attempt up to
 * REMINDER_RETRY_MAX_MS, less up to a tenth at random so that sends that failed together do
 * not all come back at the same instant.
 */
export function cappedBackoff(settings: AppConfig['reminders'], random: () => number = Math.random) {
  return (attemptsMade: number): number => {
    const exponent = Math.min(Math.max(attemptsMade - 1, 0), 40);
    const wait = Math.min(settings.retryFirstMs * 2 ** exponent, settings.retryMaxMs);
    return Math.round(wait * (1 - 0.1 * random()));
  };
}
