import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { ReviewEventRecord } from '../../reviews/review-event.entity';
import { CaseFileTransactions } from '../casefile-transactions';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * RAG (CSP board) decisions and Home Office QA rounds, read from the review's history: they are
 * lifecycle events (RAG_APPROVE / RAG_RETURN, SUBMIT_TO_HOME_OFFICE / RECORD_QA_OUTCOME), so
 * there is no table of their own and nothing here writes.
 */
@Injectable()
export class OversightService {
  constructor(private readonly tx: CaseFileTransactions) {}

  ragDecisions(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const events = await manager.find(ReviewEventRecord, {
        where: { reviewId, type: In(['RAG_APPROVE', 'RAG_RETURN']) },
        order: { sequence: 'ASC' },
      });
      return events.map((e) => ({
        sequence: e.sequence,
        decision: e.type === 'RAG_APPROVE' ? ('approved' as const) : ('returned' as const),
        comments: str(e.payload.comments),
        approvedAt: e.type === 'RAG_APPROVE' ? str(e.payload.approvedAt) : null,
        actor: e.actor,
        at: e.occurredAt,
      }));
    });
  }

  qaRounds(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const events = await manager.find(ReviewEventRecord, {
        where: { reviewId, type: In(['SUBMIT_TO_HOME_OFFICE', 'RECORD_QA_OUTCOME']) },
        order: { sequence: 'ASC' },
      });
      const rounds: Array<{
        round: number;
        submittedAt: string | null;
        submittedBy: string;
        submissionRecordedAt: Date;
        outcome: string | null;
        letterDate: string | null;
        notes: string | null;
        outcomeRecordedBy: string | null;
        outcomeRecordedAt: Date | null;
      }> = [];
      for (const e of events) {
        if (e.type === 'SUBMIT_TO_HOME_OFFICE') {
          rounds.push({
            round: rounds.length + 1,
            submittedAt: str(e.payload.submittedAt),
            submittedBy: e.actor,
            submissionRecordedAt: e.occurredAt,
            outcome: null,
            letterDate: null,
            notes: null,
            outcomeRecordedBy: null,
            outcomeRecordedAt: null,
          });
          continue;
        }
        // The lifecycle only accepts an outcome for a round awaiting one (the latest submission).
        const open = rounds[rounds.length - 1];
        if (!open || open.outcome !== null) continue;
        open.outcome = str(e.payload.outcome);
        open.letterDate = str(e.payload.letterDate);
        open.notes = str(e.payload.notes);
        open.outcomeRecordedBy = e.actor;
        open.outcomeRecordedAt = e.occurredAt;
      }
      return rounds;
    });
  }
}
