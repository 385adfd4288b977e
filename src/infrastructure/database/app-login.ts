import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { resolvedUrl } from '../config/resolved-config';
import { ServiceUnavailableError } from '../local-services/postgres';
import type { Logger } from '../logging/root-logger';

/** The login the API, the worker and the command line use when APP_DATABASE_URL is unset. */
export const APP_LOGIN = 'dhr_app_login';
export const APP_LOGIN_PASSWORD_FILE = 'app-login-password';
/** The role whose rights the login has, and nothing else (see migrations/…-ApplicationRole.ts). */
const APP_ROLE = 'dhr_app';
const ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT';

/** DATA_DIR/app-login-password: generated once, readable by its owner only. */
async function storedPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, APP_LOGIN_PASSWORD_FILE);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error; // another process wrote it first
  }
  return (await readFile(file, 'utf8')).trim();
}

function withLogin(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

async function passwordWorks(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Makes `role` a login with the given password that is no superuser, may create nothing, and is
 * a member of dhr_app only (INHERIT: its rights are dhr_app's, whether or not it switches), as
 * the schema's owner. Does nothing when it already is (and its password works). The password of
 * an existing login is set only with `setPassword` (the processes that migrate): an API or a
 * worker with another password file must not lock out the processes already using the login.
 */
export async function ensureAppLogin(ownerUrl: string, role: string, password: string, options: { setPassword: boolean } = { setPassword: true }): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new ServiceUnavailableError(`APP_DATABASE_URL: the user must be a lower-case role name; got ${JSON.stringify(role)}`);
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  const id = owner.escapeIdentifier(role);
  try {
    const [{ session_user: ownerName }] = (await owner.query('SELECT session_user')).rows;
    if (ownerName === role) {
      throw new ServiceUnavailableError(
        `APP_DATABASE_URL logs in as ${role}, the owner of the schema (DATABASE_URL): give the application a login of its own ` +
          `(as a PostgreSQL administrator: CREATE ROLE dhr_app_login LOGIN PASSWORD '…' IN ROLE dhr_app;) and name it in APP_DATABASE_URL`,
      );
    }
    await owner.query('SELECT pg_advisory_lock(727275)'); // api and worker may start at once
    const [existing] = (
      await owner.query(
        `SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolinherit, rolcanlogin,
                ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS member_of
           FROM pg_roles r WHERE rolname = $1`,
        [role],
      )
    ).rows;
    const others = ((existing?.member_of as string[] | undefined) ?? []).filter((name) => name !== APP_ROLE);
    if (others.length) {
      throw new ServiceUnavailableError(
        `The database role ${role} is also a member of ${others.join(', ')}: the application's login must be a member of ${APP_ROLE} only. ` +
          `Revoke those (REVOKE ${others.join(', ')} FROM ${role};) or name another login in APP_DATABASE_URL.`,
      );
    }
    const restricted =
      existing &&
      !existing.rolsuper && !existing.rolcreaterole && !existing.rolcreatedb && !existing.rolreplication && !existing.rolbypassrls &&
      existing.rolinherit && existing.rolcanlogin && (existing.member_of as string[]).includes(APP_ROLE);
    const works = existing ? await passwordWorks(withLogin(ownerUrl, role, password)) : false;
    if (restricted && works) return;
    if (existing && !works && !options.setPassword) {
      throw new ServiceUnavailableError(
        `The database login ${role} exists but refuses the password in DATA_DIR/${APP_LOGIN_PASSWORD_FILE} (another machine or data folder made it). ` +
          `Set APP_DATABASE_URL to that login with its password, or run \`npm run migrate\` with this DATA_DIR to set the password anew.`,
      );
    }
    const literal = owner.escapeLiteral(password);
    if (existing) await owner.query(`ALTER ROLE ${id} ${ATTRIBUTES}${works ? '' : ` PASSWORD ${literal}`}`);
    else await owner.query(`CREATE ROLE ${id} ${ATTRIBUTES} PASSWORD ${literal}`);
    await owner.query(`GRANT ${APP_ROLE} TO ${id}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42501' || code === '42704') {
      throw new ServiceUnavailableError(
        `Could not make the application's database login ${role} (${(error as Error).message}). ` +
          `The owner in DATABASE_URL needs CREATEROLE and the migrations applied (they create ${APP_ROLE}); or an administrator runs: ` +
          `CREATE ROLE ${role} LOGIN PASSWORD '…' IN ROLE ${APP_ROLE}; and sets APP_DATABASE_URL to log in as it.`,
      );
    }
    throw error;
  } finally {
    await owner.end().catch(() => undefined);
  }
}

/**
 * Sets `config.database.appUrl`, the login every pooled connection of the API, the worker and
 * the command line uses: APP_DATABASE_URL when given (made or checked first by the processes
 * that migrate), else `dhr_app_login` on the server of DATABASE_URL, made
 * here as the owner with the password kept in DATA_DIR/app-login-password. Migrations keep
 * DATABASE_URL.
 */
export async function useApplicationLogin(config: AppConfig, logger: Logger, options: { migrates: boolean }): Promise<void> {
  // `migrates`: npm start and npm run migrate, which also make APP_DATABASE_URL's login and may
  // set the password of an existing one; the API, the worker and the cli only create a missing one.
  const ownerUrl = resolvedUrl(config, 'database');
  const given = config.database.appUrl;
  if (given) {
    if (options.migrates) {
      const parsed = new URL(given);
      await ensureAppLogin(ownerUrl, decodeURIComponent(parsed.username), decodeURIComponent(parsed.password), { setPassword: true });
    }
    return;
  }
  const password = await storedPassword(config.dataDir);
  await ensureAppLogin(ownerUrl, APP_LOGIN, password, { setPassword: options.migrates });
  config.database.appUrl = withLogin(ownerUrl, APP_LOGIN, password);
  logger.debug({ login: APP_LOGIN }, 'the application logs in to PostgreSQL as its own role');
}
