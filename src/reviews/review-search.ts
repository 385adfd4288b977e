import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AccessContext, mayOnReviewSql } from '../access/access.service';
import type { Action } from '../access/actions';

/** An ILIKE pattern matching values that contain `text` (its `\`, `%` and `_` taken literally). */
export function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * What the reviews list's search (`q`) looks in, each with the action of the policy table a
 * caller needs on that review for it to count: a review is never found by a field its caller
 * could not read there. Real names are never searched (a caller who may read them finds the
 * person by their pseudonym; the names themselves stay out of lists and URLs' effects).
 */
export const SEARCHED_FIELDS: ReadonlyArray<{ field: string; action: Action; sql: (alias: string) => string }> = [
  { field: 'reference', action: 'review.read', sql: (r) => `${r}.reference ILIKE :q ESCAPE '\\'` },
  { field: 'police reference', action: 'review.read', sql: (r) => `${r}.police_reference ILIKE :q ESCAPE '\\'` },
  {
    field: 'pseudonym of a person on the review',
    action: 'people.read',
    sql: (r) => `EXISTS (SELECT 1 FROM people sp WHERE sp.review_id = ${r}.id AND sp.pseudonym ILIKE :q ESCAPE '\\')`,
  },
  {
    field: "chair's name (appointment)",
    action: 'appointments.read',
    sql: (r) => `EXISTS (SELECT 1 FROM appointments sa WHERE sa.review_id = ${r}.id AND sa.role = 'chair' AND sa.ended_on IS NULL AND sa.name ILIKE :q ESCAPE '\\')`,
  },
  {
    field: "chair's name (review team)",
    action: 'members.read',
    sql: (r) =>
      `EXISTS (SELECT 1 FROM review_members sm JOIN users su ON su.id = sm.user_id WHERE sm.review_id = ${r}.id AND sm.role = 'chair' AND sm.ended_at IS NULL AND su.display_name ILIKE :q ESCAPE '\\')`,
  },
  {
    field: 'agency on the panel',
    action: 'panel.read',
    sql: (r) =>
      `EXISTS (SELECT 1 FROM panel_members spm JOIN agencies sag ON sag.id = spm.agency_id WHERE spm.review_id = ${r}.id AND spm.left_on IS NULL AND sag.name ILIKE :q ESCAPE '\\')`,
  },
];

/**
 * Narrows a query over reviews (alias `r`) to those where `q` is part of a field the caller may
 * read on that review (the query must also be narrowed to the reviews they may see).
 */
export function searchReviews<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, q: string, access: AccessContext): SelectQueryBuilder<T> {
  const params: Record<string, unknown> = { q: containing(q) };
  const terms = SEARCHED_FIELDS.map((f, i) => {
    const may = mayOnReviewSql(f.action, access, 'r', `sq${i}`);
    Object.assign(params, may.params);
    return `(${may.sql} AND ${f.sql('r')})`;
  });
  return qb.andWhere(`(${terms.join(' OR ')})`, params);
}
