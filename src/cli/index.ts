import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { IdentityError, IdentityService } from '../identity/identity.service';
import { USER_ROLES, UserRole } from '../identity/identity.entities';
import { boot, failStartup, stopServices } from '../infrastructure/bootstrap/boot';
import { resolvedUrl } from '../infrastructure/config/resolved-config';
import { dataSourceOptions } from '../infrastructure/database/data-source-options';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  users:add --email EMAIL [--name NAME] [--role ${USER_ROLES.join('|')}] [--csp CSP_CODE] [--token]
      Creates the user (or adds the role to an existing one). With --token, prints a new API
      token for scripts (shown once: keep it safe). CSP lead and RAG member roles need --csp.
`;

/** The administrator's command line (uses DATABASE_URL, or the local PostgreSQL as `npm start` does). */
async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'users:add') {
    process.stderr.write(USAGE);
    process.exit(command === undefined || command === '--help' ? 0 : 2);
  }
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, csp: { type: 'string' }, token: { type: 'boolean', default: false } },
    strict: true,
  });
  const problems: string[] = [];
  if (!values.email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) problems.push('--email: an email address is required');
  if (values.role && !(USER_ROLES as readonly string[]).includes(values.role)) problems.push(`--role: must be one of ${USER_ROLES.join(', ')}`);
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n\n${USAGE}`);
    process.exit(2);
  }
  const { config, services } = await boot('dhr-cli', { mayStart: false, quiet: true });
  const dataSource = await new DataSource(dataSourceOptions(resolvedUrl(config, 'database'), 2)).initialize();
  try {
    const identities = new IdentityService(dataSource);
    const user = await identities.addUser({
      email: values.email!,
      displayName: values.name ?? values.email!,
      role: values.role as UserRole | undefined,
      cspCode: values.csp,
    });
    process.stdout.write(`user ${user.email} (${user.id})${values.role ? ` has the role ${values.role}${values.csp ? ` for ${values.csp}` : ''}` : ''}\n`);
    if (values.token) {
      const token = await identities.issueToken(user.id, 'command line');
      process.stdout.write(`token: ${token.token}\n`);
    }
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

main().catch(failStartup);
