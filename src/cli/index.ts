import 'reflect-metadata';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { IdentityError, IdentityService, recordRoleChange, RoleChangeBy } from '../identity/identity.service';
import { passwordProblem } from '../identity/passwords';
import { SessionService } from '../identity/sessions.service';
import { Clock } from '../infrastructure/clock/clock';
import { User, USER_ROLES, UserRole, UserRoleChange, UserRoleGrant } from '../identity/identity.entities';
import { Csp } from '../csps/csp.entity';
import { IsNull } from 'typeorm';
import { boot, failStartup, stopServices } from '../infrastructure/bootstrap/boot';
import type { AppConfig } from '../infrastructure/config/app-config';
import { readEnvironment } from '../infrastructure/config/load-config';
import { useApplicationLogin } from '../infrastructure/database/app-login';
import { dataSourceOptions } from '../infrastructure/database/data-source-options';
import { HttpException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ImportCliModule } from '../imports/import-cli.module';
import { readImportFile } from '../imports/import-csv';
import { ReviewImportService } from '../imports/review-import.service';
import { createRootLogger } from '../infrastructure/logging/root-logger';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  users:add --email EMAIL [--name NAME] [--role ${USER_ROLES.join('|')} --reason TEXT] [--csp CSP_CODE]
            [--token] [--token-days DAYS] [--password | --password-stdin]
      Creates the user (or adds the role to an existing one). With --token, prints a new API
      token for scripts (shown once: keep it safe), valid API_TOKEN_LIFETIME_DAYS (90) days or
      --token-days DAYS (1 to 3650); its expiry is printed. CSP lead and RAG member roles need --csp.
      A role needs --reason: why it is given, recorded with the change (who: "command line"
      and your login).
      With --password, sets the password in the environment variable DHR_PASSWORD; with
      --password-stdin, the first line of standard input (never on the command line, where
      other users of the machine could see it). At least 12 characters. Setting a password
      clears a lock after failed sign-ins and ends the user's signed-in sessions.

  users:roles --email EMAIL
      Prints the user's roles (with their ids) and every grant and revocation of their roles.

  users:revoke --email EMAIL --role ${USER_ROLES.join('|')} [--csp CSP_CODE] --reason TEXT
      Takes the role away at once, recorded with the reason (who: "command line" and your login).

  import FILE --actor EMAIL [--dry-run] [--concurrency N]
      Brings reviews already under way in from FILE: a dhr-import/1 JSON file, or a CSV of the
      headline fields (README, "Bringing in reviews already under way"). Each review is created
      in one transaction through the same rules as the API, or refused whole; prints the report
      (JSON) and exits 1 if any review was refused. --actor names the user the history records
      as having imported them. --dry-run checks everything and writes nothing. --concurrency:
      reviews imported at once, each in its own transaction (default 4, at most 16).
