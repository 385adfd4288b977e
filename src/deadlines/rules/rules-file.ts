import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { ZodError, ZodType, ZodTypeDef } from 'zod';
import { projectRoot } from '../../infrastructure/config/project-root';

/** A rules file under config/ that is missing, not JSON, or fails validation. */
export class RulesFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      problems.length === 1
        ? `${file}: ${problems[0]}`
        : `${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'RulesFileError';
  }
}

/** config/<name> resolved from the project root. */
export function defaultConfigPath(name: string): string {
  return join(projectRoot(), 'config', name);
}

/** The path as people know it: relative to the project root when inside it. */
export function displayPath(path: string): string {
  const root = projectRoot();
  const absolute = isAbsolute(path) ? path : join(root, path);
  const rel = relative(root, absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

export function readJsonFile(path: string): unknown {
  const absolute = isAbsolute(path) ? path : join(projectRoot(), path);
  const name = displayPath(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new RulesFileError(name, [`cannot be read (${code})`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RulesFileError(name, [`is not valid JSON (${(err as Error).message})`]);
  }
}

export function zodProblems(error: ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    return `${field}: ${issue.message}`;
  });
}

/** Validates `data` against `schema`, naming the file and each bad field on failure. */
export function parseWith<T>(schema: ZodType<T, ZodTypeDef, unknown>, data: unknown, file: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new RulesFileError(file, zodProblems(result.error));
  return result.data;
}
