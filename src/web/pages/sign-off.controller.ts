import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DocumentsService } from '../../casefile/documents/documents.service';
import { OversightService } from '../../casefile/oversight/oversight.service';
import { CspsService } from '../../csps/csps.service';
import { SIGN_OFF_STAGES } from '../../access/policy';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, mayApply, pendingBoardReturn, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { CONFIRMED_EVENTS, confirmHidden } from '../event-forms';
import { EVENT_ACTION_LABELS, STAGE_LABELS } from '../labels';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { PageController } from './form-page';
import { accessOf, actorOf, noticeOf } from './page-support';

const REPORT_KINDS = ['overview_report', 'executive_summary'];

const DECISIONS = [
  { value: 'RAG_APPROVE', text: 'Approve the report' },
  { value: 'RAG_RETURN', text: 'Return the report to the chair with comments' },
] as const;

/** The decision form, with the decisions the lifecycle allows now (all, to read a submitted form). */
function decisionFields(boardName: string, allowed: readonly string[] = DECISIONS.map((d) => d.value)): FieldSpec[] {
  return [
    {
      name: 'type',
      label: `The ${boardName}'s decision`,
      kind: 'radios',
      options: DECISIONS.filter((d) => allowed.includes(d.value)),
    },
    { name: 'comments', label: 'Comments', kind: 'textarea', optional: true, hint: 'Needed when you return the report: say what must change.' },
  ];
}

/**
 * The CSP board's (RAG's) sign-off: the final report to read, earlier decisions, and the
 * decision itself, which is the lifecycle's RAG_APPROVE or RAG_RETURN event.
 */
@PageController('cases/:reviewId/sign-off')
export class SignOffPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly documents: DocumentsService,
    private readonly oversight: OversightService,
    private readonly csps: CspsService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async page(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    return this.render(req, res, reviewId, { notice: noticeOf(done) }, 200);
  }

  @Post()
  async decide(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const fields = decisionFields('board');
    const { input, problems } = readForm(fields, body);
    const type = input.type;
    if (type !== 'RAG_APPROVE' && type !== 'RAG_RETURN') {
      return this.render(req, res, reviewId, { body, problems: [{ field: 'type', message: 'is required' }] }, 400);
    }
    const version = /^\d{1,9}$/.test(body.version ?? '') ? Number(body.version) : undefined;
    const event = { type, ...(input.comments !== undefined ? { comments: input.comments } : {}) };
    try {
      const confirmation = CONFIRMED_EVENTS[type];
      if (confirmation && body.confirm !== 'yes') {
        // Approval cannot be undone: checked (nothing written), then confirmed on its own page.
        await this.reviews.checkEvent(reviewId, event, actorOf(req), version);
        const review = await this.reviews.get(reviewId);
        return this.views.render(req, res, 'pages/cases/confirm.njk', {
          pageTitle: `${confirmation.heading} – ${review.reference}`,
          review,
          heading: confirmation.heading,
          consequences: confirmation.consequences,
          rows: [
            { key: { text: 'Decision' }, value: { text: DECISIONS.find((d) => d.value === type)?.text ?? type } },
            { key: { text: 'Comments' }, value: { text: typeof input.comments === 'string' ? input.comments : 'None' } },
          ],
          action: `/cases/${reviewId}/sign-off`,
          hidden: confirmHidden(body),
          button: confirmation.button,
          back: { href: `/cases/${reviewId}/sign-off`, text: 'Back to sign-off' },
        });
      }
      await this.reviews.applyEvent(reviewId, event, actorOf(req), version);
      // A return takes the review out of sign-off: the member is told what happens next, on a
      // page they still may read (the policy keeps what they returned readable to them).
      return this.views.redirect(res, type === 'RAG_RETURN' ? `/cases/${reviewId}/sign-off/returned` : `/cases/${reviewId}/sign-off?done=${type}`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      if (refusal.stale && version !== undefined) return this.render(req, res, reviewId, { staleSince: version }, 409);
      return this.render(req, res, reviewId, { body, problems: mergeProblems(problems, refusal.problems), refusal }, refusal.status);
    }
  }

  /** The confirmation after a return: the comments sent, and what happens next. */
  @Get('returned')
  async returned(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId, access);
    const last = review.lifecycle.ragReturns[review.lifecycle.ragReturns.length - 1] ?? null;
    const reports = (await this.documents.list(reviewId, {}, access.restriction)).filter((d) => REPORT_KINDS.includes(d.kind));
    return this.views.render(req, res, 'pages/cases/sign-off-returned.njk', {
      pageTitle: `Report returned – ${review.reference}`,
      review,
      returned: last,
      pending: pendingBoardReturn(review) !== null,
      reports,
      caseNav: caseNavigation(access, reviewId, 'sign-off'),
    });
  }

  private async render(
    req: WebRequest,
    res: Response,
    reviewId: string,
    options: { notice?: string | null; body?: FormBody; problems?: FormProblem[]; refusal?: Refusal; staleSince?: number },
    status: number,
  ) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const csp = (await this.csps.list()).find((c) => c.id === review.cspId);
    const boardName = csp?.boardName ?? 'Responsible Authorities Group';
    const restriction = access.restriction;
    const reports = (await this.documents.list(reviewId, {}, restriction)).filter((d) => REPORT_KINDS.includes(d.kind));
    const decisions = may(access, 'oversight.read') ? await this.oversight.ragDecisions(reviewId) : [];
    const clock = review.clocks.find((c) => c.kind === 'rag_sign_off' && (c.status === 'open' || c.status === 'paused')) ?? null;

    const isDecision = (type: string) => type === 'RAG_APPROVE' || type === 'RAG_RETURN';
    const allowed = review.allowedEvents.filter((type) => isDecision(type) && mayApply(access, type));
    // Once the board approved, neither decision is offered again (not even as "not possible").
    const approval = review.lifecycle.ragApproval;
    const blocked = approval ? [] : review.blockedEvents.filter((b) => isDecision(b.type) && mayApply(access, b.type));
    const form = formView(decisionFields(boardName, allowed), options.staleSince === undefined ? { body: options.body, problems: options.problems } : {});

    let errors: Record<string, unknown> = {};
    if (options.staleSince !== undefined) {
      const changes = changesSince(await this.reviews.history(reviewId, accessOf(req)), options.staleSince);
      errors = staleSummary('review', changes, `It is now at the stage ${STAGE_LABELS[review.status]}`);
    } else if (options.problems?.length || options.refusal) {
      errors = { errorList: [...form.errorList, ...summaryOf(options.refusal)] };
    }

    return this.views.render(
      req,
      res,
      'pages/cases/sign-off.njk',
      {
        pageTitle: `RAG sign-off – ${review.reference}`,
        heading: `Sign-off by the ${boardName}`,
        cspName: csp?.name ?? '',
        review,
        reports,
        decisions,
        clock,
        canDecide: allowed.length > 0,
        approval,
        blocked: blocked.map((b) => ({ ...b, label: EVENT_ACTION_LABELS[b.type] })),
        fields: form.fields,
        caseNav: caseNavigation(access, reviewId, 'sign-off'),
        // The board paper (GET /reviews/:id/board-paper), from sign-off on, for those who may read it.
        boardPaperHref: may(access, 'boardPaper.read') && SIGN_OFF_STAGES.includes(review.status) ? `/reviews/${reviewId}/board-paper` : null,
        notice: options.notice ?? null,
        ...errors,
      },
      status,
    );
  }
}
