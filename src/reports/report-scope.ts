import { ConflictException } from '@nestjs/common';
import { z } from 'zod';
import type { DataSource, EntityManager } from 'typeorm';
import type { AccessContext } from '../access/access.service';
import { mayOnReviewSql } from '../access/access.service';
import type { Action } from '../access/actions';
import { RequestValidationError } from '../infrastructure/http/errors';
import { assertNoRealNames, RealNameInEmailError } from '../reminders/mail/reminder-email';

/** A partnership a report can be about. */
export interface ReportCsp {
  id: string;
  code: string;
  name: string;
  boardName: string;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** The roles whose CSP grant lets their holder report on that CSP (the policy's `reports.read`). */
const REPORTING_ROLES = new Set(['csp_lead', 'rag_member']);

/** The CSPs the caller may report on (every CSP for a trusted caller), by name. */
export async function reportableCsps(db: Queryable, access: AccessContext): Promise<ReportCsp[]> {
  const rows: ReportCsp[] = await db.query('SELECT id, code, name, board_name AS "boardName" FROM csps ORDER BY name');
  if (access.trusted) return rows;
  const held = new Set((access.holder?.cspRoles ?? []).filter((g) => REPORTING_ROLES.has(g.role)).map((g) => g.cspId));
  return rows.filter((c) => held.has(c.id));
}

/**
 * The CSPs asked for (upper-case codes), in the order asked, each one the caller may report on;
 * otherwise a 400 naming `csp`: a code no CSP has, or a CSP where the caller holds no role
 * allowing `reports.read`.
 */
export async function chosenCsps(db: Queryable, codes: string[], access: AccessContext): Promise<ReportCsp[]> {
  const all: ReportCsp[] = await db.query('SELECT id, code, name, board_name AS "boardName" FROM csps WHERE upper(code) = ANY($1::text[])', [codes]);
  const unknown = codes.filter((code) => !all.some((c) => c.code.toUpperCase() === code));
  if (unknown.length > 0) throw new RequestValidationError([{ field: 'csp', message: `no CSP with the code ${unknown.join(', ')}` }]);
  const mine = new Set((await reportableCsps(db, access)).map((c) => c.id));
  const notMine = all.filter((c) => !mine.has(c.id));
  if (notMine.length > 0) {
    throw new RequestValidationError([{ field: 'csp', message: `you hold no role in ${notMine.map((c) => c.code).join(', ')} that allows reports.read` }]);
  }
  return codes.map((code) => all.find((c) => c.code.toUpperCase() === code)!);
}

/**
 * The policy's condition for the reviews (`alias.id`, `alias.csp_id`, `alias.status`) on which
 * the caller may take `action` (by default `reports.read`: a CSP lead their CSPs' reviews, a RAG
 * member those at sign-off or after), with its parameters numbered `$startParamIndex` onwards,
 * to follow a query's own. Several conditions in one query keep apart (each action its own names).
 */
export function reportableReviewsSql(access: AccessContext, alias: string, startParamIndex: number, action: Action = 'reports.read'): { sql: string; params: unknown[] } {
  const visible = mayOnReviewSql(action, access, alias, `rs_${action.replace(/\W/g, '_')}`);
  const params: unknown[] = [];
  let sql = visible.sql;
  // Longest names first, so that no name is replaced inside a longer one.
  for (const [name, value] of Object.entries(visible.params).sort(([a], [b]) => b.length - a.length)) {
    sql = sql.split(`:${name}`).join(`$${startParamIndex + params.length}`);
    params.push(value);
  }
  return { sql, params };
}

/**
 * The reports' check, as the emails are checked: a real name of anyone in the review anywhere in
 * what a report shows refuses it with a 409 carrying `message` (which names the review, never the
 * name). `shown` is the text, or the report's data: then each of its strings is checked as it
 * is, not its JSON, where a line break or a tab between two names is written `\n` or `\t`.
 */
export function refuseRealNames(shown: unknown, realNames: string[], message: string): void {
  try {
    // Joined by a character no name holds, so that two strings never make one name.
    assertNoRealNames(textsOf(shown).join(TEXTS_APART), realNames);
  } catch (error) {
    if (!(error instanceof RealNameInEmailError)) throw error;
    throw new ConflictException({ statusCode: 409, error: 'Conflict', message });
  }
}

/** Between the strings of a report's data when they are checked together. */
export const TEXTS_APART = '\u0000';

/** Every string in `value` (itself, or in its arrays and objects, at any depth). */
export function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).flatMap(textsOf);
  return [];
}

/** A report's check of one review, in the words every report uses. */
export function assertNoRealNamesInReport(shown: unknown, realNames: string[], reference: string): void {
  refuseRealNames(shown, realNames, `${reference}: the report would show a real name of a person in this review (in its reference or an agency's name); correct the record first`);
}

/** A report's query number (`page`, `pageSize`): whole, from 1 to `max`, given as text. */
export function queryWholeNumber(max: number) {
  return z
    .string({ invalid_type_error: 'must be a whole number' })
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `must be from 1 to ${max}`);
}
