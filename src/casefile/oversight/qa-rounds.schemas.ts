import { z } from 'zod';
import { pastDate, text } from '../../infrastructure/http/validation';

/** At most this many changes in one listing (a letter asks for a handful; a long one is several listings). */
export const MAX_CHANGES_LISTED = 50;

/** The changes a round's letter asks for, in its order: each a line of text. */
export const listQaChangesSchema = z
  .object({
    changes: z
      .array(text(2000))
      .min(1, 'must list at least one change')
      .max(MAX_CHANGES_LISTED, `must list at most ${MAX_CHANGES_LISTED} changes at once`),
  })
  .strict();

/** A change marked done: the day it was done (not in the future, not before the letter) and what was done. */
export function qaChangeDoneSchema(today: () => string) {
  return z.object({ doneOn: pastDate(today), note: text(2000).optional() }).strict();
}
