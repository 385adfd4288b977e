import type { Job } from 'bullmq';
import { JobName, QueueName } from './queues';

/** One handler per (queue, job name). Handlers must be idempotent: delivery is at-least-once. */
export interface JobHandler<Q extends QueueName = QueueName> {
  readonly queue: Q;
  readonly job: JobName<Q>;
  handle(job: Job): Promise<unknown>;
}

/**
 * Checks that every declared job has exactly one handler and every handler a declared job,
 * so a typo is a start-up failure rather than jobs that silently never run.
 */
export function indexHandlers(
  declared: Record<string, readonly string[]>,
  handlers: JobHandler[],
): Map<string, Map<string, JobHandler>> {
  const problems: string[] = [];
  const index = new Map<string, Map<string, JobHandler>>();
  for (const handler of handlers) {
    if (!declared[handler.queue]?.includes(handler.job)) {
      problems.push(`handler for undeclared job ${handler.queue}/${handler.job}`);
      continue;
    }
    const byJob = index.get(handler.queue) ?? new Map<string, JobHandler>();
    if (byJob.has(handler.job)) problems.push(`two handlers for ${handler.queue}/${handler.job}`);
    byJob.set(handler.job, handler);
    index.set(handler.queue, byJob);
  }
  for (const [queue, jobs] of Object.entries(declared)) {
    for (const job of jobs) {
      if (!index.get(queue)?.has(job)) problems.push(`no handler for ${queue}/${job}`);
    }
  }
  if (problems.length > 0) throw new Error(`Job handlers do not match the declared jobs: ${problems.join('; ')}`);
  return index;
}
