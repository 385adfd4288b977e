import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { AppConfig, SETTINGS } from './app-config';
import { projectRoot } from './project-root';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Record<string, string | undefined>;

/** The one place that reads process.env. */
export function readEnvironment(): Environment {
  return { ...process.env };
}

export function readDefaults(root = projectRoot()): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, 'config', 'default.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

function getPath(target: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => {
    if (node && typeof node === 'object') return (node as Record<string, unknown>)[key];
    return undefined;
  }, target);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** OpenID Connect is on iff OIDC_ISSUER_URL is set; then the client's id and secret must be too. */
function oidcProblems(result: Record<string, unknown>): string[] {
  const oidc = result.oidc as Partial<Record<'issuerUrl' | 'clientId' | 'clientSecret', string | null>> | undefined;
  if (!oidc?.issuerUrl) return [];
  const problems: string[] = [];
  if (oidc.clientId === null) problems.push('OIDC_CLIENT_ID: missing; required when OIDC_ISSUER_URL is set');
  if (oidc.clientSecret === null) problems.push('OIDC_CLIENT_SECRET: missing; required when OIDC_ISSUER_URL is set');
  if (result.env === 'production' && !oidc.issuerUrl.startsWith('https://')) {
    problems.push('OIDC_ISSUER_URL: must be an https:// URL when APP_ENV=production');
  }
  return problems;
}

/**
 * `NAME_FILE` for any setting NAME (Docker or Kubernetes secrets): when NAME is unset, the
 * file's content is its value, less one trailing newline. Both given, or a file that cannot be
 * read, is a problem naming the variable. Returns the environment with the values filled in.
 */
export function resolveFileSettings(env: Environment, problems: string[]): Environment {
  const resolved: Environment = { ...env };
  for (const setting of SETTINGS) {
    const fileVar = `${setting.env}_FILE`;
    const path = env[fileVar];
    if (path === undefined || path === '') continue;
    if (env[setting.env] !== undefined) {
      problems.push(`${setting.env}: both ${setting.env} and ${fileVar} are set; set only one`);
      continue;
    }
    try {
      resolved[setting.env] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      problems.push(`${fileVar}: cannot read ${JSON.stringify(path)} (${code}); expected a file holding ${setting.env}`);
    }
  }
  return resolved;
}

/**
 * Builds the typed configuration: defaults from config/default.json, each overridden by its
 * environment variable (or the file its NAME_FILE names), every value validated. All problems
 * are reported at once, each naming the variable and what was expected.
 */
export function loadConfig(
  given: Environment = readEnvironment(),
  defaults: Record<string, unknown> = readDefaults(),
): AppConfig {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  const env = resolveFileSettings(given, problems);
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    const fromEnv = raw !== undefined && (raw.trim() !== '' || !!setting.allowEmpty);
    const value = fromEnv ? raw.trim() : getPath(defaults, setting.path);
    if (value === null || value === undefined) {
      if (setting.nullable) {
        setPath(result, setting.path, null);
        continue;
      }
      problems.push(`${setting.env}: missing; expected ${setting.expected}`);
      continue;
    }
    const parsed = setting.schema.safeParse(value);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid';
      const given = setting.secret ? `got a value of ${raw!.trim().length} characters` : `got ${JSON.stringify(raw)}`;
      const source = fromEnv ? given : `default in config/default.json is ${JSON.stringify(setting.secret ? '…' : value)}`;
      problems.push(`${setting.env}: expected ${setting.expected} (${reason}); ${source}`);
      continue;
    }
    setPath(result, setting.path, parsed.data);
  }
  const identity = result.identity as { trustActorHeader?: boolean } | undefined;
  if (result.env === 'production' && identity?.trustActorHeader === true) {
    problems.push(
      'TRUST_ACTOR_HEADER: must not be true when APP_ENV=production (X-Actor lets any caller name themself; it is for tests and local scripts only)',
    );
  }
  problems.push(...oidcProblems(result));
  if (problems.length > 0) throw new ConfigError(problems);
  const config = result as unknown as AppConfig;
  if ((config.identity.sessionCookieSecure as boolean | null) === null) config.identity.sessionCookieSecure = config.env === 'production';
  if ((config.http.publicBaseUrl as string | null) === null) config.http.publicBaseUrl = `http://localhost:${config.http.port}`;
  if ((config.oidc.redirectUrl as string | null) === null) config.oidc.redirectUrl = `${config.http.publicBaseUrl.replace(/\/+$/, '')}/auth/oidc/callback`;
  if (!isAbsolute(config.dataDir)) config.dataDir = join(projectRoot(), config.dataDir);
  const documentsDir = config.documents.dir as string | null;
  if (documentsDir === null) config.documents.dir = join(config.dataDir, 'documents');
  else if (!isAbsolute(documentsDir)) config.documents.dir = join(projectRoot(), documentsDir);
  const mailCaptureDir = config.mail.captureDir as string | null;
  if (mailCaptureDir === null) config.mail.captureDir = join(config.dataDir, 'mail');
  else if (!isAbsolute(mailCaptureDir)) config.mail.captureDir = join(projectRoot(), mailCaptureDir);
  const policyFile = config.reminders.policyFile;
  if (policyFile !== null && !isAbsolute(policyFile)) config.reminders.policyFile = join(projectRoot(), policyFile);
  return config;
}
