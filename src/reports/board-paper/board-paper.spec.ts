import { initialContext, type ReviewContext } from '../../reviews/lifecycle';
import { boardPaperOf, FULL_PAPER_VISIBILITY, type BoardPaperRecord } from './board-paper';
import { NOT_SHOWN, paperSections } from './board-paper-files';

const AT = '2026-12-04T10:00:00.000Z';

/** A review past the board: returned once, approved, with the Home Office twice, published; held again since. */
function record(): BoardPaperRecord {
  const context: ReviewContext = {
    ...initialContext('2017-04-17T00:00:00.000Z'),
    stageHistory: [
      { stage: 'notified', enteredAt: '2017-04-17T00:00:00.000Z' },
      { stage: 'establishing', enteredAt: '2017-05-02T00:00:00.000Z' },
      { stage: 'information_gathering', enteredAt: '2017-09-19T00:00:00.000Z' },
      { stage: 'drafting', enteredAt: '2018-01-10T00:00:00.000Z' },
      { stage: 'rag_sign_off', enteredAt: '2018-03-02T00:00:00.000Z' },
      { stage: 'drafting', enteredAt: '2018-03-09T00:00:00.000Z' },
      { stage: 'rag_sign_off', enteredAt: '2018-03-12T00:00:00.000Z' },
      { stage: 'home_office_qa', enteredAt: '2018-03-20T00:00:00.000Z' },
      { stage: 'awaiting_publication', enteredAt: '2018-11-01T00:00:00.000Z' },
      { stage: 'action_plan_monitoring', enteredAt: '2019-01-15T00:00:00.000Z' },
    ],
    decision: { outcome: 'proceed', rationale: 'Met', decidedAt: '2017-05-02', jointWith: null, directedBySecretaryOfState: false, recordedAt: AT },
    homeOfficeNotification: { sentAt: '2017-05-04', recordedAt: AT },
    termsOfReference: { agreedAt: '2017-09-19', scopeStart: null, scopeEnd: null, recordedAt: AT },
    ragReturns: [{ comments: 'More on the GP', returnedAt: '2018-03-09T00:00:00.000Z' }],
    ragApproval: { approvedAt: '2018-03-16', comments: null, recordedAt: AT },
    qaRounds: [
      { round: 1, submittedAt: '2018-03-20', recordedAt: AT, outcome: 'resubmit', letterDate: '2018-07-02', notes: null, outcomeRecordedAt: AT },
      { round: 2, submittedAt: '2018-08-01', recordedAt: AT, outcome: 'approved', letterDate: '2018-11-01', notes: null, outcomeRecordedAt: AT },
    ],
    publication: { publishedAt: '2019-01-15', url: 'https://example.org/dhr', recordedAt: AT },
    holds: [{ reason: 'inquest', detail: 'The inquest', expectedEnd: '2019-06-30', stage: 'action_plan_monitoring', startedAt: '2019-02-01T00:00:00.000Z', endedAt: null, endedBy: null, resumeNote: null }],
  };
  return {
    id: '11111111-1111-4111-8111-111111111111',
    reference: 'DHR 3',
    csp: { code: 'MALDON', name: 'Maldon Community Safety Partnership', boardName: 'RAG' },
    notifiedOn: '2017-04-17',
    stage: 'action_plan_monitoring',
    context,
    pseudonym: 'Adult C',
    appointments: [{ role: 'chair', organisation: 'Independent', appointedOn: '2017-06-01', endedOn: null, independenceDeclaredAt: '2017-06-01T09:00:00.000Z' }],
    panel: [{ agencyName: 'Essex Police', role: 'DCI', joinedOn: '2017-06-02', leftOn: '2018-01-31', declaredAt: null }],
    meetings: [{ startsAt: '2017-10-16T09:00:00.000Z', status: 'held' }, { startsAt: '2017-11-16T09:00:00.000Z', status: 'cancelled' }],
    imrs: [{ agencyName: 'Essex Police', kind: 'imr', requestedOn: '2017-09-25', dueOn: '2017-12-24', receivedOn: '2017-12-20', waivedReason: null, waivedAt: null, extensions: 2 }],
    family: [],
    recommendations: [{ number: 1, text: 'Share risk at MARAC', level: 'national', addressee: 'Home Office', status: 'agreed' }],
    actions: [{ recommendationNumber: 1, description: 'Write to the Home Office', owner: 'Maldon CSP', targetDate: null, status: 'complete', completedOn: '2019-03-01' }],
  };
}

