import { randomFillSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { projectRoot } from '../infrastructure/config/project-root';

/** govuk-frontend's compiled files (templates, CSS, JS, fonts, images). */
export const GOVUK_FRONTEND_DIST = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/** The web pages' own templates and static files (kept as source files, not compiled). */
export const WEB_VIEWS_DIR = join(projectRoot(), 'src', 'web', 'views');
export const WEB_STATIC_DIR = join(projectRoot(), 'src', 'web', 'static');

/**
 * URL prefixes of the static files the pages use. govuk-frontend's CSS expects its fonts and
 * images under /assets; none of these clash with the API's paths.
 */
export const STATIC_PREFIXES = ['/assets/', '/stylesheets/', '/javascripts/', '/static/'] as const;

/**
 * A fresh nonce per response, for the one inline script govuk-frontend's page template has
 * (it adds `js-enabled` to <body> before anything renders). The CSP's script-src names it, so
 * that script runs and no other inline script does.
 */
export function cspNonce(_req: Request, res: Response, next: NextFunction): void {
  res.locals.cspNonce = nextNonce();
  next();
}

/**
 * 128 random bits, never handed out twice: taken in turn from a buffer filled from the CSPRNG
 * 256 nonces at a time (as Node's own randomUUID does). A `randomBytes(16)` of its own for every
 * response was 3-6% of the API's CPU on a request (issue 16: a CPU profile of reads and of
 * GET /health).
 */
const NONCE_BYTES = 16;
const nonces = Buffer.alloc(NONCE_BYTES * 256);
let nonceAt = nonces.length;
export function nextNonce(): string {
  if (nonceAt === nonces.length) {
    randomFillSync(nonces);
    nonceAt = 0;
  }
  const nonce = nonces.toString('base64', nonceAt, nonceAt + NONCE_BYTES);
  nonceAt += NONCE_BYTES;
  return nonce;
}

/** The script-src source for the response's nonce (helmet calls it per response). */
export function cspNonceSource(_req: unknown, res: unknown): string {
  return `'nonce-${(res as Response).locals.cspNonce as string}'`;
}

/** Serves govuk-frontend's CSS, JS, fonts and images, and the pages' own static files. */
export function registerWebAssets(app: NestExpressApplication): void {
  const govuk = join(GOVUK_FRONTEND_DIST, 'govuk');
  const options = { index: false, redirect: false, maxAge: '1h', fallthrough: true } as const;
  app.useStaticAssets(join(govuk, 'assets'), { ...options, prefix: '/assets/' });
  app.useStaticAssets(WEB_STATIC_DIR, { ...options, prefix: '/static/' });
  // Only the two built files of the package's folder (it also holds templates and Sass).
  const files: Record<string, string> = {
    '/stylesheets/govuk-frontend.min.css': join(govuk, 'govuk-frontend.min.css'),
    '/javascripts/govuk-frontend.min.js': join(govuk, 'govuk-frontend.min.js'),
  };
  app.use((req: Request, res: Response, next: NextFunction) => {
    const file = files[req.path];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    res.sendFile(file, { maxAge: '1h' }, (error) => error && next(error));
  });
}
