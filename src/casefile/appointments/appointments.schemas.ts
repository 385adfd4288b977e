import { z } from 'zod';
import { dateTime, pastDate, text } from '../../infrastructure/http/validation';
import { APPOINTMENT_ROLES } from '../entities';

const email = z.string().trim().max(320, 'must be at most 320 characters').email('must be an email address');

export function appointSchema(today: () => string) {
  return z
    .object({
      role: z.enum(APPOINTMENT_ROLES),
      name: text(200),
      organisation: text(200),
      email: email.optional(),
      appointedOn: pastDate(today),
      /** Given here, the independence declaration is recorded with the appointment. */
      independenceStatement: text(5000).optional(),
    })
    .strict();
}

/** `declaredAt` (ISO 8601 with offset) defaults to now; it cannot be in the future (checked by the service). */
export const declareIndependenceSchema = z
  .object({
    statement: text(5000),
    declaredAt: dateTime('must be a date-time such as 2026-02-01T10:00:00Z').optional(),
  })
  .strict();

export function endAppointmentSchema(today: () => string) {
  return z.object({ endedOn: pastDate(today) }).strict();
}
