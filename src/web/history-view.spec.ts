import { HISTORY_PAGE_SIZE, historyKindOf, historyPage, pagination, readHistoryQuery } from './history-view';
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

describe('pagination (GOV.UK): bounded however many pages there are', () => {
  const href = (n: number) => `/cases?page=${n}`;
  const numbers = (items: Array<{ number?: number; ellipsis?: boolean }>) => items.map((i) => (i.ellipsis ? '…' : i.number));

  it('is null for one page, and lists every page when there are few', () => {
    expect(pagination(1, 1, href)).toBeNull();
    expect(numbers(pagination(2, 3, href)!.items)).toEqual([1, 2, 3]);
  });

  it('shows the first, the last and the neighbours of the current page, with ellipses between', () => {
    const middle = pagination(2500, 5000, href, 'Pages of reviews')!;
    expect(numbers(middle.items)).toEqual([1, '…', 2499, 2500, 2501, '…', 5000]);
    expect(middle.items.find((i) => 'current' in i && i.current)).toEqual({ number: 2500, href: '/cases?page=2500', current: true });
    expect(middle.previous).toEqual({ href: '/cases?page=2499' });
    expect(middle.next).toEqual({ href: '/cases?page=2501' });
    expect(middle.landmarkLabel).toBe('Pages of reviews');
    expect(numbers(pagination(1, 5000, href)!.items)).toEqual([1, 2, '…', 5000]);
    expect(numbers(pagination(5000, 5000, href)!.items)).toEqual([1, '…', 4999, 5000]);
    expect(pagination(5000, 5000, href)!.next).toBeUndefined();
    expect(numbers(pagination(3, 5, href)!.items)).toEqual([1, 2, 3, 4, 5]);
  });
});
