import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CspsService } from '../../csps/csps.service';
import { Clock } from '../../infrastructure/clock/clock';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { businessDate, isReviewEventType, WHEN_FIELD } from '../../reviews/lifecycle';
import { parseCorrection, ReviewCorrections } from '../../reviews/review-corrections.service';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { dayOf } from '../../reviews/chronology';
import type { HistoryEntry } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, Refusal } from '../forms';
import { historyLabel } from '../labels';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { cspNameOf } from './more-page-support';
import { summaryOf } from './imrs.controller';
import { accessOf, actorOf, submitForm } from './page-support';

const FIELD_NAMES = ['sequence', 'date', 'reason'];

/**
 * Putting a wrong date right, on the record (the CSP lead): the date a lifecycle event happened
 * (a decision, a hold's start, the day the board was given the report...). The service keeps
 * the entry as it was and adds a correction with the reason; stages and clocks follow. Other
 * corrections (the notification's details, a decision's rationale) are in the API.
 */
@ApiExcludeController()
@Controller('cases/:reviewId')
export class CorrectionsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly corrections: ReviewCorrections,
    private readonly csps: CspsService,
    private readonly clock: Clock,
    private readonly views: WebViews,
  ) {}

  @Get('corrections')
  async form(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.render(req, res, reviewId, {}, [], 200);
  }

  @Post('corrections')
  async correct(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const history = await this.reviews.history(reviewId, accessOf(req));
    const fields = this.fields(history);
    return submitForm(
      this.views,
      res,
      fields,
      body,
      async (input) => {
        const entry = history.find((h) => String(h.sequence) === input.sequence);
        const missing: FormProblem[] = [];
        if (!entry || !isReviewEventType(entry.type)) missing.push({ field: 'sequence', message: 'is required' });
        if (typeof input.date !== 'string') missing.push({ field: 'date', message: 'is required' });
        if (typeof input.reason !== 'string' || input.reason.trim() === '') missing.push({ field: 'reason', message: 'is required' });
        if (missing.length > 0) throw new RequestValidationError(missing);
        const field = WHEN_FIELD[entry!.type as keyof typeof WHEN_FIELD];
        const correction = parseCorrection(
          { reason: input.reason, event: { sequence: entry!.sequence, changes: { [field]: input.date } } },
          () => businessDate(this.clock.now()),
        );
        try {
          await this.corrections.correct(reviewId, correction, actorOf(req), /^\d{1,9}$/.test(body.version ?? '') ? Number(body.version) : undefined);
        } catch (error) {
          // The service names the event's own field (decidedAt, occurredAt...): here it is `date`.
          if (error instanceof RequestValidationError) {
            throw new RequestValidationError(error.problems.map((p) => (FIELD_NAMES.includes(p.field) ? p : { ...p, field: 'date' })));
          }
          throw error;
        }
        return `/cases/${reviewId}?done=CORRECTION#history`;
      },
      (problems, refusal) => this.render(req, res, reviewId, body, problems, refusal.status, refusal),
    );
  }

  /** The lifecycle entries of the history, newest first, each with the date it says it happened. */
  private fields(history: readonly HistoryEntry[]): FieldSpec[] {
    const options = history
      .filter((h) => isReviewEventType(h.type))
      .reverse()
      .map((h) => ({ value: String(h.sequence), text: `${historyLabel(h.type)}: ${ukDate(dayOf(new Date(h.occurredAt)))} (entry ${h.sequence})` }));
    return [
      { name: 'sequence', label: 'What happened on another date', errorLabel: 'what happened on another date', kind: 'select', options },
      { name: 'date', label: 'The date it really happened', kind: 'date', hint: 'For example, 6 10 2017' },
      { name: 'reason', label: 'Why it is being corrected', kind: 'textarea', hint: 'What shows the real date: minutes, a letter, the board’s papers.' },
    ];
  }

  private async render(req: WebRequest, res: Response, reviewId: string, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const review = await this.reviews.get(reviewId, accessOf(req));
    const history = await this.reviews.history(reviewId, accessOf(req));
    const form = formView(this.fields(history), { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Correct a date – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: 'Correct a date',
        intro:
          'The history keeps what was recorded; the correction is added to it with your reason, and the review’s stages and clocks follow the corrected date.',
        back: { href: `/cases/${reviewId}#history`, text: 'Back to the review' },
        action: `/cases/${reviewId}/corrections`,
        hidden: { version: review.version },
        fields: form.fields,
        button: 'Record the correction',
        closed: null,
        errorList: [...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }
}
