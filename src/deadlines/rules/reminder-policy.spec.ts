import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { londonDateOf, londonTimeOf } from './dates';
import { DEADLINE_KINDS } from './kinds';
import { ReminderPolicyInput, daysOverdueOnArrival, loadReminderPolicy, nextReminder, parseReminderPolicy, reminderSchedule } from './reminder-policy';
import { defaultConfigPath, readJsonFile } from './rules-file';

const policy = loadReminderPolicy();
const raw = readJsonFile(defaultConfigPath('reminder-policy.json')) as ReminderPolicyInput;
const clone = (): ReminderPolicyInput => JSON.parse(JSON.stringify(raw)) as ReminderPolicyInput;

/** A small policy to test the rules themselves, independent of the shipped numbers. */
function testPolicy(overrides: Partial<ReminderPolicyInput['kinds']['imr_due']> = {}, extra: Partial<ReminderPolicyInput> = {}) {
  const data = clone();
  data.kinds.imr_due = {
    beforeDays: [14, 7, 1],
    onDay: true,
    overdueEveryDays: 3,
    escalations: [{ afterDaysOverdue: 7, to: ['agency_senior_manager'] }],
    recipients: ['owner'],
    ...overrides,
  };
  return parseReminderPolicy({ ...data, ...extra }, 'test policy');
}

// Friday 10 April 2026, 17:00 BST.
const imr = { kind: 'imr_due' as const, dueAt: '2026-04-10T16:00:00.000Z' };

describe('config/reminder-policy.json', () => {
  it('has a policy for every deadline kind, sent at 09:00, bounded at 60 days overdue', () => {
    expect(Object.keys(policy.kinds).sort()).toEqual([...DEADLINE_KINDS].sort());
    expect(policy.sendAt).toBe('09:00');
    expect(policy.maxOverdueDays).toBe(60);
  });

  it('gives every kind a schedule with unique slots', () => {
    for (const kind of DEADLINE_KINDS) {
      const schedule = reminderSchedule(policy, { kind, dueAt: '2026-06-15T16:00:00.000Z' });
      expect(schedule.length).toBeGreaterThan(0);
      expect(new Set(schedule.map((r) => r.slot)).size).toBe(schedule.length);
      for (const r of schedule) {
        expect(r.slot).toMatch(/^(before-\d+d|on-day|overdue-\d+d|escalate-\d+d)$/);
        expect(r.slot).not.toContain(':');
        expect(londonTimeOf(r.at)).toBe('09:00');
      }
    }
  });

  it('reminds the panel of a panel meeting, never overdue, never escalated', () => {
    const slots = reminderSchedule(policy, { kind: 'panel_meeting', dueAt: '2026-06-15T09:00:00.000Z' }).map((r) => r.slot);
    expect(slots).toEqual(['before-14d', 'before-7d', 'before-1d', 'on-day']);
    expect(policy.kinds.panel_meeting.recipients).toContain('panel');
  });
});

