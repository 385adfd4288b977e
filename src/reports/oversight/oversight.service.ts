import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AccessContext } from '../../access/access.service';
import { AccessLogEntry } from '../../audit/access-log.entity';
import { addCalendarMonths, londonDateOf } from '../../deadlines/rules';
import { Clock } from '../../infrastructure/clock/clock';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { accessLogRow } from '../../audit/access-log.interceptor';
import { calendarDate, parseInput } from '../../infrastructure/http/validation';
import { migrateSnapshot, REVIEW_MACHINE_VERSION } from '../../reviews/lifecycle';
import { chosenCsps, reportableCsps, reportableReviewsSql, type ReportCsp } from '../report-scope';
import { OVERSIGHT_CONTEXT_KEYS, oversightFigures, type OversightContext, type OversightFigures, type OversightReviewRecord } from './oversight-figures';
import { byReview } from '../../shared/group-by';

export const OVERSIGHT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export const OVERSIGHT_TABLES = ['stages', 'holds', 'overdue', 'late', 'timings', 'targets', 'imrs', 'actions', 'qa'] as const;

/** The query: `csp` (codes, comma-separated), `from`/`to` (the period; default the year to `asAt`), `asAt` (default today), `format`, `table` (for CSV). */
export function oversightQuerySchema(today: () => string) {
  return z
    .object({
      csp: z
        .string({ required_error: 'is required: one or more CSP codes, separated by commas', invalid_type_error: 'must be CSP codes separated by commas' })
        .trim()
        .max(500, 'must be at most 500 characters')
        .transform((v) => [...new Set(v.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))])
        .refine((codes) => codes.length > 0, 'is required: one or more CSP codes, separated by commas')
        .refine((codes) => codes.length <= 20, 'may name at most 20 CSPs'),
      from: calendarDate().optional(),
      to: calendarDate().optional(),
      asAt: calendarDate().refine((v) => v <= today(), 'must not be in the future').optional(),
      format: z.enum(OVERSIGHT_FORMATS, { message: 'must be json, csv or xlsx' }).optional(),
      table: z.enum(OVERSIGHT_TABLES, { message: `must be one of ${OVERSIGHT_TABLES.join(', ')}` }).optional(),
    })
    .strict();
}

export interface OversightQuery {
  csp: string[];
  from: string;
  to: string;
  asAt: string;
  format: (typeof OVERSIGHT_FORMATS)[number];
  table?: (typeof OVERSIGHT_TABLES)[number];
}

export interface OversightReport extends OversightFigures {
  csps: Array<{ code: string; name: string }>;
}

/**
 * The partnership's oversight figures over the reviews of the CSPs asked for that the caller may
 * see (the policy's `reports.read`, narrowed in SQL as GET /reviews is: a CSP lead their CSPs'
 * reviews, a RAG member only those at sign-off or after). Figures only: references and agency
 * names, never a person.
 */
