import { z } from 'zod';
import { calendarDate, pastDate, text, uuid } from '../../infrastructure/http/validation';
import { IMR_KINDS } from '../entities';

export function commissionImrSchema(today: () => string) {
  return z
    .object({
      agencyId: uuid('agency id'),
      kind: z.enum(IMR_KINDS),
      authorName: text(200).optional(),
      requestedOn: pastDate(today),
      dueOn: calendarDate(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.dueOn <= v.requestedOn) ctx.addIssue({ code: 'custom', path: ['dueOn'], message: 'must be after requestedOn' });
    });
}

/**
 * IMRs from several agencies at once, with one request date and one due date: one IMR per
 * agency, in one transaction (all or none). An agency chosen twice is refused, naming it.
 */
export function commissionImrsSchema(today: () => string) {
  return z
    .object({
      agencyIds: z.array(uuid('agency id')).min(1, 'choose at least one agency').max(100),
      kind: z.enum(IMR_KINDS),
      authorName: text(200).optional(),
      requestedOn: pastDate(today),
      dueOn: calendarDate(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.dueOn <= v.requestedOn) ctx.addIssue({ code: 'custom', path: ['dueOn'], message: 'must be after requestedOn' });
      v.agencyIds.forEach((id, i) => {
        if (v.agencyIds.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['agencyIds', i], message: 'is chosen twice' });
      });
    });
}

export function extendImrSchema(today: () => string) {
  return z.object({ newDueOn: calendarDate(), reason: text(2000), grantedOn: pastDate(today) }).strict();
}

export function receiveImrSchema(today: () => string) {
  return z.object({ receivedOn: pastDate(today) }).strict();
}

export function qualityCheckImrSchema(today: () => string) {
  return z.object({ checkedOn: pastDate(today) }).strict();
}

export function signOffImrSchema(today: () => string) {
  return z.object({ signedOffBy: text(200), signedOffOn: pastDate(today) }).strict();
}

export const waiveImrSchema = z.object({ reason: text(2000) }).strict();

/**
 * Sending the IMR (or short report) through the service: a multipart form of the files alone,
 * `report` (required) and `chronology` (optional); any text field is refused.
 */
export const submitImrFieldsSchema = z.object({}).strict();

/** The chair confirms the agency's upload: received on the day it was uploaded, unless they say otherwise. */
export function confirmImrSubmissionSchema(today: () => string) {
  return z.object({ receivedOn: pastDate(today).optional() }).strict();
}

/** The chair sends the upload back: what the agency must change (required). */
export const sendBackImrSubmissionSchema = z.object({ comments: text(4000) }).strict();
