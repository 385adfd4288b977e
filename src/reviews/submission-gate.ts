import type { EntityManager } from 'typeorm';

/**
 * What must hold before SUBMIT_TO_HOME_OFFICE is recorded, beyond the lifecycle's own guards,
 * and what the submission records with it (the Home Office pack sent: src/reports/home-office).
 * Called in the event's transaction, after the lifecycle and the chronology accepted it; it
 * throws to refuse (nothing is written), or returns fields added to the event's history entry.
 * Not called for an import (a submission made before the service knew the review).
 */
export interface SubmissionGate {
  beforeSubmission(manager: EntityManager, submission: { reviewId: string; round: number; actor: string }): Promise<Record<string, unknown>>;
}

export const SUBMISSION_GATE = Symbol('SUBMISSION_GATE');

/** Fields of a history entry the server wrote, not the client: a correction leaves them as they are. */
export const SERVER_RECORDED_FIELDS = ['packSha256', 'packRound', 'packFile'] as const;

export function withoutServerRecordedFields(payload: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...payload };
  for (const field of SERVER_RECORDED_FIELDS) delete rest[field];
  return rest;
}
