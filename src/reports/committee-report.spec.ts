import { loadStatutoryPeriods, loadWorkingDayCalendar } from '../deadlines/rules';
import { initialContext, type ReviewContext } from '../reviews/lifecycle';
import { contextAsAt, datesInWordsList, FULL_VISIBILITY, reviewAsAt, type ReviewRecord } from './committee-report';

const rules = { periods: loadStatutoryPeriods(), calendar: loadWorkingDayCalendar() };

/** A review notified in April 2017 whose whole story (to its publication in 2019) is on the record today. */
function record(): ReviewRecord {
  const context: ReviewContext = {
    ...initialContext('2017-04-17T00:00:00.000Z'),
    stageHistory: [
      { stage: 'notified', enteredAt: '2017-04-17T00:00:00.000Z' },
      { stage: 'establishing', enteredAt: '2017-05-02T00:00:00.000Z' },
      { stage: 'information_gathering', enteredAt: '2017-09-19T00:00:00.000Z' },
      { stage: 'drafting', enteredAt: '2018-01-10T00:00:00.000Z' },
      { stage: 'rag_sign_off', enteredAt: '2018-03-02T00:00:00.000Z' },
      { stage: 'home_office_qa', enteredAt: '2018-03-20T00:00:00.000Z' },
      { stage: 'awaiting_publication', enteredAt: '2018-09-01T00:00:00.000Z' },
    ],
    decision: { outcome: 'proceed', rationale: 'Met', decidedAt: '2017-05-02', jointWith: null, directedBySecretaryOfState: false, recordedAt: '2026-12-04T10:00:00.000Z' },
    homeOfficeNotification: { sentAt: '2017-05-04', recordedAt: '2026-12-04T10:00:00.000Z' },
    termsOfReference: { agreedAt: '2017-09-19', scopeStart: null, scopeEnd: null, recordedAt: '2026-12-04T10:00:00.000Z' },
    ragApproval: { approvedAt: '2018-03-16', comments: null, recordedAt: '2026-12-04T10:00:00.000Z' },
    qaRounds: [{ round: 1, submittedAt: '2018-03-20', recordedAt: '2026-12-04T10:00:00.000Z', outcome: 'approved', letterDate: '2018-09-01', notes: null, outcomeRecordedAt: '2026-12-04T10:00:00.000Z' }],
    holds: [
      { reason: 'criminal_proceedings', detail: 'Trial of the suspect', expectedEnd: '2017-10-20', stage: 'information_gathering', startedAt: '2017-09-25T00:00:00.000Z', endedAt: '2017-10-13T00:00:00.000Z', endedBy: 'resume', resumeNote: null },
    ],
  };
  return {
    id: '11111111-1111-4111-8111-111111111111',
    reference: 'DHR 3',
    csp: { code: 'MALDON', name: 'Maldon Community Safety Partnership', boardName: 'RAG' },
    notifiedOn: '2017-04-17',
    guidanceVersion: '2016',
    context,
    pseudonym: 'Adult C',
    chairAppointedOn: ['2017-06-01'],
    meetings: [
      { id: 'm1', startsAt: '2017-09-19T09:00:00.000Z', status: 'held', createdAt: '2026-12-04T10:00:00.000Z', papersCirculatedOn: null },
      { id: 'm2', startsAt: '2017-10-16T09:00:00.000Z', status: 'held', createdAt: '2026-12-04T10:00:00.000Z', papersCirculatedOn: null },
      { id: 'm3', startsAt: '2018-02-01T10:00:00.000Z', status: 'held', createdAt: '2026-12-04T10:00:00.000Z', papersCirculatedOn: null },
    ],
    imrs: [
      // Extended on 1 December 2017 from 30 November to 15 January: on 8 November it was due on 30 November.
      { id: 'i1', agencyName: 'Essex Police', kind: 'imr', requestedOn: '2017-09-20', dueOn: '2018-01-15', receivedOn: '2017-11-20', waived: false, extensions: [{ grantedOn: '2017-12-01', previousDueOn: '2017-11-30' }] },
      { id: 'i2', agencyName: 'Mid Essex CCG', kind: 'imr', requestedOn: '2017-09-20', dueOn: '2017-12-20', receivedOn: '2017-12-04', waived: false },
    ],
    criminalConcludedOn: ['2017-10-13'],
    actions: [],
  };
}

