import {
  DateRuleError,
  addCalendarMonths,
  addDays,
  addLondonDays,
  addWeeks,
  civilDateOf,
  daysBetween,
  epochMillis,
  isCivilDate,
  isoWeekday,
  londonDateOf,
  londonInstant,
  londonTimeOf,
  toUtcInstant,
  yearOf,
} from './dates';
import fc from 'fast-check';
import { DateTime } from 'luxon';

describe('civil dates', () => {
  it('accepts real YYYY-MM-DD dates only', () => {
    expect(isCivilDate('2024-02-29')).toBe(true);
    expect(isCivilDate('2026-02-29')).toBe(false);
    expect(isCivilDate('2026-13-01')).toBe(false);
    expect(isCivilDate('2026-1-01')).toBe(false);
    expect(isCivilDate('2026-01-01T00:00:00Z')).toBe(false);
    expect(() => addDays('2026-02-30', 1)).toThrow(DateRuleError);
    expect(() => addDays('2026-02-28', 1.5)).toThrow(/whole number/);
  });

  it('adds days and weeks across month, year and leap-day boundaries', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29'); // the BST change is irrelevant to civil dates
    expect(addWeeks('2026-12-10', 6)).toBe('2027-01-21');
    expect(addWeeks('2026-01-21', -6)).toBe('2025-12-10');
  });

  it('counts days between dates, signed, across DST and leap years', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2026-04-10', '2026-04-01')).toBe(-9);
    expect(daysBetween('2026-04-10', '2026-04-10')).toBe(0);
  });

  it('knows the ISO weekday', () => {
    expect(isoWeekday('2026-12-25')).toBe(5); // Friday
    expect(isoWeekday('2026-12-27')).toBe(7); // Sunday
  });
});

describe('addCalendarMonths', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2028-01-30', 1, '2028-02-29'],
    ['2027-01-29', 1, '2027-02-28'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-02-28', 1, '2026-03-28'], // no sticky month end
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2026-08-31', 6, '2027-02-28'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2026-07-31', 12, '2027-07-31'],
    ['2025-11-30', 3, '2026-02-28'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2026-01-31', -2, '2025-11-30'],
    ['2026-05-10', 0, '2026-05-10'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addCalendarMonths(date, months)).toBe(expected);
  });
});

