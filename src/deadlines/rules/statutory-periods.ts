import { z } from 'zod';
import type { WorkingDayCalendar } from './calendar';
import { CivilDate, addCalendarMonths, addDays, addWeeks, assertCivilDate } from './dates';
import { DeadlineKind, GuidanceVersion, PERIOD_KINDS, PeriodKind } from './kinds';
import { defaultConfigPath, displayPath, parseWith, readJsonFile } from './rules-file';

export const STATUTORY_PERIODS_FILE = 'statutory-periods.json';

export const PERIOD_UNITS = ['calendar_days', 'weeks', 'calendar_months', 'working_days'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export const periodSchema = z
  .object({
    amount: z.number().int().min(0),
    unit: z.enum(PERIOD_UNITS),
    direction: z.enum(['after', 'before']),
    /** What the start date passed to dueDateFor is (notification, decision, panel_meeting…). */
    anchor: z.string().min(1),
    ifNotWorkingDay: z.enum(['keep', 'next_working_day', 'previous_working_day']).default('keep'),
    basis: z.enum(['law', 'guidance', 'practice']),
    /** false: an assumption still to be checked against the source. */
    confirmed: z.boolean(),
    notes: z.string().optional(),
  })
  .strict();
export type Period = z.infer<typeof periodSchema>;

const periodsSchema = z
  .object(Object.fromEntries(PERIOD_KINDS.map((kind) => [kind, periodSchema])) as Record<PeriodKind, typeof periodSchema>)
  .strict();

export const guidanceVersionSchema = z
  .object({
    title: z.string().min(1),
    status: z.enum(['in_force', 'draft', 'superseded']),
    periods: periodsSchema,
  })
  .strict();
export type GuidanceVersionRules = z.infer<typeof guidanceVersionSchema>;

export const statutoryPeriodsSchema = z
  .object({
    description: z.string().optional(),
    versions: z
      .record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'a version key is letters, digits, dot, dash or underscore'), guidanceVersionSchema)
      .refine((versions) => Object.keys(versions).length > 0, { message: 'must define at least one guidance version' }),
  })
  .strict();
export type StatutoryPeriodsData = z.input<typeof statutoryPeriodsSchema>;

export class StatutoryPeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatutoryPeriodError';
  }
}

/** Applies one period to a start date. Pure. */
export function applyPeriod(period: Period, startDate: CivilDate, calendar: WorkingDayCalendar): CivilDate {
  assertCivilDate(startDate, 'startDate');
  const signed = period.direction === 'before' ? -period.amount : period.amount;
  let due: CivilDate;
  switch (period.unit) {
    case 'calendar_days':
      due = addDays(startDate, signed);
      break;
    case 'weeks':
      due = addWeeks(startDate, signed);
      break;
    case 'calendar_months':
      due = addCalendarMonths(startDate, signed);
      break;
    case 'working_days':
      due = calendar.addWorkingDays(startDate, signed);
      break;
  }
  switch (period.ifNotWorkingDay) {
    case 'keep':
      return due;
    case 'next_working_day':
      return calendar.nextWorkingDayOnOrAfter(due);
    case 'previous_working_day':
      return calendar.previousWorkingDayOnOrBefore(due);
  }
}

/** The periods of every guidance version, validated. */
export class StatutoryPeriods {
  private readonly versions: Readonly<Record<string, GuidanceVersionRules>>;

  constructor(
    data: StatutoryPeriodsData,
    readonly source = 'the statutory periods',
  ) {
    this.versions = parseWith(statutoryPeriodsSchema, data, source).versions;
  }

  guidanceVersions(): string[] {
    return Object.keys(this.versions).sort();
  }

  version(guidanceVersion: GuidanceVersion): GuidanceVersionRules {
    const rules = Object.prototype.hasOwnProperty.call(this.versions, guidanceVersion)
      ? this.versions[guidanceVersion]
      : undefined;
    if (!rules) {
      throw new StatutoryPeriodError(
        `Unknown guidance version '${guidanceVersion}': ${this.source} defines ${this.guidanceVersions()
          .map((v) => `'${v}'`)
          .join(', ')}`,
      );
    }
    return rules;
  }

  /** The period for a kind, or an error naming the kind when it has none (panel meetings and action targets are set by people). */
  periodFor(kind: DeadlineKind, guidanceVersion: GuidanceVersion): Period {
    const rules = this.version(guidanceVersion);
    if (!(PERIOD_KINDS as readonly string[]).includes(kind)) {
      throw new StatutoryPeriodError(
        `Deadline kind '${kind}' has no period in ${this.source} (guidance ${guidanceVersion}): its due date is set explicitly`,
      );
    }
    return rules.periods[kind as PeriodKind];
  }

  /**
   * The due date of `kind` counted from `startDate` (the period's anchor: the notification date
   * for decision_due, the meeting date for meeting_papers_due…) under `guidanceVersion`.
   */
  dueDateFor(
    kind: DeadlineKind,
    startDate: CivilDate,
    guidanceVersion: GuidanceVersion,
    calendar: WorkingDayCalendar,
  ): CivilDate {
    return applyPeriod(this.periodFor(kind, guidanceVersion), startDate, calendar);
  }
}

/**
 * Reads and validates config/statutory-periods.json (or `path`). Errors name the file and the
 * bad field, e.g. "config/statutory-periods.json: versions.2016.periods.imr_due.unit: …".
 */
export function loadStatutoryPeriods(path: string = defaultConfigPath(STATUTORY_PERIODS_FILE)): StatutoryPeriods {
  return new StatutoryPeriods(readJsonFile(path) as StatutoryPeriodsData, displayPath(path));
}
