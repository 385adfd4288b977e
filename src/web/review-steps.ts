import { STAGES } from '../reviews/lifecycle';
import type { Stage, StageEntry } from '../reviews/lifecycle';
import { dateInWords } from '../shared/display-dates';
import { STAGE_LABELS } from './labels';

/** The stages a review goes through, in order, when it runs to the end. */
const MAIN_PATH: readonly Stage[] = STAGES.filter((stage) => stage !== 'not_proceeding' && stage !== 'withdrawn');

export type StepState = 'done' | 'current' | 'to_come' | 'not_reached';

export interface ReviewStep {
  stage: Stage;
  title: string;
  state: StepState;
  /** The day the review (last) entered the stage, when it did. */
  began: string | null;
  /** The day it left the stage, when it has. */
  ended: string | null;
  /** When, in words: "4 December 2026 to 10 December 2026", "Since 4 December 2026". */
  hint: string;
}

/**
 * The review's stages as steps: done (with their dates), the current one, and those to come.
 * A review that ended early (not proceeding, withdrawn) ends its steps there; the stages it
 * never reached say so. From the lifecycle's own stage history (entered-at instants).
 */
export function reviewSteps(status: Stage, onHold: boolean, history: readonly StageEntry[]): ReviewStep[] {
  const visited = history.map((h) => h.stage);
  let path: Stage[];
  if (status === 'not_proceeding') path = ['notified', 'not_proceeding'];
  else if (status === 'withdrawn') path = [...MAIN_PATH.filter((s) => visited.includes(s)), 'withdrawn'];
  else path = [...MAIN_PATH];
  const currentIndex = path.indexOf(status);
  const ended = status === 'closed' || status === 'withdrawn' || status === 'not_proceeding';

  return path.map((stage, i) => {
    // The last time the review entered the stage (a report returned by the board re-enters drafting).
    const at = history.map((h, k) => ({ ...h, k })).filter((h) => h.stage === stage).pop();
    const began = at ? at.enteredAt : null;
    const next = at ? history[at.k + 1] : undefined;
    const left = next ? next.enteredAt : null;
    let state: StepState;
    if (i < currentIndex) state = 'done';
    else if (i === currentIndex) state = ended ? 'done' : 'current';
    else state = ended ? 'not_reached' : 'to_come';
    let hint = '';
    if (state === 'done' && i === currentIndex) hint = began ? `On ${dateInWords(began)}` : '';
    else if (state === 'done') hint = began && left ? `${dateInWords(began)} to ${dateInWords(left)}` : began ? `From ${dateInWords(began)}` : 'Passed over';
    else if (state === 'current') hint = `${began ? `Since ${dateInWords(began)}` : 'Now'}${onHold ? ' (on hold)' : ''}`;
    return { stage, title: STAGE_LABELS[stage], state, began, ended: state === 'done' ? left : null, hint };
  });
}
