import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { CaseFileApi } from './casefile-api';
import { fixtures, MIME } from './document-fixtures';
import { reviewApi } from './review-api';

export interface SignOffReview {
  id: string;
  /** IMR id per agency id. */
  imrs: Record<string, string>;
  overviewId: string;
  /** A document belonging to the first agency's IMR. */
  imrDocumentId: string;
}

/**
 * A review driven from the police notification to RAG sign-off through the API, as trusted
 * X-Actor callers (test set-up, not what is under test): decided, IMRs from each agency
 * commissioned and received, a meeting held, a recommendation agreed, drafts uploaded.
 */
export async function reviewAtSignOff(app: NestExpressApplication, cspId: string, agencyIds: string[]): Promise<SignOffReview> {
  const drafting = await reviewReadyToAgree(app, cspId, agencyIds);
  const agreed = await reviewApi(app, 'setup.lead@test.invalid').accept(drafting.id, { type: 'AGREE_REPORT', occurredAt: '2026-06-05' });
  if (agreed.status !== 'rag_sign_off') throw new Error(`expected rag_sign_off, got ${agreed.status}`);
  return drafting;
}

/** The same review one step before: drafting, with everything the panel needs to agree the report. */
export async function reviewReadyToAgree(app: NestExpressApplication, cspId: string, agencyIds: string[]): Promise<SignOffReview> {
  const lead = reviewApi(app, 'setup.lead@test.invalid');
  const chair = new CaseFileApi(app, 'setup.chair@test.invalid');
  const { id } = await lead.openReview(cspId, { dateOfDeath: '2026-01-03', notifiedOn: '2026-01-05' });
  await lead.accept(id, { type: 'DECIDE', outcome: 'proceed', rationale: 'Criteria of s.9 met.', decidedAt: '2026-01-28' });
  await lead.accept(id, { type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-01-29' });
  await chair.appointChair(id);
  for (const agency of agencyIds) await chair.addPanelMember(id, agency, `Rep ${agency.slice(0, 6)}`);
  await lead.accept(id, { type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2026-02-20' });
  const imrs: Record<string, string> = {};
  for (const agency of agencyIds) imrs[agency] = await chair.commissionImr(id, agency);
  for (const imr of Object.values(imrs)) await chair.receiveImr(id, imr, '2026-03-20');
  await chair.holdMeetingConsidering(id, Object.values(imrs));
  await chair.recommendation(id);
  const imrDocument = await request(app.getHttpServer())
    .post(`/reviews/${id}/documents`)
    .set('X-Actor', 'setup.chair@test.invalid')
    .field('kind', 'imr')
    .field('title', 'IMR')
    .field('imrId', imrs[agencyIds[0]])
    .attach('file', fixtures.pdf('imr'), { filename: 'imr.pdf', contentType: MIME.pdf });
  if (imrDocument.status !== 201) throw new Error(`IMR document: ${imrDocument.status} ${JSON.stringify(imrDocument.body)}`);
  await lead.accept(id, { type: 'BEGIN_DRAFTING', occurredAt: '2026-04-15' });
  const overviewId = await chair.uploadDraft(id, 'overview_report');
  await chair.uploadDraft(id, 'executive_summary');
  await chair.familyEngagement(id, 'draft_offered', '2026-06-01');
  return { id, imrs, overviewId, imrDocumentId: imrDocument.body.id };
}
