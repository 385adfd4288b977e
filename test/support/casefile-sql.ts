import { Client } from 'pg';

/**
 * Writes case-file records straight into the database (an appointment or panel place with its
 * team record, as the database requires), so lifecycle tests can satisfy the
 * guards before the case-file endpoints exist (the case-file issue replaces these with API
 * calls).
 */
export class CaseFileSql {
  constructor(private readonly url: string) {}

  private async run<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  private async one(sql: string, params: unknown[]): Promise<string> {
    const [row] = await this.run<{ id: string }>(sql, params);
    return row.id;
  }

  agency(name: string, kind = 'police') {
    return this.one(`INSERT INTO agencies (name, kind) VALUES ($1, $2) RETURNING id`, [name, kind]);
  }

  appointChair(reviewId: string) {
    return this.one(
      `WITH member AS (
         INSERT INTO review_members (review_id, display_name, role, added_by, added_at) VALUES ($1, 'Independent Chair', 'chair', 'csp lead', now()) RETURNING id
       )
       INSERT INTO appointments (review_id, role, name, organisation, appointed_on, independence_declared_at, created_by, member_id)
       SELECT $1, 'chair', 'Independent Chair', 'Chairs Ltd', '2026-02-01', now(), 'csp lead', member.id FROM member RETURNING id`,
      [reviewId],
    );
  }

  addPanelMember(reviewId: string, agencyId: string) {
    return this.one(
      `WITH member AS (
         INSERT INTO review_members (review_id, display_name, role, agency_id, added_by, added_at) VALUES ($1, 'Panel Member', 'panel_member', $2, 'csp lead', now()) RETURNING id
       )
       INSERT INTO panel_members (review_id, name, agency_id, role, joined_on, no_direct_case_management_declared_at, created_by, member_id)
       SELECT $1, 'Panel Member', $2, 'Detective Superintendent', '2026-02-02', now(), 'csp lead', member.id FROM member RETURNING id`,
      [reviewId, agencyId],
    );
  }

  commissionImr(reviewId: string, agencyId: string) {
    return this.one(
      `INSERT INTO imrs (review_id, agency_id, kind, requested_on, due_on, created_by)
       VALUES ($1, $2, 'imr', '2026-02-10', '2026-03-24', 'chair') RETURNING id`,
      [reviewId, agencyId],
    );
  }

  receiveImr(imrId: string) {
    return this.run(`UPDATE imrs SET received_on = '2026-03-20' WHERE id = $1`, [imrId]);
  }

  async holdMeetingConsidering(reviewId: string, imrIds: string[]) {
    const meetingId = await this.one(
      `INSERT INTO panel_meetings (review_id, starts_at, status, created_by)
       VALUES ($1, '2026-04-01T10:00:00Z', 'held', 'chair') RETURNING id`,
      [reviewId],
    );
    for (const imrId of imrIds) {
      await this.run(
        `INSERT INTO panel_meeting_imrs (meeting_id, imr_id, review_id, created_by) VALUES ($1, $2, $3, 'chair')`,
        [meetingId, imrId, reviewId],
      );
    }
    return meetingId;
  }

  async uploadDraft(reviewId: string, kind: 'overview_report' | 'executive_summary') {
    const documentId = await this.one(
      `INSERT INTO documents (review_id, kind, title, created_by) VALUES ($1, $2, $3, 'chair') RETURNING id`,
      [reviewId, kind, `Draft ${kind}`],
    );
    await this.run(
      `INSERT INTO document_versions (review_id, document_id, version_no, filename, content_type, size_bytes, sha256, storage, content, uploaded_by, created_by)
       VALUES ($1, $2, 1, 'draft.pdf', 'application/pdf', 4, repeat('a', 64), 'database', '\\x25504446', 'chair', 'chair')`,
      [reviewId, documentId],
    );
  }

  recommendation(reviewId: string, number: number) {
    return this.one(
      `INSERT INTO recommendations (review_id, number, text, level, addressee, status, created_by)
       VALUES ($1, $2, 'Agencies should share risk information', 'multi_agency', 'CSP', 'agreed', 'chair') RETURNING id`,
      [reviewId, number],
    );
  }

  action(reviewId: string, recommendationId: string) {
    return this.one(
      `INSERT INTO actions (review_id, recommendation_id, description, owner, status, created_by)
       VALUES ($1, $2, 'Update the information sharing protocol', 'Essex Police', 'not_started', 'csp lead') RETURNING id`,
      [reviewId, recommendationId],
    );
  }

  completeAction(actionId: string) {
    return this.run(
      `UPDATE actions SET status = 'complete', completed_on = '2026-10-01', evidence = 'Protocol v2 published' WHERE id = $1`,
      [actionId],
    );
  }

  familyEngagement(reviewId: string, kind: 'draft_offered' | 'told_of_publication') {
    return this.run(
      `INSERT INTO family_engagements (review_id, kind, occurred_on, created_by) VALUES ($1, $2, '2026-05-01', 'chair')`,
      [reviewId, kind],
    );
  }

  criminalProceedings(reviewId: string, status: 'active' | 'concluded') {
    return this.one(
      `INSERT INTO proceedings (review_id, type, status, created_by) VALUES ($1, 'criminal', $2, 'csp lead') RETURNING id`,
      [reviewId, status],
    );
  }

  concludeProceedings(id: string) {
    return this.run(`UPDATE proceedings SET status = 'concluded' WHERE id = $1`, [id]);
  }

  confirmAnonymisation(reviewId: string) {
    return this.run(
      `INSERT INTO publications (review_id, anonymisation_confirmed_by, anonymisation_confirmed_at, created_by)
       VALUES ($1, 'CSP lead', now(), 'csp lead')`,
      [reviewId],
    );
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []) {
    return this.run<T>(sql, params);
  }
}
