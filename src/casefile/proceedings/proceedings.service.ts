import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { Proceeding } from '../entities';
import type { changeProceedingStatusSchema, recordProceedingSchema, updateProceedingSchema } from './proceedings.schemas';

/**
 * Parallel proceedings: criminal investigation and trial, inquest, IOPC investigation, other
 * reviews. An active criminal proceeding blocks publication (the facts query reads them), so
 * recording one and every status change go into the review's history. The history names the
 * type and status only: a description may name people.
 */
@Injectable()
export class ProceedingsService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) =>
      (await manager.find(Proceeding, { where: { reviewId }, order: { createdAt: 'ASC' } })).map((p) => this.view(p)),
    );
  }

  get(reviewId: string, proceedingId: string) {
    return this.tx.read(reviewId, async (manager) => this.view(await findInReview(manager, Proceeding, reviewId, proceedingId, 'proceeding')));
  }

  record(reviewId: string, input: z.output<typeof recordProceedingSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const proceeding = await manager.save(
        manager.create(Proceeding, {
          reviewId,
          type: input.type,
          status: input.status,
          description: input.description ?? null,
          keyDates: input.keyDates ?? [],
          createdBy: actor,
        }),
      );
      await record('PROCEEDINGS_RECORDED', { proceedingId: proceeding.id, type: proceeding.type, status: proceeding.status });
      return this.view(proceeding);
    });
  }

  update(reviewId: string, proceedingId: string, input: z.output<typeof updateProceedingSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const proceeding = await findInReview(manager, Proceeding, reviewId, proceedingId, 'proceeding', { lock: true });
      checkIfMatch(ifMatch, proceeding.version);
      // A correction keeps what it replaced, in the history.
      const changes: { [field: string]: { from: unknown; to: unknown } } = {};
      if (input.description !== undefined && input.description !== proceeding.description) {
        changes.description = { from: proceeding.description, to: input.description };
        proceeding.description = input.description;
      }
      if (input.keyDates !== undefined && JSON.stringify(input.keyDates) !== JSON.stringify(proceeding.keyDates)) {
        changes.keyDates = { from: proceeding.keyDates, to: input.keyDates };
        proceeding.keyDates = input.keyDates;
      }
      if (Object.keys(changes).length > 0) await record('PROCEEDINGS_CORRECTED', { proceedingId, type: proceeding.type, changes });
      return this.view(await manager.save(proceeding));
    });
  }

  changeStatus(
    reviewId: string,
    proceedingId: string,
    input: z.output<ReturnType<typeof changeProceedingStatusSchema>>,
    actor: string,
    ifMatch?: string,
  ) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const proceeding = await findInReview(manager, Proceeding, reviewId, proceedingId, 'proceeding', { lock: true });
      checkIfMatch(ifMatch, proceeding.version);
      if (proceeding.status === input.status) throw new StateConflictError(`The proceeding is already ${input.status}`);
      if (proceeding.statusChangedOn && input.on < proceeding.statusChangedOn) {
        throw new RequestValidationError([
          { field: 'on', message: `must not be before the last status change (${proceeding.statusChangedOn})` },
        ]);
      }
      const from = proceeding.status;
      proceeding.status = input.status;
      proceeding.statusChangedOn = input.on;
      const saved = await manager.save(proceeding);
      await record('PROCEEDINGS_STATUS_CHANGED', { proceedingId, type: saved.type, from, to: saved.status, on: input.on });
      return this.view(saved);
    });
  }

  private view(p: Proceeding) {
    return {
      id: p.id,
      reviewId: p.reviewId,
      type: p.type,
      status: p.status,
      statusChangedOn: p.statusChangedOn,
      description: p.description,
      keyDates: p.keyDates,
      blocksPublication: p.type === 'criminal' && p.status === 'active',
      version: p.version,
      createdBy: p.createdBy,
      createdAt: p.createdAt,
    };
  }
}
