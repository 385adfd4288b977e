import { SMTP_TIMEOUTS } from './mail/mailer';
import { CLAIM_LEASE_MS } from './notification-ledger';

describe('a send claim\'s lease', () => {
  it('outlasts the longest SMTP conversation the mailer\'s timeouts allow, so a live conversation is never taken over', () => {
    const longest = SMTP_TIMEOUTS.connectionTimeout + SMTP_TIMEOUTS.greetingTimeout + SMTP_TIMEOUTS.socketTimeout;
    expect(CLAIM_LEASE_MS).toBeGreaterThan(longest);
  });
});
