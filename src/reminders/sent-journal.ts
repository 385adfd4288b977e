import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A local, fsync'd record of the messages SMTP accepted whose acceptance PostgreSQL has not yet
 * recorded. Written the moment the SMTP server says 250, before anything else, so a send whose
 * "sent" cannot be written (PostgreSQL away) and whose worker then dies is not sent again: the
 * next start of a worker on the machine writes what the journal holds into the ledger before it
 * takes any job, and the process that wrote it checks it before every send.
 *
 * One file per process (`sent-<pid>.ndjson` under `<DATA_DIR>/sent-journal/`), so processes
 * never write each other's. A file is emptied when everything in it is recorded, and the file
 * of a process that is no longer running is removed once it has been replayed.
 */
export class SentJournal {
  private readonly file: string;
  private readonly pending = new Map<string, string>();
  private fd: number | null = null;
  private usable = true;

  constructor(
    private readonly dir: string,
    private readonly pid = process.pid,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.file = join(dir, `sent-${pid}.ndjson`);
  }

  /** Messages accepted by SMTP and not yet recorded, found in every journal file in the folder. */
  leftovers(): Array<{ key: string; messageId: string; file: string }> {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => /^sent-\d+\.ndjson$/.test(n));
    } catch {
      return [];
    }
    const found: Array<{ key: string; messageId: string; file: string }> = [];
    for (const name of names) {
      const file = join(this.dir, name);
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as { key: string; messageId: string };
          if (typeof entry.key === 'string') found.push({ key: entry.key, messageId: String(entry.messageId ?? ''), file });
        } catch {
          // A line cut short by a crash mid-write: its fsync never returned, so its send never counted.
        }
      }
    }
    return found;
  }

  /** Removes journal files of processes no longer running (after their entries were recorded). */
  removeFilesOfEndedProcesses(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => /^sent-\d+\.ndjson$/.test(n));
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(/^sent-(\d+)\.ndjson$/.exec(name)![1]);
      if (pid !== this.pid && !running(pid)) rmSync(join(this.dir, name), { force: true });
    }
  }

  /**
   * Whether any process on this machine journalled `key` as accepted: for a send claimed again
   * after its first claimant stopped answering (killed, say), which another worker may have
   * sent and not recorded. Reads every journal file in the folder.
   */
  acceptedAnywhere(key: string): string | undefined {
    return this.pending.get(key) ?? this.leftovers().find((e) => e.key === key)?.messageId;
  }

  /** Whether this process has an accepted message for `key` that is not yet recorded. */
  acceptedButUnrecorded(key: string): string | undefined {
    return this.pending.get(key);
  }

  /** SMTP accepted `key`: written and fsync'd before returning. */
  accepted(key: string, messageId: string): void {
    this.pending.set(key, messageId);
    if (!this.usable) return;
    try {
      if (this.fd === null) {
        mkdirSync(this.dir, { recursive: true });
        this.fd = openSync(this.file, 'a');
      }
      writeSync(this.fd, `${JSON.stringify({ key, messageId })}\n`);
      fsyncSync(this.fd);
    } catch (error) {
      // A read-only folder: the in-process retry still covers PostgreSQL being away; only a
      // crash while it is away could then send a message twice. Said once in the log.
      this.usable = false;
      this.onError(error as Error);
    }
  }

  /** The ledger has recorded `key` as sent: once nothing is pending, the file is emptied. */
  recorded(key: string): void {
    this.pending.delete(key);
    if (this.pending.size > 0 || this.fd === null) return;
    try {
      closeSync(this.fd);
      this.fd = null;
      rmSync(this.file, { force: true });
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** For tests: write an entry as a process that died would have left it. */
  static leaveBehind(dir: string, pid: number, key: string, messageId: string): void {
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `sent-${pid}.ndjson`), `${JSON.stringify({ key, messageId })}\n`);
  }
}

export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
