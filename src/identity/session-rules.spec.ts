import { createHash } from 'node:crypto';
import {
  clearedSessionCookieHeader,
  csrfTokenMatches,
  hashSessionSecret,
  isLocked,
  isSafeMethod,
  newCsrfToken,
  newSessionSecret,
  readSessionCookie,
  sessionCookieHeader,
  sessionCookieName,
  sessionExpiry,
  sessionState,
  withoutCsrfToken,
} from './session-rules';

const policy = { idleMinutes: 30, maxHours: 12 };
const t = (iso: string) => new Date(`2026-03-02T${iso}Z`);

describe('session cookie', () => {
  it('is dhr_session, or __Host-dhr_session when Secure', () => {
    expect(sessionCookieName(false)).toBe('dhr_session');
    expect(sessionCookieName(true)).toBe('__Host-dhr_session');
  });

  it('is HttpOnly, SameSite=Lax, Path=/ and lasts the session, Secure only when asked', () => {
    const value = newSessionSecret();
    expect(sessionCookieHeader(value, { secure: false, maxAgeSeconds: 43200 })).toBe(
      `dhr_session=${value}; Max-Age=43200; Path=/; HttpOnly; SameSite=Lax`,
    );
    expect(sessionCookieHeader(value, { secure: true, maxAgeSeconds: 60 })).toBe(
      `__Host-dhr_session=${value}; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it('is cleared with the same attributes and no value', () => {
    expect(clearedSessionCookieHeader(false)).toBe('dhr_session=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax');
    expect(clearedSessionCookieHeader(true)).toMatch(/^__Host-dhr_session=; .*; Secure; SameSite=Lax$/);
  });

  it('is read only under the configured name, and only when well formed', () => {
    const value = newSessionSecret();
    expect(readSessionCookie(`theme=dark; dhr_session=${value}`, false)).toBe(value);
    expect(readSessionCookie(`dhr_session=${value}`, true)).toBeNull();
    expect(readSessionCookie(`__Host-dhr_session=${value}`, true)).toBe(value);
    expect(readSessionCookie('dhr_session=short', false)).toBeNull();
    expect(readSessionCookie(undefined, false)).toBeNull();
    expect(readSessionCookie('', false)).toBeNull();
  });
});

describe('session secrets', () => {
  it('are 43 base64url characters (32 random bytes), different every time', () => {
    const a = newSessionSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSessionSecret()).not.toBe(a);
    expect(newCsrfToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('are stored as SHA-256 hex', () => {
    expect(hashSessionSecret('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(hashSessionSecret('abc')).toHaveLength(64);
  });

  it('compare CSRF tokens exactly, refusing anything else without throwing', () => {
    const token = newCsrfToken();
    expect(csrfTokenMatches(token, token)).toBe(true);
    expect(csrfTokenMatches(token, `${token}x`)).toBe(false);
    expect(csrfTokenMatches(token, token.slice(1))).toBe(false);
    expect(csrfTokenMatches(token, '')).toBe(false);
    expect(csrfTokenMatches(token, undefined)).toBe(false);
    expect(csrfTokenMatches(token, [token])).toBe(false);
    expect(csrfTokenMatches(token, 'x'.repeat(10_000))).toBe(false);
  });
});

describe('sessionState', () => {
  const session = { createdAt: t('09:00:00'), lastSeenAt: t('09:00:00'), expiresAt: sessionExpiry(t('09:00:00'), policy), endedAt: null };

  it('ends 12 hours after sign-in', () => {
    expect(session.expiresAt).toEqual(t('21:00:00'));
    const busy = { ...session, lastSeenAt: t('20:59:00') };
    expect(sessionState(busy, t('20:59:59'), policy)).toBe('active');
    expect(sessionState(busy, t('21:00:00'), policy)).toBe('expired');
  });

  it('ends after 30 minutes without a request', () => {
    expect(sessionState(session, t('09:29:59'), policy)).toBe('active');
    expect(sessionState(session, t('09:30:00'), policy)).toBe('idle');
    expect(sessionState({ ...session, lastSeenAt: t('09:20:00') }, t('09:45:00'), policy)).toBe('active');
  });

  it('is over once signed out, whatever the time', () => {
    expect(sessionState({ ...session, endedAt: t('09:05:00') }, t('09:06:00'), policy)).toBe('ended');
  });
});

describe('isLocked and isSafeMethod', () => {
  it('locks until the time given, not after', () => {
    expect(isLocked(null, t('09:00:00'))).toBe(false);
    expect(isLocked(t('09:15:00'), t('09:14:59'))).toBe(true);
    expect(isLocked(t('09:15:00'), t('09:15:00'))).toBe(false);
  });

  it('treats GET, HEAD and OPTIONS as reads', () => {
    expect(['GET', 'head', 'OPTIONS'].map(isSafeMethod)).toEqual([true, true, true]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isSafeMethod)).toEqual([false, false, false, false]);
  });
});

describe('withoutCsrfToken', () => {
  it('drops the _csrf parameter of a URL and keeps the rest as it is', () => {
    expect(withoutCsrfToken('/cases/1/documents?_csrf=abc')).toBe('/cases/1/documents');
    expect(withoutCsrfToken('/cases/1/documents?a=1&_csrf=abc&b=2')).toBe('/cases/1/documents?a=1&b=2');
    expect(withoutCsrfToken('/cases/1/documents?_csrf=abc&_csrf=def')).toBe('/cases/1/documents');
    expect(withoutCsrfToken('/cases/1/people?include=realNames')).toBe('/cases/1/people?include=realNames');
    expect(withoutCsrfToken('/cases/1/people?x_csrf=1')).toBe('/cases/1/people?x_csrf=1');
    expect(withoutCsrfToken('/cases/1')).toBe('/cases/1');
  });

  it('drops it however its name is encoded, as the query parser would read it', () => {
    expect(withoutCsrfToken('/cases/1/documents?%5Fcsrf=abc')).toBe('/cases/1/documents');
    expect(withoutCsrfToken('/cases/1/documents?a=1&%5fcsrf=abc')).toBe('/cases/1/documents?a=1');
    expect(withoutCsrfToken('/cases/1/documents?_%63%73rf=abc&b=2')).toBe('/cases/1/documents?b=2');
    // A name that does not decode is kept as it is, and is not the token's.
    expect(withoutCsrfToken('/cases/1/documents?%E0%A4%A=1&_csrf=abc')).toBe('/cases/1/documents?%E0%A4%A=1');
  });
});
