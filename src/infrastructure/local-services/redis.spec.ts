import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { redisServerOnPath } from './redis';

describe('redisServerOnPath', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'dhr-path-'));
    for (const dir of ['empty', 'not-executable', 'a-folder', 'first', 'second']) mkdirSync(join(root, dir));
    writeFileSync(join(root, 'not-executable', 'redis-server'), '#!/bin/sh\n');
    chmodSync(join(root, 'not-executable', 'redis-server'), 0o644);
    mkdirSync(join(root, 'a-folder', 'redis-server'));
    for (const dir of ['first', 'second']) {
      writeFileSync(join(root, dir, 'redis-server'), '#!/bin/sh\n');
      chmodSync(join(root, dir, 'redis-server'), 0o755);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const path = (...dirs: string[]) => dirs.map((d) => join(root, d)).join(delimiter);

  it('finds the first executable file named redis-server in PATH’s folders, as a shell does', () => {
    expect(redisServerOnPath(path('empty', 'not-executable', 'a-folder', 'first', 'second'))).toBe(join(root, 'first', 'redis-server'));
  });

  it('is null when there is none, an empty PATH or one of folders that do not exist (no shell needed to look)', () => {
    // Run as root, a file without any execute bit is still not executable for access(X_OK).
    expect(redisServerOnPath(path('empty', 'not-executable', 'a-folder'))).toBeNull();
    expect(redisServerOnPath('')).toBeNull();
    expect(redisServerOnPath(`/nonexistent${delimiter}${delimiter}`)).toBeNull();
  });
});
