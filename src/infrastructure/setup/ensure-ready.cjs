#!/usr/bin/env node
// Runs before `npm start` and `npm test` so that both work on a fresh clone:
// installs dependencies from the lockfile when node_modules is missing or older than the
// lockfile, then compiles the TypeScript (incremental, so a second run is quick).
// Plain CommonJS with no dependencies: it has to run before anything is installed.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const lockfile = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function run(args) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`\n'npm ${args.join(' ')}' failed (exit ${result.status}).\n`);
    process.exit(result.status || 1);
  }
}

if (mtime(installed) < mtime(lockfile)) {
  process.stderr.write('Installing dependencies from package-lock.json (npm ci)...\n');
  run(['ci', '--no-audit', '--no-fund']);
}
run(['run', '--silent', 'build']);
