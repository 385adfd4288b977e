import { initialContext } from '../reviews/lifecycle';
import { nextSteps, whereFixed } from './review-next-steps';

describe('the next steps the lifecycle refuses now', () => {
  it('each reason a step waits on names the page where it is put right', () => {
    expect(whereFixed('An independent chair has not been appointed')).toBe('team');
    expect(whereFixed('No panel members have been appointed')).toBe('team');
    expect(whereFixed('2 commissioned IMRs are neither received nor waived')).toBe('imrs');
    expect(whereFixed('No panel meeting has considered the IMRs yet')).toBe('meetings');
    expect(whereFixed('There is no draft overview report')).toBe('documents');
    expect(whereFixed('No recommendations are recorded, and no reason for making none is recorded')).toBe('recommendations');
    expect(whereFixed('The family has not been offered the draft report')).toBe('family');
    expect(whereFixed('Anonymisation of the report has not been confirmed')).toBe('publication');
    expect(whereFixed('Criminal proceedings are still active; publication must wait until they have ended')).toBe('proceedings');
    expect(whereFixed('2 of 3 actions are not complete')).toBe('action-plan');
    expect(whereFixed('The board (RAG) has not approved the report')).toBe('sign-off');
    expect(whereFixed('The Home Office QA Panel has not approved the report for publication')).toBe('qa');
    expect(whereFixed('The review is on hold (inquest) since 2026-12-01')).toBeNull();
  });

  it('a step already taken is done with its date, not "not possible"; a reason links only to a page the caller may open', () => {
    const context = {
      ...initialContext('2026-03-02T00:00:00.000Z'),
      decision: { outcome: 'proceed', decidedAt: '2026-03-20', directedBySecretaryOfState: false },
      homeOfficeNotification: { sentAt: '2026-03-21' },
    } as never;
    const { done, waiting } = nextSteps({
      blocked: [
        { type: 'DECIDE', label: 'Record the decision', reasons: ['A decision (proceed) was already recorded on 2026-03-20'] },
        { type: 'NOTIFY_HOME_OFFICE', label: 'Record that the Home Office was told', reasons: ['The Home Office was already told of this decision on 2026-03-21'] },
        { type: 'AGREE_TERMS_OF_REFERENCE', label: 'Record that the terms of reference were agreed', reasons: ['An independent chair has not been appointed', 'No panel members have been appointed'] },
        { type: 'BEGIN_DRAFTING', label: 'Begin drafting the report', reasons: ['No panel meeting has considered the IMRs yet'] },
      ],
      context,
      onHold: false,
      tabs: [{ key: 'team', href: '/cases/R/team', text: 'Team' }],
    });
    expect(done).toEqual([
      { type: 'DECIDE', label: 'Record the decision', what: 'Decision recorded', on: '2026-03-20' },
      { type: 'NOTIFY_HOME_OFFICE', label: 'Record that the Home Office was told', what: 'Home Office told of the decision', on: '2026-03-21' },
    ]);
    expect(waiting.map((w) => [w.type, w.reasons.map((r) => r.href)])).toEqual([
      ['AGREE_TERMS_OF_REFERENCE', ['/cases/R/team', '/cases/R/team']],
      ['BEGIN_DRAFTING', [null]],
    ]);
  });
});
