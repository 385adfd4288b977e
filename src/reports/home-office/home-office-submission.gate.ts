import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { openChanges } from '../../casefile/oversight/qa-rounds.service';
import { Clock } from '../../infrastructure/clock/clock';
import { StateConflictError } from '../../infrastructure/http/errors';
import type { SubmissionGate } from '../../reviews/submission-gate';
import { HomeOfficeChecklistService } from './home-office-checklist.service';
import { HomeOfficePackRecord } from './home-office.entities';
import { HomeOfficePackService } from './home-office-pack.service';

/**
 * SUBMIT_TO_HOME_OFFICE, in the event's transaction: refused (409 naming the items) until every
 * item of the checklist is answered and every change an earlier round's letter asked for is
 * marked done; then the pack is built as it is sent, kept (its SHA-256 and the zip, one per
 * round) and its hash recorded with the event in the history.
 */
@Injectable()
export class HomeOfficeSubmissionGate implements SubmissionGate {
  constructor(
    private readonly checklist: HomeOfficeChecklistService,
    private readonly packs: HomeOfficePackService,
    private readonly clock: Clock,
  ) {}

  async beforeSubmission(manager: EntityManager, submission: { reviewId: string; round: number; actor: string }): Promise<Record<string, unknown>> {
    await this.checklist.assertComplete(manager, submission.reviewId);
    // A resubmission answers the letter: every change it asked for is done first.
    const open = await openChanges(manager, submission.reviewId);
    if (open.length > 0) {
      throw new StateConflictError(
        `SUBMIT_TO_HOME_OFFICE is not allowed now: ${open.length === 1 ? 'a change' : `${open.length} changes`} the Home Office asked for ${open.length === 1 ? 'is' : 'are'} not marked done`,
        open.map((c) => `Not done: round ${c.round}, change ${c.number}: ${c.text.length > 80 ? `${c.text.slice(0, 79)}…` : c.text}`),
        { openChanges: open.map((c) => ({ round: c.round, number: c.number, id: c.id })) },
      );
    }
    const pack = await this.packs.build(submission.reviewId, manager);
    // A round sent again after a refusal rolled back leaves no row; a round's pack is never replaced.
    await manager.insert(HomeOfficePackRecord, {
      reviewId: submission.reviewId,
      round: submission.round,
      sha256: pack.sha256,
      sizeBytes: pack.content.length,
      fileName: pack.fileName,
      content: pack.content,
      sentBy: submission.actor,
      sentAt: this.clock.now(),
    });
    return { packSha256: pack.sha256, packRound: submission.round, packFile: pack.fileName };
  }
}
