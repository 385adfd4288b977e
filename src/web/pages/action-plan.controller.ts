import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { addActionSchema, completeActionSchema, updateActionSchema } from '../../casefile/actions/actions.schemas';
import { ActionsService } from '../../casefile/actions/actions.service';
import { RecommendationsService } from '../../casefile/recommendations/recommendations.service';
import { CspsService } from '../../csps/csps.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, Refusal } from '../forms';
import { ACTION_STATUS_LABELS, optionsOf } from '../labels';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { cspNameOf } from './more-page-support';
import { accessOf, actorOf, noticeOf, submitForm } from './page-support';

const ACTION_FIELDS: FieldSpec[] = [
  { name: 'description', label: 'What will be done', errorLabel: 'what will be done', kind: 'textarea' },
  { name: 'owner', label: 'Owner', errorLabel: 'who owns the action', kind: 'text', hint: 'The agency or post responsible, for example Essex Police, Head of Public Protection.', classes: 'govuk-!-width-two-thirds' },
  { name: 'targetDate', label: 'Target date', kind: 'date', optional: true, hint: 'For example, 31 3 2027. Reminders are sent before it.' },
  { name: 'measureOfSuccess', label: 'Measure of success', kind: 'textarea', optional: true, hint: 'How the panel will know the action has worked.' },
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

/**
 * The action plan: every recommendation with its actions (owner, target date and its clock,
 * progress, evidence), and the forms to add an action, record progress and record completion,
 * through ActionsService (the action-plan API's service). A withdrawn recommendation's plan is
 * closed and a completed action is not changed any more: the service says so, the page shows it.
 */
@ApiExcludeController()
@Controller('cases/:reviewId')
export class ActionPlanPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly recommendations: RecommendationsService,
    private readonly actions: ActionsService,
    private readonly views: WebViews,
  ) {}

  @Get('action-plan')
  async actionPlan(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const plan = await this.actions.actionPlan(reviewId);
    const clocks = new Map(review.clocks.filter((c) => c.kind === 'action_target').map((c) => [c.subjectId, c]));
    const recommendations = plan.recommendations.map((r) => ({ ...r, actions: r.actions.map((a) => ({ ...a, clock: clocks.get(a.id) ?? null })) }));
    return this.views.render(req, res, 'pages/cases/action-plan.njk', {
      pageTitle: `Action plan – ${review.reference}`,
      heading: 'Action plan',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      recommendations,
      counts: plan.counts,
      mayWrite: may(access, 'actions.write'),
      caseNav: caseNavigation(access, reviewId, 'action-plan'),
      notice: noticeOf(done),
    });
  }

  @Get('recommendations/:recommendationId/actions/new')
  async newAction(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('recommendationId') recommendationId: string) {
    return this.renderAdd(req, res, reviewId, recommendationId, {}, [], 200);
  }

  @Post('recommendations/:recommendationId/actions')
  async add(
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
      ACTION_FIELDS,
      body,
      async (input) => {
        await this.actions.add(reviewId, recommendationId, parseInput(addActionSchema, input), actorOf(req));
        return `/cases/${reviewId}/action-plan?done=ACTION_ADDED`;
      },
      (problems, refusal) => this.renderAdd(req, res, reviewId, recommendationId, body, problems, refusal.status, refusal),
    );
  }

  @Get('recommendations/:recommendationId/actions/:actionId/progress')
  async progressPage(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Param('actionId') actionId: string,
  ) {
    return this.renderActionForm(req, res, reviewId, recommendationId, actionId, 'progress', {}, [], 200);
  }

  @Post('recommendations/:recommendationId/actions/:actionId/progress')
  async progress(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Param('actionId') actionId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      PROGRESS_FIELDS,
      body,
      async (input) => {
        // The form shows every field: one left empty clears it (the API's null), not "unchanged".
        for (const name of ['targetDate', 'measureOfSuccess']) if (!(name in input)) input[name] = null;
        await this.actions.update(reviewId, recommendationId, actionId, parseInput(updateActionSchema, input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/action-plan?done=ACTION_UPDATED`;
      },
      (problems, refusal) => this.renderActionForm(req, res, reviewId, recommendationId, actionId, 'progress', body, problems, refusal.status, refusal),
    );
  }

  @Get('recommendations/:recommendationId/actions/:actionId/complete')
  async completePage(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Param('actionId') actionId: string,
  ) {
    return this.renderActionForm(req, res, reviewId, recommendationId, actionId, 'complete', {}, [], 200);
  }

  @Post('recommendations/:recommendationId/actions/:actionId/complete')
  async complete(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Param('actionId') actionId: string,
    @Body() raw: unknown,
  ) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      COMPLETE_FIELDS,
      body,
      async (input) => {
        const completion = parseInput(completeActionSchema(this.actions.today), input);
        await this.actions.complete(reviewId, recommendationId, actionId, completion, actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/action-plan?done=ACTION_COMPLETED`;
      },
      (problems, refusal) => this.renderActionForm(req, res, reviewId, recommendationId, actionId, 'complete', body, problems, refusal.status, refusal),
    );
  }

  private async renderAdd(
    req: WebRequest,
    res: Response,
    reviewId: string,
    recommendationId: string,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review = await this.reviews.get(reviewId);
    const recommendation = await this.recommendations.get(reviewId, recommendationId);
    const form = formView(ACTION_FIELDS, { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Add an action to recommendation ${recommendation.number} – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: `Add an action to recommendation ${recommendation.number}`,
        about: [{ key: { text: `Recommendation ${recommendation.number}` }, value: { text: recommendation.text } }],
        back: { href: `/cases/${reviewId}/action-plan`, text: 'Back to the action plan' },
        action: `/cases/${reviewId}/recommendations/${recommendationId}/actions`,
        hidden: {},
        fields: form.fields,
        button: 'Add the action',
        closed: recommendation.status === 'withdrawn' ? `Recommendation ${recommendation.number} was withdrawn (${recommendation.withdrawnReason}): its action plan is closed.` : null,
        errorList: [...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }

  private async renderActionForm(
    req: WebRequest,
    res: Response,
    reviewId: string,
    recommendationId: string,
    actionId: string,
    which: 'progress' | 'complete',
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review = await this.reviews.get(reviewId);
    const action: PlanAction = await this.actions.get(reviewId, recommendationId, actionId);
    const recommendation = await this.recommendations.get(reviewId, recommendationId);
    const fields = which === 'progress' ? PROGRESS_FIELDS : COMPLETE_FIELDS;
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body.reviewVersion ?? '');
    // The progress form starts from the action as stored; after a conflict, from what it is now.
    const values = which === 'progress' ? storedValues(action) : {};
    const form = formView(fields, stale ? { values } : { body, problems, values });
    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...summaryOf(refusal)] };
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body.reviewVersion), (e) => e.payload?.actionId === actionId);
      errors = staleSummary('action', changes, `It is now ${statusInWords(action)}`);
    }
    const closed =
      recommendation.status === 'withdrawn'
        ? `Recommendation ${recommendation.number} was withdrawn (${recommendation.withdrawnReason}): its action plan is closed.`
        : action.status === 'complete'
          ? `Nothing more can be recorded: the action was completed on ${ukDate(action.completedOn)}.`
          : null;
    const about = [
      { key: { text: `Recommendation ${recommendation.number}` }, value: { text: recommendation.text } },
      { key: { text: 'Action' }, value: { text: action.description } },
      { key: { text: 'Owner' }, value: { text: action.owner } },
      { key: { text: 'Target date' }, value: { text: action.targetDate ? ukDate(action.targetDate) : 'None set' } },
      { key: { text: 'Progress' }, value: { text: statusInWords(action) } },
    ];
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `${which === 'progress' ? 'Update an action' : 'Record an action as complete'} – recommendation ${recommendation.number} – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: which === 'progress' ? `Update an action on recommendation ${recommendation.number}` : `Record an action on recommendation ${recommendation.number} as complete`,
        about: which === 'complete' ? about : about.slice(0, 1),
        intro: which === 'progress' ? 'What you change is kept in the review’s history with what it replaced.' : null,
        back: { href: `/cases/${reviewId}/action-plan`, text: 'Back to the action plan' },
        action: `/cases/${reviewId}/recommendations/${recommendationId}/actions/${actionId}/${which}`,
        hidden: { version: action.version, reviewVersion: review.version },
        fields: form.fields,
        button: which === 'progress' ? 'Save the changes' : 'Record as complete',
        closed,
        ...errors,
      },
      status,
    );
  }
}

function storedValues(action: PlanAction): Record<string, string | null> {
  return {
    status: action.status,
    description: action.description,
    owner: action.owner,
    targetDate: action.targetDate,
    measureOfSuccess: action.measureOfSuccess,
  };
}

function statusInWords(action: PlanAction): string {
  if (action.status === 'complete') return `complete (${ukDate(action.completedOn)})`;
  return (ACTION_STATUS_LABELS[action.status] ?? action.status).toLowerCase();
}
