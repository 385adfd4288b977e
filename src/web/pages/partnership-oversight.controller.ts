import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { barChart } from '../../reports/oversight/oversight-charts';
import { cellText } from '../../reports/oversight/oversight-files';
import { PartnershipOversightService, type OversightReport } from '../../reports/oversight/oversight.service';
import { dateInWords } from '../../shared/display-dates';
import { WebViews, type WebRequest } from '../web-views';
import { accessOf } from './page-support';

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);
const one = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const DATE_FIELDS = { asAt: 'As at', from: 'Period from', to: 'Period to' } as const;
type DateField = keyof typeof DATE_FIELDS;
/** Rows of a table shown on the page. */
export const PAGE_ROWS = 50;

/** The charts beside their tables: which table, and its bars. */
function charts(report: OversightReport): Record<string, string> {
  const table = (key: string) => report.tables.find((t) => t.key === key)!;
  const t = report.timings;
  const spreadBar = (label: string, s: typeof t.notificationToDecision) =>
    s.median === null ? [] : [{ label, value: s.median, range: [s.lowerQuartile ?? s.median, s.upperQuartile ?? s.median] as [number, number] }];
  return {
    stages: barChart('chart-stages', 'Reviews by stage', table('stages').rows.map((r) => ({ label: String(r[0]), value: Number(r[1]) })), ''),
    timings: barChart(
      'chart-timings',
      'Median days taken, the line from the lower to the upper quartile',
      [
        ...spreadBar('Notification to decision', t.notificationToDecision),
        ...spreadBar('Decision to submission (gross)', t.decisionToSubmissionGross),
        ...spreadBar('Decision to submission (net)', t.decisionToSubmissionNet),
      ],
      ' days',
    ),
    imrs: barChart('chart-imrs', 'Per cent of IMRs on time, by agency', table('imrs').rows.map((r) => ({ label: String(r[0]), value: Number(r[3] ?? 0) })), ' per cent'),
  };
}

/**
 * The oversight page: a form (the partnerships, the "as at" date, the period), then the figures,
 * each chart beside its table, each table downloadable as CSV and all of them as XLSX
 * (GET /reports/oversight). Bad input is shown on the form (400), naming the field.
 */
@ApiExcludeController()
@Controller('oversight')
export class PartnershipOversightPagesController {
  constructor(
    private readonly oversight: PartnershipOversightService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async page(@Req() req: WebRequest, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const access = accessOf(req);
    const csps = await this.oversight.cspsFor(access);
    const chosen = asList(query.csp).flatMap((c) => c.split(',')).map((c) => c.trim().toUpperCase()).filter(Boolean);
    const parts = Object.fromEntries(
      (Object.keys(DATE_FIELDS) as DateField[]).map((f) => [f, { day: one(query[`${f}-day`]), month: one(query[`${f}-month`]), year: one(query[`${f}-year`]) }]),
    ) as Record<DateField, { day: string; month: string; year: string }>;
    const asked = chosen.length > 0 || Object.values(parts).some((p) => p.day || p.month || p.year);
    const form = { csps: csps.map((c) => ({ value: c.code, text: c.name, checked: chosen.includes(c.code.toUpperCase()) })), ...parts };
    // Every partnership of theirs is chosen at first: a county team leading several sees them together.
    if (!asked) for (const c of form.csps) c.checked = true;
    const problems: Array<{ field: string; message: string }> = [];
    const dates: Record<string, string> = {};
    for (const f of Object.keys(DATE_FIELDS) as DateField[]) {
      const { day, month, year } = parts[f];
      if (!day && !month && !year) continue;
      if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) problems.push({ field: f, message: 'must be a real date, as day, month and year (for example 8 11 2017)' });
      else dates[f] = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    }
    const codes = asked ? chosen : csps.map((c) => c.code.toUpperCase());
    if (codes.length === 0) problems.push({ field: 'csp', message: 'choose at least one partnership' });
    let report: OversightReport | null = null;
    if (problems.length === 0) {
      try {
        report = await this.oversight.build(this.oversight.parse({ csp: codes.join(','), ...dates }), access);
      } catch (error) {
        if (!(error instanceof RequestValidationError)) throw error;
        problems.push(...error.problems);
      }
    }
    const context = { pageTitle: 'Oversight', form };
    if (!report) {
      const label = (field: string) => DATE_FIELDS[field as DateField] ?? (field === 'csp' ? 'Partnerships' : field);
      const errorList = problems.map((p) => ({ text: `${label(p.field)}: ${p.message}`, href: p.field === 'csp' ? '#csp' : `#${p.field}-day` }));
      const errors = Object.fromEntries(problems.map((p) => [p.field, p.message]));
      return this.views.render(req, res, 'pages/oversight/oversight.njk', { ...context, errorList, errors }, 400);
    }
    const base = new URLSearchParams({ csp: report.csps.map((c) => c.code).join(','), from: report.from, to: report.to, asAt: report.asAt });
    await this.oversight.recordAccess(req, 200);
    return this.views.render(req, res, 'pages/oversight/oversight.njk', {
      ...context,
      report,
      subtitle: `${report.csps.map((c) => c.name).join(', ')}: ${report.reviews} ${report.reviews === 1 ? 'review' : 'reviews'} as at ${dateInWords(report.asAt)}; times and shares for ${dateInWords(report.from)} to ${dateInWords(report.to)}`,
      tables: report.tables.map((t) => ({
        ...t,
        // A long list (a county's overdue clocks) shows its first rows; the CSV and XLSX have them all.
        rows: t.rows.slice(0, PAGE_ROWS).map((row) => row.map((c) => cellText(c, 'words'))),
        total: t.rows.length,
        csvHref: `/reports/oversight?${base}&format=csv&table=${t.key}`,
      })),
      charts: charts(report),
      xlsxHref: `/reports/oversight?${base}&format=xlsx`,
    });
  }
}
