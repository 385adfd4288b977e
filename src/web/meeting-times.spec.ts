import { londonInstant, londonParts, readTime } from './meeting-times';

describe('meeting times', () => {
  it.each([
    ['10:30am', { hour: 10, minute: 30 }],
    ['10am', { hour: 10, minute: 0 }],
    ['12pm', { hour: 12, minute: 0 }],
    ['12:15am', { hour: 0, minute: 15 }],
    ['2.45 PM', { hour: 14, minute: 45 }],
    ['14:00', { hour: 14, minute: 0 }],
    ['9:05', { hour: 9, minute: 5 }],
  ])('reads %s', (raw, value) => {
    expect(readTime(raw)).toEqual({ value });
  });

  it.each(['25:00', '13pm', '10:60', '14', 'noon', '0am'])('refuses %s', (raw) => {
    expect(readTime(raw).problem).toBe('must be a real time, for example 10:30am or 14:00');
  });

  it('leaves an empty box empty', () => {
    expect(readTime('  ')).toEqual({});
    expect(readTime(undefined)).toEqual({});
  });

  it('fixes the time in London: GMT in winter, BST in summer', () => {
    expect(londonInstant('2026-01-20', { hour: 10, minute: 0 })).toBe('2026-01-20T10:00:00Z'.replace('Z', '+00:00'));
    expect(londonInstant('2026-07-20', { hour: 10, minute: 30 })).toBe('2026-07-20T10:30:00+01:00');
    expect(londonParts('2026-07-20T09:30:00Z')).toEqual({ date: '2026-07-20', time: '10:30am' });
    expect(londonParts(new Date('2026-01-20T14:00:00Z'))).toEqual({ date: '2026-01-20', time: '2pm' });
  });
});
