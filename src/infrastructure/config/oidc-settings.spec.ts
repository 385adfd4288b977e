import { ConfigError, loadConfig } from './load-config';

const ON = { OIDC_ISSUER_URL: 'https://login.microsoftonline.com/tenant-id/v2.0', OIDC_CLIENT_ID: 'client-id', OIDC_CLIENT_SECRET: 'client secret' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('OpenID Connect settings', () => {
  it('are off by default, with scopes, claim and a redirect URL under PUBLIC_BASE_URL', () => {
    expect(loadConfig({}).oidc).toEqual({
      issuerUrl: null,
      clientId: null,
      clientSecret: null,
      redirectUrl: 'http://localhost:3000/auth/oidc/callback',
      scopes: 'openid email profile',
      emailClaim: 'email',
    });
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://dhr.essex.gov.uk/' }).oidc.redirectUrl).toBe('https://dhr.essex.gov.uk/auth/oidc/callback');
  });

  it('take every variable', () => {
    const config = loadConfig({
      ...ON,
      OIDC_REDIRECT_URL: 'https://dhr.example.gov.uk/auth/oidc/callback',
      OIDC_SCOPES: 'openid profile',
      OIDC_EMAIL_CLAIM: 'preferred_username',
    });
    expect(config.oidc).toEqual({
      issuerUrl: ON.OIDC_ISSUER_URL,
      clientId: 'client-id',
      clientSecret: 'client secret',
      redirectUrl: 'https://dhr.example.gov.uk/auth/oidc/callback',
      scopes: 'openid profile',
      emailClaim: 'preferred_username',
    });
  });

  it('need the client id and secret once the issuer is set, naming each one missing', () => {
    expect(problemsOf({ OIDC_ISSUER_URL: ON.OIDC_ISSUER_URL })).toEqual([
      'OIDC_CLIENT_ID: missing; required when OIDC_ISSUER_URL is set',
      'OIDC_CLIENT_SECRET: missing; required when OIDC_ISSUER_URL is set',
    ]);
    expect(problemsOf({ ...ON, OIDC_CLIENT_SECRET: '' })).toEqual(['OIDC_CLIENT_SECRET: missing; required when OIDC_ISSUER_URL is set']);
    // Without the issuer, a lone client id is harmless.
    expect(problemsOf({ OIDC_CLIENT_ID: 'x' })).toEqual([]);
  });

  it('refuse an http issuer in production, scopes without openid, and never echo the secret', () => {
    expect(problemsOf({ ...ON, APP_ENV: 'production', OIDC_ISSUER_URL: 'http://idp.example/' })).toEqual([
      'OIDC_ISSUER_URL: must be an https:// URL when APP_ENV=production',
    ]);
    expect(problemsOf({ ...ON, OIDC_SCOPES: 'email profile' })).toEqual([expect.stringMatching(/^OIDC_SCOPES: expected space-separated scopes including openid \(must include openid\)/)]);
    expect(problemsOf({ ...ON, OIDC_ISSUER_URL: 'login.microsoftonline.com' })[0]).toMatch(/^OIDC_ISSUER_URL: expected an http\(s\) URL/);
    const tooLong = 'x'.repeat(2001);
    const [problem] = problemsOf({ ...ON, OIDC_CLIENT_SECRET: tooLong });
    expect(problem).toBe('OIDC_CLIENT_SECRET: expected the client secret issued by the provider (String must contain at most 2000 character(s)); got a value of 2001 characters');
  });
});
