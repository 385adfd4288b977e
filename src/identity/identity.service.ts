import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Csp } from '../csps/csp.entity';
import { entityFromRow, selectListOf } from '../infrastructure/database/entity-rows';
import { ApiToken, User, UserRole, UserRoleChange, UserRoleGrant } from './identity.entities';

/** How far a session's or a token's last use moves before it is written again (not on every request). */
export const LAST_SEEN_STEP_MS = 60_000;

export const TOKEN_PREFIX = 'dhr_';

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class IdentityError extends Error {}

/** The default API_TOKEN_LIFETIME_DAYS. */
export const DEFAULT_TOKEN_LIFETIME_DAYS = 90;

/** A bearer token that was known but is past its expiry. */
export interface ExpiredToken {
  expired: true;
  expiresAt: Date;
}

/** Who changes a role and why (recorded in user_role_changes). */
export interface RoleChangeBy {
  /** The administrator's email, or `command line (<login>)`. */
  changedBy: string;
  changedByUserId?: string | null;
  reason: string;
  /** When (the caller's clock); now by default. */
  at?: Date;
}

/** Recorded for a grant made by code that gives no reason (test and demo set-up). */
export const UNSTATED_CHANGE: RoleChangeBy = { changedBy: 'application', reason: 'given by the application without a stated reason' };

/** Roles that reach case content (their holder reads reviews); nobody may give one to themself. */
export const CASE_USER_ROLES: readonly UserRole[] = ['csp_lead', 'rag_member'];

/** Users, roles and API tokens. Tokens are stored only as SHA-256 and shown once. */
@Injectable()
export class IdentityService {
  private readonly tokenSql = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  async addUser(
    input: { email: string; displayName: string; role?: UserRole; cspCode?: string; change?: RoleChangeBy },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<User> {
    return manager.transaction(async (tx) => {
      const email = input.email.trim().toLowerCase();
      let user = await tx.findOne(User, { where: { email } });
      if (!user) user = await tx.save(tx.create(User, { email, displayName: input.displayName, disabledAt: null }));
      if (input.role) {
        let cspId: string | null = null;
        if (input.role !== 'administrator') {
          if (!input.cspCode) throw new IdentityError(`--csp is required for the role ${input.role}`);
          const csp = await tx.findOne(Csp, { where: { code: input.cspCode } });
          if (!csp) throw new IdentityError(`no CSP with code ${input.cspCode}`);
          cspId = csp.id;
        }
        const existing = await tx.findOne(UserRoleGrant, { where: { userId: user.id, role: input.role, cspId: cspId ?? IsNull() } });
        if (!existing) {
          const granted = await tx.save(tx.create(UserRoleGrant, { userId: user.id, role: input.role, cspId }));
          await recordRoleChange(tx, { userId: user.id, role: input.role, cspId, change: 'grant', grantId: granted.id }, input.change ?? UNSTATED_CHANGE);
        }
      }
      return user;
    });
  }

  /** A new token, valid `lifetimeDays` from `now`; the token itself is returned only here. */
  async issueToken(
    userId: string,
    name: string,
    options: { now?: Date; lifetimeDays?: number } = {},
  ): Promise<{ id: string; name: string; token: string; expiresAt: Date }> {
    const token = newToken();
    const now = options.now ?? new Date();
    const expiresAt = new Date(now.getTime() + (options.lifetimeDays ?? DEFAULT_TOKEN_LIFETIME_DAYS) * 86_400_000);
    const saved = await this.dataSource.manager.save(
      this.dataSource.manager.create(ApiToken, { userId, name, tokenHash: hashToken(token), lastUsedAt: null, revokedAt: null, expiresAt }),
    );
    return { id: saved.id, name: saved.name, token, expiresAt: saved.expiresAt };
  }

  async tokensOf(userId: string) {
    const rows = await this.dataSource.manager.find(ApiToken, { where: { userId }, order: { createdAt: 'ASC' } });
    return rows.map(({ id, name, createdAt, lastUsedAt, revokedAt, expiresAt }) => ({ id, name, createdAt, lastUsedAt, revokedAt, expiresAt }));
  }

  /** Revokes one of the user's own tokens; false if they have no such token. */
  async revokeToken(userId: string, tokenId: string, now: Date): Promise<boolean> {
    const result = await this.dataSource.manager.update(ApiToken, { id: tokenId, userId, revokedAt: IsNull() }, { revokedAt: now });
    return (result.affected ?? 0) > 0;
  }

  /**
   * The user a bearer token belongs to, if the token is known, not revoked and the user active;
   * `{ expired }` for such a token past its expiry (so the caller can say so). With `along`, what
   * the caller also needs read in the same statement (the access guard: the review the route
   * names and the user's roles on it, the token's user being `u`); `row` holds those columns
   * (null unless the token identifies an active user).
   */
  async authenticate(
    token: string,
    now: Date,
    along?: { join: string; select: string; params: unknown[] },
  ): Promise<{ user: User | ExpiredToken | null; row: Record<string, unknown> | null }> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return { user: null, row: null };
    // One statement, its text built once (src/infrastructure/database/entity-rows.ts): this runs on every request.
    const ds = this.dataSource;
    const key = along ? `${along.join}\u0000${along.select}` : '';
    let sql = this.tokenSql.get(key);
    if (sql === undefined) {
      sql = `SELECT ${selectListOf(ds, ApiToken, 't')}, ${selectListOf(ds, User, 'u')}${along ? `, ${along.select}` : ''}
        FROM api_tokens t JOIN users u ON u.id = t.user_id ${along?.join ?? ''} WHERE t.token_hash = $1`;
      if (this.tokenSql.size < 20) this.tokenSql.set(key, sql);
    }
    const [found] = (await ds.query(sql, [hashToken(token), ...(along?.params ?? [])])) as Array<Record<string, unknown>>;
    const user = await this.userOfToken(found, now);
    // The columns read along only for a token that identifies someone.
    return { user, row: user && !('expired' in user) ? found : null };
  }

  private async userOfToken(found: Record<string, unknown> | undefined, now: Date): Promise<User | ExpiredToken | null> {
    const ds = this.dataSource;
    const row = found ? Object.assign(entityFromRow(ds, ApiToken, 't', found), { user: entityFromRow(ds, User, 'u', found) }) : null;
    if (!row || row.revokedAt || !row.user || row.user.disabledAt) return null;
    if (row.expiresAt.getTime() <= now.getTime()) return { expired: true, expiresAt: row.expiresAt };
    // Written at most once a minute, not on every request (the same row for every client sharing the token).
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_SEEN_STEP_MS) await this.dataSource.manager.update(ApiToken, { id: row.id }, { lastUsedAt: now });
    return row.user;
  }
}

/** One row of user_role_changes (append-only), in the caller's transaction. */
export async function recordRoleChange(
  tx: EntityManager,
  what: { userId: string; role: UserRole; cspId: string | null; change: 'grant' | 'revoke'; grantId: string | null },
  by: RoleChangeBy,
): Promise<UserRoleChange> {
  return tx.save(
    tx.create(UserRoleChange, {
      ...what,
      reason: by.reason.trim().slice(0, 1000),
      changedBy: by.changedBy.slice(0, 320),
      changedByUserId: by.changedByUserId ?? null,
      at: by.at ?? new Date(),
    }),
  );
}
