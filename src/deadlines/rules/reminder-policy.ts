import { z } from 'zod';
import { CivilDate, Instant, addDays, epochMillis, londonDateOf, londonInstant } from './dates';
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
}

export interface DeadlineForReminders {
  kind: DeadlineKind;
  /** When it is due, an ISO instant; its London date is the due date reminders count from. */
  dueAt: Instant;
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
 * With `now`: reminders after `now` are returned, plus the ones a system that was down would
 * owe (marked late: true): the latest passed reminder of the ordinary kinds (before, on-day,
 * overdue; the earlier ones are superseded by it) and every passed escalation (each goes to
 * different people). Whether a late one was in fact already sent is for the caller's send
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

  if (now === undefined) return all;

  const nowMs = epochMillis(now);
  const passed = all.filter((r) => epochMillis(r.at) <= nowMs);
  const lastOrdinary = [...passed].reverse().find((r) => r.type !== 'escalation');
  return all
    .filter((r) => epochMillis(r.at) > nowMs || r === lastOrdinary || (r.type === 'escalation' && passed.includes(r)))
    .map((r) => ({ ...r, late: epochMillis(r.at) <= nowMs }));
}
