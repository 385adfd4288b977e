import { nextNonce } from './web-assets';

describe('the CSP nonce of each response', () => {
  it('is 16 bytes in base64, and none repeats across the pool being filled again', () => {
    // 1,000 nonces cross the 256-nonce buffer's refill three times.
    const nonces = Array.from({ length: 1000 }, () => nextNonce());
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    }
    // Distinct: each is taken once, and a refill draws fresh bytes, not the same ones again.
    expect(new Set(nonces).size).toBe(nonces.length);
  });
});
