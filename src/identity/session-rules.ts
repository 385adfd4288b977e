import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse, serialize } from 'cookie';

/**
 * The pure parts of signed-in sessions: the cookie, the secrets, and when a session is over.
 * Nothing here touches the database or the clock.
 */

export const SESSION_COOKIE = 'dhr_session';

/**
 * `__Host-dhr_session` when Secure: the prefix makes browsers refuse the cookie unless it is
 * Secure, has Path=/ and no Domain, so a sibling subdomain cannot plant or widen it.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/** Set-Cookie for a new session: HttpOnly, SameSite=Lax, Path=/, Secure when configured. */
export function sessionCookieHeader(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return serialize(sessionCookieName(options.secure), value, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: options.secure,
    maxAge: options.maxAgeSeconds,
  });
}

/** Set-Cookie that removes the session cookie (same attributes, expired). */
export function clearedSessionCookieHeader(secure: boolean): string {
  return serialize(sessionCookieName(secure), '', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: 0,
    expires: new Date(0),
  });
}

const SESSION_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The session cookie's value from a Cookie header, if it is there and well formed. */
export function readSessionCookie(cookieHeader: string | undefined, secure: boolean): string | null {
  if (!cookieHeader) return null;
  const value = parse(cookieHeader)[sessionCookieName(secure)];
  return value !== undefined && SESSION_VALUE.test(value) ? value : null;
}

/** 32 random bytes, base64url (43 characters): the cookie value. */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** 32 random bytes, base64url: the session's CSRF token. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison (both sides hashed first, so lengths never leak or throw). */
export function csrfTokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 200) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * A URL without its `_csrf` query parameter: a multipart form carries the session's CSRF token
 * in its action's query string (its body is read only after the check), and the token is a
 * secret of the session, so logs (the access log, request logs) keep the URL without it.
 */
export function withoutCsrfToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split('&');
  // A name is compared as the query parser reads it: `%5Fcsrf` is `_csrf` too.
  const kept = parts.filter((part) => queryName(part.split('=')[0]) !== CSRF_QUERY_NAME);
  if (kept.length === parts.length) return url;
  return kept.length > 0 ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

const CSRF_QUERY_NAME = '_csrf';

/** A query string parameter's name, decoded as the query parser decodes it. */
function queryName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
}

export type SessionState = 'active' | 'ended' | 'expired' | 'idle';

/** Whether a session may still be used at `now`. */
export function sessionState(session: SessionTimes, now: Date, policy: SessionPolicy): SessionState {
  if (session.endedAt) return 'ended';
  if (now.getTime() >= session.expiresAt.getTime()) return 'expired';
  if (now.getTime() - session.lastSeenAt.getTime() >= policy.idleMinutes * 60_000) return 'idle';
  return 'active';
}

/** When a session started at `now` ends at the latest. */
export function sessionExpiry(now: Date, policy: SessionPolicy): Date {
  return new Date(now.getTime() + policy.maxHours * 3_600_000);
}

export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime();
}

/** Methods that change nothing, and so need no CSRF token. */
export function isSafeMethod(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}
