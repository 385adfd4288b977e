import { z } from 'zod';
import { AGENCY_KINDS } from '../casefile/entities';
import { text } from '../infrastructure/http/validation';

/**
 * The import format (`dhr-import/1`): reviews already under way, each with its notification and
 * its whole story as steps in the order they happened. Every step is the body the API takes for
 * the same thing (POST /reviews/:id/imrs for `imr`, POST /reviews/:id/events for `event`...),
 * with records named by `ref` instead of ids (an agency by its name). See the README, "Bringing
 * in reviews already under way", for an example file.
 */
export const IMPORT_FORMAT = 'dhr-import/1';

/** Every step an import can hold, and the route whose body it is. */
export const IMPORT_STEPS = {
  person: 'POST /reviews/:id/people',
  appointment: 'POST /reviews/:id/appointments (+ ref)',
  appointmentEnded: 'POST /reviews/:id/appointments/:appointmentId/end (appointment: ref)',
  panelMember: 'POST /reviews/:id/panel-members (agency: name instead of agencyId, + ref)',
  panelMemberLeft: 'POST /reviews/:id/panel-members/:memberId/leave (member: ref)',
  scopingResponse: 'POST /reviews/:id/scoping-responses (agency: name)',
  recordsSecured: 'POST /reviews/:id/records-secured (agency: name)',
  imr: 'POST /reviews/:id/imrs (agency: name, + ref)',
  imrExtended: 'POST /reviews/:id/imrs/:imrId/extensions (imr: ref)',
  imrReceived: 'POST /reviews/:id/imrs/:imrId/receipt (imr: ref)',
  imrQualityChecked: 'POST /reviews/:id/imrs/:imrId/quality-check (imr: ref)',
  imrSignedOff: 'POST /reviews/:id/imrs/:imrId/sign-off (imr: ref)',
  imrWaived: 'POST /reviews/:id/imrs/:imrId/waiver (imr: ref)',
  meeting: 'POST /reviews/:id/meetings (+ ref)',
  meetingHeld: 'POST /reviews/:id/meetings/:meetingId/held (meeting: ref; imrs: refs instead of imrIds)',
  meetingCancelled: 'POST /reviews/:id/meetings/:meetingId/cancel (meeting: ref)',
  family: 'POST /reviews/:id/family-engagements',
  proceedings: 'POST /reviews/:id/proceedings (+ ref)',
  proceedingsStatus: 'POST /reviews/:id/proceedings/:proceedingId/status (proceedings: ref)',
  recommendation: 'POST /reviews/:id/recommendations (+ ref; agreed: true also agrees it)',
  noRecommendations: 'PUT /reviews/:id/no-recommendations-reason',
  action: 'POST /reviews/:id/recommendations/:recommendationId/actions (recommendation: ref, + ref)',
  actionCompleted: 'POST .../actions/:actionId/complete (action: ref)',
  document: 'POST /reviews/:id/documents (kind, title, imr?: ref; filename, mimeType, contentBase64)',
  publication: 'PUT /reviews/:id/publication',
  anonymisationConfirmed: 'POST /reviews/:id/publication/anonymisation-confirmation',
  event: 'POST /reviews/:id/events (a lifecycle event, with its date)',
} as const;
export type ImportStepName = keyof typeof IMPORT_STEPS;
const STEP_NAMES = Object.keys(IMPORT_STEPS) as [ImportStepName, ...ImportStepName[]];

export const importStepSchema = z.object({ step: z.enum(STEP_NAMES, { message: `must be one of: ${STEP_NAMES.join(', ')}` }) }).passthrough();
export type ImportStep = z.output<typeof importStepSchema>;

export const importedReviewSchema = z
  .object({
    /** The partnership's own name for the review (used in the report; not stored). */
    key: text(200),
    /** The CSP's code (MALDON). */
    csp: text(50),
    /** POST /reviews without cspId. */
    notification: z.record(z.unknown()),
    steps: z.array(z.unknown()).max(5000, 'must hold at most 5000 steps').default([]),
  })
  .strict();
export type ImportedReview = z.output<typeof importedReviewSchema>;

export const importFileSchema = z
  .object({
    format: z.literal(IMPORT_FORMAT, { errorMap: () => ({ message: `must be "${IMPORT_FORMAT}"` }) }),
    /** Agencies the reviews name, created if the installation does not have them yet. */
    agencies: z.array(z.object({ name: text(300), kind: z.enum(AGENCY_KINDS) }).strict()).default([]),
    reviews: z.array(z.unknown()).min(1, 'must hold at least one review').max(10_000, 'must hold at most 10000 reviews'),
  })
  .strict();
export type ImportFile = z.output<typeof importFileSchema>;

/** Why one review was refused: the item (0 = the review itself, else the step's number), the field and the reason. */
export interface ImportRefusal {
  readonly item: number;
  readonly step: string;
  readonly field: string | null;
  readonly reason: string;
}

export interface ImportedReviewReport {
  readonly key: string;
  readonly status: 'created' | 'valid' | 'refused';
  readonly id?: string;
  readonly reference?: string;
  readonly stage?: string;
  readonly refusal?: ImportRefusal;
}

export interface ImportReport {
  readonly dryRun: boolean;
  readonly created: number;
  readonly valid: number;
  readonly refused: number;
  readonly reviews: ImportedReviewReport[];
}
