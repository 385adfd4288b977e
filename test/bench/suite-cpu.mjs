#!/usr/bin/env node
/**
 * Where the test suite's time goes: runs Jest (with the arguments given, e.g. a file or
 * `--maxWorkers=3`) and, while it runs, reads every process's CPU from /proc twice a second,
 * then prints the wall time, the machine's CPU in that time, and the CPU of each kind of
 * process: Chromium (the browser tests), the Jest processes (the tests and the API they start
 * in-process), the compiled API and worker (dist/src, started by the start-up and fault tests),
 * PostgreSQL, redis-server, the rest.
 *
 * Linux only (/proc). A process that ends between two readings loses at most half a second of
 * its CPU here, so the kinds add up to a little less than the machine's busy time.
 *
 *   npm run bench:suite [-- jest arguments]
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { machineBusy, procStat } from './proc-cpu.mjs';

/** The kind of a process, from its command line and name. */
function kindOf(cmd, comm) {
  if (/chrom/i.test(cmd[0] ?? '') || /chrom/i.test(comm)) return 'chromium';
  if (comm.startsWith('postgres') || /postgres/.test(cmd[0] ?? '')) return 'postgres';
  if (comm.startsWith('redis-server')) return 'redis-server';
  const line = cmd.join(' ');
  if (/dist\/src\//.test(line)) return 'compiled API and worker';
  if (/jest-worker|processChild|[/.]bin\/jest|jest\/bin/.test(line)) return 'jest';
  return 'other';
}

/** (pid, start time) → [kind, CPU seconds], kept at each process's last reading. */
const seen = new Map();
function sample() {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = procStat(pid);
    if (!stat) continue; // it ended while being read
    const key = `${pid}@${stat.startTicks}`;
    const known = seen.get(key);
    if (known) known[1] = stat.cpuSeconds;
    else {
      let cmd = [];
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        // ended meanwhile: its name alone says what it was
      }
      seen.set(key, [kindOf(cmd, stat.comm), stat.cpuSeconds]);
    }
  }
}

sample();
const before = new Map([...seen].map(([key, [, seconds]]) => [key, seconds]));
const busyBefore = machineBusy();
const started = Date.now();
const timer = setInterval(sample, 500);
const jest = spawn(process.execPath, ['node_modules/jest/bin/jest.js', ...process.argv.slice(2)], { stdio: 'inherit' });
const code = await new Promise((resolve) => jest.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
clearInterval(timer);
sample();
const wallS = (Date.now() - started) / 1000;
const busyS = machineBusy() - busyBefore;
const cores = cpus().length;

const byKind = {};
for (const [key, [kind, seconds]] of seen) {
  // A process running before Jest started (PostgreSQL's server, say) counts only what it spent since.
  byKind[kind] = (byKind[kind] ?? 0) + seconds - (before.get(key) ?? 0);
}
const kinds = Object.entries(byKind)
  .map(([kind, seconds]) => ({ kind, cpuSeconds: Math.round(seconds), shareOfBusy: `${Math.round((100 * seconds) / busyS)}%` }))
  .filter((k) => k.cpuSeconds > 0)
  .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
console.log(
  JSON.stringify(
    {
      what: 'the test suite: wall time, the machine\'s CPU over it, and each kind of process\'s CPU (read from /proc twice a second)',
      jestArguments: process.argv.slice(2),
      jestExitCode: code,
      wallSeconds: Math.round(wallS),
      machine: { cores, busyCpuSeconds: Math.round(busyS), busyShare: `${Math.round((100 * busyS) / (wallS * cores))}%` },
      kinds,
    },
    null,
    2,
  ),
);
process.exit(code);
