/**
 * Every queue and the job names it carries. Each job name has exactly one handler in the
 * worker; the worker refuses to start otherwise.
 */
export const QUEUES = {
  maintenance: ['heartbeat', 'purge-sessions'],
  reminders: ['send-reminder', 'send-meeting-invitation', 'send-digests'],
} as const;

export type QueueName = keyof typeof QUEUES;
export type JobName<Q extends QueueName> = (typeof QUEUES)[Q][number];

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];
