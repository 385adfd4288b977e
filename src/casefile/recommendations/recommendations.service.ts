import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Not } from 'typeorm';
import type { z } from 'zod';
import { StateConflictError } from '../../infrastructure/http/errors';
import { Review } from '../../reviews/review.entity';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { Recommendation, RecommendationAction } from '../entities';
import type {
  correctRecommendationSchema,
  createRecommendationSchema,
  noRecommendationsReasonSchema,
  withdrawRecommendationSchema,
} from './recommendations.schemas';

type RecordFn = (type: string, payload: { [key: string]: unknown }) => Promise<void>;

/**
 * The review's recommendations: recorded as drafts, corrected while draft, agreed by the panel,
 * or withdrawn with a reason (kept, never deleted; a withdrawn one counts nowhere). Each change
 * alters what the lifecycle reads (recommendationsCount), so each goes into the history. A
 * review with no recommendations says why instead; the two exclude each other.
 */
@Injectable()
export class RecommendationsService {
  constructor(private readonly tx: CaseFileTransactions) {}

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const recommendations = await manager.find(Recommendation, { where: { reviewId }, order: { number: 'ASC' } });
      return recommendations.map((r) => recommendationView(r));
    });
  }

  get(reviewId: string, recommendationId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const recommendation = await findInReview(manager, Recommendation, reviewId, recommendationId, 'recommendation');
      const actions = await manager.find(RecommendationAction, { where: { reviewId, recommendationId }, order: { createdAt: 'ASC', id: 'ASC' } });
      return { ...recommendationView(recommendation), actions: actions.map(actionView) };
    });
  }

  create(reviewId: string, input: z.output<typeof createRecommendationSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, review, record }) => {
      if (review.noRecommendationsReason !== null) {
        throw new StateConflictError('The review records that it makes no recommendations', [
          `Reason recorded: ${review.noRecommendationsReason}`,
          'Take that statement back first (PUT no-recommendations-reason with reason null)',
        ]);
      }
      const number = input.number ?? (await nextNumber(manager, reviewId));
      await assertNumberFree(manager, reviewId, number);
      const recommendation = await manager.save(
        manager.create(Recommendation, { ...input, scope: input.scope ?? (input.level === 'national' ? 'national' : 'local'), number, reviewId, status: 'draft', withdrawnReason: null, createdBy: actor }),
      );
      await record('RECOMMENDATION_RECORDED', {
        recommendationId: recommendation.id,
        number,
        level: recommendation.level,
        scope: recommendation.scope,
        addressee: recommendation.addressee,
        addresseeKind: recommendation.addresseeKind,
        theme: recommendation.theme,
        text: recommendation.text,
      });
      return recommendationView(recommendation);
    });
  }

  correct(reviewId: string, recommendationId: string, input: z.output<typeof correctRecommendationSchema>, actor: string, ifMatch?: string) {
    return this.update(reviewId, recommendationId, actor, ifMatch, async (recommendation, record, manager) => {
      if (recommendation.status !== 'draft') {
        throw new StateConflictError(`Recommendation ${recommendation.number} is ${recommendation.status}: only a draft can be corrected`, [
          recommendation.status === 'agreed' ? 'Withdraw it and record a new recommendation' : 'Record a new recommendation',
        ]);
      }
      if (input.number !== undefined && input.number !== recommendation.number) await assertNumberFree(manager, reviewId, input.number);
      const changes: { [field: string]: { from: unknown; to: unknown } } = {};
      for (const field of ['number', 'text', 'level', 'addressee', 'addresseeKind', 'theme', 'scope'] as const) {
        const value = input[field];
        if (value !== undefined && value !== recommendation[field]) {
          changes[field] = { from: recommendation[field], to: value };
          (recommendation as unknown as { [key: string]: unknown })[field] = value;
        }
      }
      // The earlier wording stays in the history: a correction never loses what it replaced.
      if (Object.keys(changes).length > 0) await record('RECOMMENDATION_CORRECTED', { recommendationId, changes });
    });
  }

  agree(reviewId: string, recommendationId: string, actor: string, ifMatch?: string) {
    return this.update(reviewId, recommendationId, actor, ifMatch, async (recommendation, record) => {
      if (recommendation.status !== 'draft') {
        throw new StateConflictError(`Recommendation ${recommendation.number} is already ${recommendation.status}`);
      }
      recommendation.status = 'agreed';
      await record('RECOMMENDATION_AGREED', { recommendationId, number: recommendation.number });
    });
  }

  withdraw(reviewId: string, recommendationId: string, input: z.output<typeof withdrawRecommendationSchema>, actor: string, ifMatch?: string) {
    return this.update(reviewId, recommendationId, actor, ifMatch, async (recommendation, record) => {
      if (recommendation.status === 'withdrawn') {
        throw new StateConflictError(`Recommendation ${recommendation.number} was already withdrawn (${recommendation.withdrawnReason})`);
      }
      const previous = recommendation.status;
      recommendation.status = 'withdrawn';
      recommendation.withdrawnReason = input.reason;
      await record('RECOMMENDATION_WITHDRAWN', { recommendationId, number: recommendation.number, previousStatus: previous, reason: input.reason });
    });
  }

  setNoRecommendationsReason(reviewId: string, input: z.output<typeof noRecommendationsReasonSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, review, record }) => {
      if (input.reason !== null) {
        const count = await manager.count(Recommendation, { where: { reviewId, status: Not('withdrawn' as const) } });
        if (count > 0) {
          throw new StateConflictError(`The review has ${count} recommendation${count === 1 ? '' : 's'}: it cannot record that it makes none`, [
            'Withdraw them first if the panel has decided to make no recommendations',
          ]);
        }
      }
      const previous = review.noRecommendationsReason;
      if (previous !== input.reason) {
        await manager.update(Review, { id: reviewId }, { noRecommendationsReason: input.reason });
        review.noRecommendationsReason = input.reason;
        if (input.reason === null) await record('NO_RECOMMENDATIONS_WITHDRAWN', { previousReason: previous });
        else await record('NO_RECOMMENDATIONS_RECORDED', { reason: input.reason, ...(previous ? { previousReason: previous } : {}) });
      }
      return { reviewId, noRecommendationsReason: review.noRecommendationsReason, reviewVersion: review.version };
    });
  }

  private update(
    reviewId: string,
    recommendationId: string,
    actor: string,
    ifMatch: string | undefined,
    change: (recommendation: Recommendation, record: RecordFn, manager: EntityManager) => Promise<void>,
  ) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const recommendation = await findInReview(manager, Recommendation, reviewId, recommendationId, 'recommendation', { lock: true });
      checkIfMatch(ifMatch, recommendation.version);
      await change(recommendation, record, manager);
      return recommendationView(await manager.save(recommendation));
    });
  }
}

