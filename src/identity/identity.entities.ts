import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Csp } from '../csps/csp.entity';

export const USER_ROLES = ['csp_lead', 'rag_member', 'administrator'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A person who signs in or runs scripts. Email is stored lower-case. */
@Entity({ name: 'users' })
@Unique('UQ_users_email', ['email'])
@Check('CHK_users_email_lower', `"email" = lower("email")`)
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_users' })
  id!: string;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** argon2id (PHC string); null for users who only use API tokens (or, later, OIDC). */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true, select: false })
  passwordHash?: string | null;

  /** Consecutive failed sign-ins since the last success or lock. */
  @Column({ name: 'failed_sign_ins', type: 'integer', default: 0 })
  failedSignIns!: number;

  /** Sign-in is refused until then (too many failures). */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;
}

/**
 * A role: per CSP (CSP lead, RAG member) or installation-wide (administrator). Per-review
 * roles (chair, panel member, IMR author) come from the case file's appointments and panel.
 * The unique index UQ_user_roles_grant (user, role, CSP) is in the migration: TypeORM cannot
 * describe an expression index.
 */
@Entity({ name: 'user_roles' })
@Index('UQ_user_roles_grant', { synchronize: false })
@Check('CHK_user_roles_role', `"role" IN ('csp_lead', 'rag_member', 'administrator')`)
@Check('CHK_user_roles_scope', `("role" = 'administrator') = ("csp_id" IS NULL)`)
export class UserRoleGrant {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_user_roles' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_roles_user' })
  user?: User;

  @Column({ type: 'varchar', length: 30 })
  role!: UserRole;

  @Column({ name: 'csp_id', type: 'uuid', nullable: true })
  cspId!: string | null;

  @ManyToOne(() => Csp, { nullable: true })
  @JoinColumn({ name: 'csp_id', foreignKeyConstraintName: 'FK_user_roles_csp' })
  csp?: Csp;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A bearer token for scripts: only its SHA-256 is stored; the token is shown once. */
@Entity({ name: 'api_tokens' })
@Unique('UQ_api_tokens_hash', ['tokenHash'])
export class ApiToken {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_api_tokens' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_api_tokens_user' })
  user?: User;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** After this the token is refused (API_TOKEN_LIFETIME_DAYS after it was issued). */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}

/**
 * A grant or revocation of a user's role (user_roles): who changed it, whose, which role and
 * CSP, why and when. Append-only (dhr_app may only INSERT and SELECT; a trigger refuses the rest).
 */
@Entity({ name: 'user_role_changes' })
@Index('IDX_user_role_changes_user_at', ['userId', 'at'])
@Check('CHK_user_role_changes_change', `"change" IN ('grant', 'revoke')`)
@Check('CHK_user_role_changes_reason', `length(btrim("reason")) > 0`)
export class UserRoleChange {
  /** In the order the changes were made (several may share a time). */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_user_role_changes' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_role_changes_user' })
  user?: User;

  @Column({ type: 'varchar', length: 30 })
  role!: UserRole;

  @Column({ name: 'csp_id', type: 'uuid', nullable: true })
  cspId!: string | null;

  @ManyToOne(() => Csp, { nullable: true })
  @JoinColumn({ name: 'csp_id', foreignKeyConstraintName: 'FK_user_role_changes_csp' })
  csp?: Csp;

  @Column({ type: 'varchar', length: 10 })
  change!: 'grant' | 'revoke';

  /** The user_roles row granted or revoked (gone once revoked). */
  @Column({ name: 'grant_id', type: 'uuid', nullable: true })
  grantId!: string | null;

  @Column({ type: 'varchar', length: 1000 })
  reason!: string;

  /** Who changed it: the administrator's email, or `command line (<login>)`. */
  @Column({ name: 'changed_by', type: 'varchar', length: 320 })
  changedBy!: string;

  @Column({ name: 'changed_by_user_id', type: 'uuid', nullable: true })
  changedByUserId!: string | null;

  @ManyToOne(() => User, { nullable: true })
  @JoinColumn({ name: 'changed_by_user_id', foreignKeyConstraintName: 'FK_user_role_changes_changed_by' })
  changedByUser?: User;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