describe('Europe/London instants', () => {
  it('09:00 is 09:00Z in GMT and 08:00Z in BST, across the spring change (29 March 2026)', () => {
    expect(londonInstant('2026-03-28')).toBe('2026-03-28T09:00:00.000Z');
    expect(londonInstant('2026-03-29')).toBe('2026-03-29T08:00:00.000Z');
    expect(londonInstant('2026-03-30')).toBe('2026-03-30T08:00:00.000Z');
  });

  it('and back at the autumn change (25 October 2026)', () => {
    expect(londonInstant('2026-10-24')).toBe('2026-10-24T08:00:00.000Z');
    expect(londonInstant('2026-10-25')).toBe('2026-10-25T09:00:00.000Z');
    expect(londonInstant('2026-10-26')).toBe('2026-10-26T09:00:00.000Z');
  });

  it('uses the zone rules of other years too (2025: 30 March and 26 October)', () => {
    expect(londonInstant('2025-03-29', '17:00')).toBe('2025-03-29T17:00:00.000Z');
    expect(londonInstant('2025-03-30', '17:00')).toBe('2025-03-30T16:00:00.000Z');
    expect(londonInstant('2025-10-25', '17:00')).toBe('2025-10-25T16:00:00.000Z');
    expect(londonInstant('2025-10-26', '17:00')).toBe('2025-10-26T17:00:00.000Z');
  });

  it('resolves the missing and the repeated hour deterministically', () => {
    expect(londonInstant('2026-03-29', '00:30')).toBe('2026-03-29T00:30:00.000Z');
    expect(londonInstant('2026-03-29', '01:30')).toBe('2026-03-29T01:30:00.000Z'); // read as 02:30 BST
    expect(londonInstant('2026-03-29', '02:30')).toBe('2026-03-29T01:30:00.000Z');
    expect(londonInstant('2026-10-25', '00:30')).toBe('2026-10-24T23:30:00.000Z');
    expect(londonInstant('2026-10-25', '01:30')).toBe('2026-10-25T01:30:00.000Z'); // the GMT one
    expect(londonInstant('2026-10-25', '02:30')).toBe('2026-10-25T02:30:00.000Z');
  });

  it('refuses bad times and dates', () => {
    expect(() => londonInstant('2026-03-29', '9:00')).toThrow(/HH:mm/);
    expect(() => londonInstant('2026-03-29', '24:00')).toThrow(/HH:mm/);
    expect(() => londonInstant('2026-02-29')).toThrow(/civil date/);
  });

  it('gives the London date and time of an instant', () => {
    expect(londonDateOf('2026-06-30T23:30:00Z')).toBe('2026-07-01'); // 00:30 BST
    expect(londonDateOf('2026-12-31T23:30:00Z')).toBe('2026-12-31'); // GMT
    expect(londonDateOf('2026-03-29T00:59:59Z')).toBe('2026-03-29');
    expect(londonDateOf(new Date('2026-10-24T23:30:00Z'))).toBe('2026-10-25'); // 00:30 BST
    expect(londonDateOf('2026-07-01T00:30:00+01:00')).toBe('2026-07-01');
    expect(londonTimeOf('2026-03-29T08:00:00Z')).toBe('09:00');
    expect(londonTimeOf('2026-03-28T08:00:00Z')).toBe('08:00');
    expect(() => londonDateOf('2026-07-01T00:30:00')).toThrow(/offset or Z/);
    expect(() => londonDateOf('2026-07-01')).toThrow(/instant/);
  });

  it('reads instants written as Date#toISOString does without luxon, and still refuses impossible ones, however often asked', () => {
    for (let i = 0; i < 3; i += 1) {
      // Asked again: the remembered answers are the same, and refusals are never remembered as answers.
      expect(epochMillis('2026-07-01T09:00:00.000Z')).toBe(Date.UTC(2026, 6, 1, 9));
      expect(londonDateOf('2026-06-30T23:30:00.000Z')).toBe('2026-07-01');
      expect(() => epochMillis('2026-02-30T09:00:00.000Z')).toThrow(DateRuleError);
      expect(() => londonDateOf('2026-02-30T09:00:00.000Z')).toThrow(/not an ISO 8601 instant/);
      expect(() => londonInstant('2026-02-30', '09:00')).toThrow(/civil date/);
      expect(isCivilDate('2026-02-30')).toBe(false);
      expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
      expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
      expect(londonInstant('2026-03-29', '09:00')).toBe('2026-03-29T08:00:00.000Z');
    }
    expect(() => epochMillis(new Date(Number.NaN))).toThrow(DateRuleError);
  });

  it('round-trips a wall clock through an instant', () => {
    for (const date of ['2026-01-15', '2026-03-29', '2026-07-01', '2026-10-25', '2026-12-31']) {
      const at = londonInstant(date, '09:00');
      expect(londonDateOf(at)).toBe(date);
      expect(londonTimeOf(at)).toBe('09:00');
    }
  });

  it('normalises instants to UTC and accepts civil dates or instants where either will do', () => {
    expect(toUtcInstant('2026-07-01T10:00:00+01:00')).toBe('2026-07-01T09:00:00.000Z');
    expect(civilDateOf('2026-07-01')).toBe('2026-07-01');
    expect(civilDateOf('2026-06-30T23:30:00Z')).toBe('2026-07-01');
    expect(() => civilDateOf('soon', 'due')).toThrow(/due: 'soon'/);
  });

  it('adds days to an instant keeping the London wall clock across DST', () => {
    expect(addLondonDays('2026-03-28T09:00:00.000Z', 1)).toBe('2026-03-29T08:00:00.000Z');
    expect(addLondonDays('2026-10-24T16:00:00.000Z', 1)).toBe('2026-10-25T17:00:00.000Z');
  });
});

describe('the date rules without luxon on the hot path agree with luxon', () => {
  const day = fc.integer({ min: Date.UTC(1950, 0, 1) / 86_400_000, max: Date.UTC(2100, 11, 31) / 86_400_000 }).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
  const luxonCivil = (d: string) => DateTime.fromISO(d, { zone: 'utc' });

  it('daysBetween, isoWeekday and yearOf', () => {
    fc.assert(
      fc.property(day, day, (a, b) => {
        expect(daysBetween(a, b)).toBe(Math.round(luxonCivil(b).diff(luxonCivil(a), 'days').days));
        expect(isoWeekday(a)).toBe(luxonCivil(a).weekday);
        expect(yearOf(a)).toBe(luxonCivil(a).year);
      }),
      { numRuns: 2000 },
    );
  });

  it('londonDateOf any instant, the hours around each change of the clocks among them', () => {
    const anyInstant = fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2100, 0, 1) });
    // 00:00-02:59 UTC on the last Sundays of March and October (the changes are at 01:00 UTC).
    const nearChange = fc.tuple(fc.integer({ min: 1972, max: 2099 }), fc.constantFrom(2, 9), fc.integer({ min: 0, max: 3 * 3_600_000 - 1 })).map(([year, month, offset]) => {
      const last = new Date(Date.UTC(year, month + 1, 0));
      const sunday = last.getUTCDate() - last.getUTCDay();
      return Date.UTC(year, month, sunday) + offset;
    });
    fc.assert(
      fc.property(fc.oneof(anyInstant, nearChange), (ms) => {
        expect(londonDateOf(new Date(ms))).toBe(DateTime.fromMillis(ms, { zone: 'Europe/London' }).toFormat('yyyy-MM-dd'));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses what is not a real civil date, as before', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '']) {
      expect(() => daysBetween(bad, '2026-01-01')).toThrow(DateRuleError);
      expect(() => isoWeekday(bad)).toThrow(DateRuleError);
      expect(() => yearOf(bad)).toThrow(DateRuleError);
    }
  });
});
