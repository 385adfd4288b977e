import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { Agency, Imr, ImrExtension, ImrSubmission } from '../entities';
import type { z } from 'zod';
import type {
  commissionImrsSchema,
  commissionImrSchema,
  extendImrSchema,
  qualityCheckImrSchema,
  receiveImrSchema,
  signOffImrSchema,
  waiveImrSchema,
} from './imrs.schemas';

type Input<F extends (...args: never[]) => z.ZodTypeAny> = z.output<ReturnType<F>>;

/**
 * IMRs and short reports: commissioned by the chair from an agency, extended, received,
 * quality-checked, signed off, or waived with a reason. Every one of these goes into the
 * review's history (receipt, extension and waiver also change what the lifecycle allows); a
 * quality check or sign-off recorded again keeps the one it replaced there.
 */
@Injectable()
export class ImrsService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  /** The review's IMRs; `agencyIds` narrows them to those agencies' (an IMR author's view). */
  list(reviewId: string, agencyIds: readonly string[] | null = null) {
    return this.tx.read(reviewId, async (manager) => {
      const imrs = await manager.find(Imr, {
        where: agencyIds ? { reviewId, agencyId: In([...agencyIds]) } : { reviewId },
        // Several commissioned at once share their request date and creation time: the agency's
        // name then orders them, so the tracker reads the same on every load.
        relations: { agency: true },
        order: { requestedOn: 'ASC', createdAt: 'ASC', agency: { name: 'ASC' }, id: 'ASC' },
      });
      const extensions = await manager.find(ImrExtension, { where: { reviewId }, order: { createdAt: 'ASC' } });
      const submissions = await latestSubmissions(manager, reviewId);
      return imrs.map((imr) => this.view(imr, extensions.filter((e) => e.imrId === imr.id), submissions.get(imr.id) ?? null));
    });
  }

  get(reviewId: string, imrId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const imr = await findInReview(manager, Imr, reviewId, imrId, 'IMR');
      const submission = (await latestSubmissions(manager, reviewId, imrId)).get(imrId) ?? null;
      return this.view(imr, await manager.find(ImrExtension, { where: { reviewId, imrId }, order: { createdAt: 'ASC' } }), submission);
    });
  }

  commission(reviewId: string, input: Input<typeof commissionImrSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const [agency] = await this.commissionable(manager, reviewId, [input.agencyId], () => 'agencyId');
      const imr = await manager.save(manager.create(Imr, { ...input, reviewId, createdBy: actor }));
      await record('IMR_COMMISSIONED', { imrId: imr.id, agency: agency.name, kind: imr.kind, requestedOn: imr.requestedOn, dueOn: imr.dueOn });
      return this.view(imr, []);
    });
  }

  /**
   * One IMR per agency, all with the same request and due dates, in one transaction: if one
   * agency is refused (no such agency, or its IMR on this review is still outstanding), none is
   * commissioned, and the 400 names that agency (`agencyIds.<index>`).
   */
  commissionMany(reviewId: string, input: Input<typeof commissionImrsSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const agencies = await this.commissionable(manager, reviewId, input.agencyIds, (i) => `agencyIds.${i}`);
      const { agencyIds, ...common } = input;
      const commissioned = [];
      for (const [i, agencyId] of agencyIds.entries()) {
        const agency = agencies[i];
        const imr = await manager.save(manager.create(Imr, { ...common, agencyId, reviewId, createdBy: actor }));
        await record('IMR_COMMISSIONED', { imrId: imr.id, agency: agency.name, kind: imr.kind, requestedOn: imr.requestedOn, dueOn: imr.dueOn });
        commissioned.push(this.view(imr, []));
      }
      return commissioned;
    });
  }

  /**
   * The agencies an IMR may be commissioned from, in the order asked: each must exist and have no
   * IMR on this review still outstanding (neither received nor waived). Otherwise a 400 naming
   * each refused one (`field(index)`), and nothing is written.
   */
  private async commissionable(manager: EntityManager, reviewId: string, agencyIds: readonly string[], field: (index: number) => string) {
    const agencies = await manager.find(Agency, { where: { id: In([...agencyIds]) } });
    const outstanding = await manager.find(Imr, { where: { reviewId, agencyId: In([...agencyIds]) } });
    const problems: Array<{ field: string; message: string }> = [];
    const found = agencyIds.map((agencyId, i) => {
      const agency = agencies.find((a) => a.id === agencyId);
      if (!agency) problems.push({ field: field(i), message: `no agency with id ${agencyId}` });
      else if (outstanding.some((imr) => imr.agencyId === agencyId && !imr.receivedOn && !imr.waivedReason)) {
        problems.push({ field: field(i), message: `${agency.name} already has an IMR outstanding on this review` });
      }
      return agency as Agency;
    });
    if (problems.length > 0) throw new RequestValidationError(problems);
    return found;
  }

  extend(reviewId: string, imrId: string, input: Input<typeof extendImrSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const imr = await findInReview(manager, Imr, reviewId, imrId, 'IMR', { lock: true });
      checkIfMatch(ifMatch, imr.version);
      this.assertOutstanding(imr, 'extended');
      if (input.newDueOn <= imr.dueOn) {
        throw new RequestValidationError([{ field: 'newDueOn', message: `must be after the current due date ${imr.dueOn}` }]);
      }
      await manager.save(
        manager.create(ImrExtension, {
          reviewId,
          imrId,
          previousDueOn: imr.dueOn,
          newDueOn: input.newDueOn,
          reason: input.reason,
          grantedOn: input.grantedOn,
          createdBy: actor,
        }),
      );
      const previous = imr.dueOn;
      imr.dueOn = input.newDueOn;
      const saved = await manager.save(imr);
      // grantedOn: the history dates the entry on the day the extension was granted.
      await record('IMR_EXTENDED', { imrId, previousDueOn: previous, newDueOn: input.newDueOn, reason: input.reason, grantedOn: input.grantedOn });
      return this.view(saved, await manager.find(ImrExtension, { where: { reviewId, imrId }, order: { createdAt: 'ASC' } }));
    });
  }

  receive(reviewId: string, imrId: string, input: Input<typeof receiveImrSchema>, actor: string, ifMatch?: string) {
    return this.update(reviewId, imrId, actor, ifMatch, async (imr, record, manager) => {
      await recordReceipt(manager, imr, input.receivedOn, record);
    });
  }

  qualityCheck(reviewId: string, imrId: string, input: Input<typeof qualityCheckImrSchema>, actor: string, ifMatch?: string) {
    return this.update(reviewId, imrId, actor, ifMatch, async (imr, record) => {
      if (!imr.receivedOn) throw new StateConflictError('The IMR has not been received yet', ['Record its receipt first']);
      const previous = imr.qualityCheckedOn;
      imr.qualityCheckedOn = input.checkedOn;
      if (previous !== input.checkedOn) {
        await record('IMR_QUALITY_CHECKED', { imrId, checkedOn: input.checkedOn, ...(previous ? { previousCheckedOn: previous } : {}) });
      }
    });
  }

  signOff(reviewId: string, imrId: string, input: Input<typeof signOffImrSchema>, actor: string, ifMatch?: string) {
    return this.update(reviewId, imrId, actor, ifMatch, async (imr, record) => {
      if (!imr.receivedOn) throw new StateConflictError('The IMR has not been received yet', ['Record its receipt first']);
      const previous = imr.signedOffOn ? { signedOffBy: imr.signedOffBy, signedOffOn: imr.signedOffOn } : null;
      imr.signedOffBy = input.signedOffBy;
      imr.signedOffOn = input.signedOffOn;
      if (!previous || previous.signedOffBy !== input.signedOffBy || previous.signedOffOn !== input.signedOffOn) {
        await record('IMR_SIGNED_OFF', { imrId, signedOffBy: input.signedOffBy, signedOffOn: input.signedOffOn, ...(previous ? { previous } : {}) });
      }
    });
  }

  waive(reviewId: string, imrId: string, input: z.output<typeof waiveImrSchema>, actor: string, ifMatch?: string) {
    return this.update(reviewId, imrId, actor, ifMatch, async (imr, record) => {
      this.assertOutstanding(imr, 'waived');
      imr.waivedReason = input.reason;
      await record('IMR_WAIVED', { imrId, reason: input.reason });
    });
  }

  private update(
    reviewId: string,
    imrId: string,
    actor: string,
    ifMatch: string | undefined,
    change: (imr: Imr, record: (type: string, payload: Record<string, unknown>) => Promise<void>, manager: EntityManager) => Promise<void>,
  ) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const imr = await findInReview(manager, Imr, reviewId, imrId, 'IMR', { lock: true });
      checkIfMatch(ifMatch, imr.version);
      await change(imr, record, manager);
      const saved = await manager.save(imr);
      const submission = (await latestSubmissions(manager, reviewId, imrId)).get(imrId) ?? null;
      return this.view(saved, await manager.find(ImrExtension, { where: { reviewId, imrId }, order: { createdAt: 'ASC' } }), submission);
    });
  }

  private assertOutstanding(imr: Imr, what: string): void {
    assertOutstanding(imr, what);
  }

  view(imr: Imr, extensions: ImrExtension[], submission: ImrSubmission | null = null) {
    return {
      id: imr.id,
      reviewId: imr.reviewId,
      agencyId: imr.agencyId,
      kind: imr.kind,
      authorName: imr.authorName,
      requestedOn: imr.requestedOn,
      dueOn: imr.dueOn,
      receivedOn: imr.receivedOn,
      qualityCheckedOn: imr.qualityCheckedOn,
      signedOffBy: imr.signedOffBy,
      signedOffOn: imr.signedOffOn,
      waivedReason: imr.waivedReason,
      state: imr.receivedOn ? 'received' : imr.waivedReason ? 'waived' : 'outstanding',
      /** The latest upload of the report through the service (null: none); `awaiting` until the chair confirms it or sends it back. */
      submission: submission ? submissionView(submission) : null,
      extensions: extensions.map((e) => ({
        previousDueOn: e.previousDueOn,
        newDueOn: e.newDueOn,
        reason: e.reason,
        grantedOn: e.grantedOn,
        grantedBy: e.createdBy,
      })),
      version: imr.version,
      createdBy: imr.createdBy,
      createdAt: imr.createdAt,
    };
  }
}

