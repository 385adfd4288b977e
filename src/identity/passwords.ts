import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';

/** Length rules only (NCSC guidance: no composition rules); counted in characters, not bytes. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

/**
 * argon2id with RFC 9106's second recommended setting (64 MiB, 3 passes, 4 lanes): about
 * 0.1 s per hash on a 2-core server. Hashes made with other settings still verify, and are
 * replaced with these at the next successful sign-in.
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 65536, timeCost: 3, parallelism: 4 } as const;

/** Why a new password is not acceptable, or null. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.trim() === '') return 'must not be only spaces';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password and for a malformed hash (never throws for either). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export function needsRehash(hash: string): boolean {
  try {
    const { memoryCost, timeCost, parallelism } = ARGON2_OPTIONS;
    return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, { memoryCost, timeCost, parallelism });
  } catch {
    return true;
  }
}

/** A password for a person to type once and then change: 24 characters, 144 bits. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password, made once per process with the same settings: sign-in verifies
 * against it when the email is unknown (or the user has no password), so the time taken does
 * not tell whether an account exists.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
