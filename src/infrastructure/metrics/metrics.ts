import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics (prom-client). Counters and histograms are updated where
 * the work happens; gauges of the backlog are read from PostgreSQL and Redis on each scrape
 * (WorkerHealthServer).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'dhr_process_' });

export const metrics = {
  remindersDispatched: new Counter({
    name: 'dhr_reminders_dispatched_total',
    help: 'Reminders handed to BullMQ by the dispatcher (a reminder handed over again after the lease counts again).',
    registers: [registry],
  }),
  emailsSent: new Counter({
    name: 'dhr_emails_sent_total',
    help: 'Emails SMTP accepted, by kind (reminder, invitation, digest).',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  emailFailures: new Counter({
    name: 'dhr_email_failures_total',
    help: 'Sends SMTP refused or could not take, by whether the failure is permanent.',
    labelNames: ['permanent'] as const,
    registers: [registry],
  }),
  reminderLateness: new Histogram({
    name: 'dhr_reminder_lateness_seconds',
    help: 'From the time a reminder was owed to SMTP accepting it.',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 86400],
    registers: [registry],
  }),
};
