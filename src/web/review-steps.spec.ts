import { reviewSteps } from './review-steps';

const at = (stage: string, enteredAt: string) => ({ stage, enteredAt }) as never;

describe('the review as steps', () => {
  it('done with their dates, the current one since when, and those to come', () => {
    const steps = reviewSteps('information_gathering', false, [
      at('notified', '2026-03-02T00:00:00.000Z'),
      at('establishing', '2026-03-20T10:00:00.000Z'),
      at('information_gathering', '2026-04-10T09:00:00.000Z'),
    ]);
    expect(steps.map((s) => [s.title, s.state, s.hint])).toEqual([
      ['Notified', 'done', '2 March 2026 to 20 March 2026'],
      ['Establishing the review', 'done', '20 March 2026 to 10 April 2026'],
      ['Information gathering', 'current', 'Since 10 April 2026'],
      ['Drafting the report', 'to_come', ''],
      ['RAG sign-off', 'to_come', ''],
      ['Home Office quality assurance', 'to_come', ''],
      ['Awaiting publication', 'to_come', ''],
      ['Action plan monitoring', 'to_come', ''],
      ['Closed', 'to_come', ''],
    ]);
  });

  it('a report returned by the board: drafting shows its latest spell, sign-off is current again', () => {
    const steps = reviewSteps('rag_sign_off', true, [
      at('notified', '2026-01-05T00:00:00.000Z'),
      at('establishing', '2026-01-20T00:00:00.000Z'),
      at('information_gathering', '2026-02-01T00:00:00.000Z'),
      at('drafting', '2026-05-01T00:00:00.000Z'),
      at('rag_sign_off', '2026-06-01T00:00:00.000Z'),
      at('drafting', '2026-06-10T00:00:00.000Z'),
      at('rag_sign_off', '2026-07-01T00:00:00.000Z'),
    ]);
    expect(steps.find((s) => s.stage === 'drafting')!.hint).toBe('10 June 2026 to 1 July 2026');
    expect(steps.find((s) => s.stage === 'rag_sign_off')).toMatchObject({ state: 'current', hint: 'Since 1 July 2026 (on hold)' });
  });

  it('a review that did not proceed ends there; a withdrawn one lists the stages it reached, then its withdrawal', () => {
    expect(reviewSteps('not_proceeding', false, [at('notified', '2026-03-02'), at('not_proceeding', '2026-03-20T12:00:00Z')]).map((s) => [s.title, s.state, s.hint])).toEqual([
      ['Notified', 'done', '2 March 2026 to 20 March 2026'],
      ['Not proceeding', 'done', 'On 20 March 2026'],
    ]);
    const withdrawn = reviewSteps('withdrawn', false, [at('notified', '2026-03-02'), at('establishing', '2026-03-20'), at('withdrawn', '2026-04-01')]);
    expect(withdrawn.map((s) => [s.stage, s.state])).toEqual([
      ['notified', 'done'],
      ['establishing', 'done'],
      ['withdrawn', 'done'],
    ]);
  });

  it('a closed review: every stage done, the last on the day it closed', () => {
    const steps = reviewSteps('closed', false, [
      at('notified', '2025-01-10'),
      at('establishing', '2025-01-24'),
      at('information_gathering', '2025-02-14'),
      at('drafting', '2025-06-01'),
      at('rag_sign_off', '2025-10-10'),
      at('home_office_qa', '2025-11-06'),
      at('awaiting_publication', '2026-02-09'),
      at('action_plan_monitoring', '2026-03-22'),
      at('closed', '2026-11-30'),
    ]);
    expect(steps.every((s) => s.state === 'done')).toBe(true);
    expect(steps[steps.length - 1].hint).toBe('On 30 November 2026');
  });
});
