import { z } from 'zod';
import { defaultConfigPath, parseWith, readJsonFile } from '../../deadlines/rules/rules-file';

/**
 * The checklist before submission to the Home Office: what its Quality Assurance Panel looks
 * for, kept versioned in config/home-office-checklist.json (not in code), so that a partnership
 * can follow the panel's changes without a release.
 */
const checklistSchema = z
  .object({
    version: z.string().min(1).max(40),
    source: z.string().min(1),
    items: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower-case letters, digits and _ (at most 64)'),
            title: z.string().min(1).max(200),
            hint: z.string().min(1).max(1000),
          })
          .strict(),
      )
      .min(1)
      .refine((items) => new Set(items.map((i) => i.id)).size === items.length, 'item ids must be unique'),
  })
  .strict();

export type HomeOfficeChecklist = z.output<typeof checklistSchema>;
export const CHECKLIST_FILE = 'home-office-checklist.json';

export function loadHomeOfficeChecklist(path: string = defaultConfigPath(CHECKLIST_FILE)): HomeOfficeChecklist {
  return parseWith(checklistSchema, readJsonFile(path), path);
}
