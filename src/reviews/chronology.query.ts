import type { EntityManager } from 'typeorm';
import { dayOf, lastImrBeforeDrafting, lifecycleFacts, type DatedFact, type FactKind } from './chronology';
import type { ReviewContext } from './lifecycle/review-context';
import type { ReviewFacts } from './lifecycle/review-facts';
import { factsOf, REVIEW_FACTS_SQL, ReviewFactsNotFoundError, type FactsRow } from '../casefile/review-facts.query';

/** Every dated fact of the case file, in one round trip (calendar dates, London). */
const CASE_FILE_FACTS_SQL = `
  SELECT 'imrRequested' AS kind, id::text AS subject, requested_on::text AS date FROM imrs WHERE review_id = $1
  UNION ALL SELECT 'imrReceived', id::text, received_on::text FROM imrs WHERE review_id = $1 AND received_on IS NOT NULL
  UNION ALL SELECT 'imrQualityChecked', id::text, quality_checked_on::text FROM imrs WHERE review_id = $1 AND quality_checked_on IS NOT NULL
  UNION ALL SELECT 'imrSignedOff', id::text, signed_off_on::text FROM imrs WHERE review_id = $1 AND signed_off_on IS NOT NULL
  UNION ALL SELECT 'imrExtended', imr_id::text, granted_on::text FROM imr_extensions WHERE review_id = $1
  UNION ALL SELECT 'appointment', id::text, appointed_on::text FROM appointments WHERE review_id = $1
  UNION ALL SELECT 'appointmentEnded', id::text, ended_on::text FROM appointments WHERE review_id = $1 AND ended_on IS NOT NULL
  UNION ALL SELECT 'chairAppointed', NULL, min(appointed_on)::text FROM appointments WHERE review_id = $1 AND role = 'chair' HAVING count(*) > 0
  UNION ALL SELECT 'panelMemberJoined', id::text, joined_on::text FROM panel_members WHERE review_id = $1
  UNION ALL SELECT 'panelMemberLeft', id::text, left_on::text FROM panel_members WHERE review_id = $1 AND left_on IS NOT NULL
  UNION ALL SELECT 'scopingResponse', id::text, responded_on::text FROM scoping_responses WHERE review_id = $1
  UNION ALL SELECT 'recordsSecured', id::text, confirmed_on::text FROM records_secured WHERE review_id = $1
  UNION ALL SELECT 'familyContact', id::text, occurred_on::text FROM family_engagements WHERE review_id = $1
  UNION ALL SELECT 'meetingStarts', id::text, (starts_at AT TIME ZONE 'Europe/London')::date::text FROM panel_meetings WHERE review_id = $1
  UNION ALL SELECT 'actionCompleted', id::text, completed_on::text FROM actions WHERE review_id = $1 AND completed_on IS NOT NULL
`;

type CaseFileRow = { kind: FactKind; subject: string | null; date: string };
const datedFactOf = (r: CaseFileRow): DatedFact => (r.subject === null ? { kind: r.kind, date: r.date } : { kind: r.kind, date: r.date, subject: r.subject });

export async function caseFileFacts(manager: EntityManager, reviewId: string): Promise<DatedFact[]> {
  const rows: CaseFileRow[] = await manager.query(CASE_FILE_FACTS_SQL, [reviewId]);
  return rows.map(datedFactOf);
}

/**
 * The lifecycle's facts and the case file's dated facts of a review in one round trip (a
 * transition reads both), with any `along` columns (of the review whose id is $1) beside them.
 */
const factsAndDatesSql = (along?: string) => `SELECT f.*, (SELECT coalesce(json_agg(d), '[]'::json) FROM (${CASE_FILE_FACTS_SQL}) d) AS "caseFileDates"${along ? `, ${along}` : ''}
  FROM (${REVIEW_FACTS_SQL}) f`;
const FACTS_AND_DATES_SQL = factsAndDatesSql();
/** The text with each `along` it was asked with, built once (a transition asks with the same columns each time). */
const withAlong = new Map<string, string>();
const factsAndDatesAlong = (along: string) => withAlong.get(along) ?? withAlong.set(along, factsAndDatesSql(along)).get(along)!;

/**
 * computeReviewFacts and caseFileFacts together; throws ReviewFactsNotFoundError when there is
 * no such review. `along`: more select-list columns of the review whose id is $1, read in the
 * same statement and answered as `along` (the clocks' inputs, DeadlineClocks.columnsToGather).
 */
export async function reviewFactsAndDates<T extends object = Record<string, never>>(
  manager: EntityManager,
  reviewId: string,
  along?: string,
): Promise<{ facts: ReviewFacts; caseFile: DatedFact[]; along: T }> {
  const [row]: Array<FactsRow & { caseFileDates: CaseFileRow[] } & T> = await manager.query(along ? factsAndDatesAlong(along) : FACTS_AND_DATES_SQL, [reviewId]);
  if (!row) throw new ReviewFactsNotFoundError(reviewId);
  return { facts: factsOf(row), caseFile: row.caseFileDates.map(datedFactOf), along: row };
}

/** A review's dated facts: its notification, its lifecycle record and its case file. */
export function reviewDatedFacts(
  review: { dateOfDeath: string; notifiedOn: string },
  context: ReviewContext,
  caseFile: readonly DatedFact[],
): DatedFact[] {
  const facts: DatedFact[] = [
    { kind: 'death', date: dayOf(review.dateOfDeath) },
    { kind: 'notification', date: dayOf(review.notifiedOn) },
    ...lifecycleFacts(context),
    ...caseFile,
  ];
  return [...facts, ...lastImrBeforeDrafting(facts)];
}