export function assertOutstanding(imr: Imr, what: string): void {
  if (imr.receivedOn) throw new StateConflictError(`The IMR cannot be ${what}: it was received on ${imr.receivedOn}`);
  if (imr.waivedReason) throw new StateConflictError(`The IMR cannot be ${what}: it was waived (${imr.waivedReason})`);
}

/**
 * The receipt of an IMR, however it is recorded (the chair's receipt form, or their confirmation
 * of the agency's upload): outstanding only; its date set (the chronology and the IMR's clock
 * follow in the same transaction); a submission awaiting confirmation is then received too.
 */
export async function recordReceipt(
  manager: EntityManager,
  imr: Imr,
  receivedOn: string,
  record: (type: string, payload: Record<string, unknown>) => Promise<void>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  assertOutstanding(imr, 'received');
  imr.receivedOn = receivedOn;
  await manager.update(ImrSubmission, { reviewId: imr.reviewId, imrId: imr.id, outcome: 'awaiting' }, { outcome: 'received' });
  await record('IMR_RECEIVED', { imrId: imr.id, receivedOn, late: receivedOn > imr.dueOn, ...extra });
}

/** The latest submission of each IMR of the review (or of one IMR). */
export async function latestSubmissions(manager: EntityManager, reviewId: string, imrId?: string): Promise<Map<string, ImrSubmission>> {
  const rows = await manager.find(ImrSubmission, { where: imrId ? { reviewId, imrId } : { reviewId }, order: { submittedAt: 'ASC', createdAt: 'ASC' } });
  return new Map(rows.map((r) => [r.imrId, r]));
}

export function submissionView(s: ImrSubmission) {
  return {
    id: s.id,
    outcome: s.outcome,
    report: { documentId: s.reportDocumentId, version: s.reportVersion },
    chronology: s.chronologyDocumentId ? { documentId: s.chronologyDocumentId, version: s.chronologyVersion } : null,
    submittedBy: s.submittedBy,
    submittedByName: s.submittedByName,
    submittedAt: s.submittedAt,
    decidedBy: s.decidedBy,
    decidedByName: s.decidedByName,
    decidedAt: s.decidedAt,
    comments: s.comments,
  };
}
