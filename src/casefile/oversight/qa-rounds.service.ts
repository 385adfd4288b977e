import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import type { z } from 'zod';
import { FieldProblem, RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { migrateSnapshot } from '../../reviews/lifecycle';
import type { Review } from '../../reviews/review.entity';
import { dateInWords } from '../../shared/display-dates';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { DocumentsService } from '../documents/documents.service';
import type { UploadedContent } from '../documents/upload-errors';
import { DocumentVersion, QaChange, QaLetter } from '../entities';
import { OversightService } from './oversight.service';
import { listQaChangesSchema, qaChangeDoneSchema } from './qa-rounds.schemas';

type Round = Awaited<ReturnType<OversightService['qaRounds']>>[number];

/** A round's number from the route: a whole number from 1 (400 naming `round`). */
export function roundOf(value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1) throw new RequestValidationError([{ field: 'round', message: 'must be a round number (1, 2, …)' }]);
  return Number(value);
}

export function qaChangeView(c: QaChange) {
  return { id: c.id, round: c.round, number: c.number, text: c.text, done: c.doneOn !== null, doneOn: c.doneOn, note: c.doneNote, doneBy: c.doneBy, version: c.version };
}

/**
 * What a Home Office quality assurance round keeps beside the lifecycle's record of it (the
 * submission, the outcome and the letter's date): the letter itself, as a document of the review
 * (a later upload is its next version), and the changes the letter asks for, each marked done
 * with the day and what was done. The next submission waits until every change asked for is
 * done (HomeOfficeSubmissionGate, through `openChanges`). Each write is one transaction under the
 * review's lock and one history entry.
 */
@Injectable()
export class QaRoundsService {
  constructor(
    private readonly tx: CaseFileTransactions,
    private readonly documents: DocumentsService,
    private readonly oversight: OversightService,
  ) {}

  today = () => this.tx.today();

  /** Every round, oldest first, with its letter (the latest version's file) and its changes. */
  async rounds(reviewId: string) {
    const rounds = await this.oversight.qaRounds(reviewId);
    return this.tx.read(reviewId, async (manager) => {
      const letters = await manager.find(QaLetter, { where: { reviewId } });
      const changes = await manager.find(QaChange, { where: { reviewId }, order: { round: 'ASC', number: 'ASC' } });
      const versions = letters.length
        ? await manager
            .createQueryBuilder(DocumentVersion, 'v')
            .where('v.review_id = :reviewId AND v.document_id IN (:...ids)', { reviewId, ids: letters.map((l) => l.documentId) })
            .orderBy('v.version_no', 'ASC')
            .getMany()
        : [];
      return rounds.map((r) => {
        const letter = letters.find((l) => l.round === r.round);
        const latest = letter ? versions.filter((v) => v.documentId === letter.documentId).pop() : undefined;
        const asked = changes.filter((c) => c.round === r.round).map(qaChangeView);
        return {
          ...r,
          letter:
            letter && latest
              ? {
                  documentId: letter.documentId,
                  version: latest.versionNo,
                  filename: latest.filename,
                  uploadedAt: latest.uploadedAt,
                  uploadedBy: latest.uploadedBy,
                  contentUrl: `/reviews/${reviewId}/documents/${letter.documentId}/versions/${latest.versionNo}/content`,
                }
              : null,
          changes: asked,
          changesOpen: asked.filter((c) => !c.done).length,
        };
      });
    });
  }

  /** The round's letter: the first upload makes the document (kind letter), a later one its next version. */
  async uploadLetter(reviewId: string, roundParam: string, file: UploadedContent | undefined, actor: string) {
    const round = roundOf(roundParam);
    const problems: FieldProblem[] = [];
    const upload = this.documents.checkUpload(file, problems);
    if (problems.length > 0 || !upload) throw new RequestValidationError(problems);
    await this.documents.placing((undoOnFailure) =>
      this.tx.write(reviewId, actor, async (w) => {
        roundIn(w.review, round);
        const letter = await w.manager.findOne(QaLetter, { where: { reviewId, round }, lock: { mode: 'pessimistic_write' } });
        const uploaded = await this.documents.uploadWithin(
          w,
          reviewId,
          letter ? { documentId: letter.documentId } : { kind: 'letter', title: `Home Office letter, round ${round}`, imrId: null },
          upload,
          actor,
          undoOnFailure,
        );
        if (!letter) await w.manager.insert(QaLetter, { reviewId, round, documentId: uploaded.documentId, createdBy: actor });
        await w.record('QA_LETTER_UPLOADED', { round, documentId: uploaded.documentId, version: uploaded.version, filename: uploaded.filename });
      }),
    );
    return this.roundView(reviewId, round);
  }

