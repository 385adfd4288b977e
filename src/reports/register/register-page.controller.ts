import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { dateInWords } from '../../shared/display-dates';
import { accessOf } from '../../web/pages/page-support';
import { WebViews, type WebRequest } from '../../web/web-views';
import { describeFilters, STATUS_TEXT } from './register-files';
import { RecommendationsRegisterService, REGISTER_STATUSES, type Register } from './register.service';
import { currentTaxonomy } from './taxonomy';
import { pagination } from '../../web/history-view';

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);
const one = (value: unknown): string => (typeof value === 'string' ? value.trim() : Array.isArray(value) && typeof value[0] === 'string' ? value[0].trim() : '');
const LABELS: Record<string, string> = {
  csp: 'Partnerships',
  theme: 'Theme',
  addressee: 'Addressee',
  status: 'Status',
  overdue: 'Overdue',
  relationship: 'Relationship',
  vulnerability: 'Vulnerability',
  reviewTheme: 'Review theme',
  q: 'Search',
  page: 'Page',
};

/**
 * The recommendations register page: the filters as a GET form (partnerships, theme, addressee,
 * status, overdue, the review's coding: relationship, vulnerability, review theme; search), then the rows a page at a time with links to the CSV and XLSX of
 * every matching row (GET /reports/register). Bad input is shown on the form (400), naming the field.
 */
@ApiExcludeController()
@Controller('register')
export class RecommendationsRegisterPagesController {
  constructor(
    private readonly register: RecommendationsRegisterService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async page(@Req() req: WebRequest, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const access = accessOf(req);
    const csps = await this.register.cspsFor(access);
    const chosen = asList(query.csp).flatMap((c) => c.split(',')).map((c) => c.trim().toUpperCase()).filter(Boolean);
    // Every partnership of theirs at first: a county team leading several sees them together.
    const codes = chosen.length > 0 ? chosen : csps.map((c) => c.code.toUpperCase());
    const values = {
      theme: one(query.theme),
      addressee: one(query.addressee),
      status: one(query.status),
      overdue: one(query.overdue),
      relationship: one(query.relationship),
      vulnerability: one(query.vulnerability),
      reviewTheme: one(query.reviewTheme),
      q: one(query.q),
      page: one(query.page),
    };
    const problems: Array<{ field: string; message: string }> = [];
    if (codes.length === 0) problems.push({ field: 'csp', message: 'choose at least one partnership' });
    let register: Register | null = null;
    if (problems.length === 0) {
      try {
        const asked = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
        register = await this.register.build(this.register.parse({ csp: codes.join(','), ...asked }), access);
      } catch (error) {
        if (!(error instanceof RequestValidationError)) throw error;
        problems.push(...error.problems);
      }
    }
    const taxonomy = currentTaxonomy();
    const option = (value: string, text: string, current: string) => ({ value, text, selected: value === current });
    const form = {
      csps: csps.map((c) => ({ value: c.code, text: c.name, checked: codes.includes(c.code.toUpperCase()) })),
      themes: [option('', 'Any theme', values.theme), ...taxonomy.recommendationThemes.map((t) => option(t.code, t.label, values.theme))],
      addressees: [
        option('', 'Any addressee', values.addressee),
        ...taxonomy.addresseeKinds.map((k) => option(k.code, k.label, values.addressee)),
        ...(register?.addressees ?? []).map((a) => option(a, a, values.addressee)),
      ],
      statuses: [option('', 'Any status', values.status), ...REGISTER_STATUSES.map((s) => option(s, STATUS_TEXT[s], values.status))],
      overdue: [option('', 'Overdue or not', values.overdue), option('true', 'Overdue only', values.overdue), option('false', 'Not overdue', values.overdue)],
      relationships: [option('', 'Any relationship', values.relationship), ...taxonomy.relationshipCategories.map((t) => option(t.code, t.label, values.relationship))],
      vulnerabilities: [option('', 'Any vulnerability', values.vulnerability), ...taxonomy.vulnerabilities.map((t) => option(t.code, t.label, values.vulnerability))],
      reviewThemes: [option('', 'Any review theme', values.reviewTheme), ...taxonomy.themes.map((t) => option(t.code, t.label, values.reviewTheme))],
      q: values.q,
    };
    const context = { pageTitle: 'Recommendations register', form, taxonomyVersion: taxonomy.version };
    if (!register) {
      const errorList = problems.map((p) => ({ text: `${LABELS[p.field] ?? p.field}: ${p.message}`, href: `#${p.field}` }));
      const errors = Object.fromEntries(problems.map((p) => [p.field, p.message]));
      return this.views.render(req, res, 'pages/reports/register.njk', { ...context, errorList, errors }, 400);
    }
    const base = new URLSearchParams({ csp: register.csps.map((c) => c.code).join(',') });
    for (const [k, v] of Object.entries(values)) if (v !== '' && k !== 'page') base.set(k, v);
    const pageHref = (n: number) => `/register?${base}&page=${n}`;
    await this.register.recordAccess(req, 200, register);
    const filters = describeFilters(register);
    return this.views.render(req, res, 'pages/reports/register.njk', {
      ...context,
      register,
      subtitle: `${register.csps.map((c) => c.name).join(', ')}: ${register.total} ${register.total === 1 ? 'row' : 'rows'} as at ${dateInWords(register.asAt)}${filters ? ` (${filters})` : ''}`,
      rows: register.rows.map((r) => ({
        ...r,
        statusText: STATUS_TEXT[r.status],
        targetText: r.targetDate ? dateInWords(r.targetDate) : '',
        completedText: r.completedOn ? dateInWords(r.completedOn) : '',
      })),
      pagination: pagination(register.page, register.pages, pageHref, 'Pages of the register'),
      csvHref: `/reports/register?${base}&format=csv`,
      xlsxHref: `/reports/register?${base}&format=xlsx`,
    });
  }
}
