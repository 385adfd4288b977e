import { z } from 'zod';
import { text } from '../../infrastructure/http/validation';

/** The whole publication record (PUT replaces it): the pseudonyms used and the redaction log. */
export const putPublicationSchema = z
  .object({
    pseudonyms: z
      .array(text(100))
      .max(100, 'must list at most 100 pseudonyms')
      .superRefine((names, ctx) => {
        const seen = names.map((n) => n.toLowerCase());
        seen.forEach((n, i) => {
          if (seen.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: [i], message: 'is listed twice' });
        });
      }),
    redactionLog: text(50_000).optional(),
  })
  .strict();

/** Who confirmed that the text to publish is anonymised (may differ from who records it). */
export const confirmAnonymisationSchema = z.object({ confirmedBy: text(200) }).strict();
