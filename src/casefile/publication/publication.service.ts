import { Injectable, NotFoundException } from '@nestjs/common';
import type { z } from 'zod';
import { StateConflictError } from '../../infrastructure/http/errors';
import type { PersistedReview, PublicationRecord } from '../../reviews/lifecycle';
import type { Review } from '../../reviews/review.entity';
import { namesAVersion } from '../../infrastructure/http/if-match';
import { CaseFileTransactions, checkIfMatch } from '../casefile-transactions';
import { Publication } from '../entities';
import type { confirmAnonymisationSchema, putPublicationSchema } from './publication.schemas';

/** The lifecycle's record of the publication (PUBLISH event), if the review has been published. */
function publishedBy(review: Review): PublicationRecord | null {
  const snapshot = review.snapshot as PersistedReview | null | undefined;
  return snapshot?.context?.publication ?? null;
}

/**
 * The publication record (one per review): pseudonyms used, redaction log, and who confirmed
 * the text anonymised. The date and URL come from the lifecycle's PUBLISH event. Once the review
 * is published the record is fixed. Changing the pseudonyms or redaction log after the
 * anonymisation was confirmed withdraws the confirmation (it confirmed another text), and
 * that goes into the history because PUBLISH needs the confirmation.
 */
@Injectable()
export class PublicationService {
  constructor(private readonly tx: CaseFileTransactions) {}

  get(reviewId: string) {
    return this.tx.read(reviewId, async (manager, review) => {
      const publication = await manager.findOne(Publication, { where: { reviewId } });
      const published = publishedBy(review);
      if (!publication && !published) {
        throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No publication record for this review yet' });
      }
      return this.view(reviewId, publication, published);
    });
  }

  put(reviewId: string, input: z.output<typeof putPublicationSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, review, record }) => {
      this.assertNotPublished(review);
      const existing = await manager.findOne(Publication, { where: { reviewId }, lock: { mode: 'pessimistic_write' } });
      // Creating the record needs no If-Match (one that names a version must name none yet: 0).
      if (existing) checkIfMatch(ifMatch, existing.version);
      else if (namesAVersion(ifMatch)) checkIfMatch(ifMatch, 0);
      const redactionLog = input.redactionLog ?? null;
      if (!existing) {
        const created = await manager.save(
          manager.create(Publication, { reviewId, pseudonyms: input.pseudonyms, redactionLog, createdBy: actor }),
        );
        return this.view(reviewId, created, null);
      }
      const changed = JSON.stringify(existing.pseudonyms) !== JSON.stringify(input.pseudonyms) || existing.redactionLog !== redactionLog;
      if (!changed) return this.view(reviewId, existing, null);
      const withdrawn = existing.anonymisationConfirmedAt !== null;
      existing.pseudonyms = input.pseudonyms;
      existing.redactionLog = redactionLog;
      existing.anonymisationConfirmedBy = null;
      existing.anonymisationConfirmedAt = null;
      const saved = await manager.save(existing);
      if (withdrawn) {
        await record('ANONYMISATION_CONFIRMATION_WITHDRAWN', { reason: 'the pseudonyms or redaction log changed after confirmation' });
      }
      return this.view(reviewId, saved, null);
    });
  }

  confirmAnonymisation(reviewId: string, input: z.output<typeof confirmAnonymisationSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, review, record, now }) => {
      this.assertNotPublished(review);
      const publication = await manager.findOne(Publication, { where: { reviewId }, lock: { mode: 'pessimistic_write' } });
      if (!publication) {
        throw new StateConflictError('There is no publication record to confirm', [
          'Record the pseudonyms and redaction log first (PUT /reviews/:reviewId/publication)',
        ]);
      }
      checkIfMatch(ifMatch, publication.version);
      if (publication.anonymisationConfirmedAt) {
        throw new StateConflictError(
          `The anonymisation was already confirmed by ${publication.anonymisationConfirmedBy} at ${publication.anonymisationConfirmedAt.toISOString()}`,
        );
      }
      publication.anonymisationConfirmedBy = input.confirmedBy;
      publication.anonymisationConfirmedAt = now;
      const saved = await manager.save(publication);
      await record('ANONYMISATION_CONFIRMED', { confirmedBy: input.confirmedBy, pseudonymCount: saved.pseudonyms.length });
      return this.view(reviewId, saved, null);
    });
  }

  private assertNotPublished(review: Review): void {
    const published = publishedBy(review);
    if (published) throw new StateConflictError(`The review was published on ${published.publishedAt}: its publication record is fixed`);
  }

  private view(reviewId: string, p: Publication | null, published: PublicationRecord | null) {
    return {
      id: p?.id ?? null,
      reviewId,
      publishedAt: published?.publishedAt ?? p?.publishedOn ?? null,
      url: published?.url ?? p?.url ?? null,
      pseudonyms: p?.pseudonyms ?? [],
      redactionLog: p?.redactionLog ?? null,
      anonymisationConfirmedBy: p?.anonymisationConfirmedBy ?? null,
      anonymisationConfirmedAt: p?.anonymisationConfirmedAt ?? null,
      version: p?.version ?? 0,
      createdBy: p?.createdBy ?? null,
      createdAt: p?.createdAt ?? null,
    };
  }
}
