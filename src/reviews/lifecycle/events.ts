/**
 * The lifecycle events as the API receives them, with their zod schemas.
 *
 * A client sends the payload (`type` plus the fields below). Every event carries the date it
 * happened, in the field WHEN_FIELD names (`occurredAt` for events with no date of their own),
 * defaulting to now and never in the future. The server validates it with `parseReviewEvent`,
 * then adds `at` (the instant it happened: `effectiveInstant` of that field), `recordedAt`
 * (its own "now") and `facts` (computed from the case file) to make a `ReviewEvent`, which is
 * what the machine consumes.
 */
import { z } from 'zod';
import { DECISION_OUTCOMES, HOLD_REASONS, QA_OUTCOMES } from './review-context';
import type { ReviewFacts } from './review-facts';

export const REVIEW_EVENT_TYPES = [
  'DECIDE',
  'NOTIFY_HOME_OFFICE',
  'DIRECT_REVIEW',
  'AGREE_TERMS_OF_REFERENCE',
  'BEGIN_DRAFTING',
  'AGREE_REPORT',
  'RAG_APPROVE',
  'RAG_RETURN',
  'SUBMIT_TO_HOME_OFFICE',
  'RECORD_QA_OUTCOME',
  'PUBLISH',
  'CLOSE',
  'PLACE_ON_HOLD',
  'RESUME',
  'WITHDRAW',
  'RECORD_HOME_OFFICE_AGREEMENT',
  'REOPEN',
] as const;
export type ReviewEventType = (typeof REVIEW_EVENT_TYPES)[number];

export function isReviewEventType(value: unknown): value is ReviewEventType {
  return typeof value === 'string' && (REVIEW_EVENT_TYPES as readonly string[]).includes(value);
}

/** Bounds on free text (characters, after trimming). */
export const TEXT_LIMITS = {
  rationale: 10_000,
  comments: 10_000,
  notes: 10_000,
  detail: 5_000,
  reason: 5_000,
  note: 5_000,
  jointWith: 500,
  url: 2_048,
} as const;

/**
 * A fact date may be written this far ahead of the server clock before it
 * counts as "in the future" (client clocks drift; instants only).
 */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** Calendar dates are judged in the jurisdiction's time zone. */
export const BUSINESS_TIME_ZONE = 'Europe/London';

const isoDateOnly = z.string().date();
const isoDateTime = z.string().datetime({ offset: true });

/**
 * Dates before this year are typing mistakes (year 0000), not a review's history; after
 * LATEST_YEAR, typing mistakes too (the same bounds as src/infrastructure/http/validation.ts).
 */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2200;
const notAncient = (v: string) => Number(v.slice(0, 4)) >= EARLIEST_YEAR;
const notBeyond = (v: string) => !(Number(v.slice(0, 4)) > LATEST_YEAR);
const BEYOND_MESSAGE = `must be a date no later than ${LATEST_YEAR}-12-31`;

/** `YYYY-MM-DD`, a real calendar date. */
const isoDate = z
  .string()
  .max(10, 'must be an ISO date (YYYY-MM-DD)')
  .date('must be an ISO date (YYYY-MM-DD)')
  .refine(notAncient, { message: `must be a date from ${EARLIEST_YEAR} on` })
  .refine(notBeyond, { message: BEYOND_MESSAGE });

/** `YYYY-MM-DD` or an ISO 8601 date-time with `Z` or an offset. */
const isoDateOrDateTime = z
  .string()
  .max(40, 'must be an ISO date or date-time')
  .refine((v) => isoDateOnly.safeParse(v).success || isoDateTime.safeParse(v).success, {
    message: 'must be an ISO date (YYYY-MM-DD) or date-time with offset (e.g. 2026-03-01T09:30:00Z)',
  })
  .refine(notAncient, { message: `must be a date from ${EARLIEST_YEAR} on` })
  .refine(notBeyond, { message: BEYOND_MESSAGE });

const requiredText = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const optionalText = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).optional();

