import type { ReviewContext, ReviewEventType } from '../reviews/lifecycle';
import { historyLabel } from './labels';

/**
 * What the review page says about the steps the lifecycle refuses now: a step already taken is
 * done (with its date), not "not possible"; each reason a step waits on links to the page where
 * it is put right, when the caller may open that page.
 */

/** The page (a tab of the review, by its key) where what a refusal's reason names is recorded. */
const WHERE_FIXED: ReadonlyArray<readonly [RegExp, string]> = [
  [/new version of the overview report/i, 'documents'],
  [/independent chair|panel members/i, 'team'],
  [/panel meeting/i, 'meetings'],
  [/IMR|short report/i, 'imrs'],
  [/draft overview report|draft executive summary/i, 'documents'],
  [/recommendations? (are|is) recorded|no reason for making none/i, 'recommendations'],
  [/family has not been offered/i, 'family'],
  [/family has not been told of the publication|anonymisation/i, 'publication'],
  [/criminal proceedings/i, 'proceedings'],
  [/action plan|actions? (is|are) not complete/i, 'action-plan'],
  [/board \(RAG\) has not approved/i, 'sign-off'],
  [/QA|submission to the Home Office/i, 'qa'],
  [/Home Office has not been told/i, 'overview'],
];

export function whereFixed(reason: string): string | null {
  return WHERE_FIXED.find(([pattern]) => pattern.test(reason))?.[1] ?? null;
}

/** The day a step already taken was taken, for those a review takes once; null when not taken. */
export function doneOn(type: ReviewEventType, context: ReviewContext): string | null {
  switch (type) {
    case 'DECIDE':
      return context.decision?.decidedAt ?? null;
    case 'NOTIFY_HOME_OFFICE':
      return context.homeOfficeNotification?.sentAt ?? (context.decision?.directedBySecretaryOfState ? context.decision.decidedAt : null);
    case 'RAG_APPROVE':
      return context.ragApproval?.approvedAt ?? null;
    default:
      return null;
  }
}

export interface NextStepsInput {
  blocked: ReadonlyArray<{ type: ReviewEventType; label: string; reasons: readonly string[] }>;
  context: ReviewContext;
  onHold: boolean;
  /** The review's tabs the caller may open, by key. */
  tabs: ReadonlyArray<{ key: string; href: string; text: string }>;
}

export function nextSteps({ blocked, context, onHold, tabs }: NextStepsInput) {
  const done: Array<{ type: ReviewEventType; label: string; what: string; on: string }> = [];
  const waiting: Array<{ type: ReviewEventType; label: string; reasons: Array<{ text: string; href: string | null; page: string | null }> }> = [];
  for (const item of blocked) {
    const on = doneOn(item.type, context);
    if (on) {
      done.push({ type: item.type, label: item.label, what: historyLabel(item.type), on });
      continue;
    }
    // "Already on hold": the banner at the top says so, and Resume is offered.
    if (item.type === 'PLACE_ON_HOLD' && onHold) continue;
    waiting.push({
      ...item,
      reasons: item.reasons.map((text) => {
        const key = whereFixed(text);
        const tab = key === 'overview' ? { href: '#next', text: 'this page' } : tabs.find((t) => t.key === key);
        return { text, href: tab?.href ?? null, page: tab ? tab.text : null };
      }),
    });
  }
  return { done, waiting };
}