describe('a review as it stood on a date (committee report)', () => {
  it('rebuilds the stage, holds, key dates, milestone and next step from the dated record, not from today', () => {
    const then = reviewAsAt(record(), '2017-11-08', FULL_VISIBILITY, rules)!;
    expect(then.stage).toBe('information_gathering');
    expect(then.stageLabel).toBe('Information gathering');
    expect(then.holds).toEqual([{ reason: 'criminal_proceedings', reasonLabel: 'Criminal proceedings', from: '2017-09-25', to: '2017-10-13', expectedEnd: '2017-10-20' }]);
    expect(then.latestMilestone).toEqual({ date: '2017-10-16', text: 'Panel meeting held' });
    // Two IMRs requested on 20 September and neither in by 8 November: the next step, due on 30 November moved by the 18 days held.
    expect(then.nextStep).toEqual({ text: 'Receive the two outstanding IMRs', dueDate: '2017-12-18' });
    expect(then.keyDates.find((k) => k.label === 'IMRs received')).toEqual({ label: 'IMRs received', dates: [], text: '0 of 2' });
    expect(then.keyDates.find((k) => k.label === 'Report to the RAG')?.text).toBe('Not yet');
    expect(then.paragraph).toBe(
      'DHR 3 was notified on 17 April 2017 and the criteria for a review were met. An independent chair was appointed on 1 June 2017. ' +
        'The review was on hold from 25 September to 13 October 2017 because of criminal proceedings. ' +
        'Two IMRs have been requested and none has been received yet. ' +
        'Panel meetings were held on 19 September and 16 October 2017, the second shortly after the criminal trial concluded. ' +
        'The next step is to receive the two outstanding IMRs, due by 18 December 2017.',
    );

    const today = reviewAsAt(record(), '2026-12-04', FULL_VISIBILITY, rules)!;
    expect(today.stage).toBe('awaiting_publication');
    expect(today.paragraph).toContain('The RAG approved it on 16 March 2018.');
    expect(today.paragraph).toContain('It was submitted to the Home Office on 20 March 2018; the Quality Assurance Panel approved it for publication by its letter of 1 September 2018.');
    expect(today.nextStep).toEqual({ text: 'Publish the overview report and executive summary', dueDate: null });
  });

  it('shows a hold current on the date as current, with its expected end as the next step’s date', () => {
    const held = reviewAsAt(record(), '2017-10-01', FULL_VISIBILITY, rules)!;
    expect(held.onHold).toBe(true);
    expect(held.stageLabel).toBe('Information gathering (on hold)');
    expect(held.holds[0].to).toBeNull();
    expect(held.nextStep).toEqual({ text: 'Resume the review when the hold ends', dueDate: '2017-10-20' });
    expect(held.paragraph).toContain('The review has been on hold since 25 September 2017 because of criminal proceedings; the hold is expected to end on 20 October 2017.');
  });

  it('is nothing before the notification, and the decision clock is the next step the day after it', () => {
    expect(reviewAsAt(record(), '2017-04-16', FULL_VISIBILITY, rules)).toBeNull();
    const first = reviewAsAt(record(), '2017-04-18', FULL_VISIBILITY, rules)!;
    expect(first.stage).toBe('notified');
    expect(first.nextStep?.text).toBe('Decide whether the criteria for a review are met');
    expect(first.nextStep?.dueDate).toMatch(/^2017-05-1\d$/);
    expect(first.paragraph).toMatch(/^DHR 3 was notified on 17 April 2017; a decision on whether the criteria for a review are met is awaited\. The next step is to decide/);
  });

  it('leaves out what the caller may not read (a board member: no IMRs, meetings, chair, proceedings or pseudonym)', () => {
    const none = { pseudonym: false, appointments: false, meetings: false, imrs: false, proceedings: false, actions: false };
    const rag = reviewAsAt(record(), '2017-11-08', none, rules)!;
    expect(rag.pseudonym).toBeNull();
    expect(rag.keyDates.map((k) => k.label)).toEqual(['Notification', 'Decision', 'Report to the RAG', 'Home Office submissions and QA', 'Publication']);
    expect(rag.paragraph).not.toMatch(/IMR|panel meeting|chair|trial/i);
    expect(rag.latestMilestone).toEqual({ date: '2017-10-13', text: 'Resumed after the hold' });
  });

  it('keeps a QA letter and board approval out until their own dates', () => {
    const context = contextAsAt(record().context, '2018-05-01');
    expect(context.qaRounds[0]).toMatchObject({ outcome: null, letterDate: null });
    expect(context.ragApproval?.approvedAt).toBe('2018-03-16');
    expect(context.stageHistory[context.stageHistory.length - 1].stage).toBe('home_office_qa');
  });

  it('words lists of dates as a committee report does', () => {
    expect(datesInWordsList(['2017-09-19', '2017-10-16'])).toBe('19 September and 16 October 2017');
    expect(datesInWordsList(['2016-12-01', '2017-09-19', '2017-10-16'])).toBe('1 December 2016, 19 September and 16 October 2017');
    expect(datesInWordsList(['2017-09-29'])).toBe('29 September 2017');
  });
});