@Injectable()
export class PartnershipOversightService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return londonDateOf(this.clock.now());
  }

  parse(query: unknown): OversightQuery {
    const parsed = parseInput(oversightQuerySchema(() => this.today()), query);
    const asAt = parsed.asAt ?? this.today();
    const to = parsed.to ?? asAt;
    const from = parsed.from ?? addCalendarMonths(to, -12);
    const problems: Array<{ field: string; message: string }> = [];
    if (to > asAt) problems.push({ field: 'to', message: 'must not be after the "as at" date' });
    if (from > to) problems.push({ field: 'from', message: 'must be on or before the end of the period (to)' });
    if (parsed.format === 'csv' && !parsed.table) problems.push({ field: 'table', message: `is required for CSV: one of ${OVERSIGHT_TABLES.join(', ')}` });
    if (problems.length > 0) throw new RequestValidationError(problems);
    return { csp: parsed.csp, from, to, asAt, format: parsed.format ?? 'json', ...(parsed.table ? { table: parsed.table } : {}) };
  }

  /** The CSPs the caller may report on (every CSP for a trusted caller). */
  cspsFor(access: AccessContext): Promise<ReportCsp[]> {
    return reportableCsps(this.dataSource, access);
  }

  async build(query: OversightQuery, access: AccessContext): Promise<OversightReport> {
    const csps = await chosenCsps(this.dataSource, query.csp, access);
    // The policy's condition, narrowed in SQL; its parameters numbered after ours.
    const visible = reportableReviewsSql(access, 'r', 3);
    const params: unknown[] = [csps.map((c) => c.id), query.asAt, ...visible.params];
    const condition = visible.sql;
    // Of the lifecycle's record only the parts the figures read (OVERSIGHT_CONTEXT_KEYS), picked
    // in SQL; a snapshot of an older machine version whole, to be migrated first.
    const current = params.push(REVIEW_MACHINE_VERSION);
    const picked = OVERSIGHT_CONTEXT_KEYS.map((k) => `'${k}', r.snapshot->'context'->'${k}'`).join(', ');
    const reviewsRead: Promise<Array<{ id: string; reference: string; code: string; notified_on: string; context: OversightContext | null; snapshot: unknown; machine_version: number }>> = this.dataSource.query(
      `SELECT r.id, r.reference, c.code, to_char(r.notified_on, 'YYYY-MM-DD') AS notified_on, r.machine_version,
              CASE WHEN r.machine_version = $${current} THEN jsonb_build_object(${picked}) END AS context,
              CASE WHEN r.machine_version <> $${current} THEN r.snapshot END AS snapshot
         FROM reviews r JOIN csps c ON c.id = r.csp_id
        WHERE r.csp_id = ANY($1::uuid[]) AND r.notified_on <= $2::date AND ${condition}
        ORDER BY r.notified_on, r.reference`,
      params,
    );
    // The case file of the same reviews, chosen by the same condition in SQL (not by sending
    // every id back: at 100,000 reviews that array cost more than the reads), read side by side
    // with the reviews themselves.
    const scope = `SELECT r.id FROM reviews r WHERE r.csp_id = ANY($1::uuid[]) AND r.notified_on <= $2::date AND ${condition}`;
    const scoped = params.slice(0, current - 1);
    const london = (column: string) => `to_char(${column} AT TIME ZONE 'Europe/London', 'YYYY-MM-DD')`;
    // When a recommendation or action was added: its entry in the review's dated history (the row's created_at if none).
    const addedOn = (type: string, key: string) =>
      `(SELECT review_id, payload->>'${key}' AS record_id, min(occurred_at) AS at FROM review_events
         WHERE type = '${type}' AND review_id IN (${scope}) GROUP BY 1, 2)`;
    const [reviews, clocks, imrs, recommendations, actions] = await Promise.all([
      reviewsRead,
      this.dataSource.query(
        `SELECT review_id, kind, ${london('due_at')} AS due, ${london('starts_at')} AS starts, ${london('closed_at')} AS closed, status
           FROM deadlines WHERE statutory AND review_id IN (${scope})`,
        scoped,
      ),
      this.dataSource.query(
        `SELECT i.review_id, a.name AS agency, to_char(i.due_on, 'YYYY-MM-DD') AS due, to_char(i.received_on, 'YYYY-MM-DD') AS received,
                to_char(i.requested_on, 'YYYY-MM-DD') AS requested, (i.waived_reason IS NOT NULL AND btrim(i.waived_reason) <> '') AS waived
           FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id IN (${scope})`,
        scoped,
      ),
      this.dataSource.query(
        `SELECT x.review_id, x.id, ${london('COALESCE(e.at, x.created_at)')} AS created, (x.status = 'withdrawn') AS withdrawn
           FROM recommendations x LEFT JOIN ${addedOn('RECOMMENDATION_RECORDED', 'recommendationId')} e ON e.review_id = x.review_id AND e.record_id = x.id::text
          WHERE x.review_id IN (${scope})`,
        scoped,
      ),
      this.dataSource.query(
        `SELECT x.review_id, x.recommendation_id, ${london('COALESCE(e.at, x.created_at)')} AS created,
                to_char(x.target_date, 'YYYY-MM-DD') AS target, to_char(x.completed_on, 'YYYY-MM-DD') AS completed
           FROM actions x LEFT JOIN ${addedOn('ACTION_ADDED', 'actionId')} e ON e.review_id = x.review_id AND e.record_id = x.id::text
          WHERE x.review_id IN (${scope})`,
        scoped,
      ),
    ]);
    const [clocksOf, imrsOf, recsOf, actionsOf] = [byReview(clocks), byReview(imrs), byReview(recommendations), byReview(actions)];
    const records: OversightReviewRecord[] = reviews.map((r) => ({
      id: r.id,
      reference: r.reference,
      cspCode: r.code,
      notifiedOn: r.notified_on,
      // A snapshot of the current machine version was checked when written: read as it is (at
      // 100,000 reviews checking each again cost seconds); an older one is migrated and checked.
      context: r.context ?? migrateSnapshot(r.snapshot, r.machine_version).context,
      clocks: clocksOf(r.id).map((c: Record<string, string>) => ({ kind: c.kind, dueOn: c.due, startsOn: c.starts, closedOn: c.closed ?? null, status: c.status })),
      imrs: imrsOf(r.id).map((i: Record<string, string | boolean>) => ({
        agency: i.agency as string,
        dueOn: i.due as string,
        receivedOn: (i.received as string | null) ?? null,
        requestedOn: i.requested as string,
        waived: i.waived as boolean,
      })),
      recommendations: recsOf(r.id).map((x: Record<string, string | boolean>) => ({ id: x.id as string, createdOn: x.created as string, withdrawn: x.withdrawn as boolean })),
      actions: actionsOf(r.id).map((a: Record<string, string | null>) => ({
        recommendationId: a.recommendation_id as string,
        createdOn: a.created as string,
        targetDate: a.target ?? null,
        completedOn: a.completed ?? null,
      })),
    }));
    return { ...oversightFigures(records, query), csps: csps.map((c) => ({ code: c.code, name: c.name })) };
  }

  /**
   * Every request for the figures (page, JSON, CSV, XLSX) is in the access log: one row naming
   * no review (the figures are about the partnership, not a review), its path keeping the query
   * (which CSPs, period, date and format). Written before the response is sent.
   */
  async recordAccess(req: Request, status: number): Promise<void> {
    await this.dataSource.manager.insert(AccessLogEntry, { ...accessLogRow(req, status, this.clock.now()), reviewId: null });
  }
}
