import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RECOMMENDATION_LEVELS } from '../../casefile/entities';
import { correctRecommendationSchema, createRecommendationSchema, withdrawRecommendationSchema } from '../../casefile/recommendations/recommendations.schemas';
import { RecommendationsService } from '../../casefile/recommendations/recommendations.service';
import { parseInput } from '../../infrastructure/http/validation';
import { CspsService } from '../../csps/csps.service';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, Refusal, refusalOf } from '../forms';
import { optionsOf, RECOMMENDATION_LEVEL_LABELS } from '../labels';
import { confirmHidden } from '../event-forms';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { cspNameOf } from './more-page-support';
import { accessOf, actorOf, noticeOf, submitForm } from './page-support';

const WITHDRAW_FIELDS: FieldSpec[] = [
  { name: 'reason', label: 'Why is it withdrawn?', errorLabel: 'why it is withdrawn', kind: 'textarea', hint: 'The recommendation is kept with this reason; its action plan closes and it counts nowhere.' },
];

const RECOMMENDATION_FIELDS: FieldSpec[] = [
  { name: 'text', label: 'Recommendation', errorLabel: 'the recommendation', kind: 'textarea' },
  { name: 'level', label: 'Level', errorLabel: 'the level', kind: 'radios', options: optionsOf(RECOMMENDATION_LEVELS, RECOMMENDATION_LEVEL_LABELS) },
  { name: 'addressee', label: 'Addressed to', errorLabel: 'who it is addressed to', kind: 'text', hint: 'The agency or body that must act on it.', classes: 'govuk-!-width-two-thirds' },
  { name: 'number', label: 'Number', kind: 'number', optional: true, hint: 'Leave empty for the next number. Numbers are never reused.' },
];

/** A draft's correction: every field as stored; what is changed goes into the history. */
const CORRECT_FIELDS: FieldSpec[] = RECOMMENDATION_FIELDS.map((f) =>
  f.name === 'number' ? { ...f, optional: false, hint: 'Numbers are never reused: a number another recommendation had is refused.' } : f,
);

/**
 * The review's recommendations (record, correct while a draft, agree, withdraw with a reason),
 * through the service the recommendations API routes use. The action plan has its own pages
 * (action-plan.controller.ts).
 */
