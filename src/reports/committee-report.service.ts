import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AccessContext } from '../access/access.service';
import { BOARD_RETURNED_AT_SQL } from '../access/access.service';
import type { Action } from '../access/actions';
import { permission, type ReviewSubject } from '../access/policy';
import { recordReportAccess } from '../audit/access-log.interceptor';
import { loadStatutoryPeriods, loadWorkingDayCalendar, londonDateOf } from '../deadlines/rules';
import type { ClockRules } from '../deadlines/clock-plan';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { RequestValidationError } from '../infrastructure/http/errors';
import { calendarDate, parseInput } from '../infrastructure/http/validation';
import { isStage, migrateSnapshot } from '../reviews/lifecycle';
import { FULL_VISIBILITY, reviewAsAt, type ReportVisibility, type ReviewRecord } from './committee-report';
import type { CommitteeReport } from './committee-report-files';
import { assertNoRealNamesInReport, chosenCsps, queryWholeNumber, reportableCsps, reportableReviewsSql, type ReportCsp } from './report-scope';
import { byReview } from '../shared/group-by';

export const REPORT_FORMATS = ['json', 'docx', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A page of the report holds at most this many reviews (the page shows 50); the DOCX and PDF hold every review. */
export const MAX_REPORT_PAGE_SIZE = 200;
export const REPORT_PAGE_SIZE = 50;

/**
 * The report's query: `csp` (one or several CSP codes, comma-separated), `asAt` (a past or today's
 * date), `format`, and `page` / `pageSize` for one page of the reviews (JSON; without them every review).
 */
export function committeeQuerySchema(today: () => string) {
  return z
    .object({
      csp: z
        .string({ required_error: 'is required: one or more CSP codes, separated by commas', invalid_type_error: 'must be CSP codes separated by commas' })
        .trim()
        .min(1, 'is required: one or more CSP codes, separated by commas')
        .max(500, 'must be at most 500 characters')
        .transform((v) => [...new Set(v.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))])
        .refine((codes) => codes.length > 0, 'is required: one or more CSP codes, separated by commas')
        .refine((codes) => codes.length <= 20, 'may name at most 20 CSPs'),
      asAt: calendarDate().refine((v) => v <= today(), 'must not be in the future').optional(),
      format: z.enum(REPORT_FORMATS, { message: 'must be json, docx or pdf' }).optional(),
      page: queryWholeNumber(100_000).optional(),
      pageSize: queryWholeNumber(MAX_REPORT_PAGE_SIZE).optional(),
    })
    .strict();
}
export type CommitteeQuery = z.output<ReturnType<typeof committeeQuerySchema>>;

/** What the report of each review may show, by the policy's read actions for the caller on it. */
const SECTION_ACTIONS: Record<keyof ReportVisibility, Action> = {
  pseudonym: 'people.read',
  appointments: 'appointments.read',
  meetings: 'meetings.read',
  imrs: 'imrs.read',
  proceedings: 'proceedings.read',
  actions: 'actions.read',
};

/**
 * The committee progress report: the reviews of the CSPs asked for that the caller may see (the
 * policy's `reports.read`, narrowed in SQL: a CSP lead their CSPs' reviews, a RAG member only
 * those at sign-off or after), each rebuilt as it stood on the date (committee-report.ts), each
 * showing only the parts of the case file the caller may read. Never a real name: the result is
 * checked against the real names of everyone in the reviews, as the emails are.
 */
