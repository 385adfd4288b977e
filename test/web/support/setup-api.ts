import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { IdentityService } from '../../../src/identity/identity.service';
import { SessionService } from '../../../src/identity/sessions.service';
import type { UserRole } from '../../../src/identity/identity.entities';
import { sendingCurrentVersion } from '../../support/if-match';
import { startTestApp, TestClock } from '../../support/test-app';

/**
 * The data a browser journey starts from, made through the JSON API as the named person (the
 * trusted X-Actor header, on in the test configuration only): everything a journey itself
 * does goes through the pages, signed in.
 */
export function setupApi(app: NestExpressApplication) {
  const http = () => request(app.getHttpServer());
  async function call(method: 'get' | 'post' | 'put', path: string, actor: string, body?: Record<string, unknown>) {
    const req = method === 'get' ? http().get(path).set('X-Actor', actor) : sendingCurrentVersion(http()[method](path).set('X-Actor', actor), http, path);
    const res = body ? await req.send(body) : await req;
    if (res.status >= 300) throw new Error(`${method.toUpperCase()} ${path} as ${actor}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  return {
    get: (path: string, actor: string) => call('get', path, actor),
    post: (path: string, actor: string, body: Record<string, unknown> = {}) => call('post', path, actor, body),
    put: (path: string, actor: string, body: Record<string, unknown>) => call('put', path, actor, body),
    event: (reviewId: string, actor: string, body: Record<string, unknown>) => call('post', `/reviews/${reviewId}/events`, actor, body),
    async upload(reviewId: string, actor: string, kind: string, title: string, content: Buffer, filename: string) {
      const res = await http()
        .post(`/reviews/${reviewId}/documents`)
        .set('X-Actor', actor)
        .field('kind', kind)
        .field('title', title)
        .attach('file', content, { filename, contentType: 'application/pdf' });
      if (res.status !== 201) throw new Error(`upload ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string };
    },
    /** Agencies by name (created as the administrator): their ids, by name. */
    async agencies(list: ReadonlyArray<readonly [name: string, kind: string]>): Promise<Record<string, string>> {
      const ids: Record<string, string> = {};
      for (const [name, kind] of list) ids[name] = (await call('post', '/agencies', 'administrator', { name, kind })).id;
      return ids;
    },
    /** A person who signs in with a password (IdentityService, then SessionService.setPassword). */
    async user(email: string, displayName: string, password: string, role?: UserRole, cspCode?: string) {
      const user = await app.get(IdentityService).addUser({ email, displayName, role, cspCode });
      await app.get(SessionService).setPassword(user.id, password);
      return user;
    },
  };
}

/**
 * The real application listening on an ephemeral local port, for a browser: nobody is named by
 * default (every browser request identifies itself with its session), with the set-up API.
 */
export async function startListeningApp(clock: TestClock) {
  const ctx = await startTestApp({ clock, defaultActor: null });
  await ctx.api.listen(0, '127.0.0.1');
  const address = ctx.api.getHttpServer().address() as { port: number };
  return { ctx, baseURL: `http://127.0.0.1:${address.port}`, api: setupApi(ctx.api) };
}
