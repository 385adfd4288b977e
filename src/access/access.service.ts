import { Injectable } from '@nestjs/common';
import { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { isStage } from '../reviews/lifecycle';
import type { ReviewEventType } from '../reviews/lifecycle/events';
import type { Action } from './actions';
import { CspRole, Holder, permission, POLICY, RecordRestriction, ReviewSubject, SIGN_OFF_STAGES } from './policy';

/**
 * When the board returned the report of review `alias`, while the chair revises it: the review is
 * in drafting and the latest of its AGREE_REPORT, RAG_RETURN and RECORD_QA_OUTCOME is a return
 * (its recorded time); else NULL.
 */
export const BOARD_RETURNED_AT_SQL = (alias: string) =>
  `(SELECT CASE WHEN ${alias}.status = 'drafting' AND be.type = 'RAG_RETURN' THEN be.recorded_at END FROM review_events be
     WHERE be.review_id = ${alias}.id AND be.type IN ('AGREE_REPORT', 'RAG_RETURN', 'RECORD_QA_OUTCOME')
     ORDER BY be.sequence DESC LIMIT 1)`;

/** What the guard decided for this request: services read it to narrow their queries. */
export interface AccessContext {
  /** A trusted caller (the X-Actor header, only where TRUST_ACTOR_HEADER is on): no policy. */
  trusted: boolean;
  userId: string | null;
  action: Action;
  holder: Holder | null;
  /** The review the route is about, if any. */
  review: ReviewSubject | null;
  /** Null when the caller sees the whole review; else only these records. */
  restriction: RecordRestriction | null;
}

export const TRUSTED_ACCESS = (action: Action): AccessContext => ({ trusted: true, userId: null, action, holder: null, review: null, restriction: null });

/** Whether the caller of this request may also take another action (e.g. read real names). */
export function allows(access: AccessContext, action: Action): boolean {
  return access.trusted || (access.holder !== null && permission(action, access.holder, access.review).allowed);
}

/** Whether the caller may apply this lifecycle event (the policy's roles per event). */
export function mayApply(access: AccessContext | undefined, type: ReviewEventType): boolean {
  if (!access) return false;
  if (access.trusted) return true;
  return access.holder !== null && permission('review.event', access.holder, access.review, { eventType: type }).allowed;
}

type HolderRow = { role: string; cspId?: string | null; agencyId?: string | null };
/** The user's (`user`, default $1) role grants, as a JSON array. */
const HOLDER_SQL_OF = (user: string) =>
  `(SELECT coalesce(json_agg(json_build_object('role', g.role, 'cspId', g.csp_id)), '[]'::json) FROM user_roles g WHERE g.user_id = ${user})`;
const HOLDER_SQL = HOLDER_SQL_OF('$1::uuid');
/** The user's (`user`, default $1) current memberships of a review, as a JSON array. */
const MEMBERSHIPS_SQL = (review: string, user = '$1::uuid') =>
  `(SELECT coalesce(json_agg(json_build_object('role', m.role, 'agencyId', m.agency_id)), '[]'::json) FROM review_members m WHERE m.user_id = ${user} AND m.review_id = ${review} AND m.ended_at IS NULL)`;

/**
 * What the guard needs of a review and of the caller's roles on it, as columns of the statement
 * that finds the caller's API token (IdentityService.authenticate): the token's user is
 * `u`, the review id the statement's parameter `reviewParam`. One statement for both, where a
 * request on a review sent two. Read back with `reviewAndHolderOfRow`.
 */
export function reviewAndHolderAlongToken(reviewParam: string): { join: string; select: string } {
  return {
    join: `LEFT JOIN reviews ar ON ar.id = ${reviewParam}::uuid`,
    select: `ar.id AS "access.id", ar.csp_id AS "access.cspId", ar.status AS "access.status", ${BOARD_RETURNED_AT_SQL('ar')} AS "access.boardReturnedAt",
      ${HOLDER_SQL_OF('u.id')} AS "access.grants", ${MEMBERSHIPS_SQL('ar.id', 'u.id')} AS "access.memberships"`,
  };
}

function holderOf(row: { grants: HolderRow[]; memberships: HolderRow[] }): Holder {
  return {
    administrator: row.grants.some((g) => g.role === 'administrator'),
    cspRoles: row.grants.filter((g) => g.role !== 'administrator' && g.cspId).map((g) => ({ role: g.role as CspRole, cspId: g.cspId as string })),
    memberships: row.memberships.map((m) => ({ role: m.role as Holder['memberships'][number]['role'], agencyId: m.agencyId ?? null })),
  };
}

/** Loads what the policy needs (roles, memberships, the review) and narrows list queries. */
@Injectable()
export class AccessService {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's roles (grants, and memberships of this review if one is named): one statement. */
  async holder(userId: string, reviewId: string | null): Promise<Holder> {
    const rows: Array<{ grants: HolderRow[]; memberships: HolderRow[] }> = await this.dataSource.query(`SELECT ${HOLDER_SQL} AS grants, ${MEMBERSHIPS_SQL('$2::uuid')} AS memberships`, [userId, reviewId]);
    return holderOf(rows[0]);
  }

  async review(reviewId: string): Promise<ReviewSubject | null> {
    return (await this.reviewAndHolder(null, reviewId))?.review ?? null;
  }

  /**
   * The review as the policy sees it and, with a user, that user's roles on it: one statement
   * (every request on a review asks both), or null when there is no such review.
   */
  async reviewAndHolder(userId: string | null, reviewId: string): Promise<{ review: ReviewSubject; holder: Holder } | null> {
    return (await this.reviewsAndHolders(userId, [reviewId])).get(reviewId) ?? null;
  }

  /** The review and holder a row read with reviewAndHolderAlongToken holds; null when there is no such review. */
  reviewAndHolderOfRow(row: Record<string, unknown>): { review: ReviewSubject; holder: Holder } | null {
    const status = row['access.status'];
    if (row['access.id'] === null || typeof status !== 'string' || !isStage(status)) return null;
    const returned = row['access.boardReturnedAt'] as Date | null;
    return {
      review: { cspId: row['access.cspId'] as string, stage: status, boardReturnedAt: returned ? new Date(returned).toISOString() : null },
      holder: holderOf({ grants: row['access.grants'] as HolderRow[], memberships: row['access.memberships'] as HolderRow[] }),
    };
  }

  /** reviewAndHolder for several reviews at once (My work), by review id; a review that does not exist is left out. */
  async reviewsAndHolders(userId: string | null, reviewIds: readonly string[]): Promise<Map<string, { review: ReviewSubject; holder: Holder }>> {
    const rows: Array<{ id: string; csp_id: string; status: string; board_returned_at: Date | null; grants: HolderRow[]; memberships: HolderRow[] }> = await this.dataSource.query(
      `SELECT r.id, r.csp_id, r.status, ${BOARD_RETURNED_AT_SQL('r')} AS board_returned_at, ${HOLDER_SQL} AS grants, ${MEMBERSHIPS_SQL('r.id')} AS memberships
         FROM reviews r WHERE r.id = ANY($2::uuid[])`,
      [userId, [...reviewIds]],
    );
    const out = new Map<string, { review: ReviewSubject; holder: Holder }>();
    for (const row of rows) {
      if (!isStage(row.status)) continue;
      out.set(row.id, {
        review: { cspId: row.csp_id, stage: row.status, boardReturnedAt: row.board_returned_at ? new Date(row.board_returned_at).toISOString() : null },
        holder: holderOf(row),
      });
    }
    return out;
  }

  /** Whether the version exists and was uploaded at or before `before` (an ISO instant). */
  async versionUploadedBy(reviewId: string, documentId: string, versionNo: number, before: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM document_versions WHERE review_id = $1 AND document_id = $2 AND version_no = $3 AND uploaded_at <= $4',
      [reviewId, documentId, versionNo, before],
    );
    return rows.length > 0;
  }

  /** The agency (and document kind) of an IMR or document of the review; null if there is none. */
  async record(reviewId: string, kind: 'imr' | 'document', id: string): Promise<{ agencyId: string | null; documentKind?: string } | null> {
    if (kind === 'imr') {
      const rows: Array<{ agency_id: string }> = await this.dataSource.query('SELECT agency_id FROM imrs WHERE id = $1 AND review_id = $2', [id, reviewId]);
      return rows[0] ? { agencyId: rows[0].agency_id } : null;
    }
    const rows: Array<{ kind: string; agency_id: string | null }> = await this.dataSource.query(
      'SELECT d.kind, i.agency_id FROM documents d LEFT JOIN imrs i ON i.review_id = d.review_id AND i.id = d.imr_id WHERE d.id = $1 AND d.review_id = $2',
      [id, reviewId],
    );
    return rows[0] ? { agencyId: rows[0].agency_id, documentKind: rows[0].kind } : null;
  }
}

