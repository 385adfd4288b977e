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

/**
 * Builds the typed configuration: defaults from config/default.json, each overridden by its
 * environment variable, every value validated. All problems are reported at once, each naming
 * the variable and what was expected.
 */
export function loadConfig(
  env: Environment = readEnvironment(),
  defaults: Record<string, unknown> = readDefaults(),
): AppConfig {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    const fromEnv = raw !== undefined && raw.trim() !== '';
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
      const source = fromEnv ? `got ${JSON.stringify(raw)}` : `default in config/default.json is ${JSON.stringify(value)}`;
      problems.push(`${setting.env}: expected ${setting.expected} (${reason}); ${source}`);
      continue;
    }
    setPath(result, setting.path, parsed.data);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = result as unknown as AppConfig;
  if (!isAbsolute(config.dataDir)) config.dataDir = join(projectRoot(), config.dataDir);
  const documentsDir = config.documents.dir as string | null;
  if (documentsDir === null) config.documents.dir = join(config.dataDir, 'documents');
  else if (!isAbsolute(documentsDir)) config.documents.dir = join(projectRoot(), documentsDir);
  const mailCaptureDir = config.mail.captureDir as string | null;
  if (mailCaptureDir === null) config.mail.captureDir = join(config.dataDir, 'mail');
  else if (!isAbsolute(mailCaptureDir)) config.mail.captureDir = join(projectRoot(), mailCaptureDir);
  return config;
}