@Injectable()
export class CommitteeReportService {
  private readonly rules: ClockRules = { periods: loadStatutoryPeriods(), calendar: loadWorkingDayCalendar() };

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'reports'>,
  ) {}

  today(): string {
    return londonDateOf(this.clock.now());
  }

  /**
   * The most reviews the whole report (DOCX, PDF, JSON without a page) may hold (REPORT_MAX_REVIEWS):
   * each is rebuilt from its history in this process, about a third of a millisecond each, so a
   * report of every review of a national installation would hold the API for a minute.
   */
  get maxReviews(): number {
    return this.config.reports.maxReviews;
  }

  parse(query: unknown): CommitteeQuery & { asAt: string } {
    const parsed = parseInput(committeeQuerySchema(() => this.today()), query);
    return { ...parsed, asAt: parsed.asAt ?? this.today() };
  }

  /** The CSPs the caller may report on (every CSP for a trusted caller), by name. */
  cspsFor(access: AccessContext): Promise<ReportCsp[]> {
    return reportableCsps(this.dataSource, access);
  }

  /**
   * The report: every review of the CSPs that existed by `asAt`, or one page of them (`pageSize`
   * reviews from `page`, in the report's order, chosen in SQL so that only those are rebuilt).
   */
  async build(query: { csp: string[]; asAt: string; page?: number; pageSize?: number }, access: AccessContext): Promise<CommitteeReport> {
    const csps = await chosenCsps(this.dataSource, query.csp, access);
    const visible = reportableReviewsSql(access, 'r', 3);
    const params: unknown[] = [csps.map((c) => c.id), query.asAt, ...visible.params];
    const sql = visible.sql;
    const paged = query.page !== undefined || query.pageSize !== undefined;
    const pageSize = query.pageSize ?? REPORT_PAGE_SIZE;
    const page = query.page ?? 1;
    const [{ total }]: Array<{ total: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM reviews r WHERE r.csp_id = ANY($1::uuid[]) AND r.notified_on <= $2::date AND ${sql}`,
      params,
    );
    if (!paged && total > this.maxReviews) {
      throw new RequestValidationError([
        {
          field: 'csp',
          message: `the report would hold ${total} reviews, more than the ${this.maxReviews} one document may hold: choose fewer partnerships or an earlier date, or ask for it a page at a time (page, pageSize)`,
        },
      ]);
    }
    const reviews: Array<{
      id: string;
      reference: string;
      csp_id: string;
      notified_on: string;
      guidance_version: string;
      snapshot: unknown;
      machine_version: number;
      status: string;
      board_returned_at: Date | null;
    }> = await this.dataSource.query(
      `SELECT r.id, r.reference, r.csp_id, to_char(r.notified_on, 'YYYY-MM-DD') AS notified_on, r.guidance_version, r.snapshot,
              r.machine_version, r.status, ${BOARD_RETURNED_AT_SQL('r')} AS board_returned_at
         FROM reviews r
        WHERE r.csp_id = ANY($1::uuid[]) AND r.notified_on <= $2::date AND ${sql}
        ORDER BY r.notified_on, r.reference, r.id${paged ? ` LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}` : ''}`,
      params,
    );

    const ids = reviews.map((r) => r.id);
    const [people, chairs, meetings, imrs, extensions, trials, actions] = await Promise.all([
      this.dataSource.query(`SELECT review_id, role, pseudonym, real_name FROM people WHERE review_id = ANY($1::uuid[]) ORDER BY created_at`, [ids]),
      this.dataSource.query(`SELECT review_id, to_char(appointed_on, 'YYYY-MM-DD') AS on FROM appointments WHERE review_id = ANY($1::uuid[]) AND role = 'chair'`, [ids]),
      this.dataSource.query(
        `SELECT review_id, id, starts_at, status, created_at, to_char(papers_circulated_on, 'YYYY-MM-DD') AS papers FROM panel_meetings WHERE review_id = ANY($1::uuid[]) ORDER BY starts_at`,
        [ids],
      ),
      this.dataSource.query(
        `SELECT i.review_id, i.id, a.name AS agency, i.kind, to_char(i.requested_on, 'YYYY-MM-DD') AS requested, to_char(i.due_on, 'YYYY-MM-DD') AS due,
                to_char(i.received_on, 'YYYY-MM-DD') AS received, (i.waived_reason IS NOT NULL AND btrim(i.waived_reason) <> '') AS waived
           FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = ANY($1::uuid[]) ORDER BY i.created_at`,
        [ids],
      ),
      this.dataSource.query(
        `SELECT review_id, imr_id, to_char(granted_on, 'YYYY-MM-DD') AS granted, to_char(previous_due_on, 'YYYY-MM-DD') AS previous
           FROM imr_extensions WHERE review_id = ANY($1::uuid[]) ORDER BY granted_on, created_at`,
        [ids],
      ),
      this.dataSource.query(
        `SELECT review_id, to_char(status_changed_on, 'YYYY-MM-DD') AS on FROM proceedings
          WHERE review_id = ANY($1::uuid[]) AND type = 'criminal' AND status = 'concluded' AND status_changed_on IS NOT NULL`,
        [ids],
      ),
      this.dataSource.query(
        `SELECT a.review_id, a.id, r.number AS "recommendationNumber", a.owner, to_char(a.target_date, 'YYYY-MM-DD') AS "targetDate", a.status,
                to_char(a.completed_on, 'YYYY-MM-DD') AS "completedOn", (r.status = 'withdrawn') AS withdrawn, a.created_at AS "createdAt"
           FROM actions a JOIN recommendations r ON r.id = a.recommendation_id WHERE a.review_id = ANY($1::uuid[]) ORDER BY r.number, a.created_at`,
        [ids],
      ),
    ]);
    // Each table's rows grouped by review once (not a pass over every row for each review).
    const [peopleOf, chairsOf, meetingsOf, imrsOf, extensionsOf, trialsOf, actionsOf] = [people, chairs, meetings, imrs, extensions, trials, actions].map(
      (rows: Array<{ review_id: string }>) => byReview(rows),
    );
    const of = <T>(lookup: (id: string) => unknown[], id: string): T[] => lookup(id) as T[];
    const iso = (d: Date | string) => new Date(d).toISOString();

    const built = [];
    for (const row of reviews) {
      const csp = csps.find((c) => c.id === row.csp_id)!;
      const record: ReviewRecord = {
        id: row.id,
        reference: row.reference,
        csp: { code: csp.code, name: csp.name, boardName: csp.boardName },
        notifiedOn: row.notified_on,
        guidanceVersion: row.guidance_version,
        context: migrateSnapshot(row.snapshot, row.machine_version).context,
        pseudonym: of<{ role: string; pseudonym: string }>(peopleOf, row.id).find((p) => p.role === 'victim')?.pseudonym ?? null,
        chairAppointedOn: of<{ on: string }>(chairsOf, row.id).map((c) => c.on),
        meetings: of<{ id: string; starts_at: Date; status: 'scheduled' | 'held' | 'cancelled'; created_at: Date; papers: string | null }>(meetingsOf, row.id).map((m) => ({
          id: m.id,
          startsAt: iso(m.starts_at),
          status: m.status,
          createdAt: iso(m.created_at),
          papersCirculatedOn: m.papers,
        })),
        imrs: of<{ id: string; agency: string; kind: string; requested: string; due: string; received: string | null; waived: boolean }>(imrsOf, row.id).map((i) => ({
          id: i.id,
          agencyName: i.agency,
          kind: i.kind,
          requestedOn: i.requested,
          dueOn: i.due,
          receivedOn: i.received,
          waived: i.waived,
          extensions: of<{ imr_id: string; granted: string; previous: string }>(extensionsOf, row.id)
            .filter((e) => e.imr_id === i.id)
            .map((e) => ({ grantedOn: e.granted, previousDueOn: e.previous })),
        })),
        criminalConcludedOn: of<{ on: string }>(trialsOf, row.id).map((t) => t.on),
        actions: of<{ createdAt: Date } & Record<string, unknown>>(actionsOf, row.id).map(({ review_id: _omit, ...a }) => ({ ...a, createdAt: iso(a.createdAt) })) as ReviewRecord['actions'],
      };
      const subject: ReviewSubject | null = isStage(row.status)
        ? { cspId: row.csp_id, stage: row.status, boardReturnedAt: row.board_returned_at ? iso(row.board_returned_at) : null }
        : null;
      const review = reviewAsAt(record, query.asAt, this.visibility(access, subject), this.rules);
      if (!review) continue;
      const realNames = of<{ real_name: string }>(peopleOf, row.id).map((p) => p.real_name);
      assertNoRealNamesInReport(review, realNames, row.reference);
      built.push(review);
    }
    const count = paged ? total : built.length;
    return {
      asAt: query.asAt,
      csps: csps.map((c) => ({ code: c.code, name: c.name })),
      total: count,
      page: paged ? page : 1,
      pages: paged ? Math.max(1, Math.ceil(total / pageSize)) : 1,
      reviews: built,
    };
  }

  /** What of a review's case file the caller may read (a trusted caller: all of it). */
  private visibility(access: AccessContext, subject: ReviewSubject | null): ReportVisibility {
    if (access.trusted) return FULL_VISIBILITY;
    const holder = access.holder;
    const may = (action: Action) => !!holder && !!subject && permission(action, holder, subject).allowed;
    return Object.fromEntries(Object.entries(SECTION_ACTIONS).map(([part, action]) => [part, may(action)])) as unknown as ReportVisibility;
  }

  /**
   * Every report is in the access log: one row per review it holds (the review's CSP lead sees
   * who reported on it), or one row naming no review when it held none. Written before the
   * report is sent.
   */
  async recordAccess(req: Request, status: number, report: CommitteeReport): Promise<void> {
    await recordReportAccess(this.dataSource, req, status, this.clock.now(), report.reviews.map((r) => r.id));
  }
}