const httpUrl = z
  .string()
  .max(TEXT_LIMITS.url, `must be at most ${TEXT_LIMITS.url} characters`)
  .url('must be a URL')
  .refine(
    (v) => {
      try {
        const protocol = new URL(v).protocol;
        return protocol === 'http:' || protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'must be an http or https URL' },
  );

export const decideSchema = z
  .object({
    type: z.literal('DECIDE'),
    outcome: z.enum(DECISION_OUTCOMES),
    rationale: requiredText(TEXT_LIMITS.rationale),
    decidedAt: isoDate,
    jointWith: requiredText(TEXT_LIMITS.jointWith).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.outcome === 'joint_review' && v.jointWith === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['jointWith'],
        message: 'is required when outcome is joint_review (name or reference of the other review)',
      });
    }
    if (v.outcome !== 'joint_review' && v.jointWith !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['jointWith'],
        message: 'is only allowed when outcome is joint_review',
      });
    }
  });

export const notifyHomeOfficeSchema = z
  .object({ type: z.literal('NOTIFY_HOME_OFFICE'), sentAt: isoDateOrDateTime })
  .strict();

export const directReviewSchema = z
  .object({
    type: z.literal('DIRECT_REVIEW'),
    directedAt: isoDateOrDateTime,
    note: optionalText(TEXT_LIMITS.note),
  })
  .strict();

export const agreeTermsOfReferenceSchema = z
  .object({
    type: z.literal('AGREE_TERMS_OF_REFERENCE'),
    agreedAt: isoDateOrDateTime,
    scopeStart: isoDate.optional(),
    scopeEnd: isoDate.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.scopeStart !== undefined && v.scopeEnd !== undefined && v.scopeEnd < v.scopeStart) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['scopeEnd'],
        message: 'must not be before scopeStart',
      });
    }
  });

/** When an event with no date of its own happened: a date or date-time, default now. */
const occurredAt = isoDateOrDateTime.optional();

export const beginDraftingSchema = z.object({ type: z.literal('BEGIN_DRAFTING'), occurredAt }).strict();

export const agreeReportSchema = z.object({ type: z.literal('AGREE_REPORT'), occurredAt }).strict();

export const ragApproveSchema = z
  .object({
    type: z.literal('RAG_APPROVE'),
    approvedAt: isoDateOrDateTime.optional(),
    comments: optionalText(TEXT_LIMITS.comments),
  })
  .strict();

export const ragReturnSchema = z
  .object({ type: z.literal('RAG_RETURN'), comments: requiredText(TEXT_LIMITS.comments), occurredAt })
  .strict();

export const submitToHomeOfficeSchema = z
  .object({ type: z.literal('SUBMIT_TO_HOME_OFFICE'), submittedAt: isoDateOrDateTime })
  .strict();

export const recordQaOutcomeSchema = z
  .object({
    type: z.literal('RECORD_QA_OUTCOME'),
    outcome: z.enum(QA_OUTCOMES),
    letterDate: isoDate,
    notes: optionalText(TEXT_LIMITS.notes),
  })
  .strict();

export const publishSchema = z
  .object({ type: z.literal('PUBLISH'), publishedAt: isoDateOrDateTime, url: httpUrl })
  .strict();

export const closeSchema = z.object({ type: z.literal('CLOSE'), occurredAt }).strict();

export const placeOnHoldSchema = z
  .object({
    type: z.literal('PLACE_ON_HOLD'),
    reason: z.enum(HOLD_REASONS),
    detail: requiredText(TEXT_LIMITS.detail),
    /** The hold starts then (default now). */
    occurredAt,
    /** May be past: a hold recorded after the fact. */
    expectedEnd: isoDate.optional(),
  })
  .strict();

export const resumeSchema = z
  .object({ type: z.literal('RESUME'), note: optionalText(TEXT_LIMITS.note), occurredAt })
  .strict();

export const withdrawSchema = z
  .object({ type: z.literal('WITHDRAW'), reason: requiredText(TEXT_LIMITS.reason), occurredAt })
  .strict();

/** The Home Office's reply agreeing with a decision not to hold a review. */
export const recordHomeOfficeAgreementSchema = z
  .object({ type: z.literal('RECORD_HOME_OFFICE_AGREEMENT'), receivedAt: isoDateOrDateTime, note: optionalText(TEXT_LIMITS.note) })
  .strict();

/** A closed or withdrawn review taken up again (new information): back to the stage it left. */
export const reopenSchema = z
  .object({ type: z.literal('REOPEN'), reason: requiredText(TEXT_LIMITS.reason), occurredAt })
  .strict();

