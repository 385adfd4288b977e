import { z } from 'zod';
import { calendarDate, pastDate, text } from '../../infrastructure/http/validation';

export const addActionSchema = z
  .object({
    description: text(4000),
    owner: text(300),
    targetDate: calendarDate().optional(),
    measureOfSuccess: text(2000).optional(),
    /** The key milestones in enacting it (the Home Office action plan's column). */
    milestones: text(4000).optional(),
  })
  .strict();

/** Progress and corrections; completion has its own endpoint (it needs evidence). */
export const updateActionSchema = z
  .object({
    status: z.enum(['not_started', 'in_progress'], {
      errorMap: () => ({ message: "must be not_started or in_progress (use POST .../complete to record completion)" }),
    }),
    targetDate: calendarDate().nullable(),
    owner: text(300),
    description: text(4000),
    measureOfSuccess: text(2000).nullable(),
    milestones: text(4000).nullable(),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one of status, targetDate, owner, description, measureOfSuccess, milestones' });

export function completeActionSchema(today: () => string) {
  return z.object({ completedOn: pastDate(today), evidence: text(4000) }).strict();
}
