import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { londonDateOf } from '../../deadlines/rules';
import { FieldProblem, RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { zodProblems } from '../../infrastructure/http/validation';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { DocumentsService } from '../documents/documents.service';
import { Agency, Imr, ImrExtension, ImrSubmission } from '../entities';
import type { SubmissionFiles } from './imr-submission-upload.interceptor';
import { confirmImrSubmissionSchema, sendBackImrSubmissionSchema, submitImrFieldsSchema } from './imrs.schemas';
import { assertOutstanding, ImrsService, latestSubmissions, recordReceipt, submissionView } from './imrs.service';

/**
 * An agency sends its IMR (or short report), and optionally its chronology, through the
 * service: the upload is the submission. The files become versions of the IMR's documents
 * (an IMR author sees their own agency's); the IMR shows the submission awaiting confirmation
 * but is not received until the chair (or CSP lead) confirms it, through the receipt every
 * other way of recording one goes through (so the chronology check and the IMR's clock behave
 * the same). Or the chair sends it back with comments, and the agency uploads again. Each of
 * the three is a history entry; each is one transaction, and a refused upload writes nothing.
 */
@Injectable()
export class ImrSubmissionsService {
  constructor(
    private readonly tx: CaseFileTransactions,
    private readonly documents: DocumentsService,
    private readonly imrs: ImrsService,
  ) {}

  today = () => this.tx.today();

  /** Every submission of the IMR, oldest first. */
  list(reviewId: string, imrId: string) {
    return this.tx.read(reviewId, async (manager) => {
      await findInReview(manager, Imr, reviewId, imrId, 'IMR');
      const rows = await manager.find(ImrSubmission, { where: { reviewId, imrId }, order: { submittedAt: 'ASC', createdAt: 'ASC' } });
      return rows.map(submissionView);
    });
  }

  async submit(reviewId: string, imrId: string, fields: unknown, files: SubmissionFiles, actor: string) {
    const problems: FieldProblem[] = [];
    const parsed = submitImrFieldsSchema.safeParse(fields ?? {});
    if (!parsed.success) problems.push(...zodProblems(parsed.error));
    const report = this.documents.checkUpload(files.report, problems, 'report');
    const chronology = files.chronology ? this.documents.checkUpload(files.chronology, problems, 'chronology') : undefined;
    if (problems.length > 0 || !report) throw new RequestValidationError(problems);
    return this.documents.placing((undoOnFailure) =>
      this.tx.write(reviewId, actor, async (w) => {
        const { manager, record, now } = w;
        const imr = await findInReview(manager, Imr, reviewId, imrId, 'IMR', { lock: true });
        assertOutstanding(imr, 'sent');
        const agency = await manager.findOneOrFail(Agency, { where: { id: imr.agencyId } });
        const earlier = await manager.find(ImrSubmission, { where: { reviewId, imrId }, order: { submittedAt: 'ASC', createdAt: 'ASC' } });
        const previous = earlier[earlier.length - 1] ?? null;
        const previousChronology = [...earlier].reverse().find((s) => s.chronologyDocumentId !== null) ?? null;
        const what = imr.kind === 'short_report' ? 'Short report' : 'IMR';
        // A later upload is the next version of the same documents (an unchanged chronology is the version it was).
        const reportFile = await this.documents.uploadWithin(
          w,
          reviewId,
          previous ? { documentId: previous.reportDocumentId } : { kind: 'imr', title: `${what} of ${agency.name}`, imrId },
          report,
          actor,
          undoOnFailure,
        );
        const chronologyFile = chronology
          ? await this.documents.uploadWithin(
              w,
              reviewId,
              previousChronology?.chronologyDocumentId
                ? { documentId: previousChronology.chronologyDocumentId }
                : { kind: 'chronology', title: `Chronology of ${agency.name}`, imrId },
              chronology,
              actor,
              undoOnFailure,
              { reuseIdentical: true },
            )
          : null;
        const replaced = previous?.outcome === 'awaiting' ? previous : null;
        if (replaced) await manager.update(ImrSubmission, { id: replaced.id }, { outcome: 'replaced', version: replaced.version + 1 });
        const name = await nameOf(manager, actor);
        const submission = await manager.save(
          manager.create(ImrSubmission, {
            reviewId,
            imrId,
            reportDocumentId: reportFile.documentId,
            reportVersion: reportFile.version,
            chronologyDocumentId: chronologyFile?.documentId ?? null,
            chronologyVersion: chronologyFile?.version ?? null,
            submittedBy: actor,
            submittedByName: name,
            submittedAt: now,
            outcome: 'awaiting',
            comments: null,
            createdBy: actor,
          }),
        );
        // The IMR's state changed (a form about it, opened before, is stale).
        await manager.update(Imr, { id: imr.id }, { version: imr.version + 1 });
        await record('IMR_SUBMITTED', {
          imrId,
          agency: agency.name,
          kind: imr.kind,
          submissionId: submission.id,
          submittedBy: name,
          report: { documentId: reportFile.documentId, version: reportFile.version, filename: reportFile.filename },
          chronology: chronologyFile ? { documentId: chronologyFile.documentId, version: chronologyFile.version, filename: chronologyFile.filename } : null,
          ...(replaced ? { replacesSubmissionId: replaced.id } : {}),
        });
        return this.viewOf(manager, reviewId, imrId);
      }),
    );
  }

  /** The chair confirms the upload: the IMR is received (on the upload's date unless `receivedOn` says otherwise). */
  confirm(reviewId: string, imrId: string, input: z.output<ReturnType<typeof confirmImrSubmissionSchema>>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
      const imr = await findInReview(manager, Imr, reviewId, imrId, 'IMR', { lock: true });
      checkIfMatch(ifMatch, imr.version);
      assertOutstanding(imr, 'received');
      const awaiting = await this.awaiting(manager, reviewId, imrId);
      const receivedOn = input.receivedOn ?? londonDateOf(awaiting.submittedAt);
      const name = await nameOf(manager, actor);
      await recordReceipt(manager, imr, receivedOn, record, { submissionId: awaiting.id, submittedBy: awaiting.submittedByName, confirmedBy: name });
      await manager.update(ImrSubmission, { id: awaiting.id }, { outcome: 'received', decidedBy: actor, decidedByName: name, decidedAt: now, version: awaiting.version + 1 });
      await manager.save(imr);
      return this.viewOf(manager, reviewId, imrId);
    });
  }

  /** The chair sends the upload back with comments: the agency is asked to send it again. */
  sendBack(reviewId: string, imrId: string, input: z.output<typeof sendBackImrSubmissionSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
      const imr = await findInReview(manager, Imr, reviewId, imrId, 'IMR', { lock: true });
      checkIfMatch(ifMatch, imr.version);
      assertOutstanding(imr, 'sent back');
      const awaiting = await this.awaiting(manager, reviewId, imrId);
      const agency = await manager.findOneOrFail(Agency, { where: { id: imr.agencyId } });
      const name = await nameOf(manager, actor);
      await manager.update(
        ImrSubmission,
        { id: awaiting.id },
        { outcome: 'sent_back', comments: input.comments, decidedBy: actor, decidedByName: name, decidedAt: now, version: awaiting.version + 1 },
      );
      await manager.update(Imr, { id: imr.id }, { version: imr.version + 1 });
      await record('IMR_SENT_BACK', { imrId, agency: agency.name, submissionId: awaiting.id, submittedBy: awaiting.submittedByName, sentBackBy: name, comments: input.comments });
      return this.viewOf(manager, reviewId, imrId);
    });
  }

  private async awaiting(manager: EntityManager, reviewId: string, imrId: string): Promise<ImrSubmission> {
    const latest = (await latestSubmissions(manager, reviewId, imrId)).get(imrId);
    if (latest?.outcome !== 'awaiting') {
      throw new StateConflictError('No upload of this IMR is awaiting confirmation', [
        latest?.outcome === 'sent_back' ? 'It was sent back to the agency; wait for them to send it again' : 'The agency has not sent it through the service; record its receipt instead',
      ]);
    }
    return latest;
  }

  private async viewOf(manager: EntityManager, reviewId: string, imrId: string) {
    const imr = await manager.findOneOrFail(Imr, { where: { reviewId, id: imrId } });
    const extensions = await manager.find(ImrExtension, { where: { reviewId, imrId }, order: { createdAt: 'ASC' } });
    return this.imrs.view(imr, extensions, (await latestSubmissions(manager, reviewId, imrId)).get(imrId) ?? null);
  }
}

/** The person's name as the service knows it (a user's display name), else the actor as given. */
async function nameOf(manager: EntityManager, actor: string): Promise<string> {
  const rows: Array<{ name: string }> = await manager.query('SELECT display_name AS name FROM users WHERE lower(email) = lower($1) LIMIT 1', [actor]);
  return (rows[0]?.name ?? actor).slice(0, 200);
}