/** One schema per event type: the request body as the client sends it. */
export const REVIEW_EVENT_SCHEMAS = {
  DECIDE: decideSchema,
  NOTIFY_HOME_OFFICE: notifyHomeOfficeSchema,
  DIRECT_REVIEW: directReviewSchema,
  AGREE_TERMS_OF_REFERENCE: agreeTermsOfReferenceSchema,
  BEGIN_DRAFTING: beginDraftingSchema,
  AGREE_REPORT: agreeReportSchema,
  RAG_APPROVE: ragApproveSchema,
  RAG_RETURN: ragReturnSchema,
  SUBMIT_TO_HOME_OFFICE: submitToHomeOfficeSchema,
  RECORD_QA_OUTCOME: recordQaOutcomeSchema,
  PUBLISH: publishSchema,
  CLOSE: closeSchema,
  PLACE_ON_HOLD: placeOnHoldSchema,
  RESUME: resumeSchema,
  WITHDRAW: withdrawSchema,
  RECORD_HOME_OFFICE_AGREEMENT: recordHomeOfficeAgreementSchema,
  REOPEN: reopenSchema,
} as const satisfies Record<ReviewEventType, z.ZodTypeAny>;

/** Payload of one event type, as validated (text trimmed). */
export type ReviewEventPayloadOf<T extends ReviewEventType> = z.output<(typeof REVIEW_EVENT_SCHEMAS)[T]>;
export type ReviewEventPayload = { [T in ReviewEventType]: ReviewEventPayloadOf<T> }[ReviewEventType];

/** What the server adds to every payload before the machine sees it. */
export interface EventEnvelope {
  /** ISO instant the event happened (effectiveInstant of its WHEN_FIELD). */
  readonly at: string;
  /** ISO instant, the server's "now" when the event is recorded (default: `at`). */
  readonly recordedAt?: string;
  /** Computed by the server from the case file at that moment. */
  readonly facts: ReviewFacts;
}

/** An event as the machine consumes it. */
export type ReviewEvent = ReviewEventPayload & EventEnvelope;
export type ReviewEventOf<T extends ReviewEventType> = ReviewEventPayloadOf<T> & EventEnvelope;

/**
 * The field that says when each event happened. Optional ones default to now. The stage it
 * enters, its clocks and its place in the chronology all take this date.
 */
export const WHEN_FIELD = {
  DECIDE: 'decidedAt',
  NOTIFY_HOME_OFFICE: 'sentAt',
  DIRECT_REVIEW: 'directedAt',
  AGREE_TERMS_OF_REFERENCE: 'agreedAt',
  BEGIN_DRAFTING: 'occurredAt',
  AGREE_REPORT: 'occurredAt',
  RAG_APPROVE: 'approvedAt',
  RAG_RETURN: 'occurredAt',
  SUBMIT_TO_HOME_OFFICE: 'submittedAt',
  RECORD_QA_OUTCOME: 'letterDate',
  PUBLISH: 'publishedAt',
  CLOSE: 'occurredAt',
  PLACE_ON_HOLD: 'occurredAt',
  RESUME: 'occurredAt',
  WITHDRAW: 'occurredAt',
  RECORD_HOME_OFFICE_AGREEMENT: 'receivedAt',
  REOPEN: 'occurredAt',
} as const satisfies { readonly [T in ReviewEventType]: string };

/** Date fields that record something that has happened: never in the future. */
export const FACT_DATE_FIELDS: { readonly [T in ReviewEventType]: readonly string[] } = Object.fromEntries(
  REVIEW_EVENT_TYPES.map((type) => [type, [WHEN_FIELD[type]]]),
) as unknown as { readonly [T in ReviewEventType]: readonly string[] };

/** The date (or date-time) the event says it happened, if it says one. */
export function whenOf(event: ReviewEventPayload): string | undefined {
  const value = (event as unknown as Record<string, unknown>)[WHEN_FIELD[event.type]];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The instant an event happened, from its date field: a date-time as given; a date alone is
 * that day at noon, London time, unless it is today, when it is `now` (so what is recorded as
 * it happens keeps its order); no date at all is `now`.
 */
export function effectiveInstant(value: string | undefined, now: Date): string {
  if (value === undefined) return now.toISOString();
  if (!isoDateOnly.safeParse(value).success) return new Date(Date.parse(value)).toISOString();
  if (value === businessDate(now)) return now.toISOString();
  return londonNoon(value);
}

/** 12:00 Europe/London on a calendar date, as a UTC instant (11:00Z in summer time). */
export function londonNoon(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcNoon = Date.UTC(y, m - 1, d, 12);
  return new Date(utcNoon - businessOffsetAt(utcNoon)).toISOString();
}

export interface FieldError {
  /** Dotted path of the offending field (`type`, `outcome`...), or `body`. */
  readonly field: string;
  readonly message: string;
}

export type ParseReviewEventResult =
  | { readonly ok: true; readonly event: ReviewEventPayload }
  | { readonly ok: false; readonly errors: FieldError[] };

/** Made once: building an Intl.DateTimeFormat costs far more than using one. */
const BUSINESS_HOUR_FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: BUSINESS_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  hourCycle: 'h23',
});

