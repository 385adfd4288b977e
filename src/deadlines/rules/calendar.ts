import { z } from 'zod';
import { CivilDate, DateRuleError, addDays, assertCivilDate, isCivilDate, isWeekend, yearOf } from './dates';
import { defaultConfigPath, displayPath, parseWith, readJsonFile } from './rules-file';

export const BANK_HOLIDAYS_FILE = 'bank-holidays-england-and-wales.json';

const civilDate = z.string().refine(isCivilDate, { message: 'must be a real date as YYYY-MM-DD' });

export const bankHolidayDataSchema = z
  .object({
    source: z.string().min(1),
    division: z.string().min(1),
    dates: z
      .array(z.object({ date: civilDate, title: z.string().min(1) }).strict())
      .min(1, 'must list at least one bank holiday'),
  })
  .strict()
  .superRefine((data, ctx) => {
    const seen = new Set<string>();
    data.dates.forEach((entry, index) => {
      if (seen.has(entry.date)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['dates', index, 'date'], message: `${entry.date} is listed twice` });
      }
      seen.add(entry.date);
    });
    if (!isCivilDate(data.dates[0]?.date)) return;
    const years = new Set(data.dates.filter((d) => isCivilDate(d.date)).map((d) => yearOf(d.date)));
    const first = Math.min(...years);
    const last = Math.max(...years);
    for (let year = first; year <= last; year += 1) {
      if (!years.has(year)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['dates'],
          message: `has no bank holiday in ${year}, between ${first} and ${last}: the years covered must be contiguous`,
        });
      }
    }
  });

export type BankHolidayData = z.infer<typeof bankHolidayDataSchema>;

export class CalendarCoverageError extends DateRuleError {
  constructor(
    readonly year: number,
    readonly source: string,
    readonly firstYear: number,
    readonly lastYear: number,
  ) {
    super(
      `No bank-holiday data for ${year} in ${source} (it covers ${firstYear}-${lastYear}): ` +
        `add that year's England and Wales bank holidays to the file`,
    );
    this.name = 'CalendarCoverageError';
  }
}

/**
 * Working days in England and Wales: Monday to Friday except bank holidays, from data.
 * Years outside the data are refused (CalendarCoverageError) rather than treated as having no
 * bank holidays. Dates are civil dates, 'YYYY-MM-DD'.
 */
export class WorkingDayCalendar {
  readonly firstYear: number;
  readonly lastYear: number;
  readonly division: string;
  private readonly holidays: ReadonlyMap<CivilDate, string>;

  /** `source` names where the data came from, for error messages (a file path). */
  constructor(
    data: BankHolidayData,
    readonly source = 'the bank-holiday data',
  ) {
    const valid = parseWith(bankHolidayDataSchema, data, source);
    this.division = valid.division;
    this.holidays = new Map(valid.dates.map((d) => [d.date, d.title]));
    const years = valid.dates.map((d) => yearOf(d.date));
    this.firstYear = Math.min(...years);
    this.lastYear = Math.max(...years);
  }

  private covered(date: CivilDate): CivilDate {
    assertCivilDate(date);
    const year = yearOf(date);
    if (year < this.firstYear || year > this.lastYear) {
      throw new CalendarCoverageError(year, this.source, this.firstYear, this.lastYear);
    }
    return date;
  }

  isBankHoliday(date: CivilDate): boolean {
    return this.holidays.has(this.covered(date));
  }

  /** The bank holiday's title, or null when `date` is not one. */
  bankHolidayTitle(date: CivilDate): string | null {
    return this.holidays.get(this.covered(date)) ?? null;
  }

  /** The bank holidays of one year, in date order. */
  bankHolidaysIn(year: number): { date: CivilDate; title: string }[] {
    this.covered(`${String(year).padStart(4, '0')}-01-01`);
    return [...this.holidays.entries()]
      .filter(([date]) => yearOf(date) === year)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([date, title]) => ({ date, title }));
  }

  isWorkingDay(date: CivilDate): boolean {
    this.covered(date);
    return !isWeekend(date) && !this.holidays.has(date);
  }

  /**
   * The `n`th working day after `date` (n > 0) or before it (n < 0); `date` itself is not
   * counted and need not be a working day. n = 0 returns `date` unchanged.
   * 2026-12-23 + 3 = 2026-12-30 (25 Dec, the weekend and the Boxing Day substitute 28 Dec
   * skipped); a meeting on 2026-04-07 has papers due -5 = 2026-03-27 (Good Friday and Easter
   * Monday skipped).
   */
  addWorkingDays(date: CivilDate, n: number): CivilDate {
    this.covered(date);
    if (!Number.isInteger(n)) throw new DateRuleError(`working days must be a whole number, got ${n}`);
    const step = n < 0 ? -1 : 1;
    let remaining = Math.abs(n);
    let current = date;
    while (remaining > 0) {
      current = addDays(current, step);
      if (this.isWorkingDay(current)) remaining -= 1;
    }
    return current;
  }

  /**
   * Working days after `a` up to and including `b`; negative when `b` is before `a` (then the
   * working days after `b` up to and including `a`, negated). So when `b` is a working day,
   * addWorkingDays(a, workingDaysBetween(a, b)) === b. Same date: 0.
   */
  workingDaysBetween(a: CivilDate, b: CivilDate): number {
    this.covered(a);
    this.covered(b);
    if (a === b) return 0;
    const [from, to, sign] = a < b ? [a, b, 1] : [b, a, -1];
    let count = 0;
    for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) {
      if (this.isWorkingDay(day)) count += 1;
    }
    return sign * count;
  }

  /** `date` if it is a working day, else the next working day after it. */
  nextWorkingDayOnOrAfter(date: CivilDate): CivilDate {
    return this.isWorkingDay(date) ? date : this.addWorkingDays(date, 1);
  }

  /** `date` if it is a working day, else the last working day before it. */
  previousWorkingDayOnOrBefore(date: CivilDate): CivilDate {
    return this.isWorkingDay(date) ? date : this.addWorkingDays(date, -1);
  }
}

/**
 * Reads and validates the bank-holiday file (default config/bank-holidays-england-and-wales.json
 * under the project root). Errors name the file and the bad field.
 */
export function loadWorkingDayCalendar(path: string = defaultConfigPath(BANK_HOLIDAYS_FILE)): WorkingDayCalendar {
  return new WorkingDayCalendar(readJsonFile(path) as BankHolidayData, displayPath(path));
}
