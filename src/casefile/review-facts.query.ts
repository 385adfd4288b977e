import type { DataSource, EntityManager } from 'typeorm';
import type { ReviewFacts } from '../reviews/lifecycle/review-facts';

/** The review asked about does not exist. */
export class ReviewFactsNotFoundError extends Error {
  constructor(readonly reviewId: string) {
    super(`review ${reviewId} not found`);
    this.name = 'ReviewFactsNotFoundError';
  }
}

/**
 * A scalar subquery per fact, each restricted to the review `r`. Counts are cast to int
 * (count() is bigint, which node-postgres returns as a string). Exported for a statement that
 * reads the review with its facts (a read of the review: one round trip).
 */
export const FACTS_COLUMNS = `
  EXISTS (
    SELECT 1 FROM "appointments" a
    WHERE a."review_id" = r."id" AND a."role" = 'chair' AND a."ended_on" IS NULL
  ) AS "chairAppointed",
  (SELECT count(*)::int FROM "panel_members" pm
    WHERE pm."review_id" = r."id" AND pm."left_on" IS NULL) AS "panelMemberCount",
  (SELECT count(*)::int FROM "imrs" i
    WHERE i."review_id" = r."id") AS "imrsCommissioned",
  (SELECT count(*)::int FROM "imrs" i
    WHERE i."review_id" = r."id" AND i."received_on" IS NULL
      AND (i."waived_reason" IS NULL OR btrim(i."waived_reason") = '')) AS "imrsOutstanding",
  (SELECT count(*)::int FROM "panel_meetings" m
    WHERE m."review_id" = r."id" AND m."status" = 'held'
      AND EXISTS (SELECT 1 FROM "panel_meeting_imrs" mi
                  WHERE mi."review_id" = m."review_id" AND mi."meeting_id" = m."id")) AS "meetingsConsideringImrs",
  EXISTS (
    SELECT 1 FROM "documents" d JOIN "document_versions" dv ON dv."document_id" = d."id"
    WHERE d."review_id" = r."id" AND d."kind" = 'overview_report'
  ) AS "draftOverviewReport",
  EXISTS (
    SELECT 1 FROM "documents" d JOIN "document_versions" dv ON dv."document_id" = d."id"
    WHERE d."review_id" = r."id" AND d."kind" = 'executive_summary'
  ) AS "draftExecutiveSummary",
  NOT EXISTS (
    SELECT 1 FROM "review_events" ret
    WHERE ret."review_id" = r."id" AND ret."type" = 'RAG_RETURN'
      AND NOT EXISTS (
        SELECT 1 FROM "documents" d JOIN "document_versions" dv ON dv."document_id" = d."id"
        WHERE d."review_id" = r."id" AND d."kind" = 'overview_report' AND dv."uploaded_at" > ret."recorded_at"
      )
  ) AS "overviewReportRevisedSinceReturn",
  (SELECT count(*)::int FROM "recommendations" rec
    WHERE rec."review_id" = r."id" AND rec."status" <> 'withdrawn') AS "recommendationsCount",
  (r."no_recommendations_reason" IS NOT NULL AND btrim(r."no_recommendations_reason") <> '') AS "noRecommendationsReason",
  EXISTS (
    SELECT 1 FROM "family_engagements" f
    WHERE f."review_id" = r."id" AND f."kind" = 'draft_offered'
  ) AS "familyOfferedDraft",
  EXISTS (
    SELECT 1 FROM "proceedings" p
    WHERE p."review_id" = r."id" AND p."type" = 'criminal' AND p."status" = 'active'
  ) AS "activeCriminalProceedings",
  EXISTS (
    SELECT 1 FROM "publications" pub
    WHERE pub."review_id" = r."id" AND pub."anonymisation_confirmed_at" IS NOT NULL
  ) AS "anonymisationConfirmed",
  EXISTS (
    SELECT 1 FROM "family_engagements" f
    WHERE f."review_id" = r."id" AND f."kind" = 'told_of_publication'
  ) AS "familyToldOfPublication",
  (SELECT count(*)::int FROM "actions" ac JOIN "recommendations" rec ON rec."id" = ac."recommendation_id"
    WHERE ac."review_id" = r."id" AND rec."status" <> 'withdrawn') AS "actionsTotal",
  (SELECT count(*)::int FROM "actions" ac JOIN "recommendations" rec ON rec."id" = ac."recommendation_id"
    WHERE ac."review_id" = r."id" AND rec."status" <> 'withdrawn' AND ac."status" <> 'complete') AS "actionsIncomplete"`;

/** One statement, one round trip. Exported for inspection; use computeReviewFacts. */
export const REVIEW_FACTS_SQL = `SELECT ${FACTS_COLUMNS}
FROM "reviews" r
WHERE r."id" = $1`;

/** The same for several reviews in one statement (My work reads reviews a batch at a time). */
const MANY_REVIEW_FACTS_SQL = `SELECT r."id" AS "reviewId", ${FACTS_COLUMNS}
FROM "reviews" r
WHERE r."id" = ANY($1::uuid[])`;

export type FactsRow = { [K in keyof ReviewFacts]: ReviewFacts[K] };

/**
 * The facts the lifecycle guards read, computed from the review's case file in one query.
 * Pass the transaction's EntityManager to see (and be consistent with) its uncommitted writes.
 * Throws ReviewFactsNotFoundError when there is no such review.
 *
 * Withdrawn recommendations, and the actions under them, count nowhere.
 */
export async function computeReviewFacts(db: EntityManager | DataSource, reviewId: string): Promise<ReviewFacts> {
  const rows: FactsRow[] = await db.query(REVIEW_FACTS_SQL, [reviewId]);
  const row = rows[0];
  if (!row) throw new ReviewFactsNotFoundError(reviewId);
  return factsOf(row);
}

/** computeReviewFacts for several reviews, by review id (a review that does not exist is left out). */
export async function computeManyReviewFacts(db: EntityManager | DataSource, reviewIds: readonly string[]): Promise<Map<string, ReviewFacts>> {
  if (reviewIds.length === 0) return new Map();
  const rows: Array<FactsRow & { reviewId: string }> = await db.query(MANY_REVIEW_FACTS_SQL, [[...reviewIds]]);
  return new Map(rows.map((row) => [row.reviewId, factsOf(row)]));
}

/** The facts of a row of REVIEW_FACTS_SQL. */
export function factsOf(row: FactsRow): ReviewFacts {
  return {
    chairAppointed: row.chairAppointed === true,
    panelMemberCount: Number(row.panelMemberCount),
    imrsCommissioned: Number(row.imrsCommissioned),
    imrsOutstanding: Number(row.imrsOutstanding),
    meetingsConsideringImrs: Number(row.meetingsConsideringImrs),
    draftOverviewReport: row.draftOverviewReport === true,
    draftExecutiveSummary: row.draftExecutiveSummary === true,
    overviewReportRevisedSinceReturn: row.overviewReportRevisedSinceReturn === true,
    recommendationsCount: Number(row.recommendationsCount),
    noRecommendationsReason: row.noRecommendationsReason === true,
    familyOfferedDraft: row.familyOfferedDraft === true,
    activeCriminalProceedings: row.activeCriminalProceedings === true,
    anonymisationConfirmed: row.anonymisationConfirmed === true,
    familyToldOfPublication: row.familyToldOfPublication === true,
    actionsTotal: Number(row.actionsTotal),
    actionsIncomplete: Number(row.actionsIncomplete),
  };
}
