import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { fixtures, MIME } from './document-fixtures';
import { sendingCurrentVersion } from './if-match';

/**
 * Builds a review's case file through the REST endpoints, as the chair and the CSP lead do.
 * Each call must succeed; a refusal fails the test with the server's answer.
 */
export class CaseFileApi {
  constructor(
    private readonly app: NestExpressApplication,
    private readonly actor = 'independent.chair@example.org',
  ) {}

  private readonly http = () => request(this.app.getHttpServer());

  /** Writes to an existing record send the version read just before (If-Match), as a client does. */
  private async post(path: string, body: Record<string, unknown>, expected = [200, 201]) {
    const res = await sendingCurrentVersion(request(this.app.getHttpServer()).post(path).set('X-Actor', this.actor), this.http, path).send(body);
    if (!expected.includes(res.status)) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  private async put(path: string, body: Record<string, unknown>) {
    const res = await sendingCurrentVersion(request(this.app.getHttpServer()).put(path).set('X-Actor', this.actor), this.http, path).send(body);
    if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Agencies are shared across reviews: reuse one with this name if it exists. */
  async agency(name: string, kind = 'police'): Promise<string> {
    const res = await request(this.app.getHttpServer()).post('/agencies').set('X-Actor', this.actor).send({ name, kind });
    if (res.status === 201) return res.body.id;
    if (res.status === 409 && res.body.id) return res.body.id;
    throw new Error(`POST /agencies: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async appointChair(reviewId: string): Promise<string> {
    const body = await this.post(`/reviews/${reviewId}/appointments`, {
      role: 'chair',
      name: 'Independent Chair',
      organisation: 'Independent Reviews Ltd',
      appointedOn: '2026-02-01',
      independenceStatement: 'I have had no involvement with any agency in this case.',
    });
    return body.id;
  }

  async addPanelMember(reviewId: string, agencyId: string, name = 'Panel Member'): Promise<string> {
    const body = await this.post(`/reviews/${reviewId}/panel-members`, {
      name,
      agencyId,
      role: 'Senior representative',
      joinedOn: '2026-02-02',
      noDirectCaseManagementDeclared: true,
    });
    return body.id;
  }

  async commissionImr(reviewId: string, agencyId: string, dueOn = '2026-03-24'): Promise<string> {
    const body = await this.post(`/reviews/${reviewId}/imrs`, {
      agencyId,
      kind: 'imr',
      authorName: 'IMR Author',
      requestedOn: '2026-02-10',
      dueOn,
    });
    return body.id;
  }

  extendImr(reviewId: string, imrId: string, newDueOn: string, reason: string) {
    return this.post(`/reviews/${reviewId}/imrs/${imrId}/extensions`, { newDueOn, reason, grantedOn: '2026-03-20' });
  }

  receiveImr(reviewId: string, imrId: string, receivedOn = '2026-03-20') {
    return this.post(`/reviews/${reviewId}/imrs/${imrId}/receipt`, { receivedOn });
  }

  /** Schedules a panel meeting; its id. */
  async scheduleMeeting(reviewId: string, startsAt: string): Promise<string> {
    return (await this.post(`/reviews/${reviewId}/meetings`, { startsAt, location: 'Council Offices, Princes Road, Maldon', agenda: 'Consider the IMRs' })).id;
  }

  /** Schedules a meeting in the past and marks it held, having considered these IMRs. */
  async holdMeetingConsidering(reviewId: string, imrIds: string[]): Promise<string> {
    const meeting = await this.post(`/reviews/${reviewId}/meetings`, {
      startsAt: '2026-04-01T10:00:00+01:00',
      location: 'Council Offices, Princes Road, Maldon',
      agenda: 'Consider the IMRs',
    });
    await this.post(`/reviews/${reviewId}/meetings/${meeting.id}/held`, {
      minutes: 'The panel considered the IMRs.',
      decisions: 'Analysis to be drafted.',
      imrIds,
    });
    return meeting.id;
  }

  async uploadDraft(reviewId: string, kind: 'overview_report' | 'executive_summary') {
    const res = await request(this.app.getHttpServer())
      .post(`/reviews/${reviewId}/documents`)
      .set('X-Actor', this.actor)
      .field('kind', kind)
      .field('title', kind === 'overview_report' ? 'Overview report (draft)' : 'Executive summary (draft)')
      .attach('file', fixtures.pdf(kind), { filename: `${kind}.pdf`, contentType: MIME.pdf });
    if (res.status !== 201) throw new Error(`upload ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  async recommendation(reviewId: string, text = 'Agencies should share risk information at MARAC'): Promise<string> {
    const body = await this.post(`/reviews/${reviewId}/recommendations`, { text, level: 'multi_agency', addressee: 'Maldon CSP' });
    await this.post(`/reviews/${reviewId}/recommendations/${body.id}/agree`, {});
    return body.id;
  }

  async action(reviewId: string, recommendationId: string): Promise<string> {
    const body = await this.post(`/reviews/${reviewId}/recommendations/${recommendationId}/actions`, {
      description: 'Update the information sharing protocol',
      owner: 'Essex Police',
      targetDate: '2027-03-31',
    });
    return body.id;
  }

  completeAction(reviewId: string, recommendationId: string, actionId: string) {
    return this.post(`/reviews/${reviewId}/recommendations/${recommendationId}/actions/${actionId}/complete`, {
      completedOn: '2026-11-01',
      evidence: 'Protocol v2 published and briefed to staff',
    });
  }

  familyEngagement(reviewId: string, kind: 'draft_offered' | 'told_of_publication', occurredOn = '2026-05-01') {
    return this.post(`/reviews/${reviewId}/family-engagements`, { kind, occurredOn });
  }

  async criminalProceedings(reviewId: string, status: 'active' | 'concluded'): Promise<string> {
    const body = await this.post(`/reviews/${reviewId}/proceedings`, { type: 'criminal', status, description: 'Murder trial' });
    return body.id;
  }

  concludeProceedings(reviewId: string, proceedingId: string, on: string) {
    return this.post(`/reviews/${reviewId}/proceedings/${proceedingId}/status`, { status: 'concluded', on });
  }

  async confirmAnonymisation(reviewId: string) {
    await this.put(`/reviews/${reviewId}/publication`, {
      pseudonyms: ['Adult A', 'Adult B'],
      redactionLog: 'Names, addresses and dates of birth replaced.',
    });
    return this.post(`/reviews/${reviewId}/publication/anonymisation-confirmation`, { confirmedBy: 'Community Safety Manager' });
  }
}
