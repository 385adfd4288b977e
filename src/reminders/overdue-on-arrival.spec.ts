import { loadReminderPolicy, reminderSchedule } from '../deadlines/rules';
import { renderReminderEmail } from './mail/reminder-email';
import { wordingSlot } from './send-reminder.job';

/**
 * The one overdue notice of a clock that was already overdue when its due time was set, as
 * the email words it (SendReminderJob words every reminder by the time really left or overdue
 * at the moment it is sent).
 */
describe('the overdue notice of a clock that arrived overdue, as worded', () => {
  const policy = loadReminderPolicy();
  // An IMR due Saturday 31 January 2026, 17:00 GMT.
  const dueAt = '2026-01-31T17:00:00.000Z';
  const subjectAt = (dueSetAt: string, sentAt: string) => {
    const [notice] = reminderSchedule(policy, { kind: 'imr_due', dueAt, dueSetAt }, dueSetAt).filter((r) => r.late || r.onArrival);
    expect(notice.onArrival).toBe(true);
    return renderReminderEmail({
      reviewReference: 'DHR-MALDON-2026-001',
      pseudonyms: ['Adult A'],
      kind: 'imr_due',
      what: 'IMR from Essex Police',
      dueAt,
      slot: wordingSlot(notice.slot, dueAt, new Date(sentAt)),
      link: 'https://dhr.example.gov.uk/cases/r1',
      recipientName: 'Sam Rep',
    }).subject;
  };

  it('says "30 days overdue" when it arrives 30 days overdue', () => {
    expect(subjectAt('2026-03-02T10:00:00Z', '2026-03-02T10:00:01Z')).toBe(
      '[DHR-MALDON-2026-001] IMR from Essex Police is 30 days overdue (due Sat 31 January 2026)',
    );
  });

  it('says how overdue it really is when it goes later (the system was down)', () => {
    expect(subjectAt('2026-02-10T10:00:00Z', '2026-02-12T08:00:00Z')).toMatch(/is 12 days overdue/);
  });

  it('one that arrived hours past due on its due date: "1 day overdue", the next morning', () => {
    const [notice] = reminderSchedule(policy, { kind: 'imr_due', dueAt, dueSetAt: '2026-01-31T18:00:00Z' });
    expect(notice).toMatchObject({ slot: 'overdue-1d', at: '2026-02-01T09:00:00.000Z', onArrival: true });
    expect(subjectAt('2026-01-31T18:00:00Z', notice.at)).toMatch(/is 1 day overdue/);
  });
});