`;

/**
 * The command line finds the PostgreSQL `npm start` uses (same settings, same DATA_DIR): the
 * embedded one it is running, or, when it is not running, starts that embedded server itself
 * for the command and stops it after. Users and imports are only in PostgreSQL: no Redis.
 */
const CLI_BOOT = { mayStart: true, shareRunning: true, redis: false, quiet: true } as const;

/**
 * Runs a users command against the database `npm start` uses (its embedded PostgreSQL too, started
 * for the command if it is not running), logged in as the application's login; no Redis: the
 * users commands only write users. A refusal (IdentityError) is its message and exit code 2.
 */
async function withUsersDatabase(command: (db: { config: AppConfig; dataSource: DataSource }) => Promise<void>): Promise<void> {
  const { config, logger, services } = await boot('dhr-cli', CLI_BOOT);
  await useApplicationLogin(config, logger, { migrates: false }).catch(async (error) => {
    await stopServices(services);
    throw error;
  });
  const dataSource = await new DataSource(dataSourceOptions(config.database.appUrl!, 2, config.database.appRole)).initialize();
  try {
    await command({ config, dataSource });
  } catch (error) {
    if (error instanceof IdentityError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else throw error;
  } finally {
    await dataSource.destroy();
    await stopServices(services);
  }
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

/** The administrator's command line (uses DATABASE_URL, or the local PostgreSQL as `npm start` does). */
async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'import') return importCommand(rest);
  if (command === 'users:roles' || command === 'users:revoke') return rolesCommand(command, rest);
  if (command !== 'users:add') {
    process.stderr.write(USAGE);
    process.exit(command === undefined || command === '--help' ? 0 : 2);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        csp: { type: 'string' },
        reason: { type: 'string' },
        token: { type: 'boolean', default: false },
        'token-days': { type: 'string' },
        password: { type: 'boolean', default: false },
        'password-stdin': { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    // Not echoed: a stray argument may well be a password typed after --password.
    const message =
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
        ? 'unexpected argument: give options only (--password takes no value: put the password in DHR_PASSWORD, or use --password-stdin)'
        : (error as Error).message;
    process.stderr.write(`${message}\n\n${USAGE}`);
    process.exit(2);
  }
  const { values } = parsed;
  const problems: string[] = [];
  // admin@localhost (the first administrator) has no dot after the @.
  if (!values.email || !/^[^\s@]+@[^\s@]+$/.test(values.email)) problems.push('--email: an email address is required');
  if (values.role && !(USER_ROLES as readonly string[]).includes(values.role)) problems.push(`--role: must be one of ${USER_ROLES.join(', ')}`);
  const tokenDays = values['token-days'];
  if (tokenDays !== undefined) {
    if (!/^\d{1,4}$/.test(tokenDays) || Number(tokenDays) < 1 || Number(tokenDays) > 3650) problems.push('--token-days: expected an integer number of days from 1 to 3650');
    else if (!values.token) problems.push('--token-days: only with --token');
  }
  if (values.role && !values.reason?.trim()) problems.push('--reason: say why the role is given (it is recorded with the change)');
  let password: string | undefined;
  if (values.password && values['password-stdin']) problems.push('--password, --password-stdin: give one of them, not both');
  else if (values.password) {
    password = readEnvironment().DHR_PASSWORD;
    if (password === undefined || password === '') problems.push('--password: set the password in the environment variable DHR_PASSWORD');
  } else if (values['password-stdin']) {
    password = await readStdinLine();
  }
  if (password !== undefined && password !== '') {
    const problem = passwordProblem(password);
    if (problem) problems.push(`password: ${problem}`);
  } else if (values['password-stdin']) problems.push('--password-stdin: standard input was empty');
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n\n${USAGE}`);
    process.exit(2);
  }
  await withUsersDatabase(async ({ config, dataSource }) => {
    const identities = new IdentityService(dataSource);
    const user = await identities.addUser({
      email: values.email!,
      displayName: values.name ?? values.email!,
      role: values.role as UserRole | undefined,
      cspCode: values.csp,
      ...(values.role ? { change: commandLineChange(values.reason!) } : {}),
    });
    process.stdout.write(`user ${user.email} (${user.id})${values.role ? ` has the role ${values.role}${values.csp ? ` for ${values.csp}` : ''}` : ''}\n`);
    if (password !== undefined) {
      await new SessionService(dataSource, new Clock(), config).setPassword(user.id, password);
      process.stdout.write('password set (any signed-in sessions of this user were ended)\n');
    }
    if (values.token) {
      const lifetimeDays = tokenDays !== undefined ? Number(tokenDays) : config.identity.apiTokenLifetimeDays;
      const token = await identities.issueToken(user.id, 'command line', { now: new Clock().now(), lifetimeDays });
      process.stdout.write(`token: ${token.token}\n`);
      process.stdout.write(`token expires: ${token.expiresAt.toISOString()} (in ${lifetimeDays} days)\n`);
    }
  });
}

/** Who changes a role from the command line: it has no signed-in user, so the machine's login. */
function commandLineChange(reason: string): RoleChangeBy {
  let login = 'unknown';
  try {
    login = userInfo().username;
  } catch {
    // No entry for this uid (a container): keep 'unknown'.
  }
  return { changedBy: `command line (${login})`, reason: reason.trim() };
}

/** `users:roles --email EMAIL` and `users:revoke --email EMAIL --role ROLE [--csp CSP] --reason TEXT`: see USAGE. */
async function rolesCommand(command: 'users:roles' | 'users:revoke', args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { email: { type: 'string' }, ...(command === 'users:revoke' ? { role: { type: 'string' }, csp: { type: 'string' }, reason: { type: 'string' } } : {}) },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}

