import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { User } from './identity.entities';

/**
 * A signed-in browser. The cookie carries a random value; only its SHA-256 is stored here, so a
 * copy of the table signs nobody in. Times come from the application's Clock.
 */
@Entity({ name: 'user_sessions' })
@Unique('UQ_user_sessions_token_hash', ['tokenHash'])
@Index('IDX_user_sessions_user', ['userId'])
export class UserSession {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_user_sessions' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_sessions_user' })
  user?: User;

  /** SHA-256 (hex) of the cookie value. */
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  /** Sent back in X-CSRF-Token (or the form field _csrf) on every cookie-authenticated write. */
  @Column({ name: 'csrf_token', type: 'varchar', length: 64 })
  csrfToken!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Moved on by every request the session makes; the idle timeout counts from here. */
  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  /** The absolute end, however busy the session is. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Signed out (or ended by a password change). */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 500, nullable: true })
  userAgent!: string | null;
}