@ApiExcludeController()
@Controller('cases/:reviewId')
export class RecommendationsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly recommendations: RecommendationsService,
    private readonly views: WebViews,
  ) {}

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
    return submitForm(
      this.views,
      res,
      RECOMMENDATION_FIELDS,
      body,
      async (input) => {
        await this.recommendations.create(reviewId, parseInput(createRecommendationSchema, input), actorOf(req));
        return `/cases/${reviewId}/recommendations?done=RECOMMENDATION_RECORDED`;
      },
      (problems, refusal) => this.renderNew(req, res, reviewId, body, problems, refusal.status, refusal),
    );
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
    if (body.confirm !== 'yes') {
      // Agreeing cannot be undone: a draft at the version the page showed is confirmed on its own
      // page first. Anything else (agreed or withdrawn since, a changed version) goes on to the
      // service, which refuses it: a recommendation never becomes a draft again, nor a version older.
      const [review, recommendation] = await Promise.all([this.reviews.get(reviewId), this.recommendations.get(reviewId, recommendationId)]);
      if (recommendation.status === 'draft' && body.version === String(recommendation.version)) {
        const heading = `Check before you agree recommendation ${recommendation.number}`;
        return this.views.render(req, res, 'pages/cases/confirm.njk', {
          pageTitle: `${heading} – ${review.reference}`,
          review,
          heading,
          consequences: [
            'An agreed recommendation cannot be corrected: to change its wording, you would withdraw it, with a reason, and record a new one.',
            'It goes into the action plan, where its actions are followed to completion.',
          ],
          rows: [
            { key: { text: 'Recommendation' }, value: { text: recommendation.text } },
            { key: { text: 'Level' }, value: { text: RECOMMENDATION_LEVEL_LABELS[recommendation.level as keyof typeof RECOMMENDATION_LEVEL_LABELS] ?? recommendation.level } },
            { key: { text: 'Addressed to' }, value: { text: recommendation.addressee } },
          ],
          action: `/cases/${reviewId}/recommendations/${recommendationId}/agree`,
          hidden: confirmHidden(body),
          button: `Agree recommendation ${recommendation.number}`,
          back: { href: `/cases/${reviewId}/recommendations`, text: 'Back to recommendations' },
        });
      }
    }
    try {
      await this.recommendations.agree(reviewId, recommendationId, actorOf(req), ifMatchOf(body.version));
      return this.views.redirect(res, `/cases/${reviewId}/recommendations?done=RECOMMENDATION_AGREED`);
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      if (refusal.stale && /^\d{1,9}$/.test(body.reviewVersion ?? '')) {
        const history = await this.reviews.history(reviewId, accessOf(req));
        const changes = changesSince(history, Number(body.reviewVersion), (e) => e.payload?.recommendationId === recommendationId);
        return this.renderList(req, res, reviewId, { errors: staleSummary('recommendation', changes, null) }, refusal.status);
      }
      return this.renderList(req, res, reviewId, { errors: { errorList: [...refusal.problems.map((p) => ({ text: `${p.field}: ${p.message}` })), ...summaryOf(refusal)] } }, refusal.status);
    }
  }

  @Get('recommendations/:recommendationId/correct')
  async correctPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('recommendationId') recommendationId: string) {
    return this.renderChange(req, res, reviewId, recommendationId, 'correct', {}, [], 200);
  }

  @Post('recommendations/:recommendationId/correct')
  async correct(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      CORRECT_FIELDS,
      body,
      async (input) => {
        await this.recommendations.correct(reviewId, recommendationId, parseInput(correctRecommendationSchema, input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/recommendations?done=RECOMMENDATION_CORRECTED`;
      },
      (problems, refusal) => this.renderChange(req, res, reviewId, recommendationId, 'correct', body, problems, refusal.status, refusal),
    );
  }

  @Get('recommendations/:recommendationId/withdraw')
  async withdrawPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('recommendationId') recommendationId: string) {
    return this.renderChange(req, res, reviewId, recommendationId, 'withdraw', {}, [], 200);
  }

  @Post('recommendations/:recommendationId/withdraw')
  async withdraw(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      WITHDRAW_FIELDS,
      body,
      async (input) => {
        await this.recommendations.withdraw(reviewId, recommendationId, parseInput(withdrawRecommendationSchema, input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/recommendations?done=RECOMMENDATION_WITHDRAWN`;
      },
      (problems, refusal) => this.renderChange(req, res, reviewId, recommendationId, 'withdraw', body, problems, refusal.status, refusal),
    );
  }

  /** The correction form (a draft's fields, as stored) or the withdrawal form (a reason). */
  private async renderChange(
    req: WebRequest,
    res: Response,
    reviewId: string,
    recommendationId: string,
    which: 'correct' | 'withdraw',
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review = await this.reviews.get(reviewId);
    const recommendation = await this.recommendations.get(reviewId, recommendationId);
    const fields = which === 'correct' ? CORRECT_FIELDS : WITHDRAW_FIELDS;
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body.reviewVersion ?? '');
    const values =
      which === 'correct'
        ? { text: recommendation.text, level: recommendation.level, addressee: recommendation.addressee, number: String(recommendation.number) }
        : {};
    const form = formView(fields, stale ? { values } : { body, problems, values });
    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...summaryOf(refusal)] };
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body.reviewVersion), (e) => e.payload?.recommendationId === recommendationId);
      errors = staleSummary('recommendation', changes, `It is now ${recommendation.status}`);
    }
    const closed =
      recommendation.status === 'withdrawn'
        ? `Recommendation ${recommendation.number} was withdrawn: ${recommendation.withdrawnReason}`
        : which === 'correct' && recommendation.status !== 'draft'
          ? `Recommendation ${recommendation.number} is agreed: only a draft can be corrected. Withdraw it and record a new recommendation if its wording must change.`
          : null;
    const title = which === 'correct' ? `Correct recommendation ${recommendation.number}` : `Withdraw recommendation ${recommendation.number}`;
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `${title} – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: title,
        about:
          which === 'withdraw'
            ? [
                { key: { text: 'Recommendation' }, value: { text: recommendation.text } },
                { key: { text: 'Status' }, value: { text: recommendation.status === 'agreed' ? 'Agreed' : recommendation.status === 'draft' ? 'Draft' : 'Withdrawn' } },
              ]
            : null,
        intro: which === 'correct' ? 'The earlier wording is kept in the review’s history.' : null,
        back: { href: `/cases/${reviewId}/recommendations`, text: 'Back to recommendations' },
        action: `/cases/${reviewId}/recommendations/${recommendationId}/${which}`,
        hidden: { version: recommendation.version, reviewVersion: review.version },
        fields: form.fields,
        button: which === 'correct' ? 'Save the correction' : 'Withdraw the recommendation',
        warning: which === 'withdraw',
        closed,
        ...errors,
      },
      status,
    );
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
        cspName: cspNameOf(await this.csps.list(), review.cspId),
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
        cspName: cspNameOf(await this.csps.list(), review.cspId),
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
