import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Stage } from '../reviews/lifecycle';

/**
 * Which of a review's tabs apply: a tab shows only when the caller may read it (caseNavigation)
 * and it exists or applies at this stage, so a new review shows a few tabs and more come as it
 * moves on. "Reached" counts every stage the review has been at (its stage history): a report
 * the board returned keeps its RAG sign-off tab in drafting, a closed review keeps every tab it
 * had. The page's own tab always shows, and every page stays reachable by its address for those
 * the policy allows (links to it from other pages are not hidden).
 */
export interface CasePresence {
  /** Every stage the review has been at, the current one included. */
  reached: readonly Stage[];
  imrs: number;
  meetings: number;
  recommendations: number;
  actions: number;
  familyEntries: number;
  /** Whether a publication record (pseudonyms, redaction log) exists. */
  publication: boolean;
}

/** The main path's order: a tab that applies from a stage applies at every later one. */
const ORDER: Partial<Record<Stage, number>> = {
  notified: 0,
  not_proceeding: 1,
  establishing: 2,
  information_gathering: 3,
  drafting: 4,
  rag_sign_off: 5,
  home_office_qa: 6,
  awaiting_publication: 7,
  action_plan_monitoring: 8,
};

/** How far along the main path the review has been (closed or withdrawn add nothing; a closed review known only as closed has been everywhere). */
export function furthest(reached: readonly Stage[]): number {
  const known = reached.map((s) => ORDER[s]).filter((n): n is number => n !== undefined);
  if (known.length === 0) return reached.includes('closed') ? ORDER.action_plan_monitoring! : 0;
  return Math.max(...known);
}

const from = (stage: Stage) => (p: CasePresence) => furthest(p.reached) >= ORDER[stage]!;
const always = () => true;

/** Per tab: when it applies, and the rule in words (README). */
export const TAB_RULES: Readonly<Record<string, { applies: (p: CasePresence) => boolean; rule: string }>> = {
  overview: { applies: always, rule: 'always' },
  team: { applies: always, rule: 'always' },
  people: { applies: always, rule: 'always' },
  documents: { applies: always, rule: 'always' },
  // Scoping comes before the decision (agencies say who had contact), so it applies from the notification.
  scoping: { applies: always, rule: 'always (the decision rests on it)' },
  imrs: { applies: (p) => p.imrs > 0 || from('information_gathering')(p), rule: 'once an IMR is commissioned, or from information gathering' },
  meetings: { applies: (p) => p.meetings > 0 || from('establishing')(p), rule: "once a meeting exists, or from the panel's setup (establishing)" },
  family: { applies: (p) => p.familyEntries > 0 || from('not_proceeding')(p), rule: 'once an entry exists, or from the decision' },
  // Criminal proceedings are known from the police's notification, and whether the review waits on them matters from the start.
  proceedings: { applies: always, rule: 'always (known from the notification)' },
  // The panel draws recommendations from the IMRs it considers, before drafting begins.
  recommendations: { applies: (p) => p.recommendations > 0 || from('information_gathering')(p), rule: 'once one exists, or from information gathering' },
  'action-plan': {
    applies: (p) => p.actions > 0 || p.recommendations > 0 || from('action_plan_monitoring')(p),
    rule: 'once a recommendation (to act on) exists, or from action plan monitoring',
  },
  'sign-off': { applies: from('rag_sign_off'), rule: 'from RAG sign-off (and after a return)' },
  qa: { applies: from('home_office_qa'), rule: 'from submission to the Home Office' },
  publication: { applies: (p) => p.publication || from('home_office_qa')(p), rule: 'once a publication record exists, or from Home Office QA' },
};

/** Whether the tab exists or applies (a tab this file does not know always does). */
export function tabApplies(key: string, presence: CasePresence): boolean {
  return TAB_RULES[key]?.applies(presence) ?? true;
}

/** The tabs (already those the caller may read) that apply; the current page's always stays. */
export function applicableTabs<T extends { key: string; current?: boolean }>(tabs: readonly T[], presence: CasePresence | null): T[] {
  return presence ? tabs.filter((t) => t.current || tabApplies(t.key, presence)) : [...tabs];
}

/** Reads what a review has (counts only, no content) for its tabs. */
@Injectable()
export class CaseTabs {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async presence(reviewId: string): Promise<CasePresence | null> {
    if (!/^[0-9a-f-]{36}$/i.test(reviewId)) return null;
    const [row] = (await this.dataSource.query(
      `SELECT r.status,
              ARRAY(SELECT jsonb_array_elements(r.snapshot->'context'->'stageHistory')->>'stage') AS reached,
              (SELECT count(*)::int FROM imrs WHERE review_id = r.id) AS imrs,
              (SELECT count(*)::int FROM panel_meetings WHERE review_id = r.id) AS meetings,
              (SELECT count(*)::int FROM recommendations WHERE review_id = r.id) AS recommendations,
              (SELECT count(*)::int FROM actions WHERE review_id = r.id) AS actions,
              (SELECT count(*)::int FROM family_engagements WHERE review_id = r.id) AS "familyEntries",
              EXISTS (SELECT 1 FROM publications WHERE review_id = r.id) AS publication
         FROM reviews r WHERE r.id = $1`,
      [reviewId],
    )) as Array<Omit<CasePresence, 'reached'> & { status: Stage; reached: Stage[] | null }>;
    if (!row) return null;
    const { status, reached, ...counts } = row;
    return { ...counts, reached: [...new Set([...(reached ?? []), status])] };
  }
}