/**
 * Narrows a query over reviews (`alias.id`, `alias.csp_id`, `alias.status`) to the ones the
 * caller may see: their CSPs' as lead, their CSPs' at or past sign-off (or returned by the
 * board and being revised) as RAG member, and
 * those they are a member of. Administrators see none (no case content).
 */
export function restrictToVisibleReviews<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  access: AccessContext,
  reviewIdColumn: string,
  reviewAlias?: string,
): SelectQueryBuilder<T> {
  if (access.trusted) return qb;
  const holder = access.holder;
  const leadCsps = holder?.cspRoles.filter((g) => g.role === 'csp_lead').map((g) => g.cspId) ?? [];
  const ragCsps = holder?.cspRoles.filter((g) => g.role === 'rag_member').map((g) => g.cspId) ?? [];
  const review = reviewAlias ? null : 'vr';
  const csp = `${reviewAlias ?? review}.csp_id`;
  const status = `${reviewAlias ?? review}.status`;
  const visible =
    `(${csp} = ANY(CAST(:accessLeadCsps AS uuid[])) OR (${csp} = ANY(CAST(:accessRagCsps AS uuid[])) AND (${status} = ANY(CAST(:accessSignOff AS text[])) ` +
    `OR ${BOARD_RETURNED_AT_SQL(reviewAlias ?? review ?? 'vr')} IS NOT NULL)) ` +
    `OR EXISTS (SELECT 1 FROM review_members am WHERE am.review_id = ${reviewIdColumn} AND am.user_id = :accessUserId AND am.ended_at IS NULL))`;
  const params = {
    accessLeadCsps: leadCsps,
    accessRagCsps: ragCsps,
    accessSignOff: [...SIGN_OFF_STAGES],
    accessUserId: access.userId ?? '00000000-0000-0000-0000-000000000000',
  };
  if (reviewAlias) return qb.andWhere(visible, params);
  return qb.andWhere(`EXISTS (SELECT 1 FROM reviews vr WHERE vr.id = ${reviewIdColumn} AND ${visible})`, params);
}

