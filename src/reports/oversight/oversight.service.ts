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
import { migrateSnapshot, REVIEW_MACHINE_VERSION, type HoldReason, type Stage } from '../../reviews/lifecycle';
import { chosenCsps, reportableCsps, reportableReviewsSql, type ReportCsp } from '../report-scope';
import { oversightFigures, reviewAsAt, type OversightCounts, type ReviewAsAt, type OversightFigures, type OversightReviewRecord } from './oversight-figures';
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

export interface ReviewAsAtRow {
  stage: Stage | null;
  hold: { reason: HoldReason; startedOn: string } | null;
  decided_on: string | null;
  qa_rounds: number | null;
  first_submitted_on: string | null;
  holds: Array<{ from: string; to: string | null }> | null;
}

interface ReviewRow extends ReviewAsAtRow {
  id: string;
  reference: string;
  code: string;
  notified_on: string;
  snapshot: unknown;
  machine_version: number;
}

/**
 * `reviewAsAt` in SQL, over a review's snapshot and a day (SQL expressions), kept equal to it by
 * test/oversight-as-at.test.ts: a date counts by the day it names (its first ten characters), and
 * of the entries dated by the day the latest in the record's order wins (the first for QA rounds).
 * The context is taken out of the snapshot once (OFFSET 0 keeps PostgreSQL from inlining it into
 * every use, each decompressing the snapshot again).
 */
export function reviewAsAtSql(snapshot: string, day: string): string {
  const on = (value: string) => `(COALESCE(${value}, '') <> '' AND left(${value}, 10) <= to_char(${day}, 'YYYY-MM-DD'))`;
  const latest = (array: string, element: string, condition: string, pick: string, order = 'DESC') =>
    `(SELECT ${pick} FROM jsonb_array_elements(x->'${array}') WITH ORDINALITY AS t(${element}, n) WHERE ${condition} ORDER BY n ${order} LIMIT 1)`;
  return `
  SELECT COALESCE(${latest('stageHistory', 'e', on("e->>'enteredAt'"), "e->>'stage'")}, 'notified') AS stage,
         ${latest('holds', 'h', `${on("h->>'startedAt'")} AND NOT ${on("h->>'endedAt'")}`, "jsonb_build_object('reason', h->>'reason', 'startedOn', left(h->>'startedAt', 10))")} AS hold,
         CASE WHEN ${on("x->'decision'->>'decidedAt'")} THEN left(x->'decision'->>'decidedAt', 10)
              ELSE ${latest('supersededDecisions', 's', on("s->'decision'->>'decidedAt'"), "left(s->'decision'->>'decidedAt', 10)")} END AS decided_on,
         (SELECT count(*)::int FROM jsonb_array_elements(x->'qaRounds') q WHERE ${on("q->>'submittedAt'")}) AS qa_rounds,
         ${latest('qaRounds', 'q', on("q->>'submittedAt'"), "left(q->>'submittedAt', 10)", 'ASC')} AS first_submitted_on,
         (SELECT jsonb_agg(jsonb_build_object('from', left(h->>'startedAt', 10), 'to', CASE WHEN ${on("h->>'endedAt'")} THEN left(h->>'endedAt', 10) END) ORDER BY n)
            FROM jsonb_array_elements(x->'holds') WITH ORDINALITY AS t(h, n) WHERE ${on("h->>'startedAt'")}) AS holds
    FROM (SELECT ${snapshot}->'context' AS x OFFSET 0) s`;
}

