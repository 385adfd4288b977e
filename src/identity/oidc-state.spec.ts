import {
  clearedOidcStateCookieHeader,
  MAX_PENDING_SIGN_INS,
  pendingSignIns,
  withoutPendingSignIn,
  withPendingSignIn,
  localReturnTo,
  oidcStateCookieHeader,
  openPendingSignIn,
  PendingSignIn,
  readOidcStateCookie,
  sealPendingSignIn,
  stateCookieKey,
} from './oidc-state';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const pending: PendingSignIn = {
  state: 'state-value',
  nonce: 'nonce-value',
  codeVerifier: 'verifier-value',
  returnTo: '/cases/1',
  expiresAt: NOW.getTime() + 600_000,
};

describe('the pending sign-in cookie', () => {
  const key = stateCookieKey('client secret');

  it('opens what it sealed, until it expires', () => {
    const sealed = sealPendingSignIn(pending, key);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openPendingSignIn(sealed, key, NOW)).toEqual(pending);
    expect(openPendingSignIn(sealed, key, new Date(pending.expiresAt - 1))).toEqual(pending);
    expect(openPendingSignIn(sealed, key, new Date(pending.expiresAt))).toBeNull();
  });

  it('hides what it holds, and a fresh IV makes every seal different', () => {
    const a = sealPendingSignIn(pending, key);
    const decoded = Buffer.from(a, 'base64url').toString('latin1');
    for (const secret of ['state-value', 'nonce-value', 'verifier-value', '/cases/1']) expect(decoded).not.toContain(secret);
    expect(sealPendingSignIn(pending, key)).not.toBe(a);
  });

  it('refuses an altered value, another key, or rubbish', () => {
    const sealed = Buffer.from(sealPendingSignIn(pending, key), 'base64url');
    for (let i = 0; i < sealed.length; i += 7) {
      const altered = Buffer.from(sealed);
      altered[i] ^= 1;
      expect(openPendingSignIn(altered.toString('base64url'), key, NOW)).toBeNull();
    }
    expect(openPendingSignIn(sealed.toString('base64url'), stateCookieKey('another secret'), NOW)).toBeNull();
    expect(openPendingSignIn('', key, NOW)).toBeNull();
    expect(openPendingSignIn('abc', key, NOW)).toBeNull();
  });

  it('is HttpOnly, SameSite=Lax, 10 minutes; __Host- when Secure', () => {
    expect(oidcStateCookieHeader('v', false)).toBe('dhr_oidc=v; Max-Age=600; Path=/; HttpOnly; SameSite=Lax');
    expect(oidcStateCookieHeader('v', true)).toBe('__Host-dhr_oidc=v; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(clearedOidcStateCookieHeader(true)).toMatch(/^__Host-dhr_oidc=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/);
    expect(readOidcStateCookie('a=b; dhr_oidc=abc_-1', false)).toBe('abc_-1');
    expect(readOidcStateCookie('dhr_oidc=abc', true)).toBeNull();
    expect(readOidcStateCookie('dhr_oidc=a%20b', false)).toBeNull();
    expect(readOidcStateCookie(undefined, false)).toBeNull();
  });
});

describe('localReturnTo', () => {
  it.each(['/my-work', '/cases/1?tab=imrs#top', '/'])('keeps the local path %s', (path) => {
    expect(localReturnTo(path)).toBe(path);
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'evil', '', '/a b', '/a\r\nSet-Cookie: x', 42, null, `/${'a'.repeat(2000)}`])(
    'refuses %p',
    (value) => {
      expect(localReturnTo(value)).toBeNull();
    },
  );
});

describe('several pending sign-ins (tabs)', () => {
  const key = stateCookieKey('client secret');

  it('keeps several pending sign-ins apart in one cookie, the newest last, and drops used, expired and altered ones', () => {
    const one = { ...pending, state: 'state-one', expiresAt: NOW.getTime() + 60_000 };
    const two = { ...pending, state: 'state-two', expiresAt: NOW.getTime() + 120_000 };
    let value = withPendingSignIn(null, sealPendingSignIn(one, key), key, NOW);
    value = withPendingSignIn(value, sealPendingSignIn(two, key), key, NOW);
    expect(pendingSignIns(value, key, NOW).map((p) => p.pending.state)).toEqual(['state-one', 'state-two']);
    expect(readOidcStateCookie(`dhr_oidc=${value}`, false)).toBe(value);

    const afterOne = withoutPendingSignIn(value, 'state-one', key, NOW);
    expect(pendingSignIns(afterOne, key, NOW).map((p) => p.pending.state)).toEqual(['state-two']);
    expect(withoutPendingSignIn(afterOne, 'state-two', key, NOW)).toBeNull();
    // One minute on, the first has expired: only the second is left.
    expect(pendingSignIns(value, key, new Date(NOW.getTime() + 60_000)).map((p) => p.pending.state)).toEqual(['state-two']);
    // An altered part is dropped, the others kept.
    const [a, b] = value.split('.');
    expect(pendingSignIns(`${a.slice(0, -2)}xx.${b}`, key, NOW).map((p) => p.pending.state)).toEqual(['state-two']);

    // At most MAX_PENDING_SIGN_INS: the oldest go first.
    let many: string | null = null;
    for (let i = 0; i < MAX_PENDING_SIGN_INS + 2; i++) many = withPendingSignIn(many, sealPendingSignIn({ ...pending, state: `s${i}` }, key), key, NOW);
    expect(pendingSignIns(many, key, NOW).map((p) => p.pending.state)).toEqual(
      Array.from({ length: MAX_PENDING_SIGN_INS }, (_, i) => `s${i + 2}`),
    );
  });
});
