import { HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATIC_PREFIXES } from './web-assets';
import { layoutContext, WebRequest, webEnvironment } from './web-views';

/** Paths the JSON API owns: errors there stay JSON whatever the client accepts. */
export const API_PREFIXES = ['/reviews', '/csps', '/agencies', '/deadlines', '/me', '/auth', '/health', '/api', '/notification-preferences', '/reports'] as const;

/** Paths of the web pages. */
export const PAGE_PREFIXES = ['/cases', '/sign-in', '/sign-out', '/my-work', '/admin', '/committee-report', '/oversight', '/register'] as const;

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export function isPagePath(path: string): boolean {
  return path === '/' || PAGE_PREFIXES.some((p) => under(path, p));
}

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => under(path, p)) || STATIC_PREFIXES.some((p) => path.startsWith(p));
}

/**
 * Whether an error should be answered with an HTML page: the request was for a page, or it
 * asked for HTML (a browser) at a path that is not the API's. API clients keep their JSON.
 */
export function wantsHtml(req: Request): boolean {
  if (isPagePath(req.path)) return true;
  if (isApiPath(req.path)) return false;
  return req.accepts(['json', 'html']) === 'html';
}

function messageOf(exception: unknown): string | null {
  if (!(exception instanceof HttpException)) return null;
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  return typeof message === 'string' ? message : null;
}

/**
 * The HTML answer to an error on a page: GOV.UK's "Page not found", "You do not have
 * access", "Sorry, there is a problem with the service" patterns; a missing sign-in sends the
 * browser to the sign-in page and back afterwards.
 */
export function renderErrorPage(req: Request, res: Response, status: number, exception: unknown): void {
  if (status === HttpStatus.UNAUTHORIZED) {
    const back = req.method === 'GET' && isPagePath(req.path) ? `?returnTo=${encodeURIComponent(req.originalUrl)}` : '';
    res.redirect(303, `/sign-in${back}`);
    return;
  }
  const template =
    status === HttpStatus.NOT_FOUND
      ? 'pages/errors/not-found.njk'
      : status === HttpStatus.FORBIDDEN
        ? 'pages/errors/forbidden.njk'
        : status >= 500
          ? 'pages/errors/server-error.njk'
          : 'pages/errors/problem.njk';
  const html = webEnvironment().render(template, {
    ...layoutContext(req as WebRequest, res),
    status,
    message: status >= 500 ? null : messageOf(exception),
    requestId: (req as WebRequest).id ?? null,
  });
  res.status(status).type('html').setHeader('Cache-Control', 'no-store');
  res.send(html);
}

export const webErrorPages = { wantsHtml, render: renderErrorPage };