/** The business time zone's offset from UTC (ms) during the UTC hour starting at `hourStart`. */
function offsetOfHour(hourStart: number): number {
  const p: Record<string, number> = {};
  for (const part of BUSINESS_HOUR_FORMAT.formatToParts(new Date(hourStart))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour) - hourStart;
}

/**
 * London's offset changes only on the hour (01:00 UTC), so it is read once per UTC hour and
 * remembered (a transition reads the date of every dated fact of the review: reading the zone's
 * rules each time was 3% of the API's time under load). Bounded: emptied when full.
 */
const OFFSETS = new Map<number, number>();

/** The business time zone's offset from UTC (ms) at the instant `ms`. */
function businessOffsetAt(ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  let offset = OFFSETS.get(hour);
  if (offset === undefined) {
    offset = offsetOfHour(hour * 3_600_000);
    if (OFFSETS.size >= 20_000) OFFSETS.clear();
    OFFSETS.set(hour, offset);
  }
  return offset;
}

/** The calendar date (YYYY-MM-DD) of an instant in the business time zone. */
export function businessDate(instant: Date): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid time value');
  return new Date(ms + businessOffsetAt(ms)).toISOString().slice(0, 10);
}

/** Calendar date (business time zone) of an ISO date or date-time. */
export function calendarDateOf(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value.slice(0, 10) : businessDate(new Date(ms));
}

/**
 * Whether an ISO date or date-time lies in the future relative to `now`.
 * A date is in the future when it is after today's date in the business
 * time zone; a date-time when it is more than FUTURE_TOLERANCE_MS ahead.
 */
export function isInFuture(value: string, now: Date): boolean {
  if (isoDateOnly.safeParse(value).success) {
    return value > businessDate(now);
  }
  return Date.parse(value) > now.getTime() + FUTURE_TOLERANCE_MS;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One error per field (the first zod reports), unknown fields each named. */
function issuesToErrors(issues: readonly z.ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  const push = (error: FieldError) => {
    if (!errors.some((e) => e.field === error.field)) errors.push(error);
  };
  for (const issue of issues) {
    const base = issue.path.join('.');
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      for (const key of issue.keys) {
        push({ field: base ? `${base}.${key}` : key, message: 'is not a known field' });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined') {
      message = 'is required';
    } else if (issue.code === z.ZodIssueCode.invalid_enum_value) {
      message = `must be one of: ${issue.options.join(', ')}`;
    }
    push({ field: base || 'body', message });
  }
  return errors;
}

/**
 * Validates a request body as a lifecycle event. `now` is the server's clock,
 * used to refuse fact dates in the future. Never throws on bad input.
 */
export function parseReviewEvent(input: unknown, now: Date): ParseReviewEventResult {
  if (Number.isNaN(now.getTime())) {
    throw new TypeError('parseReviewEvent: now is an invalid Date');
  }
  if (!isPlainObject(input)) {
    return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object with a type' }] };
  }
  const type = input['type'];
  if (type === undefined) {
    return { ok: false, errors: [{ field: 'type', message: 'is required' }] };
  }
  if (!isReviewEventType(type)) {
    return {
      ok: false,
      errors: [{ field: 'type', message: `must be one of: ${REVIEW_EVENT_TYPES.join(', ')}` }],
    };
  }
  const schema: z.ZodTypeAny = REVIEW_EVENT_SCHEMAS[type];
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: issuesToErrors(parsed.error.issues) };
  }
  const event = parsed.data as ReviewEventPayload;
  const record = event as unknown as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const field of FACT_DATE_FIELDS[type]) {
    const value = record[field];
    if (typeof value === 'string' && isInFuture(value, now)) {
      errors.push({ field, message: 'must not be in the future' });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, event };
}
