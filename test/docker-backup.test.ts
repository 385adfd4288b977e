import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from './support/databases';

const SCRIPT = join(__dirname, '..', 'docker', 'backup.sh');

/** docker/backup.sh (the compose `backup` service) run once against the local PostgreSQL. */
describe('docker/backup.sh: scheduled PostgreSQL dumps with retention', () => {
  let database: TestDatabase;
  let dir: string;
  /**
   * Why this machine's pg_dump cannot dump the suite's server, or null. The compose service
   * runs the server image's own pg_dump; a laptop whose suite runs on the embedded PostgreSQL
   * 17 may have an older pg_dump, or none. There the dump tests check the failure path instead:
   * the script exits non-zero with pg_dump's reason and prunes nothing.
   */
  let dumpProblem: string | null;
  beforeAll(async () => {
    database = await createTestDatabase();
    const c = new Client({ connectionString: database.url });
    await c.connect();
    await c.query(`INSERT INTO csps (code, name) VALUES ('BACKUP', 'Backup Test Partnership')`);
    const serverMajor = Math.floor(Number((await c.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
    await c.end();
    const version = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
    const dumpMajor = Number(/(\d+)\./.exec(version.stdout ?? '')?.[1] ?? NaN);
    dumpProblem =
      version.status !== 0 ? 'no pg_dump on PATH' : dumpMajor < serverMajor ? `pg_dump ${dumpMajor} cannot dump a PostgreSQL ${serverMajor} server` : null;
    if (dumpProblem) console.warn(`docker/backup.sh tests: ${dumpProblem}; the dump tests check that the script fails cleanly instead`);
  });

  /** Where no dump can be made here: the script fails, says why, and leaves the folder as it was. */
  function expectCleanFailure(result: ReturnType<typeof run>, backups: string, before: string[]) {
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('pg_dump failed; nothing pruned');
    expect(existsSync(backups) ? readdirSync(backups).sort() : []).toEqual(before.sort());
  }
  afterAll(() => database.drop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dhr-backup-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(env: Record<string, string>) {
    const url = new URL(database.url);
    return spawnSync('bash', [SCRIPT, '--once'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        PGHOST: url.hostname,
        PGPORT: url.port || '5432',
        PGUSER: decodeURIComponent(url.username),
        PGDATABASE: url.pathname.slice(1),
        // A server that checks passwords (the embedded PostgreSQL of a laptop) needs the URL's.
        ...(url.password && !env.PGPASSWORD_FILE ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
        ...env,
      },
    });
  }

  it('writes a restorable custom-format dump and removes the oldest beyond BACKUP_KEEP', () => {
    const backups = join(dir, 'backups');
    mkdirSync(backups);
    const old = ['dhr-20250101T020000Z', 'dhr-20250102T020000Z', 'dhr-20250103T020000Z'];
    for (const name of old) {
      writeFileSync(join(backups, `${name}.dump`), 'old dump');
      writeFileSync(join(backups, `${name}.documents.tar.gz`), 'old documents');
    }
    writeFileSync(join(backups, 'notes.txt'), 'not a dump: left alone');
    const documents = join(dir, 'documents');
    mkdirSync(documents);
    writeFileSync(join(documents, 'imr.pdf'), '%PDF-1.7 a document');

    const before = readdirSync(backups);
    const result = run({ BACKUP_DIR: backups, BACKUP_KEEP: '2', BACKUP_DOCUMENTS_DIR: documents });
    if (dumpProblem) return expectCleanFailure(result, backups, before);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });

    const files = readdirSync(backups).sort();
    const fresh = files.find((f) => /^dhr-\d{8}T\d{6}Z\.dump$/.test(f) && !old.some((o) => f.startsWith(o)))!;
    expect(fresh).toBeDefined();
    // Newest two kept (the new one and the newest old one), each with its documents archive.
    expect(files).toEqual(
      [fresh, fresh.replace('.dump', '.documents.tar.gz'), 'dhr-20250103T020000Z.dump', 'dhr-20250103T020000Z.documents.tar.gz', 'notes.txt'].sort(),
    );
    expect(result.stdout).toContain('removed dhr-20250101T020000Z.dump');

    // The dump holds the data: restored into a fresh database, the row is there.
    const listing = spawnSync('pg_restore', ['--list', join(backups, fresh)], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    expect(listing.stdout).toMatch(/TABLE DATA public csps/);
    const archive = spawnSync('tar', ['-tzf', join(backups, fresh.replace('.dump', '.documents.tar.gz'))], { encoding: 'utf8' });
    expect(archive.stdout).toContain('./imr.pdf');
  });

  it('restores: the dump put into an empty database gives back the data', async () => {
    const backups = join(dir, 'backups');
    const made = run({ BACKUP_DIR: backups, BACKUP_KEEP: '1' });
    if (dumpProblem) return expectCleanFailure(made, backups, []);
    expect(made.status).toBe(0);
    const [dump] = readdirSync(backups);
    const target = await createTestDatabase();
    try {
      const c = new Client({ connectionString: target.url });
      await c.connect();
      await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await c.end();
      const url = new URL(target.url);
      const restore = spawnSync('pg_restore', ['--no-owner', '-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username), '-d', url.pathname.slice(1), join(backups, dump)], {
        encoding: 'utf8',
        env: { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) },
      });
      expect({ status: restore.status, stderr: restore.stderr }).toMatchObject({ status: 0 });
      const r = new Client({ connectionString: target.url });
      await r.connect();
      const { rows } = await r.query(`SELECT name FROM csps WHERE code = 'BACKUP'`);
      await r.end();
      expect(rows).toEqual([{ name: 'Backup Test Partnership' }]);
    } finally {
      await target.drop();
    }
  });

  it('a failed dump exits non-zero, leaves no partial file and deletes nothing', () => {
    const backups = join(dir, 'backups');
    mkdirSync(backups);
    for (const day of ['01', '02', '03']) writeFileSync(join(backups, `dhr-202501${day}T020000Z.dump`), 'old dump');
    const result = run({ BACKUP_DIR: backups, BACKUP_KEEP: '1', PGDATABASE: 'no_such_database_dhr' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('pg_dump failed; nothing pruned');
    expect(readdirSync(backups).sort()).toEqual(['dhr-20250101T020000Z.dump', 'dhr-20250102T020000Z.dump', 'dhr-20250103T020000Z.dump']);
  });

  it.each([
    [{ BACKUP_KEEP: '0' }, /BACKUP_KEEP: expected a whole number of dumps to keep, at least 1; got "0"/],
    [{ BACKUP_KEEP: 'ten' }, /BACKUP_KEEP: expected a whole number/],
    [{ PGPASSWORD_FILE: '/nonexistent/secret' }, /PGPASSWORD_FILE: cannot read "\/nonexistent\/secret"/],
  ])('refuses bad settings, naming them: %j', (env, message) => {
    const backups = join(dir, 'backups');
    const result = run({ BACKUP_DIR: backups, ...env });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(backups) ? readdirSync(backups) : []).toEqual([]);
  });

  it('takes the password from a readable PGPASSWORD_FILE (a Docker secret), never with PGPASSWORD too', () => {
    // A server that trusts every login shows the file is accepted; one that checks passwords
    // (the embedded PostgreSQL) shows it is used.
    const secret = join(dir, 'postgres_password');
    writeFileSync(secret, `${decodeURIComponent(new URL(database.url).password) || 'a-password'}\n`);
    const ok = run({ BACKUP_DIR: join(dir, 'backups'), PGPASSWORD_FILE: secret });
    if (dumpProblem) expectCleanFailure(ok, join(dir, 'backups'), []);
    else expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    const both = run({ BACKUP_DIR: join(dir, 'other'), PGPASSWORD_FILE: secret, PGPASSWORD: 'x' });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('PGPASSWORD and PGPASSWORD_FILE are both set; set only one');
  });
});
