import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequestValidationError } from '../infrastructure/http/errors';
import { accessOf } from '../web/pages/page-support';
import { WebViews, type WebRequest } from '../web/web-views';
import { detailRows, nextStepText, reportSubtitle, REPORT_TITLE, SUMMARY_HEADINGS, summaryRows } from './committee-report-files';
import { CommitteeReportService, REPORT_PAGE_SIZE } from './committee-report.service';
import { pagination } from '../web/history-view';

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);
const one = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/**
 * The committee progress report page: a small form (the CSPs, the "as at" date), then the report
 * with links to download it as DOCX and PDF (GET /reports/committee) and a print stylesheet.
 * Bad input is shown on the form (400), naming the field.
 */
@ApiExcludeController()
@Controller('committee-report')
export class CommitteeReportPagesController {
  constructor(
    private readonly reports: CommitteeReportService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async page(@Req() req: WebRequest, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const access = accessOf(req);
    const csps = await this.reports.cspsFor(access);
    const chosen = asList(query.csp).flatMap((c) => c.split(',')).map((c) => c.trim().toUpperCase()).filter(Boolean);
    const [day, month, year] = [one(query['asAt-day']), one(query['asAt-month']), one(query['asAt-year'])];
    const asked = chosen.length > 0 || day !== '' || month !== '' || year !== '' || 'asAt' in query;
    const form = { csps: csps.map((c) => ({ value: c.code, text: c.name, checked: chosen.includes(c.code.toUpperCase()) })), day, month, year };
    const context = { pageTitle: 'Committee progress report', title: REPORT_TITLE, form, summaryHeadings: SUMMARY_HEADINGS };
    if (!asked) {
      if (csps.length === 1) form.csps[0].checked = true;
      return this.views.render(req, res, 'pages/reports/committee.njk', context);
    }
    const problems: Array<{ field: string; message: string }> = [];
    let asAt: string | undefined = one(query.asAt) || undefined;
    if (day || month || year) {
      if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) problems.push({ field: 'asAt', message: 'must be a real date, as day, month and year (for example 8 11 2017)' });
      else asAt = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    }
    if (chosen.length === 0) problems.push({ field: 'csp', message: 'choose at least one partnership' });
    let report = null;
    if (problems.length === 0) {
      try {
        // A page of 50 reviews at a time (each rebuilt from its history); the DOCX and PDF hold them all.
        const page = one(query.page);
        report = await this.reports.build(this.reports.parse({ csp: chosen.join(','), ...(asAt ? { asAt } : {}), page: page || '1', pageSize: String(REPORT_PAGE_SIZE) }), access);
      } catch (error) {
        if (!(error instanceof RequestValidationError)) throw error;
        problems.push(...error.problems);
      }
    }
    if (!report) {
      const href = (field: string) => (field === 'asAt' ? '#asAt-day' : field === 'csp' ? '#csp' : '#');
      const errorList = problems.map((p) => ({ text: `${p.field === 'asAt' ? 'The date' : p.field === 'csp' ? 'Partnerships' : p.field}: ${p.message}`, href: href(p.field) }));
      const errors = Object.fromEntries(problems.map((p) => [p.field, p.message]));
      return this.views.render(req, res, 'pages/reports/committee.njk', { ...context, errorList, errors }, 400);
    }
    const query_ = new URLSearchParams({ csp: report.csps.map((c) => c.code).join(','), asAt: report.asAt });
    await this.reports.recordAccess(req, 200, report);
    const pageHref = (n: number) => `/committee-report?${query_}&page=${n}`;
    return this.views.render(req, res, 'pages/reports/committee.njk', {
      pagination: pagination(report.page, report.pages, pageHref, 'Pages of the report'),
      ...context,
      report,
      subtitle: reportSubtitle(report),
      summary: summaryRows(report),
      details: report.reviews.map((r) => ({ review: r, rows: detailRows(r), nextStep: nextStepText(r) })),
      // Past the limit a document may hold, no download is offered (it would be refused).
      ...(report.total <= this.reports.maxReviews
        ? { docxHref: `/reports/committee?${query_}&format=docx`, pdfHref: `/reports/committee?${query_}&format=pdf` }
        : { tooLarge: `This report holds ${report.total} reviews: a document can hold ${this.reports.maxReviews} at most. To download it, choose fewer partnerships or an earlier date.` }),
    });
  }
}
