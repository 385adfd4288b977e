import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, readDefaults } from './load-config';
import { projectRoot } from './project-root';

describe('loadConfig', () => {
  it('builds a typed config from config/default.json with no environment', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.database.url).toBeNull();
    expect(config.redis.commandTimeoutMs).toBe(1000);
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('lets every setting be overridden by its environment variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db.example:5432/dhr',
      REDIS_URL: 'redis://cache.example:6379',
      EMBEDDED_POSTGRES: 'false',
      LOG_LEVEL: 'warn',
      DATA_DIR: '/var/lib/dhr',
    });
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBe('postgres://u:p@db.example:5432/dhr');
    expect(config.redis.url).toBe('redis://cache.example:6379');
    expect(config.database.embedded).toBe(false);
    expect(config.log.level).toBe('warn');
    expect(config.dataDir).toBe('/var/lib/dhr');
  });

  it('keeps documents in the database by default, 20 MiB at most, the folder under DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/var/lib/dhr' });
    expect(config.documents).toEqual({ maxBytes: 20 * 1024 * 1024, storage: 'database', dir: '/var/lib/dhr/documents' });
  });

  it('resolves a relative DOCUMENTS_DIR against the project folder, and keeps an absolute one', () => {
    const relative = loadConfig({ DOCUMENTS_DIR: 'files/docs', DOCUMENT_STORAGE: 'folder', DOCUMENT_MAX_BYTES: '1024' });
    expect(relative.documents.dir).toBe(join(projectRoot(), 'files/docs'));
    expect(relative.documents.storage).toBe('folder');
    expect(relative.documents.maxBytes).toBe(1024);
    expect(loadConfig({ DOCUMENTS_DIR: '/srv/dhr-documents' }).documents.dir).toBe('/srv/dhr-documents');
  });

  it('runs the application as dhr_app by default; DB_APP_ROLE may name another role, or be empty for none', () => {
    expect(loadConfig({}).database.appRole).toBe('dhr_app');
    expect(loadConfig({ DB_APP_ROLE: 'dhr_api' }).database.appRole).toBe('dhr_api');
    expect(loadConfig({ DB_APP_ROLE: '' }).database.appRole).toBe('');
    expect(() => loadConfig({ DB_APP_ROLE: 'dhr app; drop' })).toThrow(/DB_APP_ROLE: expected a lower-case PostgreSQL role name, or empty/);
  });

  it.each([
    ['DOCUMENT_STORAGE', 's3', /DOCUMENT_STORAGE: expected database or folder/],
    ['DOCUMENT_MAX_BYTES', '0', /DOCUMENT_MAX_BYTES: expected an integer number of bytes/],
    ['DOCUMENT_MAX_BYTES', '20mb', /DOCUMENT_MAX_BYTES: expected an integer number of bytes/],
    ['PORT', 'abc', /PORT: expected an integer port between 1 and 65535.*got "abc"/],
    ['PORT', '70000', /PORT: expected an integer port/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: expected a postgres:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of fatal/],
    ['EMBEDDED_POSTGRES', 'perhaps', /EMBEDDED_POSTGRES: expected true or false/],
    ['QUEUE_PREFIX', 'a:b', /QUEUE_PREFIX: expected 1-64 letters/],
    ['CORS_ORIGINS', 'https://ok.example, not a url', /CORS_ORIGINS: expected a comma-separated list of origins/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reports every bad setting at once', () => {
    try {
      loadConfig({ PORT: 'abc', DB_POOL_SIZE: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'PORT',
        'DB_POOL_SIZE',
      ]);
    }
  });

  it('names a bad default too', () => {
    const defaults = readDefaults();
    (defaults.http as Record<string, unknown>).port = 'x';
    expect(() => loadConfig({}, defaults)).toThrow(/PORT: .*default in config\/default.json/);
  });

  describe('NAME_FILE: a setting read from a file (Docker secrets)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'dhr-config-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    function secret(name: string, content: string): string {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    }

    it('reads NAME_FILE when NAME is unset, less its trailing newline, for any setting', () => {
      const config = loadConfig({
        DATABASE_URL_FILE: secret('database_url', 'postgres://dhr:s3cret@postgres:5432/dhr\n'),
        ADMIN_PASSWORD_FILE: secret('admin_password', 'correct horse battery staple\r\n'),
        PORT_FILE: secret('port', '8443'),
      });
      expect(config.database.url).toBe('postgres://dhr:s3cret@postgres:5432/dhr');
      expect(config.identity.adminPassword).toBe('correct horse battery staple');
      expect(config.http.port).toBe(8443);
    });

    it('keeps spaces inside a secret and removes only one final newline', () => {
      const config = loadConfig({ ADMIN_PASSWORD_FILE: secret('spaced', 'two words  here\n') });
      expect(config.identity.adminPassword).toBe('two words  here');
    });

    it('refuses NAME and NAME_FILE together, naming both', () => {
      expect(() => loadConfig({ SMTP_URL: 'smtp://a@b:25', SMTP_URL_FILE: secret('smtp', 'smtp://c@d:25') })).toThrow(
        /SMTP_URL: both SMTP_URL and SMTP_URL_FILE are set; set only one/,
      );
    });

    it('refuses a NAME_FILE that names no readable file, naming the variable and the path', () => {
      const missing = join(dir, 'nope');
      try {
        loadConfig({ DATABASE_URL_FILE: missing });
        throw new Error('expected a ConfigError');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toEqual([`DATABASE_URL_FILE: cannot read "${missing}" (ENOENT); expected a file holding DATABASE_URL`]);
      }
    });

    it('validates a value from a file like any other, without printing a secret', () => {
      expect(() => loadConfig({ DATABASE_URL_FILE: secret('bad_url', 'mysql://x\n') })).toThrow(/DATABASE_URL: expected a postgres:\/\/ URL/);
      expect(() => loadConfig({ ADMIN_PASSWORD_FILE: secret('short', 'tooshort\n') })).toThrow(
        /ADMIN_PASSWORD: expected a password of 12 to 1024 characters .*got a value of 8 characters/,
      );
      expect(() => loadConfig({ ADMIN_PASSWORD_FILE: secret('short', 'tooshort\n') })).not.toThrow(/tooshort/);
    });
  });
});
