import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BankHolidayData, CalendarCoverageError, WorkingDayCalendar, loadWorkingDayCalendar } from './calendar';
import { RulesFileError, defaultConfigPath, readJsonFile } from './rules-file';

/*
 * The bank-holiday file is checked here, for every year 2011-2035, against computations that do
 * not share code with it or with the calendar: Easter by the anonymous Gregorian
 * (Meeus/Jones/Butcher) computus, weekdays by Zeller's congruence, the Monday rules and
 * substitute days by counting days by hand. Only the one-off changes made by royal proclamation
 * are written out (ONE_OFFS below).
 */

/** Every year the file must cover: reviews under the statutory duty exist from April 2011. */
const FIRST_YEAR = 2011;
const LAST_YEAR = 2035;
const YEARS = Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, i) => FIRST_YEAR + i);

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

/** The one-off changes to the standing rules, each made by royal proclamation. */
const ONE_OFFS: { removed: string[]; added: string[] } = {
  removed: [
    '2012-05-28', // Spring bank holiday 2012 moved from Mon 28 May to Mon 4 June (Diamond Jubilee weekend)
    '2020-05-04', // Early May bank holiday 2020 moved from Mon 4 May to Fri 8 May (75th anniversary of VE Day)
    '2022-05-30', // Spring bank holiday 2022 moved from Mon 30 May to Thu 2 June (Platinum Jubilee weekend)
  ],
  added: [
    '2011-04-29', // Fri 29 April 2011: wedding of Prince William and Catherine Middleton (extra bank holiday)
    '2012-06-04', // Mon 4 June 2012: the moved spring bank holiday
    '2012-06-05', // Tue 5 June 2012: Queen Elizabeth II's Diamond Jubilee (extra bank holiday)
    '2020-05-08', // Fri 8 May 2020: the moved early May bank holiday (VE Day 75)
    '2022-06-02', // Thu 2 June 2022: the moved spring bank holiday
    '2022-06-03', // Fri 3 June 2022: Queen Elizabeth II's Platinum Jubilee (extra bank holiday)
    '2022-09-19', // Mon 19 September 2022: State Funeral of Queen Elizabeth II (extra bank holiday)
    '2023-05-08', // Mon 8 May 2023: Coronation of King Charles III (extra bank holiday)
  ],
};

/** How many bank holidays each year has: eight, except where a one-off added one or two. */
const EXPECTED_COUNT: Record<number, number> = { 2011: 9, 2012: 9, 2022: 10, 2023: 9 };

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

  it('the computus gives the published Easter Sundays for 2011-2035', () => {
    // Easter Sunday as [month, day], from the published tables of Western (Gregorian) Easter.
    const published: Record<number, [number, number]> = {
      2011: [4, 24], 2012: [4, 8], 2013: [3, 31], 2014: [4, 20], 2015: [4, 5], 2016: [3, 27], 2017: [4, 16],
      2018: [4, 1], 2019: [4, 21], 2020: [4, 12], 2021: [4, 4], 2022: [4, 17], 2023: [4, 9], 2024: [3, 31],
      2025: [4, 20], 2026: [4, 5], 2027: [3, 28], 2028: [4, 16], 2029: [4, 1], 2030: [4, 21], 2031: [4, 13],
      2032: [3, 28], 2033: [4, 17], 2034: [4, 9], 2035: [3, 25],
    };
    for (const year of YEARS) {
      expect([year, easterSunday(year)]).toEqual([year, published[year]]);
      expect([year, weekday(year, ...easterSunday(year))]).toEqual([year, 7]);
    }
  });

  it('the standing rules alone give eight dates a year, all weekdays', () => {
    for (const year of YEARS) {
      const dates = [...ruleDates(year).keys()];
      expect([year, dates.length]).toEqual([year, 8]);
      for (const date of dates) {
        const [y, m, d] = date.split('-').map(Number);
        expect([date, weekday(y, m, d) <= 5]).toEqual([date, true]);
      }
    }
  });

  it('every one-off is a weekday, and every removed date was a standing-rule date', () => {
    for (const date of [...ONE_OFFS.added, ...ONE_OFFS.removed]) {
      const [y, m, d] = date.split('-').map(Number);
      expect([date, weekday(y, m, d) <= 5]).toEqual([date, true]);
    }
    for (const date of ONE_OFFS.removed) expect([date, ruleDates(Number(date.slice(0, 4))).has(date)]).toEqual([date, true]);
  });
});

