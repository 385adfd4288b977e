import { z } from 'zod';
import { CivilDate, Instant, addDays, daysBetween, epochMillis, londonDateOf, londonInstant } from './dates';
import { DEADLINE_KINDS, DeadlineKind, ESCALATION_ROLES, EscalationRole, RECIPIENTS, Recipient } from './kinds';
import { defaultConfigPath, displayPath, parseWith, readJsonFile } from './rules-file';

export { elapsed, heldDays, shiftForHold } from './holds';
export type { Elapsed, Hold } from './holds';

export const REMINDER_POLICY_FILE = 'reminder-policy.json';

const positiveDays = z.number().int().min(1);

const kindPolicySchema = z
  .object({
    /** Days before the due date, e.g. [14, 7, 1]. */
    beforeDays: z.array(positiveDays).refine((days) => new Set(days).size === days.length, {
      message: 'must not repeat a day',
    }),
    onDay: z.boolean(),
    /** Repeat every N days while overdue, or null for no repeats. */
    overdueEveryDays: positiveDays.nullable(),
    /** Stop repeating after this many days overdue; defaults to the policy's maxOverdueDays. */
    overdueUntilDays: positiveDays.optional(),
    escalations: z.array(
      z
        .object({
          afterDaysOverdue: positiveDays,
          to: z.array(z.enum(ESCALATION_ROLES)).min(1),
        })
        .strict(),
    ),
    recipients: z.array(z.enum(RECIPIENTS)).min(1),
  })
  .strict();
export type KindReminderPolicy = z.infer<typeof kindPolicySchema>;

export const reminderPolicySchema = z
  .object({
    description: z.string().optional(),
    /** Europe/London wall-clock time reminders are sent at. */
    sendAt: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a wall-clock time HH:mm')
      .default('09:00'),
    /** Overdue repeats stop after this many days overdue unless a kind says otherwise. */
    maxOverdueDays: positiveDays.default(60),
    /**
     * A clock that is already past due when its due time is set (an import, a back-dated event,
     * a correction) owes no back-log: no before or on-the-day reminders, no missed repeats or
     * escalations. It gets one overdue notice if it was at most noticeWithinDays days overdue
     * then (London dates), and nothing at all if it was more.
     */
    overdueOnArrival: z
      .object({ noticeWithinDays: z.number().int().min(0) })
      .strict()
      .default({ noticeWithinDays: 30 }),
    kinds: z
      .object(
        Object.fromEntries(DEADLINE_KINDS.map((kind) => [kind, kindPolicySchema])) as Record<
          DeadlineKind,
          typeof kindPolicySchema
        >,
      )
      .strict(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    for (const kind of DEADLINE_KINDS) {
      const rules = policy.kinds[kind];
      const until = rules.overdueUntilDays ?? policy.maxOverdueDays;
      rules.escalations.forEach((escalation, index) => {
        if (escalation.afterDaysOverdue > until) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['kinds', kind, 'escalations', index, 'afterDaysOverdue'],
            message: `is ${escalation.afterDaysOverdue}, beyond the ${until} days overdue that reminders are scheduled for`,
          });
        }
      });
      const seen = new Set<number>();
      rules.escalations.forEach((escalation, index) => {
        if (seen.has(escalation.afterDaysOverdue)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['kinds', kind, 'escalations', index, 'afterDaysOverdue'],
            message: `${escalation.afterDaysOverdue} is used by two escalations`,
          });
        }
        seen.add(escalation.afterDaysOverdue);
      });
    }
  });
export type ReminderPolicy = z.output<typeof reminderPolicySchema>;
export type ReminderPolicyInput = z.input<typeof reminderPolicySchema>;

/** Validates policy data (from a file or a test); errors name `source` and the bad field. */
export function parseReminderPolicy(data: unknown, source = 'the reminder policy'): ReminderPolicy {
  return parseWith(reminderPolicySchema, data, source);
}

/**
 * Reads and validates config/reminder-policy.json (or `path`). Errors name the file and the bad
 * field, e.g. "config/reminder-policy.json: kinds.imr_due.beforeDays.1: Expected number…".
 */
export function loadReminderPolicy(path: string = defaultConfigPath(REMINDER_POLICY_FILE)): ReminderPolicy {
  return parseReminderPolicy(readJsonFile(path), displayPath(path));
}

export type ReminderType = 'before' | 'on_day' | 'overdue' | 'escalation';

