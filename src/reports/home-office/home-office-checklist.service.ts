import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { CaseFileTransactions } from '../../casefile/casefile-transactions';
import { StateConflictError } from '../../infrastructure/http/errors';
import { parseInput, text } from '../../infrastructure/http/validation';
import { loadHomeOfficeChecklist, type HomeOfficeChecklist } from './checklist';
import { CHECKLIST_ANSWERS, HomeOfficeChecklistAnswer } from './home-office.entities';

/** `{ answers: [{ item, answer: confirmed | flagged, note }] }`: one or more items; a flag needs a note. */
export function checklistAnswersSchema(checklist: HomeOfficeChecklist) {
  const ids = checklist.items.map((i) => i.id) as [string, ...string[]];
  return z
    .object({
      answers: z
        .array(
          z
            .object({
              item: z.enum(ids, { errorMap: () => ({ message: `must be one of ${ids.join(', ')}` }) }),
              answer: z.enum(CHECKLIST_ANSWERS, { errorMap: () => ({ message: 'must be confirmed or flagged' }) }),
              note: text(4000).optional(),
            })
            .strict()
            .superRefine((v, ctx) => {
              if (v.answer === 'flagged' && !v.note) ctx.addIssue({ code: 'custom', path: ['note'], message: 'is required when the item is flagged: say what the panel should know' });
            }),
          { invalid_type_error: 'must be a list of answers' },
        )
        .min(1, 'must hold at least one answer')
        .superRefine((answers, ctx) => {
          const seen = new Set<string>();
          answers.forEach((a, i) => {
            if (seen.has(a.item)) ctx.addIssue({ code: 'custom', path: [i, 'item'], message: `answers ${a.item} twice` });
            seen.add(a.item);
          });
        }),
    })
    .strict();
}
export type ChecklistAnswersInput = z.output<ReturnType<typeof checklistAnswersSchema>>;

export interface ChecklistView {
  reviewId: string;
  version: string;
  source: string;
  items: Array<{
    id: string;
    title: string;
    hint: string;
    answer: { answer: 'confirmed' | 'flagged'; note: string | null; answeredBy: string; answeredAt: Date; checklistVersion: string } | null;
  }>;
  /** The ids of the items not answered yet. */
  unanswered: string[];
  complete: boolean;
}

/**
 * The checklist before submission to the Home Office: each item (config/home-office-checklist.json)
 * confirmed or flagged with a note by the CSP lead, the latest answer per item stored with who
 * and when, every answer in the review's history (HOME_OFFICE_CHECKLIST_ANSWERED). Submission is
 * refused until every item of the current checklist is answered (HomeOfficeSubmissionGate).
 */
@Injectable()
export class HomeOfficeChecklistService {
  readonly checklist = loadHomeOfficeChecklist();

  constructor(private readonly tx: CaseFileTransactions) {}

  parse(body: unknown): ChecklistAnswersInput {
    return parseInput(checklistAnswersSchema(this.checklist), body);
  }

  view(reviewId: string): Promise<ChecklistView> {
    return this.tx.read(reviewId, (manager) => this.viewIn(manager, reviewId));
  }

  async viewIn(manager: EntityManager, reviewId: string): Promise<ChecklistView> {
    const rows = await manager.find(HomeOfficeChecklistAnswer, { where: { reviewId } });
    const items = this.checklist.items.map((item) => {
      const row = rows.find((r) => r.item === item.id);
      return {
        ...item,
        answer: row ? { answer: row.answer, note: row.note, answeredBy: row.answeredBy, answeredAt: row.answeredAt, checklistVersion: row.checklistVersion } : null,
      };
    });
    const unanswered = items.filter((i) => !i.answer).map((i) => i.id);
    return { reviewId, version: this.checklist.version, source: this.checklist.source, items, unanswered, complete: unanswered.length === 0 };
  }

  /** Records the answers given (one history entry each that changes something). */
  answer(reviewId: string, input: ChecklistAnswersInput, actor: string): Promise<ChecklistView> {
    return this.tx.write(reviewId, actor, async ({ manager, now, record }) => {
      for (const given of input.answers) {
        const note = given.note ?? null;
        const existing = await manager.findOne(HomeOfficeChecklistAnswer, { where: { reviewId, item: given.item } });
        if (existing && existing.answer === given.answer && existing.note === note && existing.checklistVersion === this.checklist.version) continue;
        const row = existing ?? manager.create(HomeOfficeChecklistAnswer, { reviewId, item: given.item });
        Object.assign(row, { answer: given.answer, note, checklistVersion: this.checklist.version, answeredBy: actor, answeredAt: now });
        await manager.save(row);
        const title = this.checklist.items.find((i) => i.id === given.item)!.title;
        await record('HOME_OFFICE_CHECKLIST_ANSWERED', {
          item: given.item,
          title,
          answer: given.answer,
          note,
          checklistVersion: this.checklist.version,
          ...(existing ? { previous: { answer: existing.answer, note: existing.note } } : {}),
        });
      }
      return this.viewIn(manager, reviewId);
    });
  }

  /** 409 naming every item not answered (used at submission). */
  async assertComplete(manager: EntityManager, reviewId: string): Promise<void> {
    const view = await this.viewIn(manager, reviewId);
    if (view.complete) return;
    const titles = view.items.filter((i) => !i.answer).map((i) => `Not answered: ${i.title} (${i.id})`);
    throw new StateConflictError('SUBMIT_TO_HOME_OFFICE is not allowed now: the checklist before submission is not finished', titles, {
      unanswered: view.unanswered,
    });
  }
}
