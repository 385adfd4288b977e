import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { CspsService } from '../../csps/csps.service';
import { DeadlinesService } from '../../deadlines/deadlines.service';
import { Clock } from '../../infrastructure/clock/clock';
import { parseInput } from '../../infrastructure/http/validation';
import { PeopleService } from '../../casefile/people/people.service';
import { businessDate, isReviewEventType, renderLifecycleSvg, REVIEW_EVENT_TYPES, type Stage } from '../../reviews/lifecycle';
import { historyPage, readHistoryQuery, type HistoryQuery } from '../history-view';
import { nextSteps } from '../review-next-steps';
import { reviewSteps } from '../review-steps';
import type { ReviewEventType } from '../../reviews/lifecycle/events';
import { ReviewLifecycleService, ReviewView } from '../../reviews/review-lifecycle.service';
import { listReviewsQuerySchema, openReviewSchema } from '../../reviews/reviews.schemas';
import { pagination } from '../history-view';
import { caseNavigation, changesSince, may, mayApply, staleSummary, whoMayApply, pendingBoardReturn } from '../case-pages';
import { answerRows, CONFIRMED_EVENTS, confirmHidden, EVENT_FORMS, SECONDARY_EVENTS } from '../event-forms';
import { FormBody, formBody, FormProblem, formView, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { DIAGRAM_LABELS, EVENT_ACTION_LABELS, STAGE_LABELS } from '../labels';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { chairOf, FILTER_FIELDS, notificationFields, undeliveredOf } from './cases-forms';
import { FormPages, FormRoute, PageController } from './form-page';
import type { FormPage } from './form-page';
import { accessOf, actorOf, noticeOf, queryValue } from './page-support';
import { RequestValidationError } from '../../infrastructure/http/errors';

interface EventAttempt {
  type: ReviewEventType;
  body: FormBody;
  problems: FormProblem[];
}

/**
 * The reviews: the list with its filters, opening a review from the police notification, and a
 * review's page (summary, stage diagram, clocks, history, and what can be done next). Every
 * read and write goes through the services the /reviews API uses.
 */
@PageController('cases')
export class CasesPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly deadlines: DeadlinesService,
    private readonly people: PeopleService,
    private readonly views: WebViews,
    private readonly clock: Clock,
    readonly forms: FormPages,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  async list(@Req() req: WebRequest, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const access = accessOf(req);
    const csps = await this.csps.list();
    const filters: Record<string, string> = {};
    // `reference` (the reference only) is still taken, for links made before the search.
    for (const name of ['q', 'reference', 'status', 'cspId', 'onHold', 'page']) {
      const value = queryValue(query[name])?.trim();
      if (value) filters[name] = value;
    }
    const fields = FILTER_FIELDS.map((f) => (f.name === 'cspId' ? { ...f, options: csps.map((c) => ({ value: c.id, text: c.name })) } : f));
    const parsed = listReviewsQuerySchema.safeParse({ ...filters, pageSize: '20' });
    if (!parsed.success) {
      const refusal = refusalOf(parsed.error) as Refusal;
      const form = formView(fields, { body: filters, problems: refusal.problems });
      return this.views.render(req, res, 'pages/cases/list.njk', { pageTitle: 'Reviews', filters: form.fields, errorList: form.errorList, rows: [] }, 400);
    }
    const result = await this.reviews.list(parsed.data, access);
    const cspNames = new Map(csps.map((c) => [c.id, c.name]));
    // The three soonest clocks, and the completion target always (issue 15: it was hidden behind three sooner ones).
    const clocks = await this.deadlines.nextByReview(result.items.map((item) => item.id), 3, access, ['completion_target']);
    const rows = result.items.map((item) => ({ ...item, cspName: cspNames.get(item.cspId) ?? '', clocks: clocks.get(item.id) ?? [] }));
    const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
    const pageLink = (page: number) => `/cases?${new URLSearchParams({ ...filters, page: String(page) }).toString()}`;
    return this.views.render(req, res, 'pages/cases/list.njk', {
      pageTitle: 'Reviews',
      filters: formView(fields, { body: filters }).fields,
      filtered: Object.keys(filters).some((k) => k !== 'page'),
      rows,
      total: result.total,
      // A link to the first, last and neighbouring pages only: 5,000 pages made a 909 KB page (issue 16).
      pagination: pagination(result.page, pages, pageLink, 'Pages of reviews'),
      mayCreate: may(access, 'review.create'),
    });
  }

  @FormRoute('new', { post: '' })
  newPage(): FormPage<null> {
    return {
      template: 'pages/cases/new.njk',
      load: async () => null,
      fields: async ({ req }) => notificationFields(await this.creatableCsps(req)),
      submit: async (input, { own, actor }) => {
        const parsed = parseInput(openReviewSchema(() => businessDate(this.clock.now())), input);
        // A date the form could not read refuses the form, whatever stood in for it.
        if (own.length > 0) throw new RequestValidationError(own);
        const review = await this.reviews.open(parsed, actor());
        return `/cases/${review.id}?done=NOTIFICATION_RECORDED`;
      },
      view: () => ({ pageTitle: 'Open a review' }),
    };
  }

  @Get(':reviewId')
  async review(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown, @Query('history') kind: unknown, @Query('page') page: unknown) {
    const read = readHistoryQuery(kind, page);
    if (read.problem !== null) return this.renderReview(req, res, reviewId, { summary: read.problem }, 400);
    return this.renderReview(req, res, reviewId, { notice: noticeOf(done), historyQuery: read.query });
  }

  @Post(':reviewId/events')
  async event(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const type = body.type;
    if (!isReviewEventType(type)) {
      return this.renderReview(req, res, reviewId, { summary: `type: must be one of ${REVIEW_EVENT_TYPES.join(', ')}` }, 400);
    }
    const version = /^\d{1,9}$/.test(body.version ?? '') ? Number(body.version) : undefined;
    if (version === undefined) {
      // Every form of the review carries the version it was drawn from: without it a change could overwrite another's unseen.
      return this.renderReview(req, res, reviewId, { summary: 'The form did not say which version of the review it was filled in on, so nothing was recorded: check the review as it is now and try again.' }, 428);
    }
    const fields = EVENT_FORMS[type];
    const { input, problems } = readForm(fields, body);
    const confirmation = CONFIRMED_EVENTS[type];
    try {
      if (confirmation && body.confirm !== 'yes') {
        // A step that cannot be undone: every check it would meet, nothing written, then the
        // page that asks to confirm it.
        await this.reviews.checkEvent(reviewId, { type, ...input }, actorOf(req), version);
        const review = await this.reviews.get(reviewId, accessOf(req));
        return this.views.render(req, res, 'pages/cases/confirm.njk', {
          pageTitle: `${confirmation.heading} – ${review.reference}`,
          review,
          heading: confirmation.heading,
          consequences: confirmation.consequences,
          rows: answerRows(fields, body, ukDate, businessDate(this.clock.now())),
          action: `/cases/${reviewId}/events`,
          hidden: confirmHidden(body),
          button: confirmation.button,
          back: { href: `/cases/${reviewId}`, text: 'Back to the review' },
        });
      }
      await this.reviews.applyEvent(reviewId, { type, ...input }, actorOf(req), version);
      return this.views.redirect(res, `/cases/${reviewId}?done=${type}`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      if (refusal.stale && version !== undefined) {
        return this.renderReview(req, res, reviewId, { staleSince: version }, 409);
      }
      return this.renderReview(
        req,
        res,
        reviewId,
        { attempt: { type, body, problems: mergeProblems(problems, refusal.problems) }, summary: refusal.summary, reasons: refusal.reasons },
        refusal.status,
      );
    }
  }

  /** CSPs the caller may open a review in: where they are CSP lead (all, for a trusted caller). */
  private async creatableCsps(req: WebRequest) {
    const access = accessOf(req);
    const csps = await this.csps.list();
    if (access.trusted) return csps;
    const leadOf = new Set((access.holder?.cspRoles ?? []).filter((g) => g.role === 'csp_lead').map((g) => g.cspId));
    return csps.filter((c) => leadOf.has(c.id));
  }

  private async renderReview(
    req: WebRequest,
    res: Response,
    reviewId: string,
    options: { notice?: string | null; attempt?: EventAttempt; summary?: string | null; reasons?: string[]; staleSince?: number; historyQuery?: HistoryQuery },
    status = 200,
  ) {
    const access = accessOf(req);
    const view: ReviewView = await this.reviews.get(reviewId, accessOf(req));
    const history = await this.reviews.history(reviewId, accessOf(req));
    const csps = await this.csps.list();
    const people = may(access, 'people.read') ? await this.people.list(reviewId, { realNames: false }) : null;
    const undelivered = may(access, 'notifications.read') ? await undeliveredOf(this.dataSource, reviewId) : [];
    const attempt = options.attempt;

    const eventForms = view.allowedEvents
      .filter((type) => mayApply(access, type))
      .map((type) => {
        const form = formView(EVENT_FORMS[type], {
          idPrefix: `${type}-`,
          body: attempt?.type === type ? attempt.body : undefined,
          problems: attempt?.type === type ? attempt.problems : [],
        });
        return {
          type,
          label: EVENT_ACTION_LABELS[type],
          fields: form.fields,
          errorList: form.errorList,
          secondary: SECONDARY_EVENTS.includes(type),
          open: attempt?.type === type,
        };
      });
    const blocked = view.blockedEvents
      .filter((b) => mayApply(access, b.type))
      .map((b) => ({ ...b, label: EVENT_ACTION_LABELS[b.type] }));
    const boardReturn = pendingBoardReturn(view);
    const forOthers = view.allowedEvents.filter((type) => !mayApply(access, type)).map((type) => ({ label: EVENT_ACTION_LABELS[type], who: whoMayApply(type) }));

    let errors: Record<string, unknown> = {};
    if (options.staleSince !== undefined) {
      const changes = changesSince(history, options.staleSince);
      const stage = `${STAGE_LABELS[view.status]}${view.onHold ? ' (on hold)' : ''}`;
      errors = staleSummary('review', changes, `It is now at the stage ${stage}`);
    } else if (attempt || options.summary) {
      const own = eventForms.find((f) => f.type === attempt?.type)?.errorList ?? [];
      errors = {
        errorList: [
          ...own,
          ...(options.summary ? [{ text: options.summary }] : []),
          ...(options.reasons ?? []).map((text) => ({ text })),
        ],
      };
      if (attempt && !eventForms.some((f) => f.type === attempt.type)) {
        (errors.errorList as Array<{ text: string }>).unshift({ text: `${EVENT_ACTION_LABELS[attempt.type]}: this is not possible now` });
      }
    }

    return this.views.render(
      req,
      res,
      'pages/cases/review.njk',
      {
        pageTitle: view.reference,
        review: view,
        cspName: csps.find((c) => c.id === view.cspId)?.name ?? '',
        people,
        historyView: historyPage([...history].reverse(), options.historyQuery ?? { kind: null, page: 1 }, `/cases/${reviewId}`),
        diagramSvg: renderLifecycleSvg(view.status, view.onHold, DIAGRAM_LABELS),
        steps: reviewSteps(view.status as Stage, view.onHold, view.lifecycle.stageHistory),
        chair: await chairOf(this.dataSource, reviewId),
        targetDate: view.clocks.find((c) => c.kind === 'completion_target')?.dueDate ?? null,
        eventForms,
        ...nextSteps({ blocked, context: view.lifecycle, onHold: view.onHold, tabs: caseNavigation(access, reviewId, 'overview') }),
        forOthers,
        boardReturn,
        mayRevise: may(access, 'documents.write'),
        caseNav: caseNavigation(access, reviewId, 'overview'),
        mayCorrect: may(access, 'review.correct'),
        mayCode: may(access, 'coding.write'),
        undelivered,
        notice: options.notice ?? null,
        ...errors,
      },
      status,
    );
  }
}