${USAGE}`);
    process.exit(2);
  }
  const values = parsed.values as { email?: string; role?: string; csp?: string; reason?: string };
  const problems: string[] = [];
  if (!values.email || !/^[^\s@]+@[^\s@]+$/.test(values.email)) problems.push('--email: an email address is required');
  if (command === 'users:revoke') {
    if (!values.role || !(USER_ROLES as readonly string[]).includes(values.role)) problems.push(`--role: must be one of ${USER_ROLES.join(', ')}`);
    if (values.role && values.role !== 'administrator' && !values.csp) problems.push(`--csp: is required for the role ${values.role}`);
    if (!values.reason?.trim()) problems.push('--reason: say why the role is taken away (it is recorded with the change)');
  }
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n\n${USAGE}`);
    process.exit(2);
  }
  await withUsersDatabase(async ({ dataSource }) => {
    const user = await dataSource.manager.findOne(User, { where: { email: values.email!.trim().toLowerCase() } });
    if (!user) throw new IdentityError(`no user with the email ${values.email}`);
    if (command === 'users:revoke') {
      await dataSource.transaction(async (tx) => {
        let cspId: string | null = null;
        if (values.role !== 'administrator') {
          const csp = await tx.findOne(Csp, { where: { code: values.csp! } });
          if (!csp) throw new IdentityError(`no CSP with code ${values.csp}`);
          cspId = csp.id;
        }
        const grant = await tx.findOne(UserRoleGrant, {
          where: { userId: user.id, role: values.role as UserRole, cspId: cspId ?? IsNull() },
          lock: { mode: 'pessimistic_write' },
        });
        if (!grant) throw new IdentityError(`${user.email} does not hold the role ${values.role}${values.csp ? ` for ${values.csp}` : ''}`);
        await tx.delete(UserRoleGrant, { id: grant.id });
        await recordRoleChange(tx, { userId: user.id, role: grant.role, cspId, change: 'revoke', grantId: grant.id }, commandLineChange(values.reason!));
      });
      process.stdout.write(`user ${user.email} no longer has the role ${values.role}${values.csp ? ` for ${values.csp}` : ''}\n`);
    }
    const grants = await dataSource.manager.find(UserRoleGrant, { where: { userId: user.id }, relations: { csp: true } });
    const changes = await dataSource.manager.find(UserRoleChange, { where: { userId: user.id }, relations: { csp: true }, order: { at: 'ASC', id: 'ASC' } });
    process.stdout.write(`roles of ${user.email}:\n`);
    for (const g of grants) process.stdout.write(`  ${g.role}${g.csp ? ` ${g.csp.code}` : ''} (${g.id})\n`);
    if (!grants.length) process.stdout.write('  none\n');
    process.stdout.write('changes:\n');
    for (const c of changes) {
      process.stdout.write(`  ${c.at.toISOString()} ${c.change} ${c.role}${c.csp ? ` ${c.csp.code}` : ''} by ${c.changedBy}: ${c.reason}\n`);
    }
  });
}

/** `import FILE --actor EMAIL [--dry-run]`: see USAGE. */
async function importCommand(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { actor: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, concurrency: { type: 'string', default: '4' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const [file] = parsed.positionals;
  const actor = parsed.values.actor;
  const problems: string[] = [];
  if (!file || parsed.positionals.length > 1) problems.push('FILE: give one file to import');
  if (!actor || !/^[^\s@]+@[^\s@]+$/.test(actor)) problems.push('--actor: the email of the user importing is required');
  const concurrency = Number(parsed.values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) problems.push('--concurrency: a whole number from 1 to 16');
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n\n${USAGE}`);
    process.exit(2);
  }
  let body: unknown;
  try {
    body = await readImportFile(file!);
  } catch (error) {
    process.stderr.write(`${file}: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const { config, logger, services } = await boot('dhr-cli', CLI_BOOT);
  await useApplicationLogin(config, logger, { migrates: false }).catch(async (error) => {
    await stopServices(services);
    throw error;
  });
  const app = await NestFactory.createApplicationContext(ImportCliModule.forRoot(config, createRootLogger(config, 'dhr-cli')), { logger: false });
  try {
    const imports = app.get(ReviewImportService);
    const report = await imports.run(imports.parseFile(body), actor!, { dryRun: parsed.values['dry-run']!, concurrency });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.refused > 0) process.exitCode = 1;
  } catch (error) {
    if (error instanceof HttpException) {
      process.stderr.write(`${file}: ${JSON.stringify((error.getResponse() as { message?: unknown }).message)}\n`);
      process.exitCode = 2;
    } else throw error;
  } finally {
    await app.close();
    await stopServices(services);
  }
}

main().catch(failStartup);
