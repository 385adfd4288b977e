import { addActionSchema, completeActionSchema, updateActionSchema } from '../../casefile/actions/actions.schemas';
import { ActionsService } from '../../casefile/actions/actions.service';
import { RecommendationsService } from '../../casefile/recommendations/recommendations.service';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec } from '../forms';
import { ACTION_STATUS_LABELS, optionsOf } from '../labels';
import { ukDate } from '../web-views';
import { FormPages, FormRoute, PageController, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { accessOf, noticeOf } from './page-support';

const ACTION_FIELDS: FieldSpec[] = [
  { name: 'description', label: 'What will be done', errorLabel: 'what will be done', kind: 'textarea' },
  { name: 'owner', label: 'Owner', errorLabel: 'who owns the action', kind: 'text', hint: 'The agency or post responsible, for example Essex Police, Head of Public Protection.', classes: 'govuk-!-width-two-thirds' },
  { name: 'targetDate', label: 'Target date', kind: 'date', optional: true, hint: 'For example, 31 3 2027. Reminders are sent before it.' },
  { name: 'measureOfSuccess', label: 'Measure of success', kind: 'textarea', optional: true, hint: 'How the panel will know the action has worked.' },
  { name: 'milestones', label: 'Key milestones', kind: 'textarea', optional: true, hint: 'The steps on the way, as the Home Office action plan lists them.' },
];

/** Progress on an action: its status (completion has its own form) and corrections. */
const PROGRESS_FIELDS: FieldSpec[] = [
  { name: 'status', label: 'Progress', errorLabel: 'the progress', kind: 'radios', options: optionsOf(['not_started', 'in_progress'], ACTION_STATUS_LABELS) },
  ...ACTION_FIELDS,
];

const COMPLETE_FIELDS: FieldSpec[] = [
  { name: 'completedOn', label: 'Date completed', kind: 'date', hint: 'For example, 14 2 2027' },
  { name: 'evidence', label: 'Evidence of completion', errorLabel: 'the evidence of completion', kind: 'textarea', hint: 'What shows the action is done: a policy, training records, an audit. It is kept in the review’s history.' },
];

type PlanAction = Awaited<ReturnType<ActionsService['get']>>;
type Recommendation = Awaited<ReturnType<RecommendationsService['get']>>;
type Subject = { review: ReviewView; recommendation: Recommendation; action: PlanAction | null };

/** Why nothing more can be recorded on the plan or the action, else null. */
function closedOf(recommendation: Recommendation, action: PlanAction | null): string | null {
  if (recommendation.status === 'withdrawn') return `Recommendation ${recommendation.number} was withdrawn (${recommendation.withdrawnReason}): its action plan is closed.`;
  return action?.status === 'complete' ? `Nothing more can be recorded: the action was completed on ${ukDate(action.completedOn)}.` : null;
}

/**
 * The action plan: every recommendation with its actions (owner, target date and its clock,
 * progress, evidence), and the forms to add an action, record progress and record completion,
 * through ActionsService (the action-plan API's service). A withdrawn recommendation's plan is
 * closed and a completed action is not changed any more: the service says so, the page shows it.
 */
@PageController('cases/:reviewId')
export class ActionPlanPagesController {
  constructor(private readonly recommendations: RecommendationsService, private readonly actions: ActionsService, readonly forms: FormPages) {}

  @TabRoute('action-plan', { template: 'pages/cases/action-plan.njk', key: 'action-plan', heading: 'Action plan' })
  async actionPlan(review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const plan = await this.actions.actionPlan(reviewId);
    const clocks = new Map(review.clocks.filter((c) => c.kind === 'action_target').map((c) => [c.subjectId, c]));
    const recommendations = plan.recommendations.map((r) => ({ ...r, actions: r.actions.map((a) => ({ ...a, clock: clocks.get(a.id) ?? null })) }));
    return {
      recommendations,
      counts: plan.counts,
      mayWrite: may(accessOf(req), 'actions.write'),
      notice: noticeOf(query.done),
    };
  }

  @FormRoute('recommendations/:recommendationId/actions/new', { post: 'recommendations/:recommendationId/actions' })
  addPage(): FormPage<Subject> {
    return {
      load: (ctx) => this.subject(ctx.params),
      fields: ACTION_FIELDS,
      submit: async (input, { params, actor }) => {
        await this.actions.add(params.reviewId, params.recommendationId, parseInput(addActionSchema, input), actor());
        return `/cases/${params.reviewId}/action-plan?done=ACTION_ADDED`;
      },
      view: ({ review, recommendation }, { params }) => ({
        review,
        heading: `Add an action to recommendation ${recommendation.number}`,
        about: [{ key: { text: `Recommendation ${recommendation.number}` }, value: { text: recommendation.text } }],
        back: { href: `/cases/${params.reviewId}/action-plan`, text: 'Back to the action plan' },
        action: `/cases/${params.reviewId}/recommendations/${params.recommendationId}/actions`,
        button: 'Add the action',
        closed: closedOf(recommendation, null),
      }),
    };
  }

  /** Progress on an action (its status and corrections: every field, as stored) or its completion. */
  @FormRoute('recommendations/:recommendationId/actions/:actionId/progress', { page: 'progress' })
  @FormRoute('recommendations/:recommendationId/actions/:actionId/complete', { page: 'complete' })
  actionPage(which: 'progress' | 'complete'): FormPage<Subject> {
    const progress = which === 'progress';
    return {
      load: (ctx) => this.subject(ctx.params),
      fields: progress ? PROGRESS_FIELDS : COMPLETE_FIELDS,
      // The progress form starts from the action as stored; after a conflict, from what it is now.
      values: ({ action }) => (progress && action ? storedValues(action) : {}),
      submit: async (input, { params, actor, ifMatch }) => {
        const { reviewId, recommendationId, actionId } = params;
        if (progress) {
          // The form shows every field: one left empty clears it (the API's null), not "unchanged".
          const update = { targetDate: null, measureOfSuccess: null, milestones: null, ...input };
          await this.actions.update(reviewId, recommendationId, actionId, parseInput(updateActionSchema, update), actor(), ifMatch);
        } else {
          await this.actions.complete(reviewId, recommendationId, actionId, parseInput(completeActionSchema(this.actions.today), input), actor(), ifMatch);
        }
        return `/cases/${reviewId}/action-plan?done=${progress ? 'ACTION_UPDATED' : 'ACTION_COMPLETED'}`;
      },
      stale: { what: 'action', about: (e, { params }) => e.payload?.actionId === params.actionId, now: ({ action }) => `It is now ${statusInWords(action as PlanAction)}` },
      view: ({ review, recommendation, action: stored }, { params }) => {
        const action = stored as PlanAction;
        const about = [
          { key: { text: `Recommendation ${recommendation.number}` }, value: { text: recommendation.text } },
          { key: { text: 'Action' }, value: { text: action.description } },
          { key: { text: 'Owner' }, value: { text: action.owner } },
          { key: { text: 'Target date' }, value: { text: action.targetDate ? ukDate(action.targetDate) : 'None set' } },
          { key: { text: 'Progress' }, value: { text: statusInWords(action) } },
        ];
        return {
          review,
          title: `${progress ? 'Update an action' : 'Record an action as complete'} – recommendation ${recommendation.number}`,
          heading: progress ? `Update an action on recommendation ${recommendation.number}` : `Record an action on recommendation ${recommendation.number} as complete`,
          about: progress ? about.slice(0, 1) : about,
          intro: progress ? 'What you change is kept in the review’s history with what it replaced.' : null,
          back: { href: `/cases/${params.reviewId}/action-plan`, text: 'Back to the action plan' },
          action: `/cases/${params.reviewId}/recommendations/${params.recommendationId}/actions/${params.actionId}/${which}`,
          hidden: versions(action, review),
          button: progress ? 'Save the changes' : 'Record as complete',
          closed: closedOf(recommendation, action),
        };
      },
    };
  }

  /** The review, the recommendation and (on an action's route) the action, read in that order. */
  private async subject(params: Record<string, string>): Promise<Subject> {
    const review = await this.forms.review(params.reviewId);
    const action = params.actionId ? await this.actions.get(params.reviewId, params.recommendationId, params.actionId) : null;
    return { review, action, recommendation: await this.recommendations.get(params.reviewId, params.recommendationId) };
  }
}

function storedValues(action: PlanAction): Record<string, string | null> {
  return {
    status: action.status,
    description: action.description,
    owner: action.owner,
    targetDate: action.targetDate,
    measureOfSuccess: action.measureOfSuccess,
    milestones: action.milestones,
  };
}

function statusInWords(action: PlanAction): string {
  if (action.status === 'complete') return `complete (${ukDate(action.completedOn)})`;
  return (ACTION_STATUS_LABELS[action.status] ?? action.status).toLowerCase();
}
