import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SentJournal } from './sent-journal';

describe('SentJournal', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'journal-'));

  it('keeps an accepted key on disk until it is recorded, then empties its file', () => {
    const dir = folder();
    const journal = new SentJournal(dir, process.pid);
    journal.accepted('d|before-7d|2026-03-24T17:00:00.000Z|a@x', '<m1@x>');
    journal.accepted('d|before-7d|2026-03-24T17:00:00.000Z|b@x', '<m2@x>');
    const file = join(dir, `sent-${process.pid}.ndjson`);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(journal.acceptedButUnrecorded('d|before-7d|2026-03-24T17:00:00.000Z|a@x')).toBe('<m1@x>');
    journal.recorded('d|before-7d|2026-03-24T17:00:00.000Z|a@x');
    expect(existsSync(file)).toBe(true);
    journal.recorded('d|before-7d|2026-03-24T17:00:00.000Z|b@x');
    expect(existsSync(file)).toBe(false);
    expect(journal.acceptedButUnrecorded('d|before-7d|2026-03-24T17:00:00.000Z|a@x')).toBeUndefined();
  });

  it('a new process finds what a killed one left, and removes that file once replayed; a running one\'s file stays', () => {
    const dir = folder();
    const dead = 2 ** 22 + 12345; // above the kernel's pid limit: no such process
    SentJournal.leaveBehind(dir, dead, 'k1', '<m1@x>');
    SentJournal.leaveBehind(dir, process.ppid, 'k2', '<m2@x>');
    const journal = new SentJournal(dir, process.pid);
    expect(journal.leftovers().map((e) => e.key).sort()).toEqual(['k1', 'k2']);
    journal.removeFilesOfEndedProcesses();
    expect(existsSync(join(dir, `sent-${dead}.ndjson`))).toBe(false);
    expect(existsSync(join(dir, `sent-${process.ppid}.ndjson`))).toBe(true);
  });

  it('finds a key another process on the machine journalled (a send claimed again after its first claimant died)', () => {
    const dir = folder();
    SentJournal.leaveBehind(dir, 2 ** 22 + 7, 'k-other', '<m9@x>');
    const journal = new SentJournal(dir, process.pid);
    expect(journal.acceptedButUnrecorded('k-other')).toBeUndefined();
    expect(journal.acceptedAnywhere('k-other')).toBe('<m9@x>');
    expect(journal.acceptedAnywhere('k-none')).toBeUndefined();
  });

  it('ignores a line cut short by a crash mid-write', () => {
    const dir = folder();
    SentJournal.leaveBehind(dir, 999_999_9, 'k1', '<m1@x>');
    appendFileSync(join(dir, 'sent-9999999.ndjson'), '{"key":"k2","mess');
    expect(new SentJournal(dir, process.pid).leftovers().map((e) => e.key)).toEqual(['k1']);
  });

  it('a folder it cannot write to: the key is still known to the process, and the error is reported once', () => {
    const errors: string[] = [];
    const file = join(folder(), 'a-file');
    writeFileSync(file, '');
    const journal = new SentJournal(join(file, 'journal'), process.pid, (e) => errors.push(e.message));
    journal.accepted('k1', '<m1@x>');
    journal.accepted('k2', '<m2@x>');
    expect(journal.acceptedButUnrecorded('k1')).toBe('<m1@x>');
    expect(errors).toHaveLength(1);
  });
});
