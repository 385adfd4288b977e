import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * README, "Architecture": "**Pure domain code** imports nothing from Nest, TypeORM or BullMQ:
 * the review lifecycle statechart (`src/reviews/lifecycle/`, …), the date rules and calendar
 * (`src/deadlines/rules/`), the clock plan (`src/deadlines/clock-plan.ts`), and the email and
 * iCalendar rendering (`src/reminders/mail/`)."
 *
 * Each of those source files is read and its imports parsed (static imports, `export … from`,
 * `import x = require()`, `require()` and `import()`); none may name Nest, TypeORM or BullMQ, nor
 * may anything it loads at run time through a relative import (followed file by file).
 * `src/reminders/mail/` also holds the SMTP transport, its Nest module and the local mail
 * capture server, which are not rendering: they are named below and left out (and must exist, so
 * the list cannot go stale). Spec files are tests, not domain code.
 */
const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');

/** What the README promises the pure code does not import: Nest, TypeORM, BullMQ (and their packages). */
const FORBIDDEN: Array<{ name: string; test: (specifier: string) => boolean }> = [
  { name: 'Nest', test: (s) => /^@nestjs\//.test(s) || /^@nest-lab\//.test(s) || /^nestjs-/.test(s) },
  { name: 'TypeORM', test: (s) => s === 'typeorm' || s.startsWith('typeorm/') },
  { name: 'BullMQ', test: (s) => s === 'bullmq' || s.startsWith('bullmq/') },
];

/** The email transport and its wiring in src/reminders/mail/: not the rendering the README calls pure. */
const MAIL_NOT_RENDERING = ['mailer.ts', 'mail.module.ts', 'local-mail-capture.ts'];

function sourceFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sourceFilesUnder(path) : [path];
    })
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.endsWith('.d.ts'))
    .sort();
}

const rel = (path: string) => relative(ROOT, path);

/** The pure code, by the README's locations. */
const LOCATIONS: Record<string, string[]> = {
  'src/reviews/lifecycle/': sourceFilesUnder(join(SRC, 'reviews/lifecycle')),
  'src/deadlines/rules/': sourceFilesUnder(join(SRC, 'deadlines/rules')),
  'src/deadlines/clock-plan.ts': [join(SRC, 'deadlines/clock-plan.ts')].filter(existsSync),
  'src/reminders/mail/ (the rendering)': sourceFilesUnder(join(SRC, 'reminders/mail')).filter((path) => !MAIL_NOT_RENDERING.includes(rel(path).replace('src/reminders/mail/', ''))),
};
const PURE = Object.values(LOCATIONS).flat();

interface Import {
  specifier: string;
  /** Erased by the compiler (`import type`, `export type`, or every named binding `type`). */
  typeOnly: boolean;
}

/** Every module a source text names: imports, re-exports, import-equals, require() and import() calls, import types. */
function importsOf(fileName: string, text: string): Import[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const typeOnly = node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function forbiddenIn(imports: Import[]): string[] {
  return imports.flatMap(({ specifier }) => FORBIDDEN.filter((f) => f.test(specifier)).map((f) => `${specifier} (${f.name})`));
}

/** A relative specifier as the file it loads (x.ts or x/index.ts), or null for a package or a non-TypeScript file. */
function resolveRelative(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  return null;
}

const read = (path: string) => importsOf(path, readFileSync(path, 'utf8'));

describe('pure domain code imports nothing from Nest, TypeORM or BullMQ (README, Architecture)', () => {
  it('the import scanner finds each kind of import (so a clean result means something)', () => {
    const text = [
      "import { Injectable } from '@nestjs/common';",
      "import type { Repository } from 'typeorm';",
      "export { Queue } from 'bullmq';",
      "import pino = require('nestjs-pino');",
      "const worker = require('bullmq/dist/worker');",
      "async function later() { return import('typeorm/browser'); }",
      "type T = import('@nestjs/core').NestFactoryStatic;",
      "import { DateTime } from 'luxon';",
      "import { dates } from './dates';",
    ].join('\n');
    expect(forbiddenIn(importsOf('example.ts', text))).toEqual([
      '@nestjs/common (Nest)',
      'typeorm (TypeORM)',
      'bullmq (BullMQ)',
      'nestjs-pino (Nest)',
      'bullmq/dist/worker (BullMQ)',
      'typeorm/browser (TypeORM)',
      '@nestjs/core (Nest)',
    ]);
    expect(importsOf('example.ts', text).filter((i) => i.typeOnly).map((i) => i.specifier)).toEqual(['typeorm', '@nestjs/core']);
  });

  it('finds source files in every place the README names (and the mail transport files it leaves out exist)', () => {
    const counts = Object.fromEntries(Object.entries(LOCATIONS).map(([where, files]) => [where, files.length]));
    for (const [where, n] of Object.entries(counts)) expect([where, n > 0]).toEqual([where, true]);
    for (const name of MAIL_NOT_RENDERING) expect([name, existsSync(join(SRC, 'reminders/mail', name))]).toEqual([name, true]);
    // Each file checked is a test of its own below, named by its path.
    expect(PURE.length).toBeGreaterThanOrEqual(20);
  });

  it.each(PURE.map(rel))('%s imports nothing from Nest, TypeORM or BullMQ', (file) => {
    expect(forbiddenIn(read(join(ROOT, file)))).toEqual([]);
  });

  it('nor does anything the pure code loads at run time through its relative imports, however deep', () => {
    const seen = new Set<string>();
    const queue = [...PURE];
    const problems: string[] = [];
    while (queue.length > 0) {
      const file = queue.shift()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const imports = read(file);
      problems.push(...forbiddenIn(imports).map((p) => `${rel(file)}: ${p}`));
      for (const i of imports) {
        const next = i.typeOnly ? null : resolveRelative(file, i.specifier);
        if (next && !seen.has(next)) queue.push(next);
      }
    }
    expect(problems).toEqual([]);
    // More than the pure files themselves were followed (src/shared/display-dates.ts, the project root finder…).
    const beyond = [...seen].filter((f) => !PURE.includes(f)).map(rel).sort();
    expect(beyond.length).toBeGreaterThan(0);
  });
});
