import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REVIEW_EVENT_TYPES } from '../reviews/lifecycle/events';
import { HISTORY_LABELS } from '../web/labels';
import type { AccessContext } from './access.service';
import {
  CLOCK_READ_ACTIONS,
  FACT_READ,
  HIDDEN_REASON,
  hiddenFacts,
  HISTORY_READ_ACTIONS,
  historyReadAction,
  SATISFIED_FACTS,
  visibleClocks,
  visibleHistory,
  visibleSummary,
} from './history-visibility';
import { DEADLINE_KINDS } from '../deadlines/rules/kinds';
import type { Holder } from './policy';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every history type the code writes: `record('X', …)` in the case file, and the review's own. */
function recordedTypes(): string[] {
  const types = new Set<string>();
  for (const file of sourceFiles(join(__dirname, '..'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/record\('([A-Z_]+)'/g)) types.add(m[1]);
  }
  return [...types].sort();
}

const REVIEW = { cspId: 'csp-1', stage: 'rag_sign_off' as const };
const access = (holder: Holder): AccessContext => ({ trusted: false, userId: 'u', action: 'review.read', holder, review: REVIEW, restriction: null });
const member = (role: Holder['memberships'][number]['role'], agencyId: string | null = null): Holder => ({
  administrator: false,
  cspRoles: [],
  memberships: [{ role, agencyId }],
});

describe('history visibility', () => {
  it('names the action for every type of entry the code writes (none falls to the default)', () => {
    const types = recordedTypes();
    expect(types.length).toBeGreaterThan(20);
    const unknown = types.filter((t) => !(REVIEW_EVENT_TYPES as readonly string[]).includes(t) && !(t in HISTORY_READ_ACTIONS));
    expect(unknown).toEqual([]);
  });

  it('knows every type the pages have words for', () => {
    const unknown = Object.keys(HISTORY_LABELS).filter((t) => !(REVIEW_EVENT_TYPES as readonly string[]).includes(t) && !(t in HISTORY_READ_ACTIONS));
    expect(unknown).toEqual([]);
  });

  it('shows an unknown type only to those who manage the review', () => {
    expect(historyReadAction('SOMETHING_NEW')).toBe('members.read');
    expect(historyReadAction('DECIDE')).toBe('review.read');
  });

  const entries = [
    { type: 'DECIDE', payload: {} },
    { type: 'IMR_COMMISSIONED', payload: { imrId: 'imr-health' } },
    { type: 'IMR_WAIVED', payload: { imrId: 'imr-police', reason: 'no contact' } },
    { type: 'FAMILY_OFFERED_DRAFT', payload: {} },
    { type: 'RECOMMENDATION_RECORDED', payload: { text: 'x' } },
    { type: 'MEMBER_ADDED', payload: {} },
    { type: 'SOMETHING_NEW', payload: {} },
  ];
  const agencies = new Map([
    ['imr-health', 'health'],
    ['imr-police', 'police'],
  ]);
  const types = (holder: Holder) => visibleHistory(entries, access(holder), agencies).map((e) => e.type);

  it('gives the chair everything, a panel member no family log or memberships', () => {
    expect(types(member('chair'))).toEqual(entries.map((e) => e.type));
    expect(types(member('panel_member', 'police'))).toEqual(['DECIDE', 'IMR_COMMISSIONED', 'IMR_WAIVED', 'RECOMMENDATION_RECORDED']);
  });

  it('gives an IMR author the stages and their own agency’s IMR only', () => {
    expect(visibleHistory(entries, access(member('imr_author', 'health')), agencies)).toEqual([entries[0], entries[1]]);
    // An IMR entry whose IMR is unknown is not shown to an agency-restricted reader.
    expect(visibleHistory([{ type: 'IMR_RECEIVED', payload: { imrId: 'gone' } }], access(member('imr_author', 'health')), agencies)).toEqual([]);
  });

  it('gives the RAG at sign-off the stages and the recommendations', () => {
    expect(types({ administrator: false, cspRoles: [{ role: 'rag_member', cspId: 'csp-1' }], memberships: [] })).toEqual(['DECIDE', 'RECOMMENDATION_RECORDED']);
  });

  it('gives nobody without a holder anything, and a trusted caller everything', () => {
    expect(visibleHistory(entries, { ...access(member('chair')), holder: null }, agencies)).toEqual([]);
    expect(visibleHistory(entries, { ...access(member('chair')), trusted: true, holder: null }, agencies)).toHaveLength(entries.length);
  });

  it('shows the clocks about what each role may read', () => {
    const clocks = [
      { kind: 'completion_target', subjectId: null },
      { kind: 'imr_due', subjectId: 'imr-health' },
      { kind: 'imr_due', subjectId: 'imr-police' },
      { kind: 'panel_meeting', subjectId: 'meeting-1' },
      { kind: 'action_target', subjectId: 'action-1' },
      { kind: 'something_new', subjectId: null },
    ];
    const kinds = (holder: Holder | null) => visibleClocks(clocks, holder, REVIEW, agencies).map((c) => `${c.kind}:${c.subjectId ?? ''}`);
    expect(kinds(member('chair'))).toHaveLength(clocks.length);
    expect(kinds(member('imr_author', 'health'))).toEqual(['completion_target:', 'imr_due:imr-health']);
    expect(kinds({ administrator: false, cspRoles: [{ role: 'rag_member', cspId: 'csp-1' }], memberships: [] })).toEqual(['completion_target:', 'action_target:action-1']);
    expect(kinds(null)).toEqual([]);
    expect(Object.keys(CLOCK_READ_ACTIONS).sort()).toEqual([...DEADLINE_KINDS].sort());
  });
});

describe('the review summary’s facts', () => {
  const ALL = Object.keys(FACT_READ).sort();
  const visible = (holder: Holder | null) => ALL.filter((f) => !hiddenFacts(holder, REVIEW).includes(f as keyof typeof FACT_READ));

  it('shows the chair and the CSP lead every fact, nobody none', () => {
    expect(visible(member('chair'))).toEqual(ALL);
    expect(visible({ administrator: false, cspRoles: [{ role: 'csp_lead', cspId: 'csp-1' }], memberships: [] })).toEqual(ALL);
    expect(visible(null)).toEqual([]);
  });

  it('shows an IMR author no fact (not even IMR counts, which count other agencies’ IMRs)', () => {
    expect(visible(member('imr_author', 'agency-1'))).toEqual([]);
  });

  it('shows a panel member nothing of the family, the proceedings or the publication', () => {
    expect(ALL.filter((f) => !visible(member('panel_member', 'agency-1')).includes(f)).sort()).toEqual(
      ['activeCriminalProceedings', 'anonymisationConfirmed', 'familyOfferedDraft', 'familyToldOfPublication'].sort(),
    );
  });

  it('shows the RAG at sign-off the drafts, the recommendations and the actions only', () => {
    const rag: Holder = { administrator: false, cspRoles: [{ role: 'rag_member', cspId: 'csp-1' }], memberships: [] };
    expect(visible(rag)).toEqual(
      ['actionsIncomplete', 'actionsTotal', 'anonymisationConfirmed', 'draftExecutiveSummary', 'draftOverviewReport', 'noRecommendationsReason', 'overviewReportRevisedSinceReturn', 'recommendationsCount'].sort(),
    );
  });

  it('keeps a reason only when it stands with the hidden facts taken as met, else says records are hidden', () => {
    const blocked = [
      { type: 'BEGIN_DRAFTING', reasons: ['1 commissioned IMR is neither received nor waived', 'The review is on hold (x) since 2026-01-01'] },
      { type: 'AGREE_REPORT', reasons: ['The family has not been offered the draft report'] },
    ];
    const masked = [{ type: 'BEGIN_DRAFTING', reasons: ['The review is on hold (x) since 2026-01-01'] }];
    const summary = visibleSummary({ ...SATISFIED_FACTS, imrsOutstanding: 1 }, blocked, ['imrsOutstanding', 'familyOfferedDraft'], masked);
    expect(summary.facts).not.toHaveProperty('imrsOutstanding');
    expect(summary.facts).toHaveProperty('chairAppointed', true);
    expect(summary.blockedEvents).toEqual([
      { type: 'BEGIN_DRAFTING', reasons: ['The review is on hold (x) since 2026-01-01'] },
      { type: 'AGREE_REPORT', reasons: [HIDDEN_REASON] },
    ]);
  });
});
