import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AccessContext } from '../../access/access.service';
import { recordReportAccess } from '../../audit/access-log.interceptor';
import { londonDateOf } from '../../deadlines/rules';
import { Clock } from '../../infrastructure/clock/clock';
import { parseInput } from '../../infrastructure/http/validation';
import { assertNoRealNamesInReport, chosenCsps, queryWholeNumber, reportableCsps, reportableReviewsSql, type ReportCsp } from '../report-scope';
import type { ReviewCodes } from './review-coding.entity';
import { CODING_LISTS, currentTaxonomy, labelOf, taxonomyVersions, type Taxonomy } from './taxonomy';
import { groupBy } from '../../shared/group-by';

export const REGISTER_FORMATS = ['json', 'csv', 'xlsx'] as const;
export const REGISTER_STATUSES = ['open', 'overdue', 'complete'] as const;
export type RegisterStatus = (typeof REGISTER_STATUSES)[number];
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

const codes = z
  .string({ required_error: 'is required: one or more CSP codes, separated by commas', invalid_type_error: 'must be CSP codes separated by commas' })
  .trim()
  .max(500, 'must be at most 500 characters')
  .transform((v) => [...new Set(v.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))])
  .refine((list) => list.length > 0, 'is required: one or more CSP codes, separated by commas')
  .refine((list) => list.length <= 20, 'may name at most 20 CSPs');
const blankIsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** One code of a list the reviews are coded with (the current taxonomy's), or absent. */
function codeOf(list: (typeof CODING_LISTS)[number], what: string) {
  return z.preprocess(
    blankIsAbsent,
    z
      .string({ invalid_type_error: `must be one ${what} code` })
      .refine((v) => currentTaxonomy()[list].some((t) => t.code === v), (v) => ({
        message: `is not a ${what} of taxonomy version ${currentTaxonomy().version}: ${String(v).slice(0, 60)}`,
      }))
      .optional(),
  );
}

/** The register's query (GET /reports/register and the /register page). Empty values mean "any". */
export function registerQuerySchema() {
  return z
    .object({
      csp: codes,
      theme: z.preprocess(
        blankIsAbsent,
        z
          .string({ invalid_type_error: 'must be one recommendation theme code' })
          .refine((v) => currentTaxonomy().recommendationThemes.some((t) => t.code === v), (v) => ({
            message: `is not a recommendation theme of taxonomy version ${currentTaxonomy().version}: ${String(v).slice(0, 60)}`,
          }))
          .optional(),
      ),
      addressee: z.preprocess(blankIsAbsent, z.string({ invalid_type_error: 'must be one addressee' }).trim().max(300, 'must be at most 300 characters').optional()),
      status: z.preprocess(blankIsAbsent, z.enum(REGISTER_STATUSES, { message: 'must be open, overdue or complete' }).optional()),
      overdue: z.preprocess(blankIsAbsent, z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true').optional()),
      relationship: codeOf('relationshipCategories', 'relationship category'),
      vulnerability: codeOf('vulnerabilities', 'vulnerability'),
      reviewTheme: codeOf('themes', 'review theme'),
      q: z.preprocess(blankIsAbsent, z.string({ invalid_type_error: 'must be one search' }).trim().max(200, 'must be at most 200 characters').optional()),
      page: z.preprocess(blankIsAbsent, queryWholeNumber(100_000).optional()),
      pageSize: z.preprocess(blankIsAbsent, queryWholeNumber(MAX_PAGE_SIZE).optional()),
      format: z.preprocess(blankIsAbsent, z.enum(REGISTER_FORMATS, { message: 'must be json, csv or xlsx' }).optional()),
    })
    .strict();
}

export interface RegisterQuery {
  csp: string[];
  theme?: string;
  addressee?: string;
  status?: RegisterStatus;
  overdue?: boolean;
  /** The review's coding (config/taxonomy/): its relationship category, one of its vulnerabilities, one of its themes. */
  relationship?: string;
  vulnerability?: string;
  reviewTheme?: string;
  q?: string;
  page: number;
  pageSize: number;
  format: (typeof REGISTER_FORMATS)[number];
}

/** One line of the register: a recommendation with one of its actions (or none yet). */
export interface RegisterRow {
  csp: string;
  reviewId: string;
  reference: string;
  number: number;
  recommendation: string;
  level: string;
  addressee: string;
  addresseeKind: string | null;
  theme: string | null;
  themeLabel: string | null;
  recommendationStatus: string;
  action: string | null;
  owner: string | null;
  targetDate: string | null;
  completedOn: string | null;
  /** The action's: complete; overdue (its target date has passed); else open. A recommendation without actions is open. */
  status: RegisterStatus;
  /** The review's coding in words (labels of the taxonomy version it was coded with), or null when it is not coded. */
  coding: { taxonomyVersion: string; relationship: string | null; vulnerabilities: string[]; themes: string[]; familyInvolvement: string[] } | null;
}

export interface Register {
  asAt: string;
  taxonomyVersion: string;
  csps: Array<{ code: string; name: string }>;
  filters: Omit<RegisterQuery, 'csp' | 'page' | 'pageSize' | 'format'>;
  /** Every row matching, across pages. */
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  rows: RegisterRow[];
  /** The addressees of the recommendations the caller may see in these CSPs (for the filter). */
  addressees: string[];
}

/**
 * The recommendations register across reviews: every recommendation (but withdrawn ones, which
 * count nowhere) and every action of the reviews of the CSPs asked for that the caller may see
 * (the policy's `reports.read`, narrowed in SQL: a CSP lead their CSPs' reviews, a RAG member
 * only those at sign-off or after), and of those only what the caller may open: the
 * recommendations where `recommendations.read` allows, the actions where `actions.read` does.
 * Filtered, searched (PostgreSQL full text) and paginated in SQL. References, agencies and
 * departments only: each row is checked against the real names of the people in its review.
 */
@Injectable()
export class RecommendationsRegisterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return londonDateOf(this.clock.now());
  }

  parse(query: unknown): RegisterQuery {
    const parsed = parseInput(registerQuerySchema(), query);
    return {
      csp: parsed.csp,
      ...(parsed.theme ? { theme: parsed.theme } : {}),
      ...(parsed.addressee ? { addressee: parsed.addressee } : {}),
      ...(parsed.status ? { status: parsed.status } : {}),
      ...(parsed.overdue !== undefined ? { overdue: parsed.overdue } : {}),
      ...(parsed.relationship ? { relationship: parsed.relationship } : {}),
      ...(parsed.vulnerability ? { vulnerability: parsed.vulnerability } : {}),
      ...(parsed.reviewTheme ? { reviewTheme: parsed.reviewTheme } : {}),
      ...(parsed.q ? { q: parsed.q } : {}),
      page: parsed.page ?? 1,
      pageSize: parsed.pageSize ?? DEFAULT_PAGE_SIZE,
      format: parsed.format ?? 'json',
    };
  }

  cspsFor(access: AccessContext): Promise<ReportCsp[]> {
    return reportableCsps(this.dataSource, access);
  }

  /** The page asked for (JSON, the page), or every matching row (`all`: the CSV and XLSX). */
  async build(query: RegisterQuery, access: AccessContext, options: { all?: boolean } = {}): Promise<Register> {
    const csps = await chosenCsps(this.dataSource, query.csp, access);
    const today = this.today();
    const params: unknown[] = [csps.map((c) => c.id), today];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const visible = (action: Parameters<typeof reportableReviewsSql>[3]) => {
      const condition = reportableReviewsSql(access, 'r', params.length + 1, action);
      params.push(...condition.params);
      return condition.sql;
    };
    const reports = visible('reports.read');
    const recommendations = visible('recommendations.read');
    const actions = visible('actions.read');
    const scope = `r.csp_id = ANY($1::uuid[]) AND x.status <> 'withdrawn' AND ${reports} AND ${recommendations}`;
    const inner: string[] = [];
    if (query.theme) inner.push(`x.theme = ${add(query.theme)}`);
    if (query.addressee) {
      const p = add(query.addressee);
      inner.push(`(x.addressee_kind = ${p} OR lower(x.addressee) = lower(${p}))`);
    }
    if (query.relationship) inner.push(`rc.codes->>'relationshipCategory' = ${add(query.relationship)}`);
    if (query.vulnerability) inner.push(`(rc.codes->'vulnerabilities') ? ${add(query.vulnerability)}`);
    if (query.reviewTheme) inner.push(`(rc.codes->'themes') ? ${add(query.reviewTheme)}`);
    if (query.q) {
      const p = add(query.q);
      // The same expressions as the GIN indexes (migration RecommendationsRegister).
      inner.push(
        `(to_tsvector('english', x.text || ' ' || x.addressee) @@ websearch_to_tsquery('english', ${p}) ` +
          `OR to_tsvector('english', a.description || ' ' || a.owner) @@ websearch_to_tsquery('english', ${p}))`,
      );
    }
    const outer: string[] = [];
    if (query.status) outer.push(`status = ${add(query.status)}`);
    if (query.overdue !== undefined) outer.push(query.overdue ? `status = 'overdue'` : `status <> 'overdue'`);
    const from = `
      SELECT c.code AS csp, r.id AS "reviewId", r.reference, x.number, x.text AS recommendation, x.level, x.addressee, x.addressee_kind AS "addresseeKind",
             x.theme, x.status AS "recommendationStatus", a.description AS action, a.owner, to_char(a.target_date, 'YYYY-MM-DD') AS "targetDate",
             to_char(a.completed_on, 'YYYY-MM-DD') AS "completedOn", a.created_at AS action_created, a.id AS action_id,
             CASE WHEN a.id IS NULL THEN 'open' WHEN a.status = 'complete' THEN 'complete' WHEN a.target_date < $2::date THEN 'overdue' ELSE 'open' END AS status,
             rc.codes AS coding_codes, rc.taxonomy_version AS coding_version
        FROM recommendations x
        JOIN reviews r ON r.id = x.review_id
        JOIN csps c ON c.id = r.csp_id
        LEFT JOIN review_codings rc ON rc.review_id = r.id
        LEFT JOIN actions a ON a.review_id = x.review_id AND a.recommendation_id = x.id AND ${actions}
       WHERE ${[scope, ...inner].join(' AND ')}`;
    const where = outer.length > 0 ? `WHERE ${outer.join(' AND ')}` : '';
    const [{ total }]: Array<{ total: number }> = await this.dataSource.query(`SELECT count(*)::int AS total FROM (${from}) t ${where}`, params);
    const pages = Math.max(1, Math.ceil(total / query.pageSize));
    const limit = options.all ? '' : `LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`;
    const rows: Array<Omit<RegisterRow, 'coding'> & { action_created: unknown; action_id: unknown; coding_codes: ReviewCodes | null; coding_version: string | null }> = await this.dataSource.query(
      `SELECT * FROM (${from}) t ${where} ORDER BY csp, reference, number, action_created NULLS FIRST, action_id ${limit}`,
      params,
    );
    const mayReport = reportableReviewsSql(access, 'r', 2);
    const mayRead = reportableReviewsSql(access, 'r', 2 + mayReport.params.length, 'recommendations.read');
    const addressees: Array<{ addressee: string }> = await this.dataSource.query(
      `SELECT DISTINCT x.addressee FROM recommendations x JOIN reviews r ON r.id = x.review_id
        WHERE r.csp_id = ANY($1::uuid[]) AND x.status <> 'withdrawn' AND ${mayReport.sql} AND ${mayRead.sql} ORDER BY x.addressee LIMIT 500`,
      [params[0], ...mayReport.params, ...mayRead.params],
    );
    const taxonomy = currentTaxonomy();
    const shown: RegisterRow[] = rows.map(({ action_created: _c, action_id: _i, coding_codes: codes, coding_version: version, ...row }) => ({
      ...row,
      themeLabel: row.theme ? labelOf(taxonomy, 'recommendationThemes', row.theme) : null,
      coding: codes && version ? codingInWords(codes, version) : null,
    }));
    await this.assertNoRealNames(shown);
    const { csp: _csp, page: _page, pageSize: _size, format: _format, ...filters } = query;
    return {
      asAt: today,
      taxonomyVersion: taxonomy.version,
      csps: csps.map((c) => ({ code: c.code, name: c.name })),
      filters,
      total,
      page: options.all ? 1 : query.page,
      pageSize: options.all ? total : query.pageSize,
      pages: options.all ? 1 : pages,
      rows: shown,
      addressees: addressees.map((a) => a.addressee),
    };
  }

  /** Each row against the real names of everyone in its review (409 naming the review). */
  private async assertNoRealNames(rows: RegisterRow[]): Promise<void> {
    const ids = [...new Set(rows.map((r) => r.reviewId))];
    if (ids.length === 0) return;
    const people: Array<{ review_id: string; real_name: string }> = await this.dataSource.query('SELECT review_id, real_name FROM people WHERE review_id = ANY($1::uuid[])', [ids]);
    // Grouped once by review (a pass over every row for each review was quadratic in an export of every row).
    const names = groupBy(people, (p) => p.review_id);
    const rowsOf = groupBy(rows, (r) => r.reviewId);
    for (const id of ids) {
      const mine = rowsOf.get(id) ?? [];
      assertNoRealNamesInReport(mine, (names.get(id) ?? []).map((p) => p.real_name), mine[0].reference);
    }
  }

  /** The access log: one row per review the register showed (or exported), or one naming none. Written before it is sent. */
  async recordAccess(req: Request, status: number, register: Register): Promise<void> {
    await recordReportAccess(this.dataSource, req, status, this.clock.now(), register.rows.map((r) => r.reviewId));
  }
}

/** A review's codes as the labels of the taxonomy version it was coded with (the current one's if that version is gone). */
function codingInWords(codes: ReviewCodes, version: string): NonNullable<RegisterRow['coding']> {
  const taxonomy: Taxonomy = taxonomyVersions().get(version) ?? currentTaxonomy();
  return {
    taxonomyVersion: version,
    relationship: codes.relationshipCategory ? labelOf(taxonomy, 'relationshipCategories', codes.relationshipCategory) : null,
    vulnerabilities: codes.vulnerabilities.map((c) => labelOf(taxonomy, 'vulnerabilities', c)),
    themes: codes.themes.map((c) => labelOf(taxonomy, 'themes', c)),
    familyInvolvement: codes.familyInvolvement.map((c) => labelOf(taxonomy, 'familyInvolvement', c)),
  };
}
