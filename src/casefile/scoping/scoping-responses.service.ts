import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, checkIfMatch, findInReview, mustExist } from '../casefile-transactions';
import { Agency, ScopingResponse } from '../entities';
import type { correctScopingResponseSchema, recordScopingResponseSchema } from './scoping.schemas';

type Input<F extends (...args: never[]) => z.ZodTypeAny> = z.output<ReturnType<F>>;

const CORRECTABLE = ['hadContact', 'summary', 'respondedOn'] as const;

/**
 * Agencies' answers to the CSP's scoping letter (did they have contact with the people in the
 * case?), one per agency. A correction changes the record in place under its version and is
 * attributed in the review's history (who corrected which fields).
 */
@Injectable()
export class ScopingResponsesService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const all = await manager.find(ScopingResponse, { where: { reviewId }, order: { respondedOn: 'ASC', createdAt: 'ASC' } });
      return all.map((r) => this.view(r));
    });
  }

  get(reviewId: string, responseId: string) {
    return this.tx.read(reviewId, async (manager) =>
      this.view(await findInReview(manager, ScopingResponse, reviewId, responseId, 'scoping response')),
    );
  }

  record(reviewId: string, input: Input<typeof recordScopingResponseSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager }) => {
      const agency = await mustExist(manager, Agency, { id: input.agencyId }, 'agencyId', 'agency');
      const existing = await manager.findOne(ScopingResponse, { where: { reviewId, agencyId: agency.id } });
      if (existing) {
        throw new StateConflictError(
          `${agency.name} already responded to scoping on ${existing.respondedOn}`,
          ['Correct that response instead (PATCH with its version)'],
          { id: existing.id },
        );
      }
      const saved = await manager.save(
        manager.create(ScopingResponse, {
          reviewId,
          agencyId: agency.id,
          hadContact: input.hadContact,
          summary: input.summary ?? null,
          respondedOn: input.respondedOn,
          createdBy: actor,
        }),
      );
      return this.view(saved);
    });
  }

  correct(reviewId: string, responseId: string, input: Input<typeof correctScopingResponseSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const response = await findInReview(manager, ScopingResponse, reviewId, responseId, 'scoping response', { lock: true });
      checkIfMatch(ifMatch, response.version);
      const changed = CORRECTABLE.filter((field) => input[field] !== undefined && input[field] !== response[field]);
      if (changed.length === 0) return this.view(response);
      Object.assign(response, Object.fromEntries(changed.map((f) => [f, input[f]])));
      const saved = await manager.save(response);
      const agency = await manager.findOneOrFail(Agency, { where: { id: saved.agencyId } });
      await record('SCOPING_RESPONSE_CORRECTED', { scopingResponseId: responseId, agency: agency.name, changed });
      return this.view(saved);
    });
  }

  private view(r: ScopingResponse) {
    return {
      id: r.id,
      reviewId: r.reviewId,
      agencyId: r.agencyId,
      hadContact: r.hadContact,
      summary: r.summary,
      respondedOn: r.respondedOn,
      version: r.version,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
    };
  }
}
