/**
 * The README's clock table ("## Deadlines and reminders": clock | due | closes when), row by
 * row, against the pure planner: for each clock the due instant (17:00 London on the due date
 * unless the clock is a meeting's start) and how it closes, with its status and closedAt.
 * test/deadlines.test.ts covers some of this end to end through PostgreSQL.
 */
import { initialContext, type ReviewContext, type Stage } from '../reviews/lifecycle';
import { planClocks, type ClockInput, type PlannedClock } from './clock-plan';
import { loadStatutoryPeriods, loadWorkingDayCalendar, type DeadlineKind } from './rules';

const rules = { periods: loadStatutoryPeriods(), calendar: loadWorkingDayCalendar() };
const REVIEW = '11111111-1111-4111-8111-111111111111';

type Scenario = {
  status?: Stage;
  guidanceVersion?: string;
  notifiedOn?: string;
  context?: Partial<ReviewContext>;
  imrs?: ClockInput['imrs'];
  meetings?: ClockInput['meetings'];
  actions?: ClockInput['actions'];
};

function plan(scenario: Scenario, now: string): PlannedClock[] {
  const input: ClockInput = {
    reviewId: REVIEW,
    reference: 'DHR-TEST-2026-1',
    notifiedOn: scenario.notifiedOn ?? '2026-01-12',
    guidanceVersion: scenario.guidanceVersion ?? '2016',
    status: scenario.status ?? 'notified',
    context: { ...initialContext('2026-01-12T09:00:00.000Z'), ...scenario.context },
    imrs: scenario.imrs ?? [],
    meetings: scenario.meetings ?? [],
    actions: scenario.actions ?? [],
  };
  return planClocks(input, now, rules);
}

/** The one clock of `kind` (for `subjectId`, or with `title`, when given). */
function clockOf(clocks: PlannedClock[], kind: DeadlineKind, which: { subjectId?: string; title?: string } = {}): PlannedClock {
  const found = clocks.filter((c) => c.kind === kind && (!which.subjectId || c.subjectId === which.subjectId) && (!which.title || c.title === which.title));
  expect(found).toHaveLength(1);
  return found[0];
}

/** What the README's table states of a clock: when it is due and how it closed. */
const shown = (clock: PlannedClock) => ({ dueAt: clock.dueAt, status: clock.status, closedAt: clock.closedAt });

/** The decision in force: to proceed, decided on Tuesday 10 February 2026. */
const decided = (decision: Partial<NonNullable<ReviewContext['decision']>> = {}): NonNullable<ReviewContext['decision']> => ({
  outcome: 'proceed',
  rationale: 'Criteria met',
  decidedAt: '2026-02-10',
  jointWith: null,
  directedBySecretaryOfState: false,
  recordedAt: '2026-02-10T15:00:00.000Z',
  ...decision,
});

const qaRound = (round: number, submittedAt: string, outcome: { outcome: 'resubmit' | 'approved'; letterDate: string } | null = null) => ({
  round,
  submittedAt,
  recordedAt: `${submittedAt}T12:00:00.000Z`,
  outcome: outcome?.outcome ?? null,
  letterDate: outcome?.letterDate ?? null,
  notes: null,
  outcomeRecordedAt: outcome ? `${outcome.letterDate}T12:00:00.000Z` : null,
});