export interface ScheduledReminder {
  /** Stable key within the deadline: 'before-14d', 'on-day', 'overdue-3d', 'escalate-7d'. */
  slot: string;
  type: ReminderType;
  /** When to send: sendAt (09:00) Europe/London on `date`, as a UTC instant. */
  at: Instant;
  /** The London date it is sent on. */
  date: CivilDate;
  /** Days from the due date: -14, 0, 3… */
  offsetDays: number;
  /** Who is reminded (relative to the deadline). */
  recipients: Recipient[];
  /** For escalations, the roles escalated to; otherwise []. */
  escalateTo: EscalationRole[];
  /**
   * Only when `now` is given: true for a reminder whose time has already passed (kept so it can
   * be sent once on recovery), false otherwise.
   */
  late?: boolean;
  /** Only on the one overdue notice of a clock that was already overdue when set. */
  onArrival?: true;
}

export interface DeadlineForReminders {
  kind: DeadlineKind;
  /** When it is due, an ISO instant; its London date is the due date reminders count from. */
  dueAt: Instant;
  /**
   * When this due time was set (Deadline.dueSetAt: the clock was created, or its due time
   * last moved). With it, a clock that was already past due then is scheduled as overdue on
   * arrival (see reminderSchedule); without it, as one that was set in good time.
   */
  dueSetAt?: Instant | Date;
  /**
   * The due time was moved (a meeting rescheduled, an IMR extended, a date corrected), rather
   * than set when the clock was made: what fell before the move is not owed late.
   */
  moved?: boolean;
}

/**
 * How overdue a clock was when its due time was set, in whole London days (0: past its due
 * time on the due date itself), or null if it was not past due then (or `dueSetAt` is not
 * known).
 */
export function daysOverdueOnArrival(deadline: Pick<DeadlineForReminders, 'dueAt' | 'dueSetAt'>): number | null {
  if (deadline.dueSetAt === undefined) return null;
  if (epochMillis(deadline.dueAt) >= epochMillis(deadline.dueSetAt)) return null;
  return Math.max(0, daysBetween(londonDateOf(deadline.dueAt), londonDateOf(deadline.dueSetAt)));
}

const TYPE_ORDER: Record<ReminderType, number> = { before: 0, on_day: 1, overdue: 2, escalation: 3 };

/**
 * Every reminder for a deadline under `policy`, in time order. Pure: the same inputs give the
 * same list, with the same slot keys.
 *
 * Reminders are sent at policy.sendAt (09:00) Europe/London wall-clock on their day, so the
 * UTC instant follows BST. Days count from the London date of dueAt:
 * - before-Nd: N days before; on-day: the due date; overdue-Nd: every overdueEveryDays days
 *   after it, up to overdueUntilDays (or maxOverdueDays) days; escalate-Nd: N days after, to
 *   the escalation's roles.
 *
 * Overdue on arrival (`dueSetAt` given and after dueAt: the clock came into being, or its due
 * time moved, already past due; A = how many London days overdue it was then):
 * - A > policy.overdueOnArrival.noticeWithinDays: no reminders at all. It is history by the
 *   time anyone hears of it (a review of 2017 typed in today); the clocks in the API still
 *   show it as overdue.
 * - otherwise: nothing that fell due up to the day it arrived (no before, no on-day, no
 *   back-log of repeats or escalations), but one overdue notice, slot overdue-Nd with
 *   N = max(A, 1): at sendAt on the day it arrived (already passed, so sent at once, when it
 *   arrived after sendAt), or the next morning for one that arrived hours past due on its due
 *   date; only if the kind reminds while overdue at all and N is within its bound. After
 *   that day the kind's own cadence runs as for any overdue clock: later repeats and
 *   escalations are still owed, one at a time at their own dates, because the work is still
 *   outstanding and still being chased; it is only the back-log that would be a flood.
 *
 * With `now`: reminders after `now` are returned, plus the ones a system that was down would
 * owe (marked late: true): the latest passed reminder of the ordinary kinds (before, on-day,
 * overdue; the earlier ones are superseded by it) and every passed escalation (each goes to
 * different people). For a `moved` due time, only among those that fell after the move
 * (`dueSetAt`): one that fell before was sent about the old due time (a rescheduled meeting,
 * an extended IMR) and is not sent again. A new clock does get the latest passed one (a clock
 * made at 10:00 and due at 17:00 says "due today" at once). Whether a late one was in fact already sent is for the caller's send
 * ledger, keyed by slot, to say.
 */
