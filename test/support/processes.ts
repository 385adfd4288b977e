import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

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
export function runEntryPoint(entry: string, env: Record<string, string | undefined>, args: string[] = []): RunningProcess {
  const script = join(ROOT, 'dist', 'src', entry);
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: run the tests with \`npm test\`, which builds first`);
  }
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
