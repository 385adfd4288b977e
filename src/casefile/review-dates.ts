import { RequestValidationError } from '../infrastructure/http/errors';
import type { Review } from '../reviews/review.entity';

/**
 * A case-file date that records something done for the review (an appointment, a scoping
 * response...) cannot be before the CSP was notified of the death: 400 naming the field.
 */
export function notBeforeNotification(review: Review, field: string, date: string): void {
  if (date < review.notifiedOn) {
    throw new RequestValidationError([{ field, message: `must not be before the CSP was notified (${review.notifiedOn})` }]);
  }
}