async function nextNumber(manager: EntityManager, reviewId: string): Promise<number> {
  const [row] = await manager.query(`SELECT coalesce(max("number"), 0)::int + 1 AS next FROM "recommendations" WHERE "review_id" = $1`, [reviewId]);
  return Number(row.next);
}

/** 409 naming `number`: numbers are unique in the review, withdrawn ones included. */
async function assertNumberFree(manager: EntityManager, reviewId: string, number: number): Promise<void> {
  const taken = await manager.findOne(Recommendation, { where: { reviewId, number } });
  if (taken) {
    const message = `recommendation ${number} already exists in this review${taken.status === 'withdrawn' ? ' (withdrawn; numbers are not reused)' : ''}`;
    throw new StateConflictError(`number: ${message}`, [], { errors: [{ field: 'number', message }] });
  }
}

export function recommendationView(r: Recommendation) {
  return {
    id: r.id,
    reviewId: r.reviewId,
    number: r.number,
    text: r.text,
    level: r.level,
    scope: r.scope,
    addressee: r.addressee,
    addresseeKind: r.addresseeKind,
    theme: r.theme,
    status: r.status,
    withdrawnReason: r.withdrawnReason,
    version: r.version,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
  };
}

export function actionView(a: RecommendationAction) {
  return {
    id: a.id,
    reviewId: a.reviewId,
    recommendationId: a.recommendationId,
    description: a.description,
    owner: a.owner,
    targetDate: a.targetDate,
    measureOfSuccess: a.measureOfSuccess,
    milestones: a.milestones,
    status: a.status,
    completedOn: a.completedOn,
    evidence: a.evidence,
    version: a.version,
    createdBy: a.createdBy,
    createdAt: a.createdAt,
  };
}
