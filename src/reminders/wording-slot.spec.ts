import { wordingSlot } from './send-reminder.job';

describe('wordingSlot', () => {
  const dueAt = '2026-11-28T17:00:00.000Z';
  it('words a reminder sent on time as its slot', () => {
    expect(wordingSlot('before-7d', dueAt, new Date('2026-11-21T09:00:00Z'))).toBe('before-7d');
    expect(wordingSlot('on-day', dueAt, new Date('2026-11-28T09:00:00Z'))).toBe('on-day');
  });
  it('words a reminder sent late by the time really left or overdue (London dates)', () => {
    expect(wordingSlot('before-7d', dueAt, new Date('2026-11-22T14:37:00Z'))).toBe('before-6d');
    expect(wordingSlot('before-1d', dueAt, new Date('2026-11-28T23:30:00Z'))).toBe('on-day');
    expect(wordingSlot('on-day', dueAt, new Date('2026-12-01T10:00:00Z'))).toBe('overdue-3d');
  });
  it('keeps an escalation an escalation, saying how overdue it is when it goes', () => {
    expect(wordingSlot('escalate-7d', dueAt, new Date('2026-12-05T09:00:00Z'))).toBe('escalate-7d');
    // The 7-day escalation sent a week late (the system was down): 14 days overdue, not 7.
    expect(wordingSlot('escalate-7d', dueAt, new Date('2026-12-12T10:00:00Z'))).toBe('escalate-14d');
  });
});