/**
 * The four reads the figures are made from, as SQL over the reviews `where` picks (alias `r`),
 * as at the day `asAt` and for the period `from`–`to` (SQL expressions, parameters as a rule);
 * `currentVersion`: the machine version whose snapshots are read in SQL (`reviewAsAtSql`), older
 * ones are returned whole. The benchmark runs the same reads as its raw limit.
 * - reviews: each review as at the day (needs the parameters of `where` and `currentVersion`);
 * - clocks: the overdue statutory clocks and each review's completion target (`where`'s);
 * - imrs: IMR lateness by agency, the rule in OversightCounts (`where`'s, `from` and `to`);
 * - states: recommendations and actions by state, the rule in OversightCounts (`where`'s). As at
 *   today everything recorded has been added (`past` false); as at an earlier day, a row counts
 *   from its entry in the review's dated history (its created_at if none).
 * The case file's reads choose their reviews by the same condition in SQL, not by an array of ids
 * (at 100,000 reviews that array cost more than the reads).
 */
export function oversightReadsSql(where: string, p: { asAt: string; from: string; to: string; currentVersion: string; past: boolean }) {
  const { asAt } = p;
  const scope = `SELECT r.id FROM reviews r WHERE ${where}`;
  const day = (column: string) => `(${column} AT TIME ZONE 'Europe/London')::date`;
  // Running or missed (not cancelled, waived or never computed), started by the day, due before it and not closed by it.
  const overdue = `status NOT IN ('cancelled', 'not_computed', 'waived') AND ${day('starts_at')} <= ${asAt} AND ${day('due_at')} < ${asAt}
      AND (closed_at IS NULL OR ${day('closed_at')} > ${asAt})`;
  const addedBy = (alias: string, type: string, key: string) =>
    p.past
      ? `AND ${day(`COALESCE((SELECT min(e.occurred_at) FROM review_events e WHERE e.review_id = ${alias}.review_id AND e.type = '${type}' AND e.payload->>'${key}' = ${alias}.id::text), ${alias}.created_at)`)} <= ${asAt}`
      : '';
  return {
    reviews: `SELECT r.id, r.reference, c.code, to_char(r.notified_on, 'YYYY-MM-DD') AS notified_on, r.machine_version,
              CASE WHEN r.machine_version <> ${p.currentVersion} THEN r.snapshot END AS snapshot, f.*
         FROM reviews r JOIN csps c ON c.id = r.csp_id
         LEFT JOIN LATERAL (${reviewAsAtSql('r.snapshot', asAt)}) f ON r.machine_version = ${p.currentVersion}
        WHERE ${where}
        ORDER BY r.notified_on, r.reference`,
    clocks: `SELECT review_id, kind, to_char(${day('due_at')}, 'YYYY-MM-DD') AS due, (${overdue}) AS overdue
         FROM deadlines
        WHERE statutory AND review_id IN (${scope}) AND (kind = 'completion_target' OR (${overdue}))
        ORDER BY review_id, kind, id`,
    imrs: `WITH due AS (
         SELECT a.name AS agency, i.due_on, CASE WHEN i.received_on <= ${asAt} THEN i.received_on END AS received
           FROM imrs i JOIN agencies a ON a.id = i.agency_id
          WHERE i.review_id IN (${scope}) AND (i.waived_reason IS NULL OR btrim(i.waived_reason) = '')
            AND i.due_on BETWEEN ${p.from} AND ${p.to} AND i.due_on <= ${asAt} AND i.requested_on <= ${asAt}
       ), judged AS (
         SELECT agency, (received IS NOT NULL AND received <= due_on) AS on_time, greatest(COALESCE(received, ${asAt}) - due_on, 0) AS days FROM due
       )
       SELECT agency, count(*)::int AS due, (count(*) FILTER (WHERE on_time))::int AS "onTime", (count(*) FILTER (WHERE NOT on_time))::int AS late,
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE NOT on_time))::numeric, 1)::float8 AS "medianDaysLate",
              max(days) FILTER (WHERE NOT on_time) AS "mostDaysLate"
         FROM judged GROUP BY agency`,
    states: `WITH act AS (
         SELECT x.recommendation_id,
                CASE WHEN x.completed_on <= ${asAt} THEN 'complete' WHEN x.target_date < ${asAt} THEN 'overdue' ELSE 'open' END AS state
           FROM actions x WHERE x.review_id IN (${scope}) ${addedBy('x', 'ACTION_ADDED', 'actionId')}
       ), rec AS (
         SELECT CASE WHEN count(act.state) > 0 AND bool_and(act.state = 'complete') THEN 'complete'
                     WHEN bool_or(act.state = 'overdue') THEN 'overdue' ELSE 'open' END AS state
           FROM recommendations x LEFT JOIN act ON act.recommendation_id = x.id
          WHERE x.review_id IN (${scope}) AND x.status <> 'withdrawn' ${addedBy('x', 'RECOMMENDATION_RECORDED', 'recommendationId')}
          GROUP BY x.id
       )
       SELECT 'actions' AS item, state, count(*)::int AS n FROM act GROUP BY state
       UNION ALL SELECT 'recommendations', state, count(*)::int FROM rec GROUP BY state`,
  };
}

