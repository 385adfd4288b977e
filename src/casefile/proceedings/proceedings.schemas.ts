import { z } from 'zod';
import { calendarDate, pastDate, text } from '../../infrastructure/http/validation';
import { PROCEEDING_STATUSES, PROCEEDING_TYPES } from '../entities';

/** Charge, first hearing, trial listed, verdict, inquest opened... A listed date may be ahead. */
const keyDates = () =>
  z.array(z.object({ label: text(200), date: calendarDate() }).strict()).max(50, 'must list at most 50 dates');

export const recordProceedingSchema = z
  .object({
    type: z.enum(PROCEEDING_TYPES),
    status: z.enum(PROCEEDING_STATUSES),
    description: text(5000).optional(),
    keyDates: keyDates().optional(),
  })
  .strict();

/** Description and key dates (the status has its own route, because the lifecycle reads it). */
export const updateProceedingSchema = z
  .object({ description: text(5000).nullable().optional(), keyDates: keyDates().optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { path: ['body'], message: 'must change description or keyDates' });

export function changeProceedingStatusSchema(today: () => string) {
  return z.object({ status: z.enum(PROCEEDING_STATUSES), on: pastDate(today) }).strict();
}
