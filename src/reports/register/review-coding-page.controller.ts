import { Body, Controller, Get, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { refusalOf } from '../../web/forms';
import { actorOf } from '../../web/pages/page-support';
import { WebViews, type WebRequest } from '../../web/web-views';
import type { ReviewCodes } from './review-coding.entity';
import { codingSchema, ReviewCodingService } from './review-coding.service';
import { currentTaxonomy } from './taxonomy';

const LISTS = [
  { field: 'vulnerabilities', list: 'vulnerabilities', legend: 'Vulnerabilities' },
  { field: 'themes', list: 'themes', legend: 'Themes' },
  { field: 'familyInvolvement', list: 'familyInvolvement', legend: 'Family involvement' },
] as const;
const LABELS: Record<string, string> = { relationshipCategory: 'Relationship', vulnerabilities: 'Vulnerabilities', themes: 'Themes', familyInvolvement: 'Family involvement' };
const many = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' && value !== '' ? [value] : []);

/**
 * Coding a review with the taxonomy (config/taxonomy/), for the CSP lead and the chair: the
 * relationship category (required: a form with nothing chosen changes nothing), then the
 * vulnerabilities, themes and family involvement as checkboxes. Sends the version it was
 * rendered from (If-Match); an unknown code is a 400 naming the field.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/coding')
export class ReviewCodingPagesController {
  constructor(
    private readonly coding: ReviewCodingService,
    private readonly reviews: ReviewLifecycleService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async form(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    const review = await this.reviews.get(reviewId);
    let current: (ReviewCodes & { version: number; taxonomyVersion: string }) | null = null;
    try {
      current = await this.coding.get(reviewId);
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
    return this.render(req, res, review.reference, reviewId, current ?? { relationshipCategory: null, vulnerabilities: [], themes: [], familyInvolvement: [] }, current?.version ?? null, [], 200, req.query?.done === 'CODED');
  }

  @Post()
  async save(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: Record<string, unknown>) {
    const review = await this.reviews.get(reviewId);
    const chosen: ReviewCodes = {
      relationshipCategory: typeof raw?.relationshipCategory === 'string' && raw.relationshipCategory !== '' ? raw.relationshipCategory : null,
      vulnerabilities: many(raw?.vulnerabilities),
      themes: many(raw?.themes),
      familyInvolvement: many(raw?.familyInvolvement),
    };
    const version = typeof raw?.version === 'string' && /^\d+$/.test(raw.version) ? Number(raw.version) : null;
    if (chosen.relationshipCategory === null) {
      return this.render(req, res, review.reference, reviewId, chosen, version, [{ field: 'relationshipCategory', message: 'choose the relationship' }], 400);
    }
    try {
      await this.coding.put(reviewId, parseInput(codingSchema(), chosen), actorOf(req), version === null ? '' : `"${version}"`);
      return this.views.redirect(res, `/cases/${reviewId}/coding?done=CODED`);
    } catch (error) {
      const refusal = refusalOf(error, Object.keys(LABELS));
      if (!refusal) throw error;
      const problems = refusal.problems.length > 0 ? refusal.problems : [{ field: 'relationshipCategory', message: refusal.summary ?? 'the coding could not be saved' }];
      return this.render(req, res, review.reference, reviewId, chosen, version, problems, refusal.status);
    }
  }

  private render(req: WebRequest, res: Response, reference: string, reviewId: string, codes: ReviewCodes, version: number | null, problems: Array<{ field: string; message: string }>, status: number, saved = false) {
    const taxonomy = currentTaxonomy();
    const fieldOf = (f: string) => f.split('.')[0];
    const errors = Object.fromEntries(problems.map((p) => [fieldOf(p.field), p.message]));
    return this.views.render(
      req,
      res,
      'pages/reports/coding.njk',
      {
        pageTitle: `Coding – ${reference}`,
        reference,
        action: `/cases/${reviewId}/coding`,
        backHref: `/cases/${reviewId}`,
        version,
        saved,
        taxonomyVersion: taxonomy.version,
        relationship: taxonomy.relationshipCategories.map((e) => ({ value: e.code, text: e.label, checked: codes.relationshipCategory === e.code })),
        lists: LISTS.map((l) => ({
          name: l.field,
          legend: l.legend,
          items: taxonomy[l.list].map((e) => ({ value: e.code, text: e.label, checked: (codes[l.field] as string[]).includes(e.code) })),
        })),
        errors,
        errorList: problems.length > 0 ? problems.map((p) => ({ text: `${LABELS[fieldOf(p.field)] ?? p.field}: ${p.message}`, href: `#${fieldOf(p.field)}` })) : undefined,
      },
      status,
    );
  }
}
