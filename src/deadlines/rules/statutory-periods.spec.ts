import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkingDayCalendar } from './calendar';
import { PERIOD_KINDS } from './kinds';
import { defaultConfigPath, readJsonFile } from './rules-file';
import { StatutoryPeriodError, StatutoryPeriods, StatutoryPeriodsData, loadStatutoryPeriods } from './statutory-periods';

const calendar = loadWorkingDayCalendar();
const periods = loadStatutoryPeriods();
const raw = readJsonFile(defaultConfigPath('statutory-periods.json')) as StatutoryPeriodsData;

describe('config/statutory-periods.json', () => {
  it('defines the 2016 and 2024 guidance, each with every period kind', () => {
    expect(periods.guidanceVersions()).toEqual(['2016', '2024']);
    for (const version of ['2016', '2024']) {
      expect(Object.keys(periods.version(version).periods).sort()).toEqual([...PERIOD_KINDS].sort());
    }
    expect(periods.version('2016').status).toBe('in_force');
    expect(periods.version('2024').status).toBe('draft');
  });

  it('has a six-month completion target under 2016 and twelve under 2024', () => {
    expect(periods.periodFor('completion_target', '2016')).toMatchObject({ amount: 6, unit: 'calendar_months', anchor: 'decision_to_proceed' });
    expect(periods.periodFor('completion_target', '2024')).toMatchObject({ amount: 12, unit: 'calendar_months' });
  });

  it('marks the uncertain and practice periods as unconfirmed, with notes', () => {
    for (const version of ['2016', '2024']) {
      for (const kind of ['decision_due', 'home_office_notification', 'imr_due', 'qa_resubmission', 'rag_sign_off'] as const) {
        const period = periods.periodFor(kind, version);
        expect([version, kind, period.confirmed]).toEqual([version, kind, false]);
        expect(period.notes).toEqual(expect.any(String));
      }
    }
    expect(periods.periodFor('imr_due', '2016').basis).toBe('practice');
    expect(periods.periodFor('meeting_papers_due', '2016')).toMatchObject({ amount: 5, unit: 'working_days', direction: 'before', basis: 'practice' });
  });
});

