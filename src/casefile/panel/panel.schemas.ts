import { z } from 'zod';
import { pastDate, text, uuid } from '../../infrastructure/http/validation';

export function addPanelMemberSchema(today: () => string) {
  return z
    .object({
      name: text(200),
      agencyId: uuid('agency id'),
      role: text(200),
      email: z.string().trim().max(320, 'must be at most 320 characters').email('must be an email address').optional(),
      joinedOn: pastDate(today),
      /** The member's declaration that they did not manage the case directly: required, and true. */
      noDirectCaseManagementDeclared: z.literal(true, {
        errorMap: () => ({ message: 'must be true: someone who managed the case directly cannot sit on the panel' }),
      }),
    })
    .strict();
}

export function leavePanelSchema(today: () => string) {
  return z.object({ leftOn: pastDate(today) }).strict();
}
