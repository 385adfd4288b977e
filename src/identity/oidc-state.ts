import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { parse, serialize } from 'cookie';

/**
 * The pure parts of signing in through an OpenID Connect provider: what the browser carries
 * between leaving for the provider and coming back (state, nonce, PKCE verifier, where to go
 * next), sealed in a short-lived cookie, and which return addresses are allowed.
 *
 * Why a cookie and not a row: it needs no table, works with several API processes and
 * restarts, and is bound to the browser that started the sign-in (a callback URL opened in
 * another browser has no cookie and is refused). It is encrypted and authenticated
 * (AES-256-GCM): the browser can neither read the nonce and PKCE verifier nor forge or alter
 * the state. The key is derived (HKDF) from OIDC_CLIENT_SECRET, which every API process
 * already has, so no further secret is to be configured. Single use of a code is the
 * provider's job (a replayed code is refused at the token endpoint); the cookie is also
 * cleared on every callback.
 */

export const OIDC_STATE_COOKIE = 'dhr_oidc';
/** How long a sign-in may stay at the provider before it must start again. */
export const OIDC_STATE_MINUTES = 10;

export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Epoch milliseconds after which the cookie is refused, whatever the browser keeps. */
  expiresAt: number;
}

/** `__Host-dhr_oidc` when Secure, like the session cookie (no Domain, Path=/, HTTPS only). */
export function oidcStateCookieName(secure: boolean): string {
  return secure ? `__Host-${OIDC_STATE_COOKIE}` : OIDC_STATE_COOKIE;
}

/** HttpOnly and SameSite=Lax: the provider's redirect back is a top-level GET, which Lax lets through. */
export function oidcStateCookieHeader(value: string, secure: boolean): string {
  return serialize(oidcStateCookieName(secure), value, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: OIDC_STATE_MINUTES * 60,
  });
}

export function clearedOidcStateCookieHeader(secure: boolean): string {
  return serialize(oidcStateCookieName(secure), '', { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: 0, expires: new Date(0) });
}

export function readOidcStateCookie(cookieHeader: string | undefined, secure: boolean): string | null {
  if (!cookieHeader) return null;
  const value = parse(cookieHeader)[oidcStateCookieName(secure)];
  return value !== undefined && /^[A-Za-z0-9_.-]{1,4000}$/.test(value) ? value : null;
}

/**
 * Sign-ins started in several tabs at once each keep their own pending sign-in: the cookie
 * holds up to this many sealed ones, separated by dots (the newest last).
 */
export const MAX_PENDING_SIGN_INS = 4;

/** The sealed pending sign-ins of a cookie value that still open (right key, not altered, not expired). */
export function pendingSignIns(cookieValue: string | null, key: Buffer, now: Date): Array<{ sealed: string; pending: PendingSignIn }> {
  if (!cookieValue) return [];
  return cookieValue
    .split('.')
    .slice(-MAX_PENDING_SIGN_INS)
    .map((sealed) => ({ sealed, pending: openPendingSignIn(sealed, key, now) }))
    .filter((p): p is { sealed: string; pending: PendingSignIn } => p.pending !== null);
}

/** The cookie value with one more pending sign-in (the oldest dropped beyond the maximum). */
export function withPendingSignIn(cookieValue: string | null, sealed: string, key: Buffer, now: Date): string {
  return [...pendingSignIns(cookieValue, key, now).map((p) => p.sealed), sealed].slice(-MAX_PENDING_SIGN_INS).join('.');
}

/** The cookie value without the pending sign-in of this state (and expired ones); null when none is left. */
export function withoutPendingSignIn(cookieValue: string | null, state: string | null, key: Buffer, now: Date): string | null {
  const left = pendingSignIns(cookieValue, key, now).filter((p) => p.pending.state !== state);
  return left.length > 0 ? left.map((p) => p.sealed).join('.') : null;
}

const AAD = Buffer.from('dhr-engine oidc pending sign-in v1');

/** The 256-bit cookie key, derived from the client secret (HKDF-SHA256). */
export function stateCookieKey(clientSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', clientSecret, 'dhr-engine', 'oidc state cookie v1', 32));
}

/** base64url(iv ‖ tag ‖ AES-256-GCM(JSON)). */
export function sealPendingSignIn(pending: PendingSignIn, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The pending sign-in, or null when the value was altered, sealed with another key, malformed or expired. */
export function openPendingSignIn(value: string, key: Buffer, now: Date): PendingSignIn | null {
  const raw = Buffer.from(value, 'base64url');
  if (raw.length < 12 + 16 + 2) return null;
  let json: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(12, 28));
    json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
  let pending: Partial<PendingSignIn>;
  try {
    pending = JSON.parse(json) as Partial<PendingSignIn>;
  } catch {
    return null;
  }
  const strings = [pending.state, pending.nonce, pending.codeVerifier, pending.returnTo];
  if (!strings.every((s) => typeof s === 'string' && s.length > 0) || typeof pending.expiresAt !== 'number') return null;
  if (now.getTime() >= pending.expiresAt) return null;
  return pending as PendingSignIn;
}

/**
 * Where to go after signing in: a path of this service (one `/`, not `//` nor `/\`, which
 * browsers read as another host), or null.
 */
export function localReturnTo(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null;
  // No control characters or spaces (a header injection, or a path a browser would mangle).
  if (/[\u0000-\u0020\u007f]/.test(value)) return null;
  return value;
}
