import { ConfigError, loadConfig } from './load-config';

describe('identity settings', () => {
  it('default to no X-Actor, 30-minute idle and 12-hour sessions, lock after 5 failures for 15 minutes, 10 sign-ins a minute', () => {
    expect(loadConfig({}).identity).toEqual({
      trustActorHeader: false,
      sessionCookieSecure: false,
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      sessionRetentionDays: 90,
      apiTokenLifetimeDays: 90,
      invitationLifetimeDays: 14,
      signInMaxFailures: 5,
      signInLockMinutes: 15,
      signInRateLimitPerMinute: 10,
      adminEmail: null,
      adminPassword: null,
    });
  });

  it('make the session cookie Secure by default in production only, unless SESSION_COOKIE_SECURE says', () => {
    expect(loadConfig({ APP_ENV: 'production' }).identity.sessionCookieSecure).toBe(true);
    expect(loadConfig({ APP_ENV: 'test' }).identity.sessionCookieSecure).toBe(false);
    expect(loadConfig({ APP_ENV: 'local', SESSION_COOKIE_SECURE: 'true' }).identity.sessionCookieSecure).toBe(true);
    expect(loadConfig({ APP_ENV: 'production', SESSION_COOKIE_SECURE: 'false' }).identity.sessionCookieSecure).toBe(false);
  });

  it('let TRUST_ACTOR_HEADER be turned on outside production', () => {
    expect(loadConfig({ APP_ENV: 'test', TRUST_ACTOR_HEADER: 'true' }).identity.trustActorHeader).toBe(true);
    expect(loadConfig({ APP_ENV: 'local', TRUST_ACTOR_HEADER: 'yes' }).identity.trustActorHeader).toBe(true);
  });

  it('refuse TRUST_ACTOR_HEADER=true with APP_ENV=production, saying why', () => {
    expect(() => loadConfig({ APP_ENV: 'production', TRUST_ACTOR_HEADER: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ APP_ENV: 'production', TRUST_ACTOR_HEADER: 'true' })).toThrow(
      /TRUST_ACTOR_HEADER: must not be true when APP_ENV=production \(X-Actor lets any caller name themself/,
    );
    expect(loadConfig({ APP_ENV: 'production', TRUST_ACTOR_HEADER: 'false' }).identity.trustActorHeader).toBe(false);
  });

  it.each([
    ['SIGN_IN_MAX_FAILURES', '0', /SIGN_IN_MAX_FAILURES: expected an integer from 1 to 100/],
    ['SIGN_IN_LOCK_MINUTES', 'ten', /SIGN_IN_LOCK_MINUTES: expected an integer number of minutes/],
    ['SIGN_IN_RATE_LIMIT_PER_MINUTE', '-1', /SIGN_IN_RATE_LIMIT_PER_MINUTE: expected an integer/],
    ['SESSION_IDLE_MINUTES', '0', /SESSION_IDLE_MINUTES: expected an integer number of minutes/],
    ['SESSION_MAX_HOURS', '1000', /SESSION_MAX_HOURS: expected an integer number of hours from 1 to 720/],
    ['SESSION_COOKIE_SECURE', 'maybe', /SESSION_COOKIE_SECURE: expected true or false/],
    ['TRUST_ACTOR_HEADER', 'sometimes', /TRUST_ACTOR_HEADER: expected true or false/],
    ['ADMIN_EMAIL', 'admin', /ADMIN_EMAIL: expected an email address/],
  ])('refuse %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('take ADMIN_EMAIL and ADMIN_PASSWORD, and never echo a bad password', () => {
    const config = loadConfig({ ADMIN_EMAIL: 'chief@essex.gov.uk', ADMIN_PASSWORD: 'a long enough secret' });
    expect(config.identity.adminEmail).toBe('chief@essex.gov.uk');
    expect(config.identity.adminPassword).toBe('a long enough secret');
    try {
      loadConfig({ ADMIN_PASSWORD: 'hunter2' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('ADMIN_PASSWORD: expected a password of 12 to 1024 characters (must be at least 12 characters); got a value of 7 characters');
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
