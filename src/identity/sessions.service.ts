import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { User } from './identity.entities';
import { IdentityError, LAST_SEEN_STEP_MS } from './identity.service';
import { dummyHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords';
import { hashSessionSecret, isLocked, newCsrfToken, newSessionSecret, sessionExpiry, SessionPolicy, sessionState } from './session-rules';
import { UserSession } from './sessions.entity';

/**
 * Why a sign-in was refused, in one message for every reason (unknown email, wrong password,
 * no password, disabled, locked), so the answer never tells whether an account exists. It
 * says how long a lock lasts, so a person locked out knows to wait.
 */
export function signInRefusedMessage(lockMinutes: number): string {
  return `The email address or password is not right, or the account cannot sign in now. After repeated failed attempts an account is locked for ${lockMinutes} minutes: try again later.`;
}

/** Why a sign-in was refused, for the access log only (the caller is told none of it). */
export type SignInRefusal = 'unknown account' | 'no password set' | 'account disabled' | 'account locked' | 'wrong password' | 'wrong password: account now locked';

export class SignInError extends Error {
  constructor(
    message: string,
    /** The real reason, recorded in the access log, never answered. */
    readonly reason?: SignInRefusal,
  ) {
    super(message);
  }
}

/** A password refused by the rules (too short…): the message names the field. */
export class PasswordRejectedError extends IdentityError {}

export interface SignedIn {
  /** The cookie value: shown to the browser once, stored only as SHA-256. */
  sessionToken: string;
  csrfToken: string;
  user: User;
  session: UserSession;
}

export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

/** Passwords, sign-in with lockout, and the sessions a sign-in starts. Time comes from Clock. */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);
  private readonly settings: AppConfig['identity'];

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'identity'>,
  ) {
    this.settings = config.identity;
  }

  get policy(): SessionPolicy {
    return { idleMinutes: this.settings.sessionIdleMinutes, maxHours: this.settings.sessionMaxHours };
  }

  async signIn(email: string, password: string, client: ClientInfo = {}): Promise<SignedIn> {
    const refused = (reason: SignInRefusal) => new SignInError(signInRefusedMessage(this.settings.signInLockMinutes), reason);
    const user = await this.dataSource.manager
      .createQueryBuilder(User, 'u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim().toLowerCase() })
      .getOne();
    // Always one argon2 verification, whatever the outcome, so timing tells nothing either.
    const matches = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    const now = this.clock.now();
    if (!user) throw refused('unknown account');
    if (user.disabledAt) throw refused('account disabled');
    if (!user.passwordHash) throw refused('no password set');
    // A locked account is refused even with the right password; attempts while locked neither
    // count nor extend the lock.
    if (isLocked(user.lockedUntil, now)) throw refused('account locked');
    if (!matches) {
      throw refused((await this.recordFailure(user.id, now)) ? 'wrong password: account now locked' : 'wrong password');
    }
    const rehash = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
    const started = await this.dataSource.transaction(async (tx) => {
      // Only if no lock was set meanwhile (a parallel failing attempt).
      const cleared = await tx
        .createQueryBuilder()
        .update(User)
        .set({ failedSignIns: 0, lockedUntil: null, ...(rehash ? { passwordHash: rehash } : {}) })
        .where('id = :id AND (locked_until IS NULL OR locked_until <= :now)', { id: user.id, now })
        .execute();
      if ((cleared.affected ?? 0) === 0) return null;
      return this.startSession(tx, user.id, client, now);
    });
    if (!started) throw refused('account locked');
    delete user.passwordHash;
    user.failedSignIns = 0;
    user.lockedUntil = null;
    this.logger.log({ userId: user.id, sessionId: started.session.id, method: 'password' }, 'signed in');
    return { ...started, user };
  }

  /**
   * A session for a user whose identity something else has already proved (the organisation's
   * OpenID Connect provider): the same session as a password sign-in, provided the account is
   * still enabled at this moment. It neither reads nor changes the password lockout, which
   * guards passwords only.
   */
  async signInVerified(userId: string, client: ClientInfo = {}, method = 'oidc'): Promise<SignedIn> {
    const now = this.clock.now();
    const started = await this.dataSource.transaction(async (tx) => {
      // The row lock keeps a concurrent disable from slipping in between the check and the insert.
      const user = await tx.findOne(User, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user || user.disabledAt) return null;
      return { user, ...(await this.startSession(tx, user.id, client, now)) };
    });
    if (!started) throw new SignInError('The account does not exist or is disabled');
    this.logger.log({ userId, sessionId: started.session.id, method }, 'signed in');
    return started;
  }

  /** The one place a session is created: new secrets, only the cookie's SHA-256 stored. */
  private async startSession(
    tx: EntityManager,
    userId: string,
    client: ClientInfo,
    now: Date,
  ): Promise<{ sessionToken: string; csrfToken: string; session: UserSession }> {
    const sessionToken = newSessionSecret();
    const csrfToken = newCsrfToken();
    const session = await tx.save(
      tx.create(UserSession, {
        userId,
        tokenHash: hashSessionSecret(sessionToken),
        csrfToken,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: sessionExpiry(now, this.policy),
        endedAt: null,
        ip: client.ip?.slice(0, 64) ?? null,
        userAgent: client.userAgent?.slice(0, 500) ?? null,
      }),
    );
    return { sessionToken, csrfToken, session };
  }

  /** Counts a failure; the one that reaches the limit locks the account and restarts the count (true). */
  private async recordFailure(userId: string, now: Date): Promise<boolean> {
    const max = this.settings.signInMaxFailures;
    const lockedUntil = new Date(now.getTime() + this.settings.signInLockMinutes * 60_000);
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = (await this.dataSource.query(
      `UPDATE "users" SET
         "failed_sign_ins" = CASE WHEN "failed_sign_ins" + 1 >= $2 THEN 0 ELSE "failed_sign_ins" + 1 END,
         "locked_until" = CASE WHEN "failed_sign_ins" + 1 >= $2 THEN $3::timestamptz ELSE "locked_until" END
       WHERE "id" = $1
       RETURNING "locked_until" = $3::timestamptz AS "locked"`,
      [userId, max, lockedUntil],
    )) as [Array<{ locked: boolean }>, number];
    if (rows[0]?.locked) this.logger.warn({ userId, lockedUntil }, `account locked after ${max} failed sign-ins`);
    return rows[0]?.locked === true;
  }

  /** The user and session a cookie value belongs to, if the session may still be used; moves last_seen_at (at most once a minute). */
  async authenticate(cookieValue: string, now: Date): Promise<{ user: User; session: UserSession } | null> {
    // One statement (findOne with a relation asks twice: a DISTINCT for the id, then the row).
    const session = await this.dataSource.manager
      .createQueryBuilder(UserSession, 's')
      .innerJoinAndSelect('s.user', 'user')
      .where('s.token_hash = :hash', { hash: hashSessionSecret(cookieValue) })
      .getOne();
    if (!session || !session.user || session.user.disabledAt) return null;
    if (sessionState(session, now, this.policy) !== 'active') return null;
    // At most once a minute per session, not on every request (issue 16: one UPDATE per request,
    // on the same row for every tab of the session); the idle limit is read to the minute.
    if (now.getTime() - session.lastSeenAt.getTime() >= LAST_SEEN_STEP_MS) {
      await this.dataSource.manager.update(UserSession, { id: session.id, endedAt: IsNull() }, { lastSeenAt: now });
      session.lastSeenAt = now;
    }
    const { user } = session;
    delete session.user;
    return { user, session };
  }

  /** Ends a session (sign-out); false if it was already over. */
  async signOut(sessionId: string, now: Date): Promise<boolean> {
    const result = await this.dataSource.manager.update(UserSession, { id: sessionId, endedAt: IsNull() }, { endedAt: now });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Gives a user a (new) password: checks the rules, stores argon2id, clears any lock, and
   * ends the user's open sessions (a password change signs everyone out).
   */
  async setPassword(userId: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new PasswordRejectedError(`password: ${problem}`);
    const passwordHash = await hashPassword(password);
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      const updated = await tx.update(User, { id: userId }, { passwordHash, failedSignIns: 0, lockedUntil: null });
      if ((updated.affected ?? 0) === 0) throw new IdentityError(`no user with id ${userId}`);
      await tx.update(UserSession, { userId, endedAt: IsNull() }, { endedAt: now });
    });
  }
}
