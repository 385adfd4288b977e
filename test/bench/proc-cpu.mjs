// CPU read from /proc (Linux; null elsewhere), for the benchmarks that say where time goes:
// a process's CPU so far, and the whole machine's busy time (every core).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** A process's name, start time (ticks since boot) and CPU seconds so far; null once it has ended. */
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), startTicks: fields[19], cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return null;
  }
}

/** CPU seconds of a process so far. */
export const cpuOfProcess = (pid) => procStat(pid)?.cpuSeconds ?? null;

/** CPU seconds the machine has been busy (all but idle and iowait, every core). */
export function machineBusy() {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return (ticks.reduce((a, b) => a + b, 0) - ticks[3] - ticks[4]) / TICKS;
  } catch {
    return null;
  }
}
