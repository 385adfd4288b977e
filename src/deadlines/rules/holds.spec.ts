import { elapsed, heldDays, shiftForHold } from './holds';

describe('shiftForHold', () => {
  it('moves a civil due date by the days held', () => {
    expect(shiftForHold('2026-04-10', 14)).toBe('2026-04-24');
    expect(shiftForHold('2026-12-20', 14)).toBe('2027-01-03');
    expect(shiftForHold('2028-02-15', 14)).toBe('2028-02-29');
    expect(shiftForHold('2026-04-10', 0)).toBe('2026-04-10');
  });

  it('keeps the London wall-clock time of an instant across a DST change', () => {
    // 17:00 GMT on 20 March; 14 days later is 17:00 BST on 3 April = 16:00Z.
    expect(shiftForHold('2026-03-20T17:00:00.000Z', 14)).toBe('2026-04-03T16:00:00.000Z');
    // 17:00 BST on 20 October; 7 days later is 17:00 GMT.
    expect(shiftForHold('2026-10-20T16:00:00.000Z', 7)).toBe('2026-10-27T17:00:00.000Z');
  });

  it('refuses a negative or fractional hold', () => {
    expect(() => shiftForHold('2026-04-10', -1)).toThrow(/heldDays/);
    expect(() => shiftForHold('2026-04-10', 1.5)).toThrow(/heldDays/);
  });
});

describe('heldDays', () => {
  it('counts calendar days between London dates', () => {
    expect(heldDays({ from: '2026-03-01', to: '2026-03-08' })).toBe(7);
    expect(heldDays({ from: '2026-03-01', to: '2026-03-01' })).toBe(0);
    expect(heldDays({ from: '2026-03-28T23:30:00Z', to: '2026-03-29T23:30:00Z' })).toBe(2); // 28th GMT to 30th 00:30 BST
    expect(() => heldDays({ from: '2026-03-08', to: '2026-03-01' })).toThrow(/before it starts/);
  });
});

describe('elapsed', () => {
  it('with no holds, gross and net are equal', () => {
    expect(elapsed({ start: '2026-01-01', now: '2026-03-01' })).toEqual({ grossDays: 59, netDays: 59, heldDays: 0 });
    expect(elapsed({ start: '2024-01-01', now: '2024-03-01', holds: [] })).toEqual({ grossDays: 60, netDays: 60, heldDays: 0 });
  });

  it('subtracts a closed hold', () => {
    expect(elapsed({ start: '2026-01-01', now: '2026-03-01', holds: [{ from: '2026-01-10', to: '2026-01-20' }] })).toEqual({
      grossDays: 59,
      netDays: 49,
      heldDays: 10,
    });
  });

  it('runs an open hold to now', () => {
    expect(elapsed({ start: '2026-01-01', now: '2026-03-01', holds: [{ from: '2026-02-20', to: null }] })).toEqual({
      grossDays: 59,
      netDays: 50,
      heldDays: 9,
    });
  });

  it('counts overlapping holds once and clips holds to start and now', () => {
    const result = elapsed({
      start: '2026-01-10',
      now: '2026-02-10',
      holds: [
        { from: '2026-01-01', to: '2026-01-15' }, // 5 days after start
        { from: '2026-01-20', to: '2026-01-30' },
        { from: '2026-01-25', to: '2026-02-02' }, // overlaps: 20 Jan-2 Feb = 13
        { from: '2026-02-08', to: '2026-03-01' }, // clipped at now: 2
        { from: '2026-03-05', to: null }, // after now: nothing
      ],
    });
    expect(result).toEqual({ grossDays: 31, netDays: 31 - 5 - 13 - 2, heldDays: 20 });
  });

  it('treats holds that touch end to end as continuous, without double counting', () => {
    const result = elapsed({
      start: '2026-01-01',
      now: '2026-01-31',
      holds: [
        { from: '2026-01-05', to: '2026-01-10' },
        { from: '2026-01-10', to: '2026-01-12' },
      ],
    });
    expect(result).toEqual({ grossDays: 30, netDays: 23, heldDays: 7 });
  });

  it('takes instants as London dates, across DST', () => {
    expect(elapsed({ start: '2026-03-28T23:30:00Z', now: new Date('2026-10-25T23:30:00Z') })).toEqual({
      grossDays: 211, // 28 March to 25 October
      netDays: 211,
      heldDays: 0,
    });
  });

  it('refuses impossible inputs', () => {
    expect(() => elapsed({ start: '2026-03-01', now: '2026-02-01' })).toThrow(/before start/);
    expect(() => elapsed({ start: '2026-01-01', now: '2026-03-01', holds: [{ from: '2026-02-10', to: '2026-02-01' }] })).toThrow(
      /holds\[0\] ends/,
    );
    expect(() => elapsed({ start: 'yesterday', now: '2026-03-01' })).toThrow(/start: 'yesterday'/);
  });
});
