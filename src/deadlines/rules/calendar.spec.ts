import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BankHolidayData, CalendarCoverageError, WorkingDayCalendar, loadWorkingDayCalendar } from './calendar';
import { RulesFileError, defaultConfigPath, readJsonFile } from './rules-file';

/*
 * The bank-holiday file is checked here against computations that do not share code with it or
 * with the calendar: Easter by the anonymous Gregorian (Meeus/Jones/Butcher) computus, weekdays
 * by Zeller's congruence, the Monday rules and substitute days by counting days by hand. Only
 * the one-off changes are written out.
 */

const calendar = loadWorkingDayCalendar();
const data = readJsonFile(defaultConfigPath('bank-holidays-england-and-wales.json')) as BankHolidayData;

const pad = (n: number): string => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;
const daysIn = (y: number, m: number): number =>
  [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

/** Zeller's congruence, as an ISO weekday (1 = Monday … 7 = Sunday). */
function weekday(y: number, m: number, d: number): number {
  const mm = m < 3 ? m + 12 : m;
  const yy = m < 3 ? y - 1 : y;
  const k = yy % 100;
  const j = Math.floor(yy / 100);
  const h = (d + Math.floor((13 * (mm + 1)) / 5) + k + Math.floor(k / 4) + Math.floor(j / 4) + 5 * j) % 7; // 0 = Saturday
  return ((h + 5) % 7) + 1;
}

/** Anonymous Gregorian computus (Meeus, Astronomical Algorithms). */
function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** Shifts a (month, day) in `year` by `delta` days, by hand. */
function shift(year: number, month: number, day: number, delta: number): string {
  let m = month;
  let d = day + delta;
  while (d < 1) {
    m -= 1;
    d += daysIn(year, m);
  }
  while (d > daysIn(year, m)) {
    d -= daysIn(year, m);
    m += 1;
  }
  return ymd(year, m, d);
}

function firstMonday(y: number, m: number): string {
  let d = 1;
  while (weekday(y, m, d) !== 1) d += 1;
  return ymd(y, m, d);
}

function lastMonday(y: number, m: number): string {
  let d = daysIn(y, m);
  while (weekday(y, m, d) !== 1) d -= 1;
  return ymd(y, m, d);
}

/** The standing rules, with substitute days, without any one-off change. */
function ruleDates(year: number): Map<string, string> {
  const out = new Map<string, string>();
  let newYear = 1;
  while (weekday(year, 1, newYear) >= 6) newYear += 1;
  out.set(ymd(year, 1, newYear), 'new-year');
  const [em, ed] = easterSunday(year);
  out.set(shift(year, em, ed, -2), 'good-friday');
  out.set(shift(year, em, ed, 1), 'easter-monday');
  out.set(firstMonday(year, 5), 'early-may');
  out.set(lastMonday(year, 5), 'spring');
  out.set(lastMonday(year, 8), 'summer');
  // Christmas Day and Boxing Day: each that falls at a weekend is replaced by the next weekday
  // not already a bank holiday (so Sat 25 gives Mon 27 and Tue 28; Sun 25 gives Mon 26 and
  // Tue 27; Fri 25 gives Fri 25 and Mon 28).
  const taken = new Set([25, 26].filter((d) => weekday(year, 12, d) <= 5));
  for (const d of [25, 26].filter((day) => weekday(year, 12, day) >= 6)) {
    let sub = d + 1;
    while (weekday(year, 12, sub) >= 6 || taken.has(sub)) sub += 1;
    taken.add(sub);
  }
  for (const d of taken) out.set(ymd(year, 12, d), 'christmas-boxing');
  return out;
}

const ONE_OFFS = {
  removed: ['2020-05-04', '2022-05-30'],
  added: ['2020-05-08', '2022-06-02', '2022-06-03', '2022-09-19', '2023-05-08'],
};

function expectedDates(year: number): string[] {
  const dates = new Set(ruleDates(year).keys());
  for (const d of ONE_OFFS.removed) if (d.startsWith(`${year}-`)) dates.delete(d);
  for (const d of ONE_OFFS.added) if (d.startsWith(`${year}-`)) dates.add(d);
  return [...dates].sort();
}

describe('independent helpers (checked against known dates first)', () => {
  it('Zeller agrees with known weekdays', () => {
    expect(weekday(2026, 12, 25)).toBe(5);
    expect(weekday(2024, 2, 29)).toBe(4);
    expect(weekday(2000, 1, 1)).toBe(6);
    expect(weekday(2027, 1, 1)).toBe(5);
  });

  it('the computus gives the known Easter Sundays', () => {
    expect(easterSunday(2019)).toEqual([4, 21]);
    expect(easterSunday(2024)).toEqual([3, 31]);
    expect(easterSunday(2026)).toEqual([4, 5]);
    expect(easterSunday(2027)).toEqual([3, 28]);
    expect(easterSunday(2038)).toEqual([4, 25]); // latest possible
    expect(easterSunday(2285)).toEqual([3, 22]); // earliest possible
  });
});

describe('config/bank-holidays-england-and-wales.json', () => {
  const years = Array.from({ length: 13 }, (_, i) => 2018 + i);

  it('covers 2018-2030 for England and Wales, sorted and without duplicates', () => {
    expect(data.division).toBe('england-and-wales');
    expect(data.source).toMatch(/GOV\.UK/);
    expect(calendar.firstYear).toBe(2018);
    expect(calendar.lastYear).toBe(2030);
    const dates = data.dates.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
  });

  it.each(years)('%i: exactly the rule-based dates, substitutes and one-offs', (year) => {
    const inFile = data.dates.filter((d) => d.date.startsWith(`${year}-`)).map((d) => d.date);
    expect(inFile).toEqual(expectedDates(year));
  });

  it.each(years)('%i: Good Friday and Easter Monday match the computus', (year) => {
    const [m, d] = easterSunday(year);
    expect(calendar.bankHolidayTitle(shift(year, m, d, -2))).toBe('Good Friday');
    expect(calendar.bankHolidayTitle(shift(year, m, d, 1))).toBe('Easter Monday');
    expect(calendar.isBankHoliday(shift(year, m, d, 0))).toBe(false); // Easter Sunday is a Sunday, not a bank holiday
  });

  it('every bank holiday is a weekday', () => {
    for (const { date } of data.dates) {
      const [y, m, d] = date.split('-').map(Number);
      expect([date, weekday(y, m, d) <= 5]).toEqual([date, true]);
    }
  });

  it('has the one-off changes', () => {
    expect(calendar.bankHolidayTitle('2020-05-08')).toMatch(/VE Day/);
    expect(calendar.isBankHoliday('2020-05-04')).toBe(false);
    expect(calendar.bankHolidayTitle('2022-06-02')).toBe('Spring bank holiday');
    expect(calendar.bankHolidayTitle('2022-06-03')).toMatch(/Platinum Jubilee/);
    expect(calendar.isBankHoliday('2022-05-30')).toBe(false);
    expect(calendar.bankHolidayTitle('2022-09-19')).toMatch(/State Funeral of Queen Elizabeth II/);
    expect(calendar.bankHolidayTitle('2023-05-08')).toMatch(/coronation of King Charles III/i);
    expect(calendar.bankHolidayTitle('2023-05-01')).toBe('Early May bank holiday');
  });

  it('has the substitute days as published', () => {
    expect(calendar.bankHolidaysIn(2020).slice(-2).map((h) => h.date)).toEqual(['2020-12-25', '2020-12-28']);
    expect(calendar.bankHolidaysIn(2021).slice(-2).map((h) => h.date)).toEqual(['2021-12-27', '2021-12-28']);
    expect(calendar.bankHolidaysIn(2022)[0].date).toBe('2022-01-03');
    expect(calendar.bankHolidaysIn(2022).slice(-2).map((h) => h.date)).toEqual(['2022-12-26', '2022-12-27']);
    expect(calendar.bankHolidaysIn(2023)[0].date).toBe('2023-01-02');
    expect(calendar.bankHolidaysIn(2026).slice(-2).map((h) => h.date)).toEqual(['2026-12-25', '2026-12-28']);
    expect(calendar.bankHolidaysIn(2027).slice(-2).map((h) => h.date)).toEqual(['2027-12-27', '2027-12-28']);
    expect(calendar.bankHolidaysIn(2028)[0].date).toBe('2028-01-03');
    expect(calendar.bankHolidayTitle('2026-12-28')).toBe('Boxing Day (substitute day)');
    expect(calendar.bankHolidayTitle('2022-12-27')).toBe('Christmas Day (substitute day)');
  });

  it('has eight bank holidays a year, ten in 2022 and nine in 2023', () => {
    for (const year of years) {
      const expected = year === 2022 ? 10 : year === 2023 ? 9 : 8;
      expect([year, calendar.bankHolidaysIn(year).length]).toEqual([year, expected]);
    }
  });
});

describe('WorkingDayCalendar', () => {
  it('knows weekends and bank holidays', () => {
    expect(calendar.isWorkingDay('2026-12-24')).toBe(true);
    expect(calendar.isWorkingDay('2026-12-25')).toBe(false);
    expect(calendar.isWorkingDay('2026-12-26')).toBe(false);
    expect(calendar.isBankHoliday('2026-12-26')).toBe(false); // a Saturday; its substitute is the 28th
    expect(calendar.isWorkingDay('2026-12-28')).toBe(false);
    expect(calendar.isWorkingDay('2026-12-29')).toBe(true);
    expect(calendar.isWorkingDay('2027-01-01')).toBe(false);
    expect(calendar.isWorkingDay('2026-04-03')).toBe(false);
    expect(calendar.isWorkingDay('2026-04-06')).toBe(false);
    expect(calendar.isWorkingDay('2026-04-07')).toBe(true);
    expect(calendar.bankHolidayTitle('2026-04-07')).toBeNull();
  });

  describe('across Christmas and New Year 2026', () => {
    it('2026-12-23 + 3 working days = 2026-12-30 (25th, weekend, 28th substitute skipped)', () => {
      expect(calendar.addWorkingDays('2026-12-23', 1)).toBe('2026-12-24');
      expect(calendar.addWorkingDays('2026-12-23', 2)).toBe('2026-12-29');
      expect(calendar.addWorkingDays('2026-12-23', 3)).toBe('2026-12-30');
      expect(calendar.addWorkingDays('2026-12-23', 5)).toBe('2027-01-04'); // 1 Jan skipped
    });

    it('counts backwards for papers due before a meeting', () => {
      // Meeting Tue 5 Jan 2027: 4 Jan, 31 Dec, 30, 29, 24 Dec.
      expect(calendar.addWorkingDays('2027-01-05', -5)).toBe('2026-12-24');
      expect(calendar.addWorkingDays('2026-12-29', -1)).toBe('2026-12-24');
    });

    it('counts working days between dates, signed', () => {
      expect(calendar.workingDaysBetween('2026-12-23', '2026-12-30')).toBe(3);
      expect(calendar.workingDaysBetween('2026-12-30', '2026-12-23')).toBe(-3);
      expect(calendar.workingDaysBetween('2026-12-24', '2027-01-04')).toBe(4);
      expect(calendar.workingDaysBetween('2026-12-24', '2026-12-24')).toBe(0);
      expect(calendar.workingDaysBetween('2026-12-25', '2026-12-28')).toBe(0);
    });
  });

  describe('across Easter 2026 (Good Friday 3 April, Easter Monday 6 April)', () => {
    it('skips both days forwards and backwards', () => {
      expect(calendar.addWorkingDays('2026-04-02', 1)).toBe('2026-04-07');
      expect(calendar.addWorkingDays('2026-04-01', 3)).toBe('2026-04-08');
      expect(calendar.addWorkingDays('2026-04-07', -1)).toBe('2026-04-02');
      expect(calendar.addWorkingDays('2026-04-07', -5)).toBe('2026-03-27');
      expect(calendar.workingDaysBetween('2026-03-27', '2026-04-07')).toBe(5);
    });

    it('starting on a non-working day counts from the next one', () => {
      expect(calendar.addWorkingDays('2026-04-03', 1)).toBe('2026-04-07');
      expect(calendar.addWorkingDays('2026-04-06', -1)).toBe('2026-04-02');
      expect(calendar.addWorkingDays('2026-04-04', 0)).toBe('2026-04-04');
    });
  });

  it('round-trips addWorkingDays and workingDaysBetween over a whole year', () => {
    let day = '2026-01-02';
    for (let n = 1; n <= 260; n += 1) {
      const next = calendar.addWorkingDays(day, 1);
      if (n % 10 === 0 || n > 250) expect([n, calendar.workingDaysBetween('2026-01-02', next)]).toEqual([n, n]);
      day = next;
    }
    expect(calendar.workingDaysBetween('2026-01-01', '2026-12-31')).toBe(365 - 104 - 8); // 2026: 104 weekend days, 8 weekday bank holidays
  });

  it('finds the nearest working day on or after / before', () => {
    expect(calendar.nextWorkingDayOnOrAfter('2026-12-25')).toBe('2026-12-29');
    expect(calendar.nextWorkingDayOnOrAfter('2026-12-24')).toBe('2026-12-24');
    expect(calendar.previousWorkingDayOnOrBefore('2026-12-28')).toBe('2026-12-24');
  });

  it('refuses years the data does not cover, naming the year and the file', () => {
    expect(() => calendar.isBankHoliday('2031-01-01')).toThrow(CalendarCoverageError);
    expect(() => calendar.isWorkingDay('2031-06-02')).toThrow(
      'No bank-holiday data for 2031 in config/bank-holidays-england-and-wales.json (it covers 2018-2030)',
    );
    expect(() => calendar.isWorkingDay('2017-12-29')).toThrow(/2017/);
    expect(() => calendar.addWorkingDays('2030-12-30', 3)).toThrow(/2031/);
    expect(() => calendar.workingDaysBetween('2030-12-01', '2031-01-10')).toThrow(/2031/);
    expect(() => calendar.bankHolidaysIn(2031)).toThrow(/2031/);
  });

  it('refuses bad arguments', () => {
    expect(() => calendar.isWorkingDay('2026-02-30')).toThrow(/civil date/);
    expect(() => calendar.addWorkingDays('2026-02-02', 1.5)).toThrow(/whole number/);
  });

  it('can be built from data for tests', () => {
    const small = new WorkingDayCalendar(
      { source: 'test', division: 'england-and-wales', dates: [{ date: '2026-06-03', title: 'Test day' }] },
      'test data',
    );
    expect(small.addWorkingDays('2026-06-02', 1)).toBe('2026-06-04');
    expect(() => small.isWorkingDay('2027-01-04')).toThrow('No bank-holiday data for 2027 in test data (it covers 2026-2026)');
  });

  it('rejects bad data naming the field', () => {
    expect(
      () => new WorkingDayCalendar({ source: 's', division: 'd', dates: [{ date: '2026-02-30', title: 'x' }] }, 'bad.json'),
    ).toThrow(/bad\.json: dates\.0\.date: must be a real date/);
    expect(
      () =>
        new WorkingDayCalendar(
          {
            source: 's',
            division: 'd',
            dates: [
              { date: '2026-01-01', title: 'x' },
              { date: '2028-01-03', title: 'y' },
            ],
          },
          'gap.json',
        ),
    ).toThrow(/no bank holiday in 2027/);
  });
});

describe('loadWorkingDayCalendar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhr-calendar-'));

  it('names the file when it is missing, not JSON or invalid', () => {
    expect(() => loadWorkingDayCalendar(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot be read \(ENOENT\)/);
    writeFileSync(join(dir, 'broken.json'), '{ "dates": [');
    expect(() => loadWorkingDayCalendar(join(dir, 'broken.json'))).toThrow(/broken\.json: is not valid JSON/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ source: 's', division: 'd', dates: [{ date: '2026-1-1', title: 't' }] }));
    let error: unknown;
    try {
      loadWorkingDayCalendar(join(dir, 'bad.json'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RulesFileError);
    expect((error as RulesFileError).file).toBe(join(dir, 'bad.json'));
    expect((error as RulesFileError).problems).toEqual(['dates.0.date: must be a real date as YYYY-MM-DD']);
  });
});