describe('dueDateFor', () => {
  it('decision due one calendar month after notification, with the month-end clamp', () => {
    expect(periods.dueDateFor('decision_due', '2026-01-31', '2016', calendar)).toBe('2026-02-28');
    expect(periods.dueDateFor('decision_due', '2024-01-31', '2016', calendar)).toBe('2024-02-29');
    expect(periods.dueDateFor('decision_due', '2028-01-30', '2024', calendar)).toBe('2028-02-29');
    expect(periods.dueDateFor('decision_due', '2026-03-15', '2016', calendar)).toBe('2026-04-15');
  });

  it('keeps a statutory date that falls on a bank holiday', () => {
    expect(periods.dueDateFor('decision_due', '2026-11-25', '2016', calendar)).toBe('2026-12-25');
    expect(periods.dueDateFor('home_office_notification', '2026-03-03', '2016', calendar)).toBe('2026-04-03');
  });

  it('completion target: 6 months (2016) or 12 months (2024) from the decision to proceed', () => {
    expect(periods.dueDateFor('completion_target', '2026-03-31', '2016', calendar)).toBe('2026-09-30');
    expect(periods.dueDateFor('completion_target', '2026-03-31', '2024', calendar)).toBe('2027-03-31');
    expect(periods.dueDateFor('completion_target', '2027-08-31', '2016', calendar)).toBe('2028-02-29');
    expect(periods.dueDateFor('completion_target', '2024-02-29', '2024', calendar)).toBe('2025-02-28');
  });

  it('meeting papers five working days before the meeting, across Easter and Christmas', () => {
    expect(periods.dueDateFor('meeting_papers_due', '2026-04-07', '2016', calendar)).toBe('2026-03-27');
    expect(periods.dueDateFor('meeting_papers_due', '2027-01-05', '2016', calendar)).toBe('2026-12-24');
    expect(periods.dueDateFor('meeting_papers_due', '2026-06-15', '2024', calendar)).toBe('2026-06-08');
  });

  it('IMR due six weeks after the request, moved off a bank holiday', () => {
    expect(periods.dueDateFor('imr_due', '2026-06-01', '2016', calendar)).toBe('2026-07-13');
    expect(periods.dueDateFor('imr_due', '2026-11-16', '2016', calendar)).toBe('2026-12-29'); // 28 Dec substitute
    expect(periods.dueDateFor('imr_due', '2026-02-23', '2016', calendar)).toBe('2026-04-07'); // Easter Monday
  });

  it('practice defaults for RAG sign-off and QA resubmission', () => {
    expect(periods.dueDateFor('rag_sign_off', '2026-11-28', '2016', calendar)).toBe('2026-12-29');
    expect(periods.dueDateFor('qa_resubmission', '2026-10-25', '2016', calendar)).toBe('2026-12-29');
    expect(periods.dueDateFor('qa_resubmission', '2026-05-12', '2024', calendar)).toBe('2026-07-13'); // 12 July is a Sunday
  });

  it('refuses an unknown guidance version, naming the known ones', () => {
    expect(() => periods.dueDateFor('decision_due', '2026-01-01', '2030', calendar)).toThrow(StatutoryPeriodError);
    expect(() => periods.dueDateFor('decision_due', '2026-01-01', '2030', calendar)).toThrow(
      "Unknown guidance version '2030': config/statutory-periods.json defines '2016', '2024'",
    );
    expect(() => periods.version('toString')).toThrow(/Unknown guidance version 'toString'/);
  });

  it('refuses kinds whose dates are set by people', () => {
    expect(() => periods.dueDateFor('panel_meeting', '2026-01-01', '2016', calendar)).toThrow(
      /'panel_meeting' has no period .*set explicitly/,
    );
    expect(() => periods.dueDateFor('action_target', '2026-01-01', '2016', calendar)).toThrow(/'action_target'/);
  });

  it('refuses a bad start date and a date outside the calendar', () => {
    expect(() => periods.dueDateFor('decision_due', '2026-02-30', '2016', calendar)).toThrow(/startDate/);
    expect(() => periods.dueDateFor('imr_due', '2035-12-10', '2016', calendar)).toThrow(/No bank-holiday data for 2036/);
  });

  it('takes a new guidance version as data only', () => {
    const data = JSON.parse(JSON.stringify(raw)) as { versions: Record<string, { title: string; status: string; periods: Record<string, unknown> }> };
    data.versions['2031'] = {
      ...data.versions['2024'],
      title: 'A future revision',
      status: 'draft',
      periods: {
        ...data.versions['2024'].periods,
        completion_target: { amount: 9, unit: 'calendar_months', direction: 'after', anchor: 'decision_to_proceed', basis: 'guidance', confirmed: false },
        decision_due: { amount: 20, unit: 'working_days', direction: 'after', anchor: 'notification', basis: 'guidance', confirmed: false },
      },
    };
    const future = new StatutoryPeriods(data as StatutoryPeriodsData, 'test data');
    expect(future.guidanceVersions()).toEqual(['2016', '2024', '2031']);
    expect(future.dueDateFor('completion_target', '2026-05-31', '2031', calendar)).toBe('2027-02-28');
    expect(future.dueDateFor('decision_due', '2026-12-14', '2031', calendar)).toBe('2027-01-14');
    expect(future.periodFor('decision_due', '2031').ifNotWorkingDay).toBe('keep'); // the default
  });
});

describe('loadStatutoryPeriods', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhr-periods-'));
  const write = (name: string, data: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(data));
    return path;
  };
  const copy = (): { versions: Record<string, { periods: Record<string, Record<string, unknown>> }> } =>
    JSON.parse(JSON.stringify(raw)) as { versions: Record<string, { periods: Record<string, Record<string, unknown>> }> };

  it('names the file and the bad field', () => {
    const badUnit = copy();
    badUnit.versions['2016'].periods.imr_due.unit = 'fortnights';
    expect(() => loadStatutoryPeriods(write('unit.json', badUnit))).toThrow(/unit\.json: versions\.2016\.periods\.imr_due\.unit: Invalid enum value/);

    const missing = copy();
    delete missing.versions['2024'].periods.rag_sign_off;
    expect(() => loadStatutoryPeriods(write('missing.json', missing))).toThrow(/versions\.2024\.periods\.rag_sign_off: Required/);

    const extra = copy();
    extra.versions['2016'].periods.decison_due = extra.versions['2016'].periods.decision_due;
    expect(() => loadStatutoryPeriods(write('extra.json', extra))).toThrow(/versions\.2016\.periods.*decison_due/);

    const negative = copy();
    negative.versions['2016'].periods.completion_target.amount = -6;
    expect(() => loadStatutoryPeriods(write('negative.json', negative))).toThrow(/completion_target\.amount/);

    expect(() => loadStatutoryPeriods(write('empty.json', { versions: {} }))).toThrow(/versions: must define at least one guidance version/);
    expect(() => loadStatutoryPeriods(join(dir, 'nope.json'))).toThrow(/nope\.json: cannot be read/);
  });

  it('names config/statutory-periods.json relative to the project root by default', () => {
    expect(periods.source).toBe('config/statutory-periods.json');
  });
});