describe('config/bank-holidays-england-and-wales.json', () => {
  const years = YEARS;

  it('covers 2011-2035 for England and Wales, sorted and without duplicates', () => {
    expect(data.division).toBe('england-and-wales');
    expect(data.source).toMatch(/GOV\.UK/);
    expect(data.source).toMatch(/2011-2035/);
    expect(calendar.firstYear).toBe(FIRST_YEAR);
    expect(calendar.lastYear).toBe(LAST_YEAR);
    const dates = data.dates.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates.every((d) => Number(d.slice(0, 4)) >= FIRST_YEAR && Number(d.slice(0, 4)) <= LAST_YEAR)).toBe(true);
  });

  it.each(years)('%i: exactly the independently computed dates (standing rules, substitutes, one-offs)', (year) => {
    const inFile = data.dates.filter((d) => d.date.startsWith(`${year}-`)).map((d) => d.date);
    const expected = expectedDates(year);
    expect(inFile.length).toBe(expected.length);
    expect(inFile.length).toBe(EXPECTED_COUNT[year] ?? 8);
    expect(new Set(inFile)).toEqual(new Set(expected));
    expect(inFile).toEqual(expected);
    expect(calendar.bankHolidaysIn(year).map((h) => h.date)).toEqual(expected);
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
    expect(calendar.bankHolidayTitle('2011-04-29')).toBe('Royal wedding');
    expect(calendar.bankHolidayTitle('2012-06-04')).toBe('Spring bank holiday (substitute day)');
    expect(calendar.bankHolidayTitle('2012-06-05')).toMatch(/^Queen’s Diamond Jubilee/);
    expect(calendar.isBankHoliday('2012-05-28')).toBe(false);
    expect(calendar.bankHolidayTitle('2020-05-08')).toMatch(/\(VE day\)/i);
    expect(calendar.isBankHoliday('2020-05-04')).toBe(false);
    expect(calendar.bankHolidayTitle('2022-06-02')).toBe('Spring bank holiday');
    expect(calendar.bankHolidayTitle('2022-06-03')).toMatch(/Platinum Jubilee/);
    expect(calendar.isBankHoliday('2022-05-30')).toBe(false);
    expect(calendar.bankHolidayTitle('2022-09-19')).toMatch(/State Funeral of Queen Elizabeth II/);
    expect(calendar.bankHolidayTitle('2023-05-08')).toMatch(/coronation of King Charles III/i);
    expect(calendar.bankHolidayTitle('2023-05-01')).toBe('Early May bank holiday');
  });

  it('has the substitute days as published', () => {
    expect(calendar.bankHolidaysIn(2011)[0]).toEqual({ date: '2011-01-03', title: 'New Year’s Day (substitute day)' });
    // GOV.UK's 2011 data labels the Monday as Christmas Day's substitute and the Tuesday as Boxing Day's.
    expect(calendar.bankHolidaysIn(2011).slice(-2).map((h) => h.date)).toEqual(['2011-12-26', '2011-12-27']);
    expect(calendar.bankHolidaysIn(2012)[0].date).toBe('2012-01-02');
    expect(calendar.bankHolidaysIn(2015).slice(-2).map((h) => h.date)).toEqual(['2015-12-25', '2015-12-28']);
    expect(calendar.bankHolidaysIn(2016).slice(-2)).toEqual([
      { date: '2016-12-26', title: 'Boxing Day' },
      { date: '2016-12-27', title: 'Christmas Day (substitute day)' },
    ]);
    expect(calendar.bankHolidaysIn(2017)[0].date).toBe('2017-01-02');
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
    // Projected years, labelled the way GOV.UK labels the same weekday pattern.
    expect(calendar.bankHolidaysIn(2032).slice(-2)).toEqual([
      { date: '2032-12-27', title: 'Christmas Day (substitute day)' },
      { date: '2032-12-28', title: 'Boxing Day (substitute day)' },
    ]);
    expect(calendar.bankHolidaysIn(2033)[0]).toEqual({ date: '2033-01-03', title: 'New Year’s Day (substitute day)' });
    expect(calendar.bankHolidaysIn(2033).slice(-2)).toEqual([
      { date: '2033-12-26', title: 'Boxing Day' },
      { date: '2033-12-27', title: 'Christmas Day (substitute day)' },
    ]);
    expect(calendar.bankHolidaysIn(2034)[0].date).toBe('2034-01-02');
  });

  it('has eight bank holidays a year, nine in 2011 and 2012, ten in 2022 and nine in 2023', () => {
    for (const year of years) {
      const expected = year === 2011 || year === 2012 || year === 2023 ? 9 : year === 2022 ? 10 : 8;
      expect([year, calendar.bankHolidaysIn(year).length]).toEqual([year, expected]);
    }
    expect(data.dates.length).toBe(25 * 8 + 1 + 1 + 2 + 1);
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

  describe('at the ends of the data, 2011 and 2035', () => {
    it('counts across the 2011 Royal wedding and Easter holidays', () => {
      // Thu 28 Apr 2011: Fri 29 Apr (Royal wedding), the weekend and Mon 2 May (early May) skipped.
      expect(calendar.addWorkingDays('2011-04-28', 1)).toBe('2011-05-03');
      expect(calendar.addWorkingDays('2011-05-03', -1)).toBe('2011-04-28');
      // Thu 21 Apr 2011: Good Friday 22 Apr and Easter Monday 25 Apr skipped, then 26, 27, 28 Apr.
      expect(calendar.addWorkingDays('2011-04-21', 3)).toBe('2011-04-28');
      expect(calendar.workingDaysBetween('2011-04-21', '2011-05-03')).toBe(4);
      // Fri 23 Dec 2011: Mon 26 and Tue 27 Dec (both substitute days) skipped.
      expect(calendar.addWorkingDays('2011-12-23', 1)).toBe('2011-12-28');
      // Fri 31 Dec 2010 is outside the data; counting back from Tue 4 Jan 2011 past Mon 3 Jan reaches it.
      expect(calendar.isWorkingDay('2011-01-03')).toBe(false);
      expect(() => calendar.addWorkingDays('2011-01-04', -1)).toThrow(/2010/);
    });

    it('counts across the 2035 Easter and Christmas holidays', () => {
      // Thu 22 Mar 2035: Good Friday 23 Mar and Easter Monday 26 Mar skipped.
      expect(calendar.addWorkingDays('2035-03-22', 1)).toBe('2035-03-27');
      expect(calendar.addWorkingDays('2035-03-27', -1)).toBe('2035-03-22');
      // Mon 24 Dec 2035: Tue 25 and Wed 26 Dec skipped.
      expect(calendar.addWorkingDays('2035-12-24', 1)).toBe('2035-12-27');
      expect(calendar.addWorkingDays('2035-12-24', 3)).toBe('2035-12-31');
      expect(calendar.workingDaysBetween('2035-12-21', '2035-12-31')).toBe(4);
    });
  });

  it('refuses years the data does not cover, naming the year and the file', () => {
    expect(() => calendar.isBankHoliday('2036-01-01')).toThrow(CalendarCoverageError);
    expect(() => calendar.isWorkingDay('2036-06-02')).toThrow(
      'No bank-holiday data for 2036 in config/bank-holidays-england-and-wales.json (it covers 2011-2035)',
    );
    expect(() => calendar.isWorkingDay('2010-12-31')).toThrow(/2010/);
    expect(() => calendar.addWorkingDays('2035-12-28', 3)).toThrow(/2036/);
    expect(() => calendar.workingDaysBetween('2035-12-01', '2036-01-10')).toThrow(/2036/);
    expect(() => calendar.bankHolidaysIn(2036)).toThrow(/2036/);
    expect(() => calendar.bankHolidaysIn(2010)).toThrow(/2010/);
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
