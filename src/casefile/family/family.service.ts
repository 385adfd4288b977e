import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, findInReview } from '../casefile-transactions';
import { FamilyEngagement, FamilyEngagementKind } from '../entities';
import type { recordFamilyEngagementSchema } from './family.schemas';

type Input<F extends (...args: never[]) => z.ZodTypeAny> = z.output<ReturnType<F>>;

/** Entries that change what the lifecycle allows (or that it reports), and their history type. */
const HISTORY_TYPES: Partial<Record<FamilyEngagementKind, string>> = {
  draft_offered: 'FAMILY_OFFERED_DRAFT',
  draft_comments: 'FAMILY_COMMENTS_RECEIVED',
  told_of_publication: 'FAMILY_TOLD_OF_PUBLICATION',
};

/**
 * The log of the family's (and friends', employers') involvement: an append-only list of dated
 * entries. Contact names and notes are personal data: the list shows them (access control comes
 * later) but the review's history never carries them.
 */
@Injectable()
export class FamilyService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const entries = await manager.find(FamilyEngagement, { where: { reviewId }, order: { occurredOn: 'ASC', createdAt: 'ASC' } });
      return entries.map((e) => this.view(e));
    });
  }

  get(reviewId: string, engagementId: string) {
    return this.tx.read(reviewId, async (manager) =>
      this.view(await findInReview(manager, FamilyEngagement, reviewId, engagementId, 'family engagement')),
    );
  }

  record(reviewId: string, input: Input<typeof recordFamilyEngagementSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      if (input.kind === 'draft_comments') {
        const offers = await manager.find(FamilyEngagement, { where: { reviewId, kind: 'draft_offered' }, order: { occurredOn: 'ASC' } });
        if (offers.length === 0) {
          throw new StateConflictError('The family cannot have commented on the draft: it has not been offered to them', [
            'Record the draft being offered to the family first (kind draft_offered)',
          ]);
        }
        if (input.occurredOn < offers[0].occurredOn) {
          throw new RequestValidationError([{ field: 'occurredOn', message: `must not be before the draft was offered (${offers[0].occurredOn})` }]);
        }
      }
      const entry = await manager.save(
        manager.create(FamilyEngagement, {
          reviewId,
          kind: input.kind,
          occurredOn: input.occurredOn,
          contactName: input.contactName ?? null,
          notes: input.notes ?? null,
          advocateOrganisation: input.advocateOrganisation ?? null,
          advocateName: input.advocateName ?? null,
          consentGiven: input.consentGiven ?? null,
          preferredContribution: input.preferredContribution ?? null,
          createdBy: actor,
        }),
      );
      const type = HISTORY_TYPES[entry.kind];
      // Never the contact name, notes or advocate's name: the history is read more widely.
      if (type) await record(type, { engagementId: entry.id, kind: entry.kind, occurredOn: entry.occurredOn });
      return this.view(entry);
    });
  }

  private view(e: FamilyEngagement) {
    return {
      id: e.id,
      reviewId: e.reviewId,
      kind: e.kind,
      occurredOn: e.occurredOn,
      contactName: e.contactName,
      notes: e.notes,
      advocateOrganisation: e.advocateOrganisation,
      advocateName: e.advocateName,
      consentGiven: e.consentGiven,
      preferredContribution: e.preferredContribution,
      version: e.version,
      createdBy: e.createdBy,
      createdAt: e.createdAt,
    };
  }
}
