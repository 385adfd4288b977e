import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ACTIONS } from '../access/actions';
import { isPagePath } from './web-errors';
import { WEB_ROUTE_ACTIONS } from './web-route-actions';
import { WEB_CONTROLLERS } from './web.module';

/** `METHOD /path` of every handler of the page controllers, as Express registers them. */
function pageRoutes(): string[] {
  const routes: string[] = [];
  for (const controller of WEB_CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as unknown as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (method === undefined || path === undefined) continue;
      const joined = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
      routes.push(`${RequestMethod[method]} ${joined === '/' ? '/' : joined.replace(/\/$/, '')}`);
    }
  }
  return routes;
}

describe('WEB_ROUTE_ACTIONS', () => {
  it('maps every page route, and only those', () => {
    expect(Object.keys(WEB_ROUTE_ACTIONS).sort()).toEqual(pageRoutes().sort());
  });

  it('takes actions the policy knows, on page paths, with the API’s parameter names', () => {
    for (const [route, action] of Object.entries(WEB_ROUTE_ACTIONS)) {
      expect(ACTIONS).toContain(action);
      const path = route.split(' ')[1];
      expect(isPagePath(path)).toBe(true);
      for (const param of path.match(/:\w+/g) ?? []) {
        expect(['reviewId', 'imrId', 'meetingId', 'memberId', 'documentId', 'recommendationId', 'actionId', 'userId', 'grantId', 'responseId', 'proceedingId', 'round', 'changeId', 'token']).toContain(param.slice(1));
      }
    }
  });
});
