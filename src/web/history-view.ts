import { REVIEW_EVENT_TYPES } from '../reviews/lifecycle';

/**
 * The review page's history, a page at a time and by kind: what the stages did, the team, IMRs
 * and scoping, meetings, recommendations and actions, documents, the family and publication.
 */
export const HISTORY_KINDS = {
  stages: 'Stages and decisions',
  team: 'Team',
  imrs: 'IMRs and scoping',
  meetings: 'Meetings',
  recommendations: 'Recommendations and actions',
  documents: 'Documents',
  family: 'Family, proceedings and publication',
  other: 'Other',
} as const;
export type HistoryKind = keyof typeof HISTORY_KINDS;

export const HISTORY_PAGE_SIZE = 20;

const LIFECYCLE = new Set<string>([...REVIEW_EVENT_TYPES, 'NOTIFICATION_RECORDED', 'CORRECTION', 'REVIEW_TRANSFERRED', 'REVIEW_CODED', 'HOME_OFFICE_CHECKLIST_ANSWERED']);

export function historyKindOf(type: string): HistoryKind {
  if (LIFECYCLE.has(type) || type.startsWith('QA_')) return 'stages';
  if (/^(MEMBER_|INVITATION_|PANEL_MEMBER|CHAIR_|REPORT_WRITER_|APPOINTMENT_|ROLE_)|_APPOINTED$|DECLARATION/.test(type)) return 'team';
  if (/^(IMR_|SCOPING_|RECORDS_SECURED)/.test(type)) return 'imrs';
  if (/^PANEL_MEETING_|^MEETING_/.test(type)) return 'meetings';
  if (/^(RECOMMENDATION_|NO_RECOMMENDATIONS_|ACTION_)/.test(type)) return 'recommendations';
  if (/^DOCUMENT_/.test(type)) return 'documents';
  if (/^(FAMILY_|PROCEEDINGS_|ANONYMISATION_|PUBLICATION_|PERSON_|REDACTION)/.test(type)) return 'family';
  return 'other';
}

export type HistoryQuery = { kind: HistoryKind | null; page: number };

/** `?history=<kind>&page=<n>`: a problem naming the field, or the query. */
export function readHistoryQuery(kind: unknown, page: unknown): { query: HistoryQuery; problem: null } | { query: null; problem: string } {
  const k = kind === undefined || kind === '' || kind === 'all' ? null : String(kind);
  if (k !== null && !Object.prototype.hasOwnProperty.call(HISTORY_KINDS, k)) {
    return { query: null, problem: `history: must be one of all, ${Object.keys(HISTORY_KINDS).join(', ')}` };
  }
  const p = page === undefined || page === '' ? 1 : Number(page);
  if (!Number.isInteger(p) || p < 1 || p > 100_000) return { query: null, problem: 'page: must be a whole number from 1' };
  return { query: { kind: k as HistoryKind | null, page: p }, problem: null };
}

/** One page of the entries (newest first) of a kind, with the GOV.UK pagination's links. */
export function historyPage<T extends { type: string }>(entries: readonly T[], query: HistoryQuery, base: string) {
  const shown = query.kind ? entries.filter((e) => historyKindOf(e.type) === query.kind) : [...entries];
  const pages = Math.max(1, Math.ceil(shown.length / HISTORY_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const href = (n: number) => `${base}?${query.kind ? `history=${query.kind}&` : ''}page=${n}#history`;
  return {
    entries: shown.slice((page - 1) * HISTORY_PAGE_SIZE, page * HISTORY_PAGE_SIZE),
    total: shown.length,
    kind: query.kind ?? 'all',
    kinds: [{ value: 'all', text: 'Everything' }, ...Object.entries(HISTORY_KINDS).map(([value, text]) => ({ value, text }))].map((o) => ({
      ...o,
      selected: o.value === (query.kind ?? 'all'),
    })),
    pagination: pagination(page, pages, href, 'History pages'),
    page,
    pages,
  };
}

/**
 * GOV.UK pagination for `pages` pages: previous, next, and the first, the last and those next to
 * the current page with ellipses between, so that the page stays small however many pages there
 * are (null for a single page).
 */
export function pagination(page: number, pages: number, href: (n: number) => string, landmarkLabel?: string) {
  if (pages <= 1) return null;
  const items: Array<{ number?: number; href?: string; current?: boolean; ellipsis?: boolean }> = [];
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  for (const n of shown) {
    const last = items[items.length - 1]?.number;
    if (last !== undefined && n > last + 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === page });
  }
  return {
    previous: page > 1 ? { href: href(page - 1) } : undefined,
    next: page < pages ? { href: href(page + 1) } : undefined,
    items,
    ...(landmarkLabel ? { landmarkLabel } : {}),
  };
}
