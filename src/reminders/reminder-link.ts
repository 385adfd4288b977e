import type { EntityManager } from 'typeorm';

/**
 * Where a reminder's link goes. An IMR's reminder takes the agency's IMR author straight to
 * the page that uploads it (the upload is the submission), and everyone else (the chair, the
 * agency's panel members) to the review's IMR tracker; any other reminder to the review.
 */
export function reminderLink(baseUrl: string, reviewId: string, kind: string, subjectId: string | null, toImrAuthor: boolean): string {
  const review = `${baseUrl.replace(/\/$/, '')}/cases/${reviewId}`;
  if (kind !== 'imr_due' || !subjectId) return review;
  return toImrAuthor ? `${review}/imrs/${subjectId}/submit` : `${review}/imrs`;
}

/** The email addresses (lower case) of the IMR authors of the IMR's agency on its review, current members only. */
export async function imrAuthorEmails(manager: EntityManager, reviewId: string, imrId: string): Promise<Set<string>> {
  const rows: Array<{ email: string }> = await manager.query(
    `SELECT lower(u.email) AS email FROM review_members m JOIN users u ON u.id = m.user_id
       JOIN imrs i ON i.review_id = m.review_id AND i.agency_id = m.agency_id
      WHERE m.review_id = $1 AND i.id = $2 AND m.role = 'imr_author' AND m.ended_at IS NULL`,
    [reviewId, imrId],
  );
  return new Set(rows.map((r) => r.email));
}
