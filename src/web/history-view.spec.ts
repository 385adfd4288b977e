import { HISTORY_PAGE_SIZE, historyKindOf, historyPage, readHistoryQuery } from './history-view';
import { HISTORY_LABELS } from './labels';

describe('the review page’s history by kind and page', () => {
  it('every history type the pages have words for is of a kind other than "other"', () => {
    expect(Object.keys(HISTORY_LABELS).filter((type) => historyKindOf(type) === 'other')).toEqual([]);
    expect(historyKindOf('DECIDE')).toBe('stages');
    expect(historyKindOf('IMR_RECEIVED')).toBe('imrs');
    expect(historyKindOf('PANEL_MEETING_HELD')).toBe('meetings');
    expect(historyKindOf('ACTION_COMPLETED')).toBe('recommendations');
  });

  it('refuses a kind or page it does not know, naming the field', () => {
    expect(readHistoryQuery('bogus', undefined).problem).toMatch(/^history: must be one of all, stages, team/);
    expect(readHistoryQuery(undefined, '0').problem).toBe('page: must be a whole number from 1');
    expect(readHistoryQuery(undefined, '1.5').problem).toBe('page: must be a whole number from 1');
    expect(readHistoryQuery('all', '2')).toEqual({ query: { kind: null, page: 2 }, problem: null });
  });

  it('pages of 20, newest first as given, links keeping the kind; a page past the end shows the last', () => {
    const entries = Array.from({ length: 45 }, (_, i) => ({ type: i % 3 === 0 ? 'IMR_RECEIVED' : 'DECIDE', n: i }));
    const first = historyPage(entries, { kind: null, page: 1 }, '/cases/R');
    expect(first.entries).toHaveLength(HISTORY_PAGE_SIZE);
    expect([first.total, first.pages]).toEqual([45, 3]);
    expect(first.pagination?.previous).toBeUndefined();
    expect(first.pagination?.next).toEqual({ href: '/cases/R?page=2#history' });
    const imrs = historyPage(entries, { kind: 'imrs', page: 9 }, '/cases/R');
    expect(imrs.total).toBe(15);
    expect(imrs.pagination).toBeNull();
    expect(imrs.entries.every((e) => e.type === 'IMR_RECEIVED')).toBe(true);
    const last = historyPage(Array.from({ length: 200 }, () => ({ type: 'DECIDE' })), { kind: 'stages', page: 10 }, '/cases/R');
    expect(last.page).toBe(10);
    expect(last.pagination?.items.map((i) => i.number ?? '…')).toEqual([1, '…', 9, 10]);
    expect(last.pagination?.items.find((i) => i.current)?.href).toBe('/cases/R?history=stages&page=10#history');
  });
});