/**
 * A SQL condition (with its parameters) that holds for the reviews (`alias.id`, `alias.csp_id`,
 * `alias.status`) on which the caller may take `action`, read off the policy table: a CSP role
 * on the review's CSP, a RAG member at or after sign-off, or a membership of the review in a
 * role the table names. An `agency` grant covers only some records of the review, so it does
 * not count here (nothing a whole-review condition guards is one agency's). `prefix` keeps the
 * parameter names of several conditions in one query apart.
 */
export function mayOnReviewSql(action: Action, access: AccessContext, alias: string, prefix: string): { sql: string; params: Record<string, unknown> } {
  if (access.trusted) return { sql: 'TRUE', params: {} };
  const holder = access.holder;
  const terms: string[] = [];
  const params: Record<string, unknown> = {};
  const reviewRoles: string[] = [];
  for (const [role, scope] of Object.entries(POLICY[action]) as Array<[string, string]>) {
    if (scope === 'anyone') return { sql: 'TRUE', params: {} };
    if (scope === 'csp' || scope === 'signOff') {
      const csps = holder?.cspRoles.filter((g) => g.role === role).map((g) => g.cspId) ?? [];
      if (csps.length === 0) continue;
      const name = `${prefix}_${role}_csps`;
      params[name] = csps;
      terms.push(
        scope === 'csp'
          ? `${alias}.csp_id = ANY(CAST(:${name} AS uuid[]))`
          : `(${alias}.csp_id = ANY(CAST(:${name} AS uuid[])) AND ${alias}.status = ANY(CAST(:${prefix}_signOff AS text[])))`,
      );
      if (scope === 'signOff') params[`${prefix}_signOff`] = [...SIGN_OFF_STAGES];
    }
    if (scope === 'review') reviewRoles.push(role);
  }
  if (reviewRoles.length > 0 && access.userId) {
    params[`${prefix}_roles`] = reviewRoles;
    params[`${prefix}_user`] = access.userId;
    terms.push(
      `EXISTS (SELECT 1 FROM review_members ${prefix}_m WHERE ${prefix}_m.review_id = ${alias}.id AND ${prefix}_m.user_id = :${prefix}_user ` +
        `AND ${prefix}_m.ended_at IS NULL AND ${prefix}_m.role = ANY(CAST(:${prefix}_roles AS text[])))`,
    );
  }
  return { sql: terms.length > 0 ? `(${terms.join(' OR ')})` : 'FALSE', params };
}