  /** The changes the round's letter asks for, numbered after any listed before; the round's outcome must be recorded. */
  async listChanges(reviewId: string, roundParam: string, input: z.output<typeof listQaChangesSchema>, actor: string) {
    const round = roundOf(roundParam);
    await this.tx.write(reviewId, actor, async ({ manager, review, record }) => {
      const qa = roundIn(review, round);
      if (!qa.outcome) {
        throw new StateConflictError(`Round ${round} has no outcome yet: record the Home Office's letter (RECORD_QA_OUTCOME) before listing what it asks for`, [
          `Round ${round} is awaiting the Home Office's letter`,
        ]);
      }
      const [{ last }] = await manager.query(`SELECT coalesce(max(number), 0)::int AS last FROM qa_changes WHERE review_id = $1 AND round = $2`, [reviewId, round]);
      const numbers = input.changes.map((_, i) => last + i + 1);
      await manager.insert(
        QaChange,
        input.changes.map((text, i) => ({ reviewId, round, number: numbers[i], text, doneOn: null, doneNote: null, doneBy: null, createdBy: actor })),
      );
      await record('QA_CHANGES_LISTED', { round, numbers });
    });
    return this.roundView(reviewId, round);
  }

  /** A change marked done, on the day given (not before the round's letter) with what was done; If-Match the change's version. */
  async markDone(reviewId: string, roundParam: string, changeId: string, input: z.output<ReturnType<typeof qaChangeDoneSchema>>, actor: string, ifMatch?: string) {
    const round = roundOf(roundParam);
    return this.tx.write(reviewId, actor, async ({ manager, review, record }) => {
      const change = await findInReview(manager, QaChange, reviewId, changeId, 'change asked for by the Home Office', { lock: true });
      if (change.round !== round) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No change asked for in round ${round} with this id` });
      checkIfMatch(ifMatch, change.version);
      if (change.doneOn) throw new StateConflictError(`Change ${change.number} of round ${round} was marked done on ${dateInWords(change.doneOn)}`, []);
      // The letter's day (an outcome recorded as a date-time counts by its day).
      const letterDate = roundIn(review, round).letterDate?.slice(0, 10) ?? null;
      if (letterDate && input.doneOn < letterDate) {
        throw new RequestValidationError([{ field: 'doneOn', message: `must not be before the Home Office's letter of ${dateInWords(letterDate)}` }]);
      }
      await manager.update(QaChange, { id: change.id }, { doneOn: input.doneOn, doneNote: input.note ?? null, doneBy: actor, version: change.version + 1 });
      await record('QA_CHANGE_DONE', { round, number: change.number, completedOn: input.doneOn });
      return qaChangeView(await manager.findOneOrFail(QaChange, { where: { id: change.id } }));
    });
  }

  private async roundView(reviewId: string, round: number) {
    return (await this.rounds(reviewId)).find((r) => r.round === round) as Round & { changes: ReturnType<typeof qaChangeView>[] };
  }
}

/** The changes asked for and not yet marked done, of every round (in the caller's transaction). */
export function openChanges(manager: EntityManager, reviewId: string): Promise<QaChange[]> {
  return manager.find(QaChange, { where: { reviewId, doneOn: IsNull() }, order: { round: 'ASC', number: 'ASC' } });
}

/** The lifecycle's record of round `round` (404 when the review has had no such submission). */
function roundIn(review: Review, round: number) {
  const qa = migrateSnapshot(review.snapshot, review.machineVersion).context.qaRounds[round - 1];
  if (!qa) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No Home Office round ${round} in this review` });
  return qa;
}
