import { clockTime, dateInWords, datesInWords, dateTimeInWords, shortWeekdayDate, weekdayDate } from './display-dates';
import fc from 'fast-check';

describe('dates in words (London)', () => {
  it('a calendar date is the day it names', () => {
    expect(dateInWords('2026-12-04')).toBe('4 December 2026');
    expect(dateInWords('2026-03-29')).toBe('29 March 2026');
    expect(dateInWords('')).toBe('');
    expect(dateInWords(null)).toBe('');
  });

  it('an instant is its London date: late on 30 June in UTC is 1 July in summer time', () => {
    expect(dateInWords('2026-06-30T23:30:00Z')).toBe('1 July 2026');
    expect(dateInWords(new Date('2026-12-31T23:30:00Z'))).toBe('31 December 2026');
  });

  it('an instant with its London time, GOV.UK style, either side of the clocks changing', () => {
    expect(dateTimeInWords('2026-12-18T10:00:00.000Z')).toBe('18 December 2026 at 10:00am');
    expect(dateTimeInWords('2026-07-20T09:30:00Z')).toBe('20 July 2026 at 10:30am');
    expect(dateTimeInWords('2026-07-20T13:05:00Z')).toBe('20 July 2026 at 2:05pm');
    expect(dateTimeInWords('2026-07-20')).toBe('20 July 2026');
  });

  it('not a date: kept as it is', () => {
    expect(dateInWords('yesterday')).toBe('yesterday');
    expect(dateInWords('2026-02-30')).toBe('2026-02-30');
  });

  it('puts the ISO dates and instants inside a sentence into words, and nothing else', () => {
    expect(datesInWords('The review is on hold (inquest) since 2026-12-18')).toBe('The review is on hold (inquest) since 18 December 2026');
    expect(datesInWords('Decision recorded (2026-12-18T10:00:00.000Z) cannot be before notification (2026-12-19)')).toBe(
      'Decision recorded (18 December 2026 at 10:00am) cannot be before notification (19 December 2026)',
    );
    expect(datesInWords('held at 2026-06-30T23:00:00.000Z')).toBe('held at 1 July 2026');
    expect(datesInWords('DHR-DEMO-2026-001 has 12 items')).toBe('DHR-DEMO-2026-001 has 12 items');
    expect(datesInWords(null)).toBe('');
  });

  it('the emails’ forms: with the weekday, and the time on a 24-hour clock, in London', () => {
    expect(shortWeekdayDate(new Date('2026-04-14T16:00:00Z'))).toBe('Tue 14 April 2026');
    expect(weekdayDate(new Date('2026-04-14T23:30:00Z'))).toBe('Wednesday 15 April 2026');
    expect(clockTime(new Date('2026-04-14T08:30:00Z'))).toBe('09:30');
    expect(clockTime(new Date('2026-12-14T08:30:00Z'))).toBe('08:30');
  });
});

describe('the fast paths give the same words as luxon', () => {
  // The reference: luxon, as every date was worded before the fast paths.
  const { DateTime } = jest.requireActual<typeof import('luxon')>('luxon');
  const london = (at: Date) => DateTime.fromJSDate(at, { zone: 'Europe/London' });

  it('for any instant from 1900 to 2200, as a Date and as an ISO string with an offset', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('2200-12-30T00:00:00Z'), noInvalidDate: true }), (at) => {
        const expected = `${london(at).toFormat('d MMMM yyyy')} at ${london(at).toFormat('h:mma').toLowerCase()}`;
        expect(dateTimeInWords(at)).toBe(expected);
        expect(dateTimeInWords(at.toISOString())).toBe(expected);
        expect(dateInWords(at.toISOString().replace('Z', '+00:00'))).toBe(london(at).toFormat('d MMMM yyyy'));
      }),
      { numRuns: 2000 },
    );
  });

  it('for any calendar date, and a date that does not exist is given back as it was', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
        const civil = at.toISOString().slice(0, 10);
        expect(dateInWords(civil)).toBe(DateTime.fromISO(civil, { zone: 'Europe/London' }).toFormat('d MMMM yyyy'));
      }),
      { numRuns: 2000 },
    );
    expect(dateInWords('2026-02-31')).toBe('2026-02-31');
    expect(dateInWords('2026-13-01')).toBe('2026-13-01');
    // The clocks going back: 01:30 happens twice in London on 25 October 2026.
    expect(dateTimeInWords('2026-10-25T00:30:00Z')).toBe('25 October 2026 at 1:30am');
    expect(dateTimeInWords('2026-10-25T01:30:00Z')).toBe('25 October 2026 at 1:30am');
    expect(dateTimeInWords('2026-10-25T12:00:00+01:00')).toBe('25 October 2026 at 11:00am');
  });
});
