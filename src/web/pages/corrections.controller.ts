import { Clock } from '../../infrastructure/clock/clock';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { businessDate, isReviewEventType, WHEN_FIELD } from '../../reviews/lifecycle';
import { parseCorrection, ReviewCorrections } from '../../reviews/review-corrections.service';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { dayOf } from '../../reviews/chronology';
import type { HistoryEntry } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { historyLabel } from '../labels';
import { ukDate } from '../web-views';
import { FormPages, FormRoute, PageController } from './form-page';
import type { FormPage } from './form-page';
import { accessOf } from './page-support';

const FIELD_NAMES = ['sequence', 'date', 'reason'];

/**
 * Putting a wrong date right, on the record (the CSP lead): the date a lifecycle event happened
 * (a decision, a hold's start, the day the board was given the report...). The service keeps
 * the entry as it was and adds a correction with the reason; stages and clocks follow. Other
 * corrections (the notification's details, a decision's rationale) are in the API.
 */
@PageController('cases/:reviewId')
export class CorrectionsPagesController {
  constructor(private readonly reviews: ReviewLifecycleService, private readonly corrections: ReviewCorrections, private readonly clock: Clock, readonly forms: FormPages) {}

  @FormRoute('corrections')
  correctionPage(): FormPage<ReviewView> {
    return {
      load: ({ req, params }) => this.reviews.get(params.reviewId, accessOf(req)),
      fields: async ({ req, params }) => this.fields(await this.reviews.history(params.reviewId, accessOf(req))),
      submit: async (input, { req, params, body, actor }) => {
        const history = await this.reviews.history(params.reviewId, accessOf(req));
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
          await this.corrections.correct(params.reviewId, correction, actor(), /^\d{1,9}$/.test(body?.version ?? '') ? Number(body?.version) : undefined);
        } catch (error) {
          // The service names the event's own field (decidedAt, occurredAt...): here it is `date`.
          if (error instanceof RequestValidationError) {
            throw new RequestValidationError(error.problems.map((p) => (FIELD_NAMES.includes(p.field) ? p : { ...p, field: 'date' })));
          }
          throw error;
        }
        return `/cases/${params.reviewId}?done=CORRECTION#history`;
      },
      view: (review, { params }) => ({
        review,
        heading: 'Correct a date',
        intro: 'The history keeps what was recorded; the correction is added to it with your reason, and the review’s stages and clocks follow the corrected date.',
        back: { href: `/cases/${params.reviewId}#history`, text: 'Back to the review' },
        action: `/cases/${params.reviewId}/corrections`,
        hidden: { version: review.version },
        button: 'Record the correction',
      }),
    };
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
}