describe('the board paper (pure)', () => {
  it('dates every step of the lifecycle after sign-off too: the board’s return and approval, each Home Office round, publication, a hold still running', () => {
    const paper = boardPaperOf(record(), FULL_PAPER_VISIBILITY, '2026-12-04');
    expect(paper.chronology.entries.filter((e) => e.date >= '2018-03-01')).toEqual([
      { date: '2018-03-02', event: 'Overview report agreed by the panel and presented to the RAG' },
      { date: '2018-03-09', event: 'Drafting of the overview report began' },
      { date: '2018-03-09', event: 'Report returned for revision by the RAG' },
      { date: '2018-03-12', event: 'Overview report agreed by the panel and presented to the RAG' },
      { date: '2018-03-16', event: 'Report approved by the RAG' },
      { date: '2018-03-20', event: 'Submitted to the Home Office' },
      { date: '2018-07-02', event: 'Home Office Quality Assurance Panel’s letter: resubmit' },
      { date: '2018-08-01', event: 'Resubmitted to the Home Office (round 2)' },
      { date: '2018-11-01', event: 'Home Office Quality Assurance Panel’s letter: approved for publication' },
      { date: '2019-01-15', event: 'Overview report and executive summary published' },
      { date: '2019-01-15', event: 'Action plan monitoring began' },
      { date: '2019-02-01', event: 'Put on hold (inquest)' },
    ]);
    // A cancelled meeting is not in it.
    expect(paper.chronology.entries.filter((e) => e.event === 'Panel meeting held').map((e) => e.date)).toEqual(['2017-10-16']);
    expect(paper.stageLabel).toBe('Action plan monitoring (on hold)');
  });

  it('words the rows as the DOCX and PDF print them: extensions, a member who left, a hold still running, a completed action, an empty part', () => {
    const sections = paperSections(boardPaperOf(record(), FULL_PAPER_VISIBILITY, '2026-12-04'));
    const rows = (heading: string) => sections.find((s) => s.heading === heading)?.table?.rows;
    expect(rows('Individual management reviews (IMRs)')).toEqual([['Essex Police', 'Individual management review (IMR)', '25 September 2017', '24 December 2017 (extended 2 times)', 'Received on 20 December 2017']]);
    expect(rows('Panel members')).toEqual([['Essex Police', 'DCI', '2 June 2017 (left 31 January 2018)', 'Not declared']]);
    expect(rows('Independent chair and report writer')).toEqual([['Independent chair', 'Independent', '1 June 2017', 'Declared on 1 June 2017']]);
    expect(rows('Holds')).toEqual([['Inquest', '1 February 2019', 'Still on hold (expected to end 30 June 2019)']]);
    expect(rows('Recommendations')).toEqual([['1', 'Share risk at MARAC', 'National', 'Home Office', 'Agreed']]);
    expect(rows('Action plan')).toEqual([['1', 'Write to the Home Office', 'Maldon CSP', 'None set', 'Complete (1 March 2019)']]);
    expect(sections.find((s) => s.heading === 'Family involvement')?.text).toBe('None recorded');
  });

  it('holds nothing of a part the caller may not read, and says so', () => {
    const paper = boardPaperOf(record(), { ...FULL_PAPER_VISIBILITY, imrs: false, family: false, pseudonym: false }, '2026-12-04');
    expect([paper.imrs, paper.family, paper.pseudonym]).toEqual([{ shown: false }, { shown: false }, { shown: false }]);
    expect(JSON.stringify(paper)).not.toContain('Adult C');
    expect(paper.chronology.entries.some((e) => e.event.includes('IMR'))).toBe(false);
    expect(paper.chronology.notShown).toEqual(['IMRs']);
    const sections = paperSections(paper);
    expect(sections.find((s) => s.heading === 'Individual management reviews (IMRs)')?.text).toBe(NOT_SHOWN);
    expect(sections.find((s) => s.heading === 'Summary')?.table?.rows[1]).toEqual(['Victim (pseudonym)', NOT_SHOWN]);
  });
});
