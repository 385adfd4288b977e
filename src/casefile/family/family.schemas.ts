import { z } from 'zod';
import { pastDate, text } from '../../infrastructure/http/validation';
import {
  ADVOCACY_KINDS,
  ADVOCACY_ORGANISATIONS,
  CONTRIBUTION_PREFERENCES,
  FAMILY_ENGAGEMENT_KINDS,
  FamilyEngagementKind,
} from '../entities';

/** Entries on which the family's preferred way of contributing may be recorded. */
export const PREFERENCE_KINDS = ['contact_attempt', 'consent', 'meeting'] as const satisfies readonly FamilyEngagementKind[];

const among = (kind: string, kinds: readonly string[]) => kinds.includes(kind);

/**
 * One entry of the family-involvement log. The kind-specific fields are refused on other kinds,
 * so the log says exactly what happened: the advocacy offered (AAFDA; the National Homicide
 * Service for murder and manslaughter) and the advocate appointed, consent, how the family
 * wishes to contribute.
 */
export function recordFamilyEngagementSchema(today: () => string) {
  return z
    .object({
      kind: z.enum(FAMILY_ENGAGEMENT_KINDS),
      occurredOn: pastDate(today),
      contactName: text(200).optional(),
      notes: text(10_000).optional(),
      advocateOrganisation: z.enum(ADVOCACY_ORGANISATIONS).optional(),
      advocateName: text(200).optional(),
      consentGiven: z.boolean().optional(),
      preferredContribution: z.enum(CONTRIBUTION_PREFERENCES).optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
      const advocacy = among(v.kind, ADVOCACY_KINDS);
      if (!advocacy && v.advocateOrganisation !== undefined) issue('advocateOrganisation', `is only recorded for ${ADVOCACY_KINDS.join(' or ')}`);
      if (v.kind !== 'advocate_appointed' && v.advocateName !== undefined) issue('advocateName', 'is only recorded for advocate_appointed');
      if (v.kind === 'advocate_appointed') {
        if (v.advocateOrganisation === undefined) issue('advocateOrganisation', 'is required for advocate_appointed');
        if (v.advocateName === undefined) issue('advocateName', 'is required for advocate_appointed');
      }
      if (v.kind === 'consent' && v.consentGiven === undefined) issue('consentGiven', 'is required for consent (true or false)');
      if (v.kind !== 'consent' && v.consentGiven !== undefined) issue('consentGiven', 'is only recorded for consent');
      if (v.preferredContribution !== undefined && !among(v.kind, PREFERENCE_KINDS)) {
        issue('preferredContribution', `is only recorded for ${PREFERENCE_KINDS.join(', ')}`);
      }
    });
}
