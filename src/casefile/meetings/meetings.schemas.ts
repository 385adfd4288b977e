import { z } from 'zod';
import { dateTime, pastDate, text, uuid } from '../../infrastructure/http/validation';
import { ATTENDANCE_STATUSES } from '../entities';

export const MEETING_LIMITS = { location: 500, onlineLink: 2048, agenda: 10_000, minutes: 50_000, decisions: 20_000, reason: 2000 };

/** An instant with its offset, as a meeting is fixed in time (e.g. 2026-03-01T10:00:00+00:00). */
const instant = () => dateTime('must be an ISO date-time with an offset (e.g. 2026-03-01T10:00:00Z)');

const onlineLink = () =>
  z
    .string()
    .trim()
    .max(MEETING_LIMITS.onlineLink, `must be at most ${MEETING_LIMITS.onlineLink} characters`)
    .url('must be a URL')
    .refine((v) => /^https?:\/\//i.test(v), 'must be an http or https URL');

/** Who attended and who sent apologies. */
const attendance = () =>
  z
    .array(
      z
        .object({ name: text(200), agencyId: uuid('agency id').optional(), status: z.enum(ATTENDANCE_STATUSES) })
        .strict(),
    )
    .max(100, 'must list at most 100 people');

/** The IMRs considered (ids of this review's IMRs, each once). */
const imrIds = () =>
  z
    .array(uuid('IMR id'))
    .max(100, 'must list at most 100 IMRs')
    .superRefine((ids, ctx) => {
      ids.forEach((id, i) => {
        if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [i], message: 'is listed twice' });
      });
    });

export function scheduleMeetingSchema(today: () => string) {
  return z
    .object({
      startsAt: instant(),
      location: text(MEETING_LIMITS.location).optional(),
      onlineLink: onlineLink().optional(),
      agenda: text(MEETING_LIMITS.agenda).optional(),
      papersCirculatedOn: pastDate(today).optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.location === undefined && v.onlineLink === undefined) {
        ctx.addIssue({ code: 'custom', path: ['location'], message: 'a location or an onlineLink is required' });
      }
    });
}

/** Reschedule or update a meeting that is still scheduled; null clears an optional field. */
export function updateMeetingSchema(today: () => string) {
  return z
    .object({
      startsAt: instant().optional(),
      location: text(MEETING_LIMITS.location).nullable().optional(),
      onlineLink: onlineLink().nullable().optional(),
      agenda: text(MEETING_LIMITS.agenda).nullable().optional(),
      papersCirculatedOn: pastDate(today).nullable().optional(),
      attendance: attendance().optional(),
      imrIds: imrIds().optional(),
    })
    .strict()
    .refine((v) => Object.keys(v).length > 0, { path: ['body'], message: 'must change at least one field' });
}

export const holdMeetingSchema = z
  .object({
    minutes: text(MEETING_LIMITS.minutes).optional(),
    decisions: text(MEETING_LIMITS.decisions).optional(),
    imrIds: imrIds().optional(),
    attendance: attendance().optional(),
  })
  .strict();

export const cancelMeetingSchema = z.object({ reason: text(MEETING_LIMITS.reason) }).strict();
