import request from 'supertest';
import { sendingCurrentVersion } from './if-match';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Small helpers to drive the reviews API as a client would. */
export function reviewApi(app: NestExpressApplication, defaultActor = 'csp.lead@maldon.gov.uk') {
  const http = () => request(app.getHttpServer());
  return {
    http,
    /**
     * Like http(), but a write to an existing case-file record first reads the record and sends
     * its version as If-Match (as a client that has just read it does; without one it is a 428).
     */
    versioned() {
      return {
        post: (path: string) => sendingCurrentVersion(http().post(path), http, path),
        patch: (path: string) => sendingCurrentVersion(http().patch(path), http, path),
        put: (path: string) => sendingCurrentVersion(http().put(path), http, path),
      };
    },
    async createCsp(code = `CSP${Math.floor(Math.random() * 1e6)}`) {
      const res = await http()
        .post('/csps')
        .set('X-Actor', 'admin')
        .send({ code, name: `${code} Community Safety Partnership` })
        .expect(201);
      return res.body as { id: string; code: string };
    },
    async openReview(cspId: string, overrides: Record<string, unknown> = {}) {
      const res = await http()
        .post('/reviews')
        .set('X-Actor', defaultActor)
        .send({
          cspId,
          dateOfDeath: '2026-01-10',
          notifiedOn: '2026-01-14',
          policeForce: 'Essex Police',
          policeReference: 'ESX/2026/0042',
          circumstances: 'Death at home; partner arrested on suspicion of murder.',
          ...overrides,
        });
      if (res.status !== 201) throw new Error(`open review: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; reference: string; status: string; version: number };
    },
    event(reviewId: string, body: Record<string, unknown>, actor = defaultActor) {
      return http().post(`/reviews/${reviewId}/events`).set('X-Actor', actor).send(body);
    },
    /** Sends an event that must be accepted; returns the review afterwards. */
    async accept(reviewId: string, body: Record<string, unknown>, actor = defaultActor) {
      const res = await http().post(`/reviews/${reviewId}/events`).set('X-Actor', actor).send(body);
      if (res.status !== 200) {
        throw new Error(`${String(body.type)} refused: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return res.body;
    },
    async get(reviewId: string) {
      return (await http().get(`/reviews/${reviewId}`).expect(200)).body;
    },
    async history(reviewId: string) {
      return (await http().get(`/reviews/${reviewId}/history`).expect(200)).body as Array<{
        sequence: number;
        type: string;
        actor: string;
        fromStatus: string | null;
        toStatus: string;
        toOnHold: boolean;
      }>;
    },
  };
}