export function reminderSchedule(
  policy: ReminderPolicy,
  deadline: DeadlineForReminders,
  now?: Instant | Date,
): ScheduledReminder[] {
  const rules = policy.kinds[deadline.kind];
  if (!rules) throw new Error(`The reminder policy has no entry for deadline kind '${String(deadline.kind)}'`);
  const dueDate = londonDateOf(deadline.dueAt);
  const entry = (
    type: ReminderType,
    slot: string,
    offsetDays: number,
    escalateTo: EscalationRole[] = [],
  ): ScheduledReminder => {
    const date = addDays(dueDate, offsetDays);
    return {
      slot,
      type,
      at: londonInstant(date, policy.sendAt),
      date,
      offsetDays,
      recipients: [...rules.recipients],
      escalateTo: [...escalateTo],
    };
  };

  const all: ScheduledReminder[] = [];
  for (const days of rules.beforeDays) all.push(entry('before', `before-${days}d`, -days));
  if (rules.onDay) all.push(entry('on_day', 'on-day', 0));
  if (rules.overdueEveryDays !== null) {
    const until = rules.overdueUntilDays ?? policy.maxOverdueDays;
    for (let days = rules.overdueEveryDays; days <= until; days += rules.overdueEveryDays) {
      all.push(entry('overdue', `overdue-${days}d`, days));
    }
  }
  for (const escalation of rules.escalations) {
    all.push(entry('escalation', `escalate-${escalation.afterDaysOverdue}d`, escalation.afterDaysOverdue, escalation.to));
  }
  all.sort((a, b) => a.offsetDays - b.offsetDays || TYPE_ORDER[a.type] - TYPE_ORDER[b.type]);

  let owed = all;
  const arrivedOverdue = daysOverdueOnArrival(deadline);
  if (arrivedOverdue !== null) {
    if (arrivedOverdue > policy.overdueOnArrival.noticeWithinDays) return [];
    const noticeDay = Math.max(arrivedOverdue, 1);
    owed = all.filter((r) => r.offsetDays > noticeDay);
    if (rules.overdueEveryDays !== null && noticeDay <= (rules.overdueUntilDays ?? policy.maxOverdueDays)) {
      owed.unshift({ ...entry('overdue', `overdue-${noticeDay}d`, noticeDay), onArrival: true });
    }
  }

  if (now === undefined) return owed;

  const nowMs = epochMillis(now);
  // A moved due time: what fell before the move was sent about the old due time (a meeting
  // rescheduled, an IMR extended), so it is not owed again, late, about the new one.
  const setMs = deadline.moved && deadline.dueSetAt !== undefined ? epochMillis(deadline.dueSetAt) : null;
  if (setMs !== null) owed = owed.filter((r) => r.onArrival || epochMillis(r.at) > nowMs || epochMillis(r.at) >= setMs);
  const passed = owed.filter((r) => epochMillis(r.at) <= nowMs);
  let lastOrdinary = [...passed].reverse().find((r) => r.type !== 'escalation');
  // A passed reminder is not sent late when the next ordinary one goes later the same London
  // day: it would say the same thing twice within hours (a clock made at 08:55, due tomorrow,
  // would get its overdue 7-day reminder, worded "due in 1 day", then the 1-day one at 09:00).
  const nextOrdinary = owed.find((r) => epochMillis(r.at) > nowMs && r.type !== 'escalation');
  if (lastOrdinary && nextOrdinary && nextOrdinary.date === londonDateOf(new Date(nowMs))) lastOrdinary = undefined;
  return owed
    .filter((r) => epochMillis(r.at) > nowMs || r === lastOrdinary || (r.type === 'escalation' && passed.includes(r)))
    .map((r) => ({ ...r, late: epochMillis(r.at) <= nowMs }));
}

/**
 * The next reminder a clock owes from `now`, for the worker's pointer: the first reminder of
 * reminderSchedule(now) that comes after `afterSlot` in the schedule's order (the one just
 * handled), or the first of all without one. Null when nothing more is owed.
 */
export function nextReminder(
  policy: ReminderPolicy,
  deadline: DeadlineForReminders,
  now: Instant | Date,
  afterSlot?: string | null,
): ScheduledReminder | null {
  const owed = reminderSchedule(policy, deadline, now);
  if (!afterSlot) return owed[0] ?? null;
  const order = reminderSchedule(policy, deadline).map((r) => r.slot);
  const position = order.indexOf(afterSlot);
  // A slot the policy no longer has (it was changed): the next one still to come.
  if (position < 0) return owed.find((r) => !r.late) ?? null;
  return owed.find((r) => order.indexOf(r.slot) > position) ?? null;
}