/** A row of `reviewAsAtSql` as the figures read it. */
export const asAtOf = (r: ReviewAsAtRow): ReviewAsAt => ({
  stage: r.stage ?? 'notified',
  hold: r.hold,
  decidedOn: r.decided_on,
  qaRoundsSubmitted: r.qa_rounds ?? 0,
  firstSubmittedOn: r.first_submitted_on,
  holds: r.holds ?? [],
});

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
    const scoped: unknown[] = [csps.map((c) => c.id), query.asAt, ...visible.params];
    // The reviews of the CSPs asked for that the caller may see, notified by the day; the four
    // reads side by side, each with the parameters it names.
    const where = `r.csp_id = ANY($1::uuid[]) AND r.notified_on <= $2::date AND ${visible.sql}`;
    const n = scoped.length;
    const sql = oversightReadsSql(where, { asAt: '$2::date', from: `$${n + 1}::date`, to: `$${n + 2}::date`, currentVersion: `$${n + 1}`, past: query.asAt < this.today() });
    const reviewsRead: Promise<ReviewRow[]> = this.dataSource.query(sql.reviews, [...scoped, REVIEW_MACHINE_VERSION]);
    const clocksRead: Promise<Array<{ review_id: string; kind: string; due: string; overdue: boolean }>> = this.dataSource.query(sql.clocks, scoped);
    const imrsRead: Promise<OversightCounts['imrs']> = this.dataSource.query(sql.imrs, [...scoped, query.from, query.to]);
    const stateCountsRead: Promise<Array<{ item: 'recommendations' | 'actions'; state: 'open' | 'overdue' | 'complete'; n: number }>> = this.dataSource.query(sql.states, scoped);
    const [reviews, clocks, imrs, stateCounts] = await Promise.all([reviewsRead, clocksRead, imrsRead, stateCountsRead]);
    const clocksOf = byReview(clocks);
    const counts: OversightCounts = {
      imrs,
      recommendations: { open: 0, overdue: 0, complete: 0 },
      actions: { open: 0, overdue: 0, complete: 0 },
    };
    for (const c of stateCounts) counts[c.item][c.state] = c.n;
    const records: OversightReviewRecord[] = reviews.map((r) => {
      const clocksOfReview = clocksOf(r.id);
      return {
        id: r.id,
        reference: r.reference,
        cspCode: r.code,
        notifiedOn: r.notified_on,
        asAt: r.snapshot ? reviewAsAt(migrateSnapshot(r.snapshot, r.machine_version).context, query.asAt) : asAtOf(r),
        overdueClocks: clocksOfReview.filter((c) => c.overdue).map((c) => ({ kind: c.kind, dueOn: c.due })),
        completionTargetOn: clocksOfReview.find((c) => c.kind === 'completion_target')?.due ?? null,
      };
    });
    return { ...oversightFigures(records, counts, query), csps: csps.map((c) => ({ code: c.code, name: c.name })) };
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