describe('reminderSchedule', () => {
  const p = testPolicy();

  it('lists offsets before, the day, overdue repeats and the escalation in time order', () => {
    const schedule = reminderSchedule(p, imr);
    expect(schedule.slice(0, 8).map((r) => [r.slot, r.date, r.offsetDays])).toEqual([
      ['before-14d', '2026-03-27', -14],
      ['before-7d', '2026-04-03', -7],
      ['before-1d', '2026-04-09', -1],
      ['on-day', '2026-04-10', 0],
      ['overdue-3d', '2026-04-13', 3],
      ['overdue-6d', '2026-04-16', 6],
      ['escalate-7d', '2026-04-17', 7],
      ['overdue-9d', '2026-04-19', 9],
    ]);
    const times = schedule.map((r) => Date.parse(r.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('sends at 09:00 London: 09:00Z before the clocks go forward on 29 March, 08:00Z after', () => {
    const at = Object.fromEntries(reminderSchedule(p, imr).map((r) => [r.slot, r.at]));
    expect(at['before-14d']).toBe('2026-03-27T09:00:00.000Z');
    expect(at['before-7d']).toBe('2026-04-03T08:00:00.000Z');
    expect(at['on-day']).toBe('2026-04-10T08:00:00.000Z');
  });

  it('and 09:00Z again after the clocks go back on 25 October', () => {
    const at = Object.fromEntries(reminderSchedule(p, { kind: 'imr_due', dueAt: '2026-11-01T17:00:00.000Z' }).map((r) => [r.slot, r.at]));
    expect(at['before-14d']).toBe('2026-10-18T08:00:00.000Z');
    expect(at['before-7d']).toBe('2026-10-25T09:00:00.000Z');
    expect(at['on-day']).toBe('2026-11-01T09:00:00.000Z');
  });

  it('winter and summer deadlines', () => {
    const winter = reminderSchedule(p, { kind: 'imr_due', dueAt: '2026-01-15T17:00:00.000Z' }).find((r) => r.slot === 'on-day');
    const summer = reminderSchedule(p, { kind: 'imr_due', dueAt: '2026-07-15T16:00:00.000Z' }).find((r) => r.slot === 'on-day');
    expect(winter?.at).toBe('2026-01-15T09:00:00.000Z');
    expect(summer?.at).toBe('2026-07-15T08:00:00.000Z');
  });

  it('counts from the London date of the due instant', () => {
    // 23:30Z on 30 June is 00:30 BST on 1 July.
    const schedule = reminderSchedule(p, { kind: 'imr_due', dueAt: '2026-06-30T23:30:00Z' });
    expect(schedule.find((r) => r.slot === 'on-day')?.at).toBe('2026-07-01T08:00:00.000Z');
    expect(schedule.find((r) => r.slot === 'before-1d')?.date).toBe('2026-06-30');
  });

  it('repeats while overdue up to the bound, and no further', () => {
    const overdue = reminderSchedule(p, imr).filter((r) => r.type === 'overdue');
    expect(overdue).toHaveLength(20);
    expect(overdue[overdue.length - 1].slot).toBe('overdue-60d');
    expect(londonDateOf(overdue[overdue.length - 1].at)).toBe('2026-06-09');

    const shortBound = reminderSchedule(testPolicy({ overdueEveryDays: 7, overdueUntilDays: 20 }), imr).filter((r) => r.type === 'overdue');
    expect(shortBound.map((r) => r.slot)).toEqual(['overdue-7d', 'overdue-14d']);

    const policyBound = reminderSchedule(testPolicy({ overdueEveryDays: 10 }, { maxOverdueDays: 30 }), imr).filter((r) => r.type === 'overdue');
    expect(policyBound.map((r) => r.slot)).toEqual(['overdue-10d', 'overdue-20d', 'overdue-30d']);
  });

  it('has no overdue repeats when overdueEveryDays is null, and no on-day when onDay is false', () => {
    const schedule = reminderSchedule(testPolicy({ overdueEveryDays: null, onDay: false, escalations: [] }), imr);
    expect(schedule.map((r) => r.slot)).toEqual(['before-14d', 'before-7d', 'before-1d']);
  });

  it('sorts offsets given in any order', () => {
    const schedule = reminderSchedule(testPolicy({ beforeDays: [1, 28, 7], overdueEveryDays: null, escalations: [] }), imr);
    expect(schedule.map((r) => r.slot)).toEqual(['before-28d', 'before-7d', 'before-1d', 'on-day']);
  });

  it('escalations carry their roles; other reminders carry none', () => {
    const schedule = reminderSchedule(
      testPolicy({
        escalations: [
          { afterDaysOverdue: 7, to: ['agency_senior_manager'] },
          { afterDaysOverdue: 21, to: ['chair', 'csp_lead'] },
        ],
      }),
      imr,
    );
    const escalations = schedule.filter((r) => r.type === 'escalation');
    expect(escalations.map((r) => [r.slot, r.date, r.escalateTo])).toEqual([
      ['escalate-7d', '2026-04-17', ['agency_senior_manager']],
      ['escalate-21d', '2026-05-01', ['chair', 'csp_lead']],
    ]);
    for (const r of schedule.filter((x) => x.type !== 'escalation')) expect(r.escalateTo).toEqual([]);
    for (const r of schedule) expect(r.recipients).toEqual(['owner']);
  });

  it('puts an escalation after the overdue reminder of the same day', () => {
    const schedule = reminderSchedule(testPolicy({ overdueEveryDays: 7 }), imr);
    expect(schedule.filter((r) => r.offsetDays === 7).map((r) => r.slot)).toEqual(['overdue-7d', 'escalate-7d']);
  });

  it('honours another send time', () => {
    const schedule = reminderSchedule(testPolicy({}, { sendAt: '17:30' }), imr);
    expect(schedule.find((r) => r.slot === 'on-day')?.at).toBe('2026-04-10T16:30:00.000Z');
  });

  it('is pure: the same inputs give the same list', () => {
    expect(reminderSchedule(p, imr)).toEqual(reminderSchedule(p, imr));
    expect(reminderSchedule(p, imr, '2026-04-20T12:00:00Z')).toEqual(reminderSchedule(p, imr, new Date('2026-04-20T12:00:00Z')));
    const list = reminderSchedule(p, imr);
    list[0].recipients.push('panel');
    expect(reminderSchedule(p, imr)[0].recipients).toEqual(['owner']);
  });

  describe('with now', () => {
    it('before the first reminder: everything, nothing late', () => {
      const schedule = reminderSchedule(p, imr, '2026-03-01T00:00:00Z');
      expect(schedule.map(({ late: _late, ...r }) => r)).toEqual(reminderSchedule(p, imr));
      expect(schedule.every((r) => r.late === false)).toBe(true);
    });

    it('keeps only the latest passed reminder, marked late, and the future ones', () => {
      const schedule = reminderSchedule(p, imr, '2026-04-09T12:00:00Z');
      expect(schedule.slice(0, 3).map((r) => [r.slot, r.late])).toEqual([
        ['before-1d', true],
        ['on-day', false],
        ['overdue-3d', false],
      ]);
    });

    it('a reminder whose time is exactly now counts as passed', () => {
      const schedule = reminderSchedule(p, imr, '2026-04-10T08:00:00.000Z');
      expect(schedule[0]).toMatchObject({ slot: 'on-day', late: true });
    });

    it('keeps every passed escalation, since each reaches different people', () => {
      const schedule = reminderSchedule(
        testPolicy({
          escalations: [
            { afterDaysOverdue: 7, to: ['agency_senior_manager'] },
            { afterDaysOverdue: 14, to: ['chair'] },
          ],
        }),
        imr,
        '2026-04-25T12:00:00Z',
      );
      expect(schedule.filter((r) => r.late).map((r) => r.slot)).toEqual(['escalate-7d', 'escalate-14d', 'overdue-15d']);
      expect(schedule.find((r) => !r.late)?.slot).toBe('overdue-18d');
    });

    it('long after the bound: only the last reminders, late', () => {
      const schedule = reminderSchedule(p, imr, '2027-01-01T00:00:00Z');
      expect(schedule.map((r) => [r.slot, r.late])).toEqual([
        ['escalate-7d', true],
        ['overdue-60d', true],
      ]);
    });
  });
});

describe('reminderSchedule of a clock made just before its next reminder', () => {
  const p = testPolicy({});
  it('made at 07:55 on the day of its 1-day reminder: no late 7-day one worded "due in 1 day" first, only the 1-day one at 09:00', () => {
    // Thursday 9 April 2026 07:55Z (08:55 BST); the 1-day reminder goes at 08:00Z.
    const made = { ...imr, dueSetAt: '2026-04-09T07:55:00Z' };
    const schedule = reminderSchedule(p, made, made.dueSetAt);
    expect(schedule.filter((r) => r.late)).toEqual([]);
    expect(schedule[0]).toMatchObject({ slot: 'before-1d', at: '2026-04-09T08:00:00.000Z' });
  });

  it('made the evening before: the late one still goes, since the next is another day', () => {
    const made = { ...imr, dueSetAt: '2026-04-08T19:00:00Z' };
    expect(reminderSchedule(p, made, made.dueSetAt).filter((r) => r.late).map((r) => r.slot)).toEqual(['before-7d']);
  });
});

describe('nextReminder (the worker\'s pointer)', () => {
  const p = testPolicy({ escalations: [{ afterDaysOverdue: 7, to: ['agency_senior_manager'] }, { afterDaysOverdue: 14, to: ['chair'] }] });
  it('without a slot just handled: the first owed, late or not', () => {
    expect(nextReminder(p, imr, '2026-03-01T00:00:00Z')).toMatchObject({ slot: 'before-14d', late: false });
    expect(nextReminder(p, imr, '2026-04-09T12:00:00Z')).toMatchObject({ slot: 'before-1d', late: true });
  });

  it('after a slot: the next in the schedule\'s order, so passed escalations are each owed once, then the latest ordinary one', () => {
    const now = '2026-04-25T12:00:00Z';
    const walk: string[] = [];
    for (let r = nextReminder(p, imr, now); r && r.late; r = nextReminder(p, imr, now, r.slot)) walk.push(r.slot);
    expect(walk).toEqual(['escalate-7d', 'escalate-14d', 'overdue-15d']);
    expect(nextReminder(p, imr, now, 'overdue-15d')).toMatchObject({ slot: 'overdue-18d', late: false });
  });

  it('after the last slot: nothing; after a slot the policy no longer has: the next still to come', () => {
    expect(nextReminder(p, imr, '2026-06-10T12:00:00Z', 'overdue-60d')).toBeNull();
    expect(nextReminder(p, imr, '2026-03-01T00:00:00Z', 'before-30d')).toMatchObject({ slot: 'before-14d' });
  });
});

describe('reminderSchedule of a moved due time', () => {
  const p = testPolicy({});
  // Due Friday 10 April 2026; moved (a meeting rescheduled, an extension) on Wednesday 8 April at 10:00.
  const movedOn = '2026-04-08T09:00:00Z';

  it('owes nothing late that fell before the move: it was sent about the old due time', () => {
    const moved = reminderSchedule(p, { ...imr, dueSetAt: movedOn, moved: true }, movedOn);
    expect(moved.filter((r) => r.late)).toEqual([]);
    expect(moved.map((r) => r.slot).slice(0, 2)).toEqual(['before-1d', 'on-day']);
  });

  it('still owes, late, what fell after the move while the system was down', () => {
    const moved = reminderSchedule(p, { ...imr, dueSetAt: movedOn, moved: true }, '2026-04-10T12:00:00Z');
    expect(moved.filter((r) => r.late).map((r) => r.slot)).toEqual(['on-day']);
  });

  it('a new clock made at the same moment does get the latest passed one, at once', () => {
    const made = reminderSchedule(p, { ...imr, dueSetAt: movedOn }, movedOn);
    expect(made.filter((r) => r.late).map((r) => r.slot)).toEqual(['before-7d']);
  });
});

describe('reminderSchedule of a clock already overdue when its due time was set', () => {
  const p = testPolicy({
    escalations: [
      { afterDaysOverdue: 7, to: ['agency_senior_manager'] },
      { afterDaysOverdue: 14, to: ['chair'] },
    ],
  });
  /** The IMR due Friday 10 April 2026 17:00 BST, its due time set at `dueSetAt`. */
  const arriving = (dueSetAt: string) => ({ ...imr, dueSetAt });
  const slotsOf = (list: Array<{ slot: string }>) => list.map((r) => r.slot);

  it('ships a 30-day window for the one overdue notice', () => {
    expect(policy.overdueOnArrival).toEqual({ noticeWithinDays: 30 });
  });

  it('measures how overdue it arrived in London days, and only when it was past due then', () => {
    expect(daysOverdueOnArrival(arriving('2026-04-13T10:00:00Z'))).toBe(3);
    expect(daysOverdueOnArrival(arriving('2026-04-10T17:00:00Z'))).toBe(0); // 18:00 BST on the due day
    expect(daysOverdueOnArrival(arriving('2026-04-10T16:00:00.000Z'))).toBeNull(); // set exactly at its due time
    expect(daysOverdueOnArrival(arriving('2026-04-08T10:00:00Z'))).toBeNull();
    expect(daysOverdueOnArrival(imr)).toBeNull();
    // 23:30Z on 9 May is 00:30 BST on 10 May: 30 days by London dates.
    expect(daysOverdueOnArrival(arriving('2026-05-09T23:30:00Z'))).toBe(30);
  });

  it('created nine years overdue: nothing at all, then or ever', () => {
    const ancient = { kind: 'decision_due' as const, dueAt: '2017-03-01T17:00:00.000Z', dueSetAt: '2026-04-13T10:00:00Z' };
    expect(reminderSchedule(policy, ancient)).toEqual([]);
    expect(reminderSchedule(policy, ancient, '2026-04-13T10:00:00Z')).toEqual([]);
    expect(reminderSchedule(policy, ancient, '2026-09-01T10:00:00Z')).toEqual([]);
    // Without dueSetAt (the old rule) it would owe the escalation and the last repeat.
    expect(slotsOf(reminderSchedule(policy, { kind: ancient.kind, dueAt: ancient.dueAt }, '2026-04-13T10:00:00Z'))).toEqual([
      'escalate-14d',
      'overdue-56d',
    ]);
    for (const kind of DEADLINE_KINDS) {
      expect(reminderSchedule(policy, { kind, dueAt: ancient.dueAt, dueSetAt: ancient.dueSetAt }, ancient.dueSetAt)).toEqual([]);
    }
  });

  it('created 3 days overdue: exactly one overdue notice now, no before or on-day, then the usual cadence', () => {
    const arrived = arriving('2026-04-13T10:00:00Z'); // Monday 11:00 BST, after the 09:00 send
    const schedule = reminderSchedule(p, arrived, arrived.dueSetAt);
    const late = schedule.filter((r) => r.late);
    expect(late).toEqual([
      expect.objectContaining({ slot: 'overdue-3d', type: 'overdue', offsetDays: 3, at: '2026-04-13T08:00:00.000Z', date: '2026-04-13', onArrival: true }),
    ]);
    expect(late[0].recipients).toEqual(['owner']);
    expect(late[0].escalateTo).toEqual([]);
    expect(schedule.some((r) => r.type === 'before' || r.type === 'on_day')).toBe(false);
    // Still outstanding after the day it arrived: chased like any overdue IMR.
    expect(slotsOf(schedule.filter((r) => !r.late)).slice(0, 4)).toEqual(['overdue-6d', 'escalate-7d', 'overdue-9d', 'overdue-12d']);
    // The full list is the same whatever `now` is: one notice, then days after the arrival.
    expect(slotsOf(reminderSchedule(p, arrived)).slice(0, 3)).toEqual(['overdue-3d', 'overdue-6d', 'escalate-7d']);
    expect(reminderSchedule(p, arrived).filter((r) => r.onArrival)).toHaveLength(1);
  });

  it('created 3 days overdue for a weekly kind: the notice is overdue-3d, before the first weekly repeat', () => {
    const decision = { kind: 'decision_due' as const, dueAt: '2026-04-10T16:00:00.000Z', dueSetAt: '2026-04-13T10:00:00Z' };
    const schedule = reminderSchedule(policy, decision, decision.dueSetAt);
    expect(schedule.filter((r) => r.late).map((r) => r.slot)).toEqual(['overdue-3d']);
    expect(slotsOf(schedule).slice(0, 4)).toEqual(['overdue-3d', 'overdue-7d', 'overdue-14d', 'escalate-14d']);
  });

  it('created 20 days overdue: one notice instead of the back-log of escalations and repeats', () => {
    const arrived = arriving('2026-04-30T10:00:00Z');
    // The old rule (no dueSetAt) owes both escalations and the latest repeat at once.
    expect(slotsOf(reminderSchedule(p, imr, arrived.dueSetAt).filter((r) => r.late))).toEqual(['escalate-7d', 'escalate-14d', 'overdue-18d']);
    const schedule = reminderSchedule(p, arrived, arrived.dueSetAt);
    expect(slotsOf(schedule.filter((r) => r.late))).toEqual(['overdue-20d']);
    expect(schedule.some((r) => r.type === 'escalation')).toBe(false); // both fell before it arrived
    expect(slotsOf(schedule).slice(0, 3)).toEqual(['overdue-20d', 'overdue-21d', 'overdue-24d']);
  });

  it('arriving before the send time: the notice waits for sendAt that day', () => {
    const arrived = arriving('2026-04-13T06:30:00Z'); // 07:30 BST
    const schedule = reminderSchedule(p, arrived, arrived.dueSetAt);
    expect(schedule.filter((r) => r.late)).toEqual([]);
    expect(schedule[0]).toMatchObject({ slot: 'overdue-3d', at: '2026-04-13T08:00:00.000Z', late: false, onArrival: true });
  });

  it('a system down after it arrived owes what any overdue clock would, from the day after the arrival', () => {
    const arrived = arriving('2026-04-13T10:00:00Z');
    const schedule = reminderSchedule(p, arrived, '2026-04-25T12:00:00Z');
    expect(slotsOf(schedule.filter((r) => r.late))).toEqual(['escalate-7d', 'escalate-14d', 'overdue-15d']);
  });

  it('created on the due day after the send time but before the due time: unchanged, due today', () => {
    const arrived = arriving('2026-04-10T09:00:00Z'); // 10:00 BST; due 17:00
    const schedule = reminderSchedule(p, arrived, arrived.dueSetAt);
    expect(schedule).toEqual(reminderSchedule(p, imr, arrived.dueSetAt));
    expect(schedule[0]).toMatchObject({ slot: 'on-day', late: true });
    expect(schedule.filter((r) => r.late)).toHaveLength(1);
  });

  it('created on the due day after the due time: no on-day, one "1 day overdue" notice the next morning', () => {
    const arrived = arriving('2026-04-10T17:00:00Z'); // 18:00 BST
    const schedule = reminderSchedule(p, arrived, arrived.dueSetAt);
    expect(schedule.filter((r) => r.late)).toEqual([]);
    expect(schedule[0]).toMatchObject({ slot: 'overdue-1d', type: 'overdue', at: '2026-04-11T08:00:00.000Z', onArrival: true });
    expect(slotsOf(schedule).slice(0, 3)).toEqual(['overdue-1d', 'overdue-3d', 'overdue-6d']);
  });

  it('created 2 days before it is due: unchanged (the latest passed before-reminder, late, then the rest)', () => {
    const arrived = arriving('2026-04-08T10:00:00Z');
    const schedule = reminderSchedule(p, arrived, arrived.dueSetAt);
    expect(schedule).toEqual(reminderSchedule(p, imr, arrived.dueSetAt));
    expect(schedule.slice(0, 3).map((r) => [r.slot, r.late])).toEqual([
      ['before-7d', true],
      ['before-1d', false],
      ['on-day', false],
    ]);
    expect(reminderSchedule(p, arrived)).toEqual(reminderSchedule(p, imr));
  });

  it('the window: 30 days overdue on arrival gets its one notice, 31 days nothing (London dates)', () => {
    const at30 = arriving('2026-05-10T10:00:00Z');
    expect(reminderSchedule(p, at30, at30.dueSetAt).filter((r) => r.late)).toEqual([
      expect.objectContaining({ slot: 'overdue-30d', date: '2026-05-10', onArrival: true }),
    ]);
    // 23:30Z on 10 May is already 11 May in London: 31 days.
    for (const dueSetAt of ['2026-05-10T23:30:00Z', '2026-05-11T10:00:00Z', '2026-06-01T10:00:00Z']) {
      expect(reminderSchedule(p, arriving(dueSetAt))).toEqual([]);
      expect(reminderSchedule(p, arriving(dueSetAt), dueSetAt)).toEqual([]);
    }
    // The window is the policy's to set.
    const narrow = testPolicy({}, { overdueOnArrival: { noticeWithinDays: 2 } });
    expect(reminderSchedule(narrow, arriving('2026-04-12T10:00:00Z'))[0]).toMatchObject({ slot: 'overdue-2d', onArrival: true });
    expect(reminderSchedule(narrow, arriving('2026-04-13T10:00:00Z'))).toEqual([]);
    const sameDayOnly = testPolicy({}, { overdueOnArrival: { noticeWithinDays: 0 } });
    expect(reminderSchedule(sameDayOnly, arriving('2026-04-10T17:00:00Z'))[0]).toMatchObject({ slot: 'overdue-1d', onArrival: true });
    expect(reminderSchedule(sameDayOnly, arriving('2026-04-11T10:00:00Z'))).toEqual([]);
  });

  it('no notice for a kind that is never reminded while overdue, or beyond its own bound', () => {
    const meeting = { kind: 'panel_meeting' as const, dueAt: '2026-04-10T09:00:00.000Z', dueSetAt: '2026-04-13T10:00:00Z' };
    expect(reminderSchedule(policy, meeting)).toEqual([]);
    // Papers are chased for 5 days overdue: arriving 3 days late, a notice and the last two
    // days; 8 days late (within the window, past the kind's bound), nothing.
    const papers = { kind: 'meeting_papers_due' as const, dueAt: '2026-04-10T16:00:00.000Z' };
    expect(slotsOf(reminderSchedule(policy, { ...papers, dueSetAt: '2026-04-13T10:00:00Z' }))).toEqual(['overdue-3d', 'overdue-4d', 'overdue-5d']);
    expect(reminderSchedule(policy, { ...papers, dueSetAt: '2026-04-18T10:00:00Z' })).toEqual([]);
  });

  it('keeps its slot keys stable: the same inputs give the same list, whatever the time', () => {
    const arrived = arriving('2026-04-13T10:00:00Z');
    expect(reminderSchedule(p, arrived)).toEqual(reminderSchedule(p, { ...arrived, dueSetAt: new Date(arrived.dueSetAt) }));
    const keys = new Set(slotsOf(reminderSchedule(p, arrived)));
    for (const now of ['2026-04-13T10:00:00Z', '2026-04-14T10:00:00Z', '2026-04-20T10:00:00Z', '2026-06-30T10:00:00Z']) {
      for (const r of reminderSchedule(p, arrived, now)) expect(keys.has(r.slot)).toBe(true);
    }
    for (const slot of keys) expect(slot).toMatch(/^(overdue|escalate)-\d+d$/);
  });
});

describe('policy validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhr-policy-'));
  const write = (name: string, data: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(data));
    return path;
  };

  it('names the file and the bad field', () => {
    const badOffset = clone() as unknown as { kinds: { imr_due: { beforeDays: unknown[] } } };
    badOffset.kinds.imr_due.beforeDays = [14, 'seven'];
    expect(() => loadReminderPolicy(write('offset.json', badOffset))).toThrow(/offset\.json: kinds\.imr_due\.beforeDays\.1: Expected number/);

    const badRole = clone() as unknown as { kinds: { imr_due: { escalations: { afterDaysOverdue: number; to: string[] }[] } } };
    badRole.kinds.imr_due.escalations = [{ afterDaysOverdue: 7, to: ['mayor'] }];
    expect(() => loadReminderPolicy(write('role.json', badRole))).toThrow(/kinds\.imr_due\.escalations\.0\.to\.0: Invalid enum value/);

    const missingKind = clone() as unknown as { kinds: Record<string, unknown> };
    delete missingKind.kinds.action_target;
    expect(() => loadReminderPolicy(write('missing.json', missingKind))).toThrow(/kinds\.action_target: Required/);

    const tooLate = clone();
    tooLate.kinds.imr_due.escalations = [{ afterDaysOverdue: 90, to: ['chair'] }];
    expect(() => loadReminderPolicy(write('late.json', tooLate))).toThrow(/kinds\.imr_due\.escalations\.0\.afterDaysOverdue: is 90, beyond the 60 days/);

    const repeated = clone();
    repeated.kinds.imr_due.beforeDays = [7, 7];
    expect(() => loadReminderPolicy(write('repeat.json', repeated))).toThrow(/kinds\.imr_due\.beforeDays: must not repeat a day/);

    const badTime = clone();
    badTime.sendAt = '9am';
    expect(() => loadReminderPolicy(write('time.json', badTime))).toThrow(/sendAt: must be a wall-clock time/);

    const zero = clone();
    zero.kinds.imr_due.overdueEveryDays = 0;
    expect(() => loadReminderPolicy(write('zero.json', zero))).toThrow(/kinds\.imr_due\.overdueEveryDays/);
  });

  it('defaults sendAt, maxOverdueDays and overdueOnArrival', () => {
    const data = clone();
    delete data.sendAt;
    delete data.maxOverdueDays;
    delete data.overdueOnArrival;
    const parsed = parseReminderPolicy(data);
    expect(parsed.sendAt).toBe('09:00');
    expect(parsed.maxOverdueDays).toBe(60);
    expect(parsed.overdueOnArrival).toEqual({ noticeWithinDays: 30 });
  });

  it('checks overdueOnArrival', () => {
    const negative = clone() as unknown as { overdueOnArrival: unknown };
    negative.overdueOnArrival = { noticeWithinDays: -1 };
    expect(() => loadReminderPolicy(write('arrival-negative.json', negative))).toThrow(/overdueOnArrival\.noticeWithinDays/);
    const fraction = clone() as unknown as { overdueOnArrival: unknown };
    fraction.overdueOnArrival = { noticeWithinDays: 1.5 };
    expect(() => loadReminderPolicy(write('arrival-fraction.json', fraction))).toThrow(/overdueOnArrival\.noticeWithinDays: Expected integer/);
    const unknown = clone() as unknown as { overdueOnArrival: unknown };
    unknown.overdueOnArrival = { noticeWithinDays: 30, sendEscalations: true };
    expect(() => loadReminderPolicy(write('arrival-unknown.json', unknown))).toThrow(/overdueOnArrival: Unrecognized key/);
  });

  it('refuses a policy missing a file', () => {
    expect(() => loadReminderPolicy(join(dir, 'absent.json'))).toThrow(/absent\.json: cannot be read \(ENOENT\)/);
  });
});
