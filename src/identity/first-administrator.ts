import { DataSource } from 'typeorm';
import type { AppConfig } from '../infrastructure/config/app-config';
import { MIGRATIONS_TABLE } from '../infrastructure/database/data-source-options';
import { User, UserRoleGrant } from './identity.entities';
import { recordRoleChange } from './identity.service';
import { generatePassword, hashPassword, passwordProblem } from './passwords';

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

/** Serialises the check across processes starting together (several API processes). */
const FIRST_ADMIN_LOCK = 727275;

export interface FirstAdministrator {
  created: boolean;
  email?: string;
  /** Whether the password was generated (and printed) rather than taken from ADMIN_PASSWORD. */
  generated?: boolean;
  /**
   * From firstAdministratorOnStart: the framed block with a generated password, for the caller
   * to print once the service is ready (last, where a person sees it), not among start-up lines.
   */
  notice?: string;
}

/**
 * Prints a first-start notice, if any (call it after the "ready" line). `write` must keep the
 * order of the log lines before it: the logger's own stream (writeAfterLogs), as the logger
 * writes asynchronously and process.stdout could overtake its pending lines.
 */
export function printFirstStartNotice(first: FirstAdministrator, write: (text: string) => void): void {
  if (first.notice) write(first.notice);
}

interface InfoLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** The block printed once on stdout for a generated password: plain text, not a log line. */
export function generatedPasswordNotice(email: string, password: string): string {
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    '  First start: there were no users, so an administrator has been created.',
    '',
    `    email:     ${email}`,
    `    password:  ${password}`,
    '',
    '  This password is shown only this once: it is not stored anywhere readable',
    '  and will not be shown again. Sign in with it in a browser at /sign-in (or',
    '  POST /auth/sessions for scripts), then',
    '  give the account a password of your own:',
    `    DHR_PASSWORD='…' npm run cli -- users:add --email ${email} --password`,
    rule,
    '',
    '',
  ].join('\n');
}

/**
 * When the users table is empty, creates an administrator: ADMIN_EMAIL (default
 * admin@localhost) with ADMIN_PASSWORD, or with a generated password that is written once to
 * `write` (stdout). A password from the environment is never printed or logged. Does nothing
 * when any user exists, so every later start (and every other process) leaves things alone.
 */
export async function ensureFirstAdministrator(
  dataSource: DataSource,
  settings: Pick<AppConfig['identity'], 'adminEmail' | 'adminPassword'>,
  options: { write?: (text: string) => void; logger?: InfoLogger } = {},
): Promise<FirstAdministrator> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const email = (settings.adminEmail ?? DEFAULT_ADMIN_EMAIL).trim().toLowerCase();
  const given = settings.adminPassword;
  if (given !== null) {
    const problem = passwordProblem(given);
    if (problem) throw new Error(`ADMIN_PASSWORD: ${problem}`);
  }
  const created = await dataSource.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ADMIN_LOCK]);
    const [{ any }] = await tx.query(`SELECT EXISTS (SELECT 1 FROM "users") AS "any"`);
    if (any) return null;
    const password = given ?? generatePassword();
    const user = await tx.save(
      tx.create(User, { email, displayName: 'Administrator', disabledAt: null, passwordHash: await hashPassword(password) }),
    );
    const granted = await tx.save(tx.create(UserRoleGrant, { userId: user.id, role: 'administrator', cspId: null }));
    await recordRoleChange(
      tx,
      { userId: user.id, role: 'administrator', cspId: null, change: 'grant', grantId: granted.id },
      { changedBy: 'application (first start)', reason: 'the first administrator, created at the first start with no users' },
    );
    return { user, password };
  });
  if (!created) return { created: false };
  const generated = given === null;
  options.logger?.info({ email, userId: created.user.id, passwordSource: generated ? 'generated, printed once on stdout' : 'ADMIN_PASSWORD' }, 'first administrator created');
  if (generated) write(generatedPasswordNotice(email, created.password));
  return { created: true, email, generated };
}

/**
 * The start-up step (npm start, start:api): after migrations, make sure someone can sign in.
 * A generated password is returned as `notice`, not printed: the caller prints it with
 * printFirstStartNotice after its "ready" line. Skipped with a warning while migrations are pending (start:api does not migrate).
 */
export async function firstAdministratorOnStart(
  dataSource: DataSource,
  config: Pick<AppConfig, 'identity'>,
  logger: InfoLogger,
): Promise<FirstAdministrator> {
  const [{ present }] = await dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [MIGRATIONS_TABLE]);
  if (!present || (await dataSource.showMigrations())) {
    logger.warn({}, 'migrations are pending: the first administrator is checked for at the next start after `npm run migrate`');
    return { created: false };
  }
  let notice: string | undefined;
  const first = await ensureFirstAdministrator(dataSource, config.identity, { logger, write: (text) => (notice = text) });
  return notice === undefined ? first : { ...first, notice };
}