describe('the README clock table, planned from a review (planClocks)', () => {
  describe('decision: one calendar month after notification; closes when the decision is recorded', () => {
    it('is due one calendar month after the notification at 17:00 London, open until decided', () => {
      // Notified Monday 12 January 2026: due Thursday 12 February, 17:00 GMT.
      expect(shown(clockOf(plan({}, '2026-01-20T10:00:00.000Z'), 'decision_due'))).toEqual({ dueAt: '2026-02-12T17:00:00.000Z', status: 'open', closedAt: null });
      // Notified 20 March 2026: due 20 April, 17:00 BST (16:00Z).
      expect(shown(clockOf(plan({ notifiedOn: '2026-03-20' }, '2026-03-25T10:00:00.000Z'), 'decision_due'))).toEqual({ dueAt: '2026-04-20T16:00:00.000Z', status: 'open', closedAt: null });
    });

    it.each([
      ['before the due date', '2026-02-10', 'met', '2026-02-10T17:00:00.000Z'],
      ['on the due date', '2026-02-12', 'met', '2026-02-12T17:00:00.000Z'],
      ['the day after', '2026-02-13', 'missed', '2026-02-13T17:00:00.000Z'],
    ])('closes when the decision is recorded, %s: %s → %s', (_when, decidedAt, status, closedAt) => {
      const clocks = plan({ status: 'establishing', context: { decision: decided({ decidedAt }) } }, '2026-02-20T10:00:00.000Z');
      expect(shown(clockOf(clocks, 'decision_due'))).toEqual({ dueAt: '2026-02-12T17:00:00.000Z', status, closedAt });
    });
  });

  describe('Home Office told: one month after the decision; closes at NOTIFY_HOME_OFFICE', () => {
    it('is due one month after the decision, open until the Home Office is told', () => {
      const clocks = plan({ status: 'establishing', context: { decision: decided() } }, '2026-02-20T10:00:00.000Z');
      expect(shown(clockOf(clocks, 'home_office_notification'))).toEqual({ dueAt: '2026-03-10T17:00:00.000Z', status: 'open', closedAt: null });
    });

    it.each([
      ['a date before the due date', '2026-03-04', 'met', '2026-03-04T17:00:00.000Z'],
      ['the due date', '2026-03-10', 'met', '2026-03-10T17:00:00.000Z'],
      ['a date after it', '2026-03-11', 'missed', '2026-03-11T17:00:00.000Z'],
      ['an instant before it', '2026-03-04T11:15:00.000Z', 'met', '2026-03-04T11:15:00.000Z'],
    ])('closes at NOTIFY_HOME_OFFICE sent on %s (%s) → %s', (_when, sentAt, status, closedAt) => {
      const clocks = plan(
        { status: 'establishing', context: { decision: decided(), homeOfficeNotification: { sentAt, recordedAt: '2026-03-12T09:00:00.000Z' } } },
        '2026-03-12T10:00:00.000Z',
      );
      expect(shown(clockOf(clocks, 'home_office_notification'))).toEqual({ dueAt: '2026-03-10T17:00:00.000Z', status, closedAt });
    });

    it('runs after a decision not to proceed too, which has no completion target (that is a decision to proceed)', () => {
      const clocks = plan({ status: 'not_proceeding', context: { decision: decided({ outcome: 'not_proceed' }) } }, '2026-02-20T10:00:00.000Z');
      expect(shown(clockOf(clocks, 'home_office_notification'))).toEqual({ dueAt: '2026-03-10T17:00:00.000Z', status: 'open', closedAt: null });
      expect(clocks.filter((c) => c.kind === 'completion_target')).toEqual([]);
    });
  });

  describe('completion target: 6 months after the decision to proceed (12 under the 2024 guidance); closes at the first submission to the Home Office', () => {
    it.each([
      ['2016', '2026-08-10T16:00:00.000Z'],
      ['2024', '2027-02-10T17:00:00.000Z'],
    ])('under the %s guidance it is due on %s, open until the first submission', (guidanceVersion, dueAt) => {
      const clocks = plan({ guidanceVersion, status: 'drafting', context: { decision: decided() } }, '2026-06-01T09:00:00.000Z');
      expect(shown(clockOf(clocks, 'completion_target'))).toEqual({ dueAt, status: 'open', closedAt: null });
    });

    it.each([
      ['2016', '2026-08-10', '2026-08-10T16:00:00.000Z', 'met', '2026-08-10T16:00:00.000Z'],
      ['2016', '2026-08-11', '2026-08-10T16:00:00.000Z', 'missed', '2026-08-11T16:00:00.000Z'],
      ['2024', '2026-08-11', '2027-02-10T17:00:00.000Z', 'met', '2026-08-11T16:00:00.000Z'],
      ['2024', '2027-02-11', '2027-02-10T17:00:00.000Z', 'missed', '2027-02-11T17:00:00.000Z'],
    ])('under the %s guidance, first submitted on %s (due %s) → %s', (guidanceVersion, submittedAt, dueAt, status, closedAt) => {
      const clocks = plan({ guidanceVersion, status: 'home_office_qa', context: { decision: decided(), qaRounds: [qaRound(1, submittedAt)] } }, '2027-03-01T09:00:00.000Z');
      expect(shown(clockOf(clocks, 'completion_target'))).toEqual({ dueAt, status, closedAt });
    });

    it('closes at the first submission, not a resubmission: on time then late is met, late then on time is missed', () => {
      const onTimeFirst = plan(
        { status: 'home_office_qa', context: { decision: decided(), qaRounds: [qaRound(1, '2026-07-01', { outcome: 'resubmit', letterDate: '2026-08-01' }), qaRound(2, '2026-09-15')] } },
        '2026-10-01T09:00:00.000Z',
      );
      expect(shown(clockOf(onTimeFirst, 'completion_target'))).toEqual({ dueAt: '2026-08-10T16:00:00.000Z', status: 'met', closedAt: '2026-07-01T16:00:00.000Z' });

      const lateFirst = plan(
        { status: 'home_office_qa', context: { decision: decided(), qaRounds: [qaRound(1, '2026-08-20', { outcome: 'resubmit', letterDate: '2026-09-01' }), qaRound(2, '2026-09-15')] } },
        '2026-10-01T09:00:00.000Z',
      );
      expect(shown(clockOf(lateFirst, 'completion_target'))).toEqual({ dueAt: '2026-08-10T16:00:00.000Z', status: 'missed', closedAt: '2026-08-20T16:00:00.000Z' });
    });
  });

  describe("IMR due: the IMR's due date; received (met / missed) or waived", () => {
    const imr = (over: Partial<ClockInput['imrs'][number]> = {}): ClockInput['imrs'][number] => ({
      id: 'imr-1',
      agencyName: 'Essex Police',
      kind: 'imr',
      requestedOn: '2026-04-08',
      dueOn: '2026-05-20',
      receivedOn: null,
      waived: false,
      ...over,
    });
    const now = '2026-05-25T10:00:00.000Z';

    it('is due at 17:00 London on its due date, open until received or waived', () => {
      expect(shown(clockOf(plan({ status: 'information_gathering', imrs: [imr()] }, '2026-05-01T10:00:00.000Z'), 'imr_due', { subjectId: 'imr-1' }))).toEqual({
        dueAt: '2026-05-20T16:00:00.000Z',
        status: 'open',
        closedAt: null,
      });
    });

    it('follows the due date it has (an extended one)', () => {
      const clocks = plan({ status: 'information_gathering', imrs: [imr({ dueOn: '2026-06-10', receivedOn: '2026-06-01' })] }, now);
      expect(shown(clockOf(clocks, 'imr_due', { subjectId: 'imr-1' }))).toEqual({ dueAt: '2026-06-10T16:00:00.000Z', status: 'met', closedAt: '2026-06-01T16:00:00.000Z' });
    });

    it.each([
      ['before the due date', '2026-05-19', 'met', '2026-05-19T16:00:00.000Z'],
      ['on the due date', '2026-05-20', 'met', '2026-05-20T16:00:00.000Z'],
      ['the day after', '2026-05-21', 'missed', '2026-05-21T16:00:00.000Z'],
    ])('received %s (%s) → %s', (_when, receivedOn, status, closedAt) => {
      const clocks = plan({ status: 'information_gathering', imrs: [imr({ receivedOn })] }, now);
      expect(shown(clockOf(clocks, 'imr_due', { subjectId: 'imr-1' }))).toEqual({ dueAt: '2026-05-20T16:00:00.000Z', status, closedAt });
    });

    it('waived → waived', () => {
      const clocks = plan({ status: 'information_gathering', imrs: [imr({ waived: true })] }, now);
      expect(shown(clockOf(clocks, 'imr_due', { subjectId: 'imr-1' }))).toEqual({ dueAt: '2026-05-20T16:00:00.000Z', status: 'waived', closedAt: now });
    });
  });

  describe("meeting papers: 5 working days before a panel meeting; closes when papers circulated — panel meeting: the meeting's start; held or cancelled", () => {
    const meeting = (over: Partial<ClockInput['meetings'][number]> = {}): ClockInput['meetings'][number] => ({
      id: 'meeting-1',
      // Thursday 7 May 2026, 10:00 BST.
      startsAt: '2026-05-07T09:00:00.000Z',
      status: 'scheduled',
      papersCirculatedOn: null,
      heldAt: null,
      createdAt: '2026-04-01T10:00:00.000Z',
      ...over,
    });
    const now = '2026-05-10T10:00:00.000Z';

    it.each([
      // 6, 5, (4 May Early May bank holiday, 3 and 2 the weekend), 1 May, 30 and 29 April.
      ['Thursday 7 May 2026, across the Early May bank holiday and a weekend', '2026-05-07T09:00:00.000Z', '2026-04-29T16:00:00.000Z'],
      // 2, 1 April, 31, 30, 27 March (Easter Monday 6, the weekend, Good Friday 3 April skipped); 27 March is GMT.
      ['Tuesday 7 April 2026, across Easter', '2026-04-07T09:00:00.000Z', '2026-03-27T17:00:00.000Z'],
      // 9, 8, (7 and 6 the weekend), 5, 4, 3 June.
      ['Wednesday 10 June 2026, across a weekend', '2026-06-10T09:00:00.000Z', '2026-06-03T16:00:00.000Z'],
    ])('a meeting on %s (%s): papers due 5 working days before, at %s', (_meeting, startsAt, papersDue) => {
      const clocks = plan({ status: 'information_gathering', meetings: [meeting({ startsAt })] }, '2026-03-01T10:00:00.000Z');
      expect(shown(clockOf(clocks, 'meeting_papers_due', { subjectId: 'meeting-1' }))).toEqual({ dueAt: papersDue, status: 'open', closedAt: null });
      expect(shown(clockOf(clocks, 'panel_meeting', { subjectId: 'meeting-1' }))).toEqual({ dueAt: startsAt, status: 'open', closedAt: null });
    });

    it.each([
      ['on the due date', '2026-04-29', 'met', '2026-04-29T16:00:00.000Z'],
      ['the day after', '2026-04-30', 'missed', '2026-04-30T16:00:00.000Z'],
    ])('the papers clock closes when the papers are circulated, %s (%s) → %s', (_when, papersCirculatedOn, status, closedAt) => {
      const clocks = plan({ status: 'information_gathering', meetings: [meeting({ papersCirculatedOn })] }, now);
      expect(shown(clockOf(clocks, 'meeting_papers_due', { subjectId: 'meeting-1' }))).toEqual({ dueAt: '2026-04-29T16:00:00.000Z', status, closedAt });
    });

    it('the meeting clock is due at its start and closes when the meeting is held', () => {
      const clocks = plan({ status: 'information_gathering', meetings: [meeting({ status: 'held', papersCirculatedOn: '2026-04-28' })] }, now);
      expect(shown(clockOf(clocks, 'panel_meeting', { subjectId: 'meeting-1' }))).toEqual({ dueAt: '2026-05-07T09:00:00.000Z', status: 'met', closedAt: '2026-05-07T09:00:00.000Z' });
    });

    it('the meeting clock closes when the meeting is cancelled', () => {
      const clocks = plan({ status: 'information_gathering', meetings: [meeting({ status: 'cancelled' })] }, now);
      expect(shown(clockOf(clocks, 'panel_meeting', { subjectId: 'meeting-1' }))).toEqual({ dueAt: '2026-05-07T09:00:00.000Z', status: 'cancelled', closedAt: now });
    });
  });

  describe('RAG sign-off: the period in config/statutory-periods.json; closes when the board approves (met / missed) or returns the report (returned)', () => {
    const toTheBoard: ReviewContext['stageHistory'] = [
      { stage: 'notified', enteredAt: '2026-01-12T09:00:00.000Z' },
      { stage: 'establishing', enteredAt: '2026-02-10T15:00:00.000Z' },
      { stage: 'information_gathering', enteredAt: '2026-04-01T09:00:00.000Z' },
      { stage: 'drafting', enteredAt: '2026-07-01T09:00:00.000Z' },
      // Thursday 3 September 2026: one calendar month on is Saturday 3 October, so the next working day, Monday 5 October.
      { stage: 'rag_sign_off', enteredAt: '2026-09-03T10:00:00.000Z' },
    ];
    const FIRST = 'Sign-off by the CSP board';
    const SECOND = 'Sign-off by the CSP board (round 2)';

    it('is due one calendar month after the report reaches the board (next working day), open until the board answers', () => {
      const clocks = plan({ status: 'rag_sign_off', context: { decision: decided(), stageHistory: toTheBoard } }, '2026-09-10T09:00:00.000Z');
      expect(shown(clockOf(clocks, 'rag_sign_off', { title: FIRST }))).toEqual({ dueAt: '2026-10-05T16:00:00.000Z', status: 'open', closedAt: null });
    });

    it.each([
      ['before the due date', '2026-09-25', 'met', '2026-09-25T16:00:00.000Z'],
      ['on the due date', '2026-10-05', 'met', '2026-10-05T16:00:00.000Z'],
      ['the day after', '2026-10-06', 'missed', '2026-10-06T16:00:00.000Z'],
    ])('the board approves %s (%s) → %s', (_when, approvedAt, status, closedAt) => {
      const clocks = plan(
        { status: 'rag_sign_off', context: { decision: decided(), stageHistory: toTheBoard, ragApproval: { approvedAt, comments: null, recordedAt: `${approvedAt}T14:00:00.000Z` } } },
        '2026-10-07T09:00:00.000Z',
      );
      expect(shown(clockOf(clocks, 'rag_sign_off', { title: FIRST }))).toEqual({ dueAt: '2026-10-05T16:00:00.000Z', status, closedAt });
    });

    it('closes on the day the board approved, not the day that was recorded', () => {
      const clocks = plan(
        { status: 'rag_sign_off', context: { decision: decided(), stageHistory: toTheBoard, ragApproval: { approvedAt: '2026-10-02', comments: null, recordedAt: '2026-10-09T09:00:00.000Z' } } },
        '2026-10-09T10:00:00.000Z',
      );
      expect(shown(clockOf(clocks, 'rag_sign_off', { title: FIRST }))).toEqual({ dueAt: '2026-10-05T16:00:00.000Z', status: 'met', closedAt: '2026-10-02T16:00:00.000Z' });
    });

    it('a round the board returned closes as returned and stays so; the next round has a clock of its own', () => {
      const returned = {
        decision: decided(),
        ragReturns: [{ comments: 'Say more about the GP surgery', returnedAt: '2026-09-20T11:00:00.000Z' }],
        stageHistory: [
          ...toTheBoard,
          { stage: 'drafting' as const, enteredAt: '2026-09-20T11:00:00.000Z' },
          // Wednesday 14 October 2026: one month on is Saturday 14 November, so Monday 16 November (GMT).
          { stage: 'rag_sign_off' as const, enteredAt: '2026-10-14T10:00:00.000Z' },
        ],
      };
      const back = plan({ status: 'rag_sign_off', context: returned }, '2026-10-20T09:00:00.000Z');
      expect(shown(clockOf(back, 'rag_sign_off', { title: FIRST }))).toEqual({ dueAt: '2026-10-05T16:00:00.000Z', status: 'returned', closedAt: '2026-09-20T11:00:00.000Z' });
      expect(shown(clockOf(back, 'rag_sign_off', { title: SECOND }))).toEqual({ dueAt: '2026-11-16T17:00:00.000Z', status: 'open', closedAt: null });

      const approved = plan(
        { status: 'rag_sign_off', context: { ...returned, ragApproval: { approvedAt: '2026-11-10', comments: null, recordedAt: '2026-11-10T15:00:00.000Z' } } },
        '2026-11-11T09:00:00.000Z',
      );
      expect(shown(clockOf(approved, 'rag_sign_off', { title: FIRST }))).toEqual({ dueAt: '2026-10-05T16:00:00.000Z', status: 'returned', closedAt: '2026-09-20T11:00:00.000Z' });
      expect(shown(clockOf(approved, 'rag_sign_off', { title: SECOND }))).toEqual({ dueAt: '2026-11-16T17:00:00.000Z', status: 'met', closedAt: '2026-11-10T17:00:00.000Z' });
    });
  });

  describe('QA resubmission: the period in config/statutory-periods.json; closes when the report is resubmitted', () => {
    // A "resubmit" letter of Tuesday 1 December 2026: two calendar months on is Monday 1 February 2027.
    const resubmit = qaRound(1, '2026-10-20', { outcome: 'resubmit', letterDate: '2026-12-01' });

    it('is due two calendar months after the "resubmit" letter, open until resubmitted', () => {
      const clocks = plan({ status: 'drafting', context: { decision: decided(), qaRounds: [resubmit] } }, '2026-12-10T09:00:00.000Z');
      expect(shown(clockOf(clocks, 'qa_resubmission'))).toEqual({ dueAt: '2027-02-01T17:00:00.000Z', status: 'open', closedAt: null });
    });

    it.each([
      ['before the due date', '2027-01-25', 'met', '2027-01-25T17:00:00.000Z'],
      ['on the due date', '2027-02-01', 'met', '2027-02-01T17:00:00.000Z'],
      ['the day after', '2027-02-02', 'missed', '2027-02-02T17:00:00.000Z'],
    ])('resubmitted %s (%s) → %s', (_when, submittedAt, status, closedAt) => {
      const clocks = plan({ status: 'home_office_qa', context: { decision: decided(), qaRounds: [resubmit, qaRound(2, submittedAt)] } }, '2027-02-10T09:00:00.000Z');
      expect(shown(clockOf(clocks, 'qa_resubmission'))).toEqual({ dueAt: '2027-02-01T17:00:00.000Z', status, closedAt });
    });
  });

  describe("action target: the action's target date; closes when completed", () => {
    const action = (completedOn: string | null): ClockInput['actions'][number] => ({
      id: 'action-1',
      recommendationNumber: 1,
      owner: 'Essex Police',
      targetDate: '2027-03-31',
      status: completedOn ? 'complete' : 'open',
      completedOn,
      withdrawn: false,
      createdAt: '2026-12-01T10:00:00.000Z',
    });

    it.each([
      ['not yet completed', null, 'open', null],
      ['completed on the target date', '2027-03-31', 'met', '2027-03-31T16:00:00.000Z'],
      ['completed the day after', '2027-04-01', 'missed', '2027-04-01T16:00:00.000Z'],
    ])('is due at 17:00 London (BST) on its target date; %s (%s) → %s', (_when, completedOn, status, closedAt) => {
      const clocks = plan({ status: 'action_plan_monitoring', context: { decision: decided() }, actions: [action(completedOn)] }, '2027-04-02T09:00:00.000Z');
      expect(shown(clockOf(clocks, 'action_target', { subjectId: 'action-1' }))).toEqual({ dueAt: '2027-03-31T16:00:00.000Z', status, closedAt });
    });
  });
});
