import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { loadHomeOfficeChecklist } from '../../src/reports/home-office/checklist';

/**
 * Confirms every item of the checklist before submission to the Home Office, as the CSP lead
 * does (SUBMIT_TO_HOME_OFFICE is refused until each is answered). Test set-up, not under test.
 */
export async function answerHomeOfficeChecklist(app: NestExpressApplication, reviewId: string, actor = 'setup.lead@test.invalid'): Promise<void> {
  const answers = loadHomeOfficeChecklist().items.map((i) => ({ item: i.id, answer: 'confirmed' }));
  const res = await request(app.getHttpServer()).put(`/reviews/${reviewId}/home-office-checklist`).set('X-Actor', actor).send({ answers });
  if (res.status !== 200) throw new Error(`checklist: ${res.status} ${JSON.stringify(res.body)}`);
}
