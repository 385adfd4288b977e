import { currentTaxonomy } from '../../reports/register/taxonomy';
import { Body, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RECOMMENDATION_LEVELS, RECOMMENDATION_SCOPES } from '../../casefile/entities';
import { RECOMMENDATION_SCOPE_LABELS } from '../../reports/home-office/labels';
import { correctRecommendationSchema, createRecommendationSchema, withdrawRecommendationSchema } from '../../casefile/recommendations/recommendations.schemas';
import { RecommendationsService } from '../../casefile/recommendations/recommendations.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, formBody, ifMatchOf, refusalOf } from '../forms';
import { optionsOf, RECOMMENDATION_LEVEL_LABELS } from '../labels';
import { confirmHidden } from '../event-forms';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { FormPages, FormRoute, PageController, summaryOf, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { accessOf, actorOf, noticeOf } from './page-support';

const WITHDRAW_FIELDS: FieldSpec[] = [
  { name: 'reason', label: 'Why is it withdrawn?', errorLabel: 'why it is withdrawn', kind: 'textarea', hint: 'The recommendation is kept with this reason; its action plan closes and it counts nowhere.' },
];

const RECOMMENDATION_FIELDS: FieldSpec[] = [
  { name: 'text', label: 'Recommendation', errorLabel: 'the recommendation', kind: 'textarea' },
  { name: 'level', label: 'Level', errorLabel: 'the level', kind: 'radios', options: optionsOf(RECOMMENDATION_LEVELS, RECOMMENDATION_LEVEL_LABELS) },
  { name: 'addressee', label: 'Addressed to', errorLabel: 'who it is addressed to', kind: 'text', hint: 'The agency or body that must act on it.', classes: 'govuk-!-width-two-thirds' },
  { name: 'scope', label: 'Scope', errorLabel: 'the scope', kind: 'radios', optional: true, options: optionsOf(RECOMMENDATION_SCOPES, RECOMMENDATION_SCOPE_LABELS), hint: 'Where the change is to be made, as the Home Office action plan asks. Left unchosen: national for a national recommendation, else local.' },
  { name: 'number', label: 'Number', kind: 'number', optional: true, hint: 'Leave empty for the next number. Numbers are never reused.' },
  // The taxonomy's (config/taxonomy/): the recommendations register filters on them.
  { name: 'addresseeKind', label: 'Kind of addressee', kind: 'select', optional: true, emptyOption: 'Not recorded', options: currentTaxonomy().addresseeKinds.map((k) => ({ value: k.code, text: k.label })) },
  { name: 'theme', label: 'Theme', kind: 'select', optional: true, emptyOption: 'Not recorded', options: currentTaxonomy().recommendationThemes.map((t) => ({ value: t.code, text: t.label })) },
];

/** A draft's correction: every field as stored; what is changed goes into the history. */
const CORRECT_FIELDS: FieldSpec[] = RECOMMENDATION_FIELDS.map((f) =>
  f.name === 'number' ? { ...f, optional: false, hint: 'Numbers are never reused: a number another recommendation had is refused.' } : f,
);

type Recommendation = Awaited<ReturnType<RecommendationsService['get']>>;

const LIST = { template: 'pages/cases/recommendations.njk', key: 'recommendations', heading: 'Recommendations' };

/**
 * The review's recommendations (record, correct while a draft, agree, withdraw with a reason),
 * through the service the recommendations API routes use. The action plan has its own pages
 * (action-plan.controller.ts).
 */
@PageController('cases/:reviewId')
export class RecommendationsPagesController {
  constructor(private readonly reviews: ReviewLifecycleService, private readonly recommendations: RecommendationsService, private readonly views: WebViews, readonly forms: FormPages) {}

  @TabRoute('recommendations', LIST)
  async list(_review: ReviewView, { req, params, query }: TabContext) {
    return this.listContext(req, params.reviewId, { notice: noticeOf(query.done) });
  }

  @FormRoute('recommendations/new', { post: 'recommendations' })
  newPage(): FormPage {
    return {
      fields: RECOMMENDATION_FIELDS,
      submit: async (input, { params, actor }) => {
        await this.recommendations.create(params.reviewId, parseInput(createRecommendationSchema, input), actor());
        return `/cases/${params.reviewId}/recommendations?done=RECOMMENDATION_RECORDED`;
      },
      view: (review, { params }) => ({
        review,
        heading: 'Record a recommendation',
        intro: 'It is recorded as a draft until the panel agrees it.',
        back: { href: `/cases/${params.reviewId}/recommendations`, text: 'Back to recommendations' },
        action: `/cases/${params.reviewId}/recommendations`,
        button: 'Record the recommendation',
      }),
    };
  }

  @Post('recommendations/:recommendationId/agree')
  async agree(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('recommendationId') recommendationId: string, @Body() raw: unknown) {
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

  /** The correction form (a draft's fields, as stored) or the withdrawal form (a reason). */
  @FormRoute('recommendations/:recommendationId/correct', { page: 'correct' })
  @FormRoute('recommendations/:recommendationId/withdraw', { page: 'withdraw' })
  changePage(which: 'correct' | 'withdraw'): FormPage<{ review: ReviewView; recommendation: Recommendation }> {
    const correct = which === 'correct';
    return {
      load: async ({ params }) => ({ review: await this.reviews.get(params.reviewId), recommendation: await this.recommendations.get(params.reviewId, params.recommendationId) }),
      fields: correct ? CORRECT_FIELDS : WITHDRAW_FIELDS,
      values: ({ recommendation: r }) => (correct ? { text: r.text, level: r.level, addressee: r.addressee, scope: r.scope, number: String(r.number) } : {}),
      submit: async (input, { params, actor, ifMatch }) => {
        const { reviewId, recommendationId } = params;
        if (correct) await this.recommendations.correct(reviewId, recommendationId, parseInput(correctRecommendationSchema, input), actor(), ifMatch);
        else await this.recommendations.withdraw(reviewId, recommendationId, parseInput(withdrawRecommendationSchema, input), actor(), ifMatch);
        return `/cases/${reviewId}/recommendations?done=${correct ? 'RECOMMENDATION_CORRECTED' : 'RECOMMENDATION_WITHDRAWN'}`;
      },
      stale: { what: 'recommendation', about: (e, { params }) => e.payload?.recommendationId === params.recommendationId, now: ({ recommendation }) => `It is now ${recommendation.status}` },
      view: ({ review, recommendation: r }, { params }) => ({
        review,
        heading: correct ? `Correct recommendation ${r.number}` : `Withdraw recommendation ${r.number}`,
        about: correct
          ? null
          : [
              { key: { text: 'Recommendation' }, value: { text: r.text } },
              { key: { text: 'Status' }, value: { text: r.status === 'agreed' ? 'Agreed' : r.status === 'draft' ? 'Draft' : 'Withdrawn' } },
            ],
        intro: correct ? 'The earlier wording is kept in the review’s history.' : null,
        back: { href: `/cases/${params.reviewId}/recommendations`, text: 'Back to recommendations' },
        action: `/cases/${params.reviewId}/recommendations/${params.recommendationId}/${which}`,
        hidden: versions(r, review),
        button: correct ? 'Save the correction' : 'Withdraw the recommendation',
        warning: !correct,
        closed:
          r.status === 'withdrawn'
            ? `Recommendation ${r.number} was withdrawn: ${r.withdrawnReason}`
            : correct && r.status !== 'draft'
              ? `Recommendation ${r.number} is agreed: only a draft can be corrected. Withdraw it and record a new recommendation if its wording must change.`
              : null,
      }),
    };
  }

  /** The list again, with what the service said about agreeing (a refusal, or a change made meanwhile). */
  private async renderList(req: WebRequest, res: Response, reviewId: string, options: { errors: Record<string, unknown> }, status: number) {
    const review = await this.reviews.get(reviewId);
    return this.forms.tab(req, res, { ...LIST, review, status }, await this.listContext(req, reviewId, options));
  }

  private async listContext(req: WebRequest, reviewId: string, options: { notice?: string | null; errors?: Record<string, unknown> }) {
    const recommendations = await this.recommendations.list(reviewId);
    return { recommendations, mayWrite: may(accessOf(req), 'recommendations.write'), notice: options.notice ?? null, ...(options.errors ?? {}) };
  }
}
