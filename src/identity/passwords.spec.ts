import * as argon2 from 'argon2';
import { dummyHash, generatePassword, hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords';

describe('passwords', () => {
  it('need 12 to 1024 characters, counted as characters, and not only spaces', () => {
    expect(passwordProblem('correct horse')).toBeNull();
    expect(passwordProblem('elevenchars')).toBe('must be at least 12 characters');
    // Eleven characters, but more than twelve UTF-16 code units.
    expect(passwordProblem('🐴🐴🐴🐴🐴🐴🐴🐴🐴🐴🐴')).toBe('must be at least 12 characters');
    expect(passwordProblem('x'.repeat(1025))).toBe('must be at most 1024 characters');
    expect(passwordProblem(' '.repeat(12))).toBe('must not be only spaces');
  });

  it('are hashed with argon2id, 64 MiB, 3 passes, 4 lanes, and a random salt', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$/);
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('treat a malformed hash as a wrong password', async () => {
    expect(await verifyPassword('not a hash', 'anything at all')).toBe(false);
  });

  it('ask for a new hash when the settings were weaker or not argon2id', async () => {
    const weak = await argon2.hash('correct horse battery', { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(needsRehash(weak)).toBe(true);
    const argon2i = await argon2.hash('correct horse battery', { type: argon2.argon2i, memoryCost: 65536, timeCost: 3, parallelism: 4 });
    expect(needsRehash(argon2i)).toBe(true);
  });

  it('generates 24-character passwords that pass the rules', () => {
    const password = generatePassword();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(passwordProblem(password)).toBeNull();
    expect(generatePassword()).not.toBe(password);
  });

  it('keeps one dummy hash per process for unknown users', async () => {
    const dummy = await dummyHash();
    expect(dummy).toMatch(/^\$argon2id\$/);
    expect(await dummyHash()).toBe(dummy);
  });
});
