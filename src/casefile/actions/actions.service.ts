import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { Recommendation, RecommendationAction } from '../entities';
import { actionView, recommendationView } from '../recommendations/recommendations.service';
import type { addActionSchema, completeActionSchema, updateActionSchema } from './actions.schemas';

type RecordFn = (type: string, payload: { [key: string]: unknown }) => Promise<void>;

/**
 * The action plan: actions under the review's recommendations, each with an owner, a target
 * date and a measure of success, monitored until complete with evidence. Adding and completing
 * actions changes what the lifecycle reads (actionsTotal, actionsIncomplete) and updates keep
 * what they replaced, so all go into the history. A withdrawn recommendation's actions count
 * nowhere and are not changed any more.
 */
@Injectable()
export class ActionsService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  actionPlan(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const recommendations = await manager.find(Recommendation, { where: { reviewId }, order: { number: 'ASC' } });
      const actions = await manager.find(RecommendationAction, { where: { reviewId }, order: { createdAt: 'ASC', id: 'ASC' } });
      const counted = (list: RecommendationAction[]) => ({
        total: list.length,
        complete: list.filter((a) => a.status === 'complete').length,
        incomplete: list.filter((a) => a.status !== 'complete').length,
      });
      const rows = recommendations.map((r) => {
        const own = actions.filter((a) => a.recommendationId === r.id);
        return { ...recommendationView(r), actions: own.map(actionView), counts: counted(own) };
      });
      // Withdrawn recommendations are listed, but their actions count nowhere (as in the facts).
      const live = new Set(recommendations.filter((r) => r.status !== 'withdrawn').map((r) => r.id));
      return { reviewId, recommendations: rows, counts: counted(actions.filter((a) => live.has(a.recommendationId))) };
    });
  }

  get(reviewId: string, recommendationId: string, actionId: string) {
    return this.tx.read(reviewId, async (manager) => actionView(await findAction(manager, reviewId, recommendationId, actionId)));
  }

  add(reviewId: string, recommendationId: string, input: z.output<typeof addActionSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const recommendation = await findInReview(manager, Recommendation, reviewId, recommendationId, 'recommendation');
      assertLive(recommendation);
      const action = await manager.save(
        manager.create(RecommendationAction, {
          reviewId,
          recommendationId,
          description: input.description,
          owner: input.owner,
          targetDate: input.targetDate ?? null,
          measureOfSuccess: input.measureOfSuccess ?? null,
          milestones: input.milestones ?? null,
          status: 'not_started',
          createdBy: actor,
        }),
      );
      await record('ACTION_ADDED', {
        actionId: action.id,
        recommendationId,
        recommendationNumber: recommendation.number,
        owner: action.owner,
        targetDate: action.targetDate,
      });
      return actionView(action);
    });
  }

  update(reviewId: string, recommendationId: string, actionId: string, input: z.output<typeof updateActionSchema>, actor: string, ifMatch?: string) {
    return this.change(reviewId, recommendationId, actionId, actor, ifMatch, async (action, record) => {
      if (action.status === 'complete') {
        throw new StateConflictError(`The action was completed on ${action.completedOn}: it is not changed any more`);
      }
      const changes: { [field: string]: { from: unknown; to: unknown } } = {};
      for (const field of ['status', 'targetDate', 'owner', 'description', 'measureOfSuccess', 'milestones'] as const) {
        const value = input[field];
        if (value !== undefined && value !== action[field]) {
          changes[field] = { from: action[field], to: value };
          (action as unknown as { [key: string]: unknown })[field] = value;
        }
      }
      if (Object.keys(changes).length > 0) await record('ACTION_UPDATED', { actionId, recommendationId, changes });
    });
  }

  complete(reviewId: string, recommendationId: string, actionId: string, input: z.output<ReturnType<typeof completeActionSchema>>, actor: string, ifMatch?: string) {
    return this.change(reviewId, recommendationId, actionId, actor, ifMatch, async (action, record) => {
      if (action.status === 'complete') {
        throw new StateConflictError(`The action was already completed on ${action.completedOn}`);
      }
      action.status = 'complete';
      action.completedOn = input.completedOn;
      action.evidence = input.evidence;
      await record('ACTION_COMPLETED', { actionId, recommendationId, completedOn: input.completedOn, evidence: input.evidence });
    });
  }

  private change(
    reviewId: string,
    recommendationId: string,
    actionId: string,
    actor: string,
    ifMatch: string | undefined,
    work: (action: RecommendationAction, record: RecordFn) => Promise<void>,
  ) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const recommendation = await findInReview(manager, Recommendation, reviewId, recommendationId, 'recommendation');
      const action = await findAction(manager, reviewId, recommendationId, actionId, true);
      checkIfMatch(ifMatch, action.version);
      assertLive(recommendation);
      await work(action, record);
      return actionView(await manager.save(action));
    });
  }
}

/** The action, of this recommendation of this review, or 404. */
async function findAction(manager: EntityManager, reviewId: string, recommendationId: string, actionId: string, lock = false) {
  const action = await findInReview(manager, RecommendationAction, reviewId, actionId, 'action', { lock });
  if (action.recommendationId !== recommendationId) {
    throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No action with this id under this recommendation' });
  }
  return action;
}

function assertLive(recommendation: Recommendation): void {
  if (recommendation.status === 'withdrawn') {
    throw new StateConflictError(`Recommendation ${recommendation.number} was withdrawn (${recommendation.withdrawnReason}): its action plan is closed`);
  }
}
