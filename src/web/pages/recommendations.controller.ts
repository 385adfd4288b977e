import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ActionsService } from '../../casefile/actions/actions.service';
import { RECOMMENDATION_LEVELS } from '../../casefile/entities';
import { createRecommendationSchema } from '../../casefile/recommendations/recommendations.schemas';
import { RecommendationsService } from '../../casefile/recommendations/recommendations.service';
import { parseInput } from '../../infrastructure/http/validation';
import { CspsService } from '../../csps/csps.service';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { optionsOf, RECOMMENDATION_LEVEL_LABELS } from '../labels';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { accessOf, actorOf, noticeOf } from './page-support';

const RECOMMENDATION_FIELDS: FieldSpec[] = [
  { name: 'text', label: 'Recommendation', errorLabel: 'the recommendation', kind: 'textarea' },
  { name: 'level', label: 'Level', errorLabel: 'the level', kind: 'radios', options: optionsOf(RECOMMENDATION_LEVELS, RECOMMENDATION_LEVEL_LABELS) },
  { name: 'addressee', label: 'Addressed to', errorLabel: 'who it is addressed to', kind: 'text', hint: 'The agency or body that must act on it.', classes: 'govuk-!-width-two-thirds' },
  { name: 'number', label: 'Number', kind: 'number', optional: true, hint: 'Leave empty for the next number. Numbers are never reused.' },
];

/**
 * The review's recommendations (record, agree) and its action plan, through the services the
 * recommendations and action-plan API routes use.
 */
@ApiExcludeController()
@Controller('cases/:reviewId')
export class RecommendationsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly recommendations: RecommendationsService,
    private readonly actions: ActionsService,
    private readonly views: WebViews,
  ) {}

  private async cspName(cspId: string): Promise<string> {
    return (await this.csps.list()).find((c) => c.id === cspId)?.name ?? '';
  }

  @Get('recommendations')
  async list(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    return this.renderList(req, res, reviewId, { notice: noticeOf(done) }, 200);
  }

  @Get('recommendations/new')
  async newRecommendation(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderNew(req, res, reviewId, {}, [], 200);
  }

  @Post('recommendations')
  async create(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const { input, problems } = readForm(RECOMMENDATION_FIELDS, body);
    try {
      await this.recommendations.create(reviewId, parseInput(createRecommendationSchema, input), actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/recommendations?done=RECOMMENDATION_RECORDED`);
    } catch (error) {
      const refusal = refusalOf(error, RECOMMENDATION_FIELDS.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderNew(req, res, reviewId, body, mergeProblems(problems, refusal.problems), refusal.status, refusal);
    }
  }

  @Post('recommendations/:recommendationId/agree')
  async agree(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    try {
      await this.recommendations.agree(reviewId, recommendationId, actorOf(req), ifMatchOf(body.version));
      return this.views.redirect(res, `/cases/${reviewId}/recommendations?done=RECOMMENDATION_AGREED`);
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      if (refusal.stale && /^\d{1,9}$/.test(body.reviewVersion ?? '')) {
        const history = await this.reviews.history(reviewId);
        const changes = changesSince(history, Number(body.reviewVersion), (e) => e.payload?.recommendationId === recommendationId);
        return this.renderList(req, res, reviewId, { errors: staleSummary('recommendation', changes, null) }, refusal.status);
      }
      return this.renderList(req, res, reviewId, { errors: { errorList: [...refusal.problems.map((p) => ({ text: `${p.field}: ${p.message}` })), ...summaryOf(refusal)] } }, refusal.status);
    }
  }

  @Get('action-plan')
  async actionPlan(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const plan = await this.actions.actionPlan(reviewId);
    const clocks = new Map(review.clocks.filter((c) => c.kind === 'action_target').map((c) => [c.subjectId, c]));
    const recommendations = plan.recommendations.map((r) => ({ ...r, actions: r.actions.map((a) => ({ ...a, clock: clocks.get(a.id) ?? null })) }));
    return this.views.render(req, res, 'pages/cases/action-plan.njk', {
      pageTitle: `Action plan – ${review.reference}`,
      heading: 'Action plan',
      review,
      cspName: await this.cspName(review.cspId),
      recommendations,
      counts: plan.counts,
      caseNav: caseNavigation(access, reviewId, 'action-plan'),
    });
  }

  private async renderList(req: WebRequest, res: Response, reviewId: string, options: { notice?: string | null; errors?: Record<string, unknown> }, status: number) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const recommendations = await this.recommendations.list(reviewId);
    return this.views.render(
      req,
      res,
      'pages/cases/recommendations.njk',
      {
        pageTitle: `Recommendations – ${review.reference}`,
        heading: 'Recommendations',
        review,
        cspName: await this.cspName(review.cspId),
        recommendations,
        mayWrite: may(access, 'recommendations.write'),
        caseNav: caseNavigation(access, reviewId, 'recommendations'),
        notice: options.notice ?? null,
        ...(options.errors ?? {}),
      },
      status,
    );
  }

  private async renderNew(req: WebRequest, res: Response, reviewId: string, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const review = await this.reviews.get(reviewId);
    const form = formView(RECOMMENDATION_FIELDS, { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Record a recommendation – ${review.reference}`,
        review,
        cspName: await this.cspName(review.cspId),
        heading: 'Record a recommendation',
        intro: 'It is recorded as a draft until the panel agrees it.',
        back: { href: `/cases/${reviewId}/recommendations`, text: 'Back to recommendations' },
        action: `/cases/${reviewId}/recommendations`,
        hidden: {},
        fields: form.fields,
        button: 'Record the recommendation',
        errorList: [...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }
}
