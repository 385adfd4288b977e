import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, findInReview, mustExist } from '../casefile-transactions';
import { Agency, RecordsSecured } from '../entities';
import type { confirmRecordsSecuredSchema } from './scoping.schemas';

type Input<F extends (...args: never[]) => z.ZodTypeAny> = z.output<ReturnType<F>>;

/** Each agency's confirmation that it has secured its records of the case (once per agency). */
@Injectable()
export class RecordsSecuredService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const all = await manager.find(RecordsSecured, { where: { reviewId }, order: { confirmedOn: 'ASC', createdAt: 'ASC' } });
      return all.map((r) => this.view(r));
    });
  }

  get(reviewId: string, confirmationId: string) {
    return this.tx.read(reviewId, async (manager) =>
      this.view(await findInReview(manager, RecordsSecured, reviewId, confirmationId, 'records-secured confirmation')),
    );
  }

  confirm(reviewId: string, input: Input<typeof confirmRecordsSecuredSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager }) => {
      const agency = await mustExist(manager, Agency, { id: input.agencyId }, 'agencyId', 'agency');
      const existing = await manager.findOne(RecordsSecured, { where: { reviewId, agencyId: agency.id } });
      if (existing) {
        throw new StateConflictError(`${agency.name} already confirmed its records secured on ${existing.confirmedOn}`, [], {
          id: existing.id,
        });
      }
      const saved = await manager.save(
        manager.create(RecordsSecured, {
          reviewId,
          agencyId: agency.id,
          confirmedOn: input.confirmedOn,
          confirmedBy: input.confirmedBy,
          createdBy: actor,
        }),
      );
      return this.view(saved);
    });
  }

  private view(r: RecordsSecured) {
    return {
      id: r.id,
      reviewId: r.reviewId,
      agencyId: r.agencyId,
      confirmedOn: r.confirmedOn,
      confirmedBy: r.confirmedBy,
      version: r.version,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
    };
  }
}
