import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { CspsService } from '../../csps/csps.service';
import { DeadlinesService } from '../../deadlines/deadlines.service';
import { Clock } from '../../infrastructure/clock/clock';
import { parseInput } from '../../infrastructure/http/validation';
import { PeopleService } from '../../casefile/people/people.service';
import { businessDate, isReviewEventType, renderLifecycleSvg, REVIEW_EVENT_TYPES, STAGES, type Stage } from '../../reviews/lifecycle';
import { historyPage, readHistoryQuery, type HistoryQuery } from '../history-view';
import { nextSteps } from '../review-next-steps';
import { reviewSteps } from '../review-steps';
import type { ReviewEventType } from '../../reviews/lifecycle/events';
import { ReviewLifecycleService, ReviewView } from '../../reviews/review-lifecycle.service';
import { listReviewsQuerySchema, openReviewSchema } from '../../reviews/reviews.schemas';
import { caseNavigation, changesSince, may, mayApply, staleSummary, whoMayApply, pendingBoardReturn } from '../case-pages';
import { answerRows, CONFIRMED_EVENTS, confirmHidden, EVENT_FORMS, SECONDARY_EVENTS } from '../event-forms';
import { FieldSpec, FormBody, formBody, FormProblem, formView, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { DIAGRAM_LABELS, EVENT_ACTION_LABELS, optionsOf, STAGE_LABELS } from '../labels';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { accessOf, actorOf, noticeOf, queryValue } from './page-support';

const GUIDANCE_LABELS = { '2016': 'Statutory guidance 2016 (in force)', '2024': 'Draft guidance 2024 (12-month target)' };

/** The police notification, as POST /reviews takes it. */
function notificationFields(csps: ReadonlyArray<{ id: string; name: string }>): FieldSpec[] {
  return [
    { name: 'cspId', label: 'Community Safety Partnership', errorLabel: 'the Community Safety Partnership', kind: 'select', options: csps.map((c) => ({ value: c.id, text: c.name })) },
    { name: 'dateOfDeath', label: 'Date of death', kind: 'date', hint: 'For example, 3 1 2026' },
    { name: 'notifiedOn', label: 'Date the police notified the CSP', kind: 'date', hint: 'The date on the police notification.' },
    { name: 'policeForce', label: 'Police force', kind: 'text', classes: 'govuk-!-width-two-thirds' },
    { name: 'policeReference', label: 'Police reference', kind: 'text', classes: 'govuk-input--width-20' },
    {
      name: 'circumstances',
      label: 'Circumstances',
      kind: 'textarea',
      hint: 'What the police told you. Use pseudonyms, not real names: people are added to the case file with their pseudonyms.',
    },
    { name: 'guidanceVersion', label: 'Guidance the review follows', kind: 'radios', optional: true, options: optionsOf(['2016', '2024'], GUIDANCE_LABELS) },
  ];
}

const FILTER_FIELDS: FieldSpec[] = [
  { name: 'q', label: 'Search', kind: 'text', hint: 'Reference, police reference, pseudonym, chair or agency' },
  { name: 'status', label: 'Stage', kind: 'select', emptyOption: 'All stages', options: optionsOf(STAGES, STAGE_LABELS) },
  { name: 'cspId', label: 'CSP', kind: 'select', emptyOption: 'All CSPs' },
  {
    name: 'onHold',
    label: 'On hold',
    kind: 'select',
    emptyOption: 'Either',
    options: [
      { value: 'true', text: 'On hold' },
      { value: 'false', text: 'Not on hold' },
    ],
  },
];

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
@ApiExcludeController()
@Controller('cases')
export class CasesPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly deadlines: DeadlinesService,
    private readonly people: PeopleService,
    private readonly views: WebViews,
    private readonly clock: Clock,
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
      pagination:
        pages > 1
          ? {
              previous: result.page > 1 ? { href: pageLink(result.page - 1) } : undefined,
              next: result.page < pages ? { href: pageLink(result.page + 1) } : undefined,
              items: Array.from({ length: pages }, (_, i) => ({ number: i + 1, href: pageLink(i + 1), current: i + 1 === result.page })),
            }
          : null,
      mayCreate: may(access, 'review.create'),
    });
  }

  @Get('new')
  async newReview(@Req() req: WebRequest, @Res() res: Response) {
    return this.renderNew(req, res, {}, [], 200);
  }

  @Post()
  async open(@Req() req: WebRequest, @Res() res: Response, @Body() raw: unknown) {
    const body = formBody(raw);
    const fields = notificationFields(await this.creatableCsps(req));
    const { input, problems } = readForm(fields, body);
    try {
      const parsed = parseInput(openReviewSchema(() => businessDate(this.clock.now())), input);
      if (problems.length > 0) return this.renderNew(req, res, body, problems, 400);
      const review = await this.reviews.open(parsed, actorOf(req));
      return this.views.redirect(res, `/cases/${review.id}?done=NOTIFICATION_RECORDED`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderNew(req, res, body, mergeProblems(problems, refusal.problems), refusal.status, refusal);
    }
  }

  @Get(':reviewId')
  async review(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('reviewId') reviewId: string,
    @Query('done') done: unknown,
    @Query('history') kind: unknown,
    @Query('page') page: unknown,
  ) {
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

  private async renderNew(req: WebRequest, res: Response, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const fields = notificationFields(await this.creatableCsps(req));
    const form = formView(fields, { body, problems });
    const errorList = [...form.errorList, ...(refusal?.summary ? [{ text: refusal.summary }] : []), ...(refusal?.reasons ?? []).map((text) => ({ text }))];
    return this.views.render(req, res, 'pages/cases/new.njk', { pageTitle: 'Open a review', fields: form.fields, errorList }, status);
  }

  /** The review's chair by name: the open chair appointment, else a member with the chair's role. */
  private async chairOf(reviewId: string): Promise<string | null> {
    const [row] = (await this.dataSource.query(
      `SELECT name FROM (
         SELECT a.name, 1 AS rank FROM appointments a WHERE a.review_id = $1 AND a.role = 'chair' AND a.ended_on IS NULL
         UNION ALL
         SELECT u.display_name, 2 FROM review_members m JOIN users u ON u.id = m.user_id
          WHERE m.review_id = $1 AND m.role = 'chair' AND m.ended_at IS NULL) c
       ORDER BY rank LIMIT 1`,
      [reviewId],
    )) as Array<{ name: string }>;
    return row?.name ?? null;
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
    // Reminder emails SMTP would not take, for those who chase them (the CSP lead, the chair):
    // still being retried while the reminder is owed, or given up once it no longer was.
    const undelivered = may(access, 'notifications.read')
      ? ((await this.dataSource.query(
          `SELECT COALESCE(d.title, 'Panel meeting invitation') AS what, n.recipient, n.attempts, n.last_error AS "lastError",
                  (d.status = 'open' AND d.next_reminder_slot = n.slot) AS "retrying"
             FROM notifications n LEFT JOIN deadlines d ON d.id = n.deadline_id
            WHERE n.review_id = $1 AND n.status = 'failed'
            ORDER BY n.created_at DESC LIMIT 50`,
          [reviewId],
        )) as Array<{ what: string; recipient: string; attempts: number; lastError: string | null; retrying: boolean | null }>)
      : [];
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
        chair: await this.chairOf(reviewId),
        targetDate: view.clocks.find((c) => c.kind === 'completion_target')?.dueDate ?? null,
        eventForms,
        ...nextSteps({ blocked, context: view.lifecycle, onHold: view.onHold, tabs: caseNavigation(access, reviewId, 'overview') }),
        forOthers,
        boardReturn,
        mayRevise: may(access, 'documents.write'),
        caseNav: caseNavigation(access, reviewId, 'overview'),
        mayCorrect: may(access, 'review.correct'),
        undelivered,
        notice: options.notice ?? null,
        ...errors,
      },
      status,
    );
  }
}
