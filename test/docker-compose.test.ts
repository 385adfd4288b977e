import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { SETTINGS } from '../src/infrastructure/config/app-config';

/**
 * docker/compose.yaml, Dockerfile and Caddyfile read as the deployment they describe (no Docker
 * engine here to run them).
 */
const DOCKER = join(__dirname, '..', 'docker');
const compose = load(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');
const caddyfile = readFileSync(join(DOCKER, 'Caddyfile'), 'utf8');

interface Service {
  image: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean; timeout?: string };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

const services = Object.entries(compose.services);
const settingNames = new Set(SETTINGS.map((s) => s.env));

describe('docker/compose.yaml', () => {
  it('pins every image to an exact version (no floating major tags, no latest)', () => {
    const exact = /^[a-z0-9./-]+:\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/;
    // PostgreSQL's own versions have two parts (16.10 is a release; 16 floats).
    const exactPostgres = /^postgres:\d+\.\d+(-[a-z0-9.-]+)?$/;
    for (const [name, service] of services) {
      if (service.build) {
        // Our own image: built from the Dockerfile, whose base image is pinned.
        expect({ name, image: service.image }).toEqual({ name, image: 'dhr-engine:local' });
        continue;
      }
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(service.image.startsWith('postgres:') ? exactPostgres : exact) });
    }
    const from = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(from).toMatch(exact);
  });

  it("checks the API's health on readiness (/health/ready), in compose and in the image", () => {
    const api = compose.services.api;
    const test = api.healthcheck!.test!.join(' ');
    expect(test).toContain('/health/ready');
    const check = /^HEALTHCHECK[^\n]*\n(?:[^\n]*\\\n)*[^\n]*$/m.exec(dockerfile.replace(/\\\n\s*/g, '\\\n'))?.[0] ?? '';
    expect(check).toContain("/health/ready'");
    expect(check).not.toMatch(/'\/health'/);
  });

  it('passes no secret in the environment: passwords and URLs with credentials come from files', () => {
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        expect({ name, key, value: String(value) }).not.toEqual({ name, key, value: expect.stringMatching(/PASSWORD\}|:\/\/[^/\s]*:[^@/\s]*@/) });
        expect({ name, key }).not.toEqual({ name, key: expect.stringMatching(/^(DATABASE_URL|SMTP_URL|ADMIN_PASSWORD|POSTGRES_PASSWORD|PGPASSWORD|OIDC_CLIENT_SECRET)$/) });
        if (!key.endsWith('_FILE')) continue;
        // Each NAME_FILE names a secret given to that service, and NAME is a setting its reader knows.
        const secret = /^\/run\/secrets\/([a-z_]+)$/.exec(String(value))?.[1];
        expect({ name, key, secret: secret && service.secrets?.includes(secret) ? secret : null }).toEqual({ name, key, secret: expect.any(String) });
        expect(compose.secrets[secret!].file).toMatch(/^\.\/secrets\//);
        const setting = key.replace(/_FILE$/, '');
        if (name === 'postgres') expect(setting).toBe('POSTGRES_PASSWORD');
        else if (name === 'backup') expect(setting).toBe('PGPASSWORD');
        else expect({ name, setting, known: settingNames.has(setting) }).toEqual({ name, setting, known: true });
      }
    }
    expect(compose.services.api.environment!.DATABASE_URL_FILE).toBe('/run/secrets/database_url');
    expect(compose.services.api.environment!.ADMIN_PASSWORD_FILE).toBe('/run/secrets/admin_password');
    expect(compose.services.worker.environment!.SMTP_URL_FILE).toBe('/run/secrets/smtp_url');
    expect(compose.services.migrate.environment!.DATABASE_URL_FILE).toBe('/run/secrets/database_url');
    expect(compose.services.postgres.environment!.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/postgres_password');
  });

  it('has the API and the worker log in as the application login, which migrate creates (issue 13, item 4)', () => {
    for (const name of ['migrate', 'api', 'worker']) {
      expect({ name, file: compose.services[name].environment!.APP_DATABASE_URL_FILE }).toEqual({ name, file: '/run/secrets/app_database_url' });
    }
    expect(compose.secrets.app_database_url.file).toBe('./secrets/app_database_url');
  });

  it('keeps folder-stored documents in a volume, shared by api and worker and backed up', () => {
    expect(Object.keys(compose.volumes)).toContain('documents');
    for (const name of ['api', 'worker']) {
      const service = compose.services[name];
      expect(service.volumes).toContain(`documents:${service.environment!.DOCUMENTS_DIR}`);
    }
    expect(compose.services.backup.volumes).toContain(`documents:${compose.services.backup.environment!.BACKUP_DOCUMENTS_DIR}:ro`);
    expect(dockerfile).toMatch(/mkdir -p \/var\/lib\/dhr\/documents && chown node:node \/var\/lib\/dhr\/documents/);
  });

  it('backs PostgreSQL up on a schedule with retention, into a volume of its own', () => {
    const backup = compose.services.backup;
    expect(backup.image).toBe(compose.services.postgres.image);
    expect(backup.volumes).toEqual(expect.arrayContaining(['./backup.sh:/usr/local/bin/dhr-backup.sh:ro', 'backups:/backups']));
    expect(backup.command).toEqual(['bash', '/usr/local/bin/dhr-backup.sh']);
    expect(backup.environment).toMatchObject({ PGHOST: 'postgres', BACKUP_DIR: '/backups', BACKUP_KEEP: '${BACKUP_KEEP:-14}' });
    expect(Object.keys(compose.volumes)).toContain('backups');
  });

  it('publishes only the TLS reverse proxy, which forwards to the API', () => {
    const published = services.filter(([, s]) => (s.ports ?? []).length > 0).map(([name]) => name);
    expect(published).toEqual(['proxy']);
    const proxy = compose.services.proxy;
    expect(proxy.image).toMatch(/^caddy:/);
    expect(proxy.ports).toEqual(['80:80', '443:443']);
    expect(proxy.volumes).toContain('./Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(caddyfile).toMatch(/^\s*tls \{\$DHR_TLS:internal\}$/m);
    expect(caddyfile).toMatch(/^\s*reverse_proxy api:3000 \{$/m);
    expect(compose.services.api.environment!.TRUST_PROXY).toBe('1');
  });
});

describe('docker/ as the README describes it ("Running the API and the worker separately")', () => {
  /** The Dockerfile's stages, in order, with the instructions of each. */
  const stages = dockerfile
    .split(/^FROM /m)
    .slice(1)
    .map((text) => ({ from: text.split('\n')[0], body: text }));

  it('builds in several stages and ships only the last: compiled code and runtime dependencies, run as a user that is not root', () => {
    expect(stages.map((s) => s.from)).toEqual(['${NODE_IMAGE} AS base', 'base AS deps', 'deps AS build', 'base AS prod-deps', '${NODE_IMAGE} AS runtime']);
    const runtime = stages[stages.length - 1].body;
    // No compiler or dev dependency in the image: node_modules from `npm ci --omit=dev`, dist from the build stage.
    expect(stages.find((s) => s.from === 'base AS prod-deps')!.body).toMatch(/^RUN npm ci --omit=dev/m);
    expect(runtime).toMatch(/^COPY --from=prod-deps \/app\/node_modules \.\/node_modules$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).not.toMatch(/^COPY (src\/ |tsconfig)/m);
    expect(runtime).not.toMatch(/--from=deps/);
    // The last USER is node, and nothing runs after it as root.
    const users = [...runtime.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users).toEqual(['node']);
    expect(runtime.slice(runtime.indexOf('USER node'))).not.toMatch(/^RUN /m);
  });

  it('runs Redis append-only with noeviction (BullMQ needs it), in a volume', () => {
    const redis = compose.services.redis;
    expect(redis.command).toEqual(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction']);
    expect(redis.volumes).toEqual(['redis-data:/data']);
  });

  it('migrates once, before the API and the worker start: they wait for the one-shot migration to finish successfully', () => {
    const migrate = compose.services.migrate;
    expect(migrate.command).toEqual(['node', 'dist/src/cli/migrate.js']);
    expect(migrate.healthcheck).toEqual({ disable: true });
    expect(migrate.restart ?? 'no').toBe('no');
    for (const name of ['api', 'worker']) {
      const service = compose.services[name];
      expect({ name, migrate: service.depends_on?.migrate }).toEqual({ name, migrate: { condition: 'service_completed_successfully' } });
      expect({ name, redis: service.depends_on?.redis }).toEqual({ name, redis: { condition: 'service_healthy' } });
    }
    expect(compose.services.worker.command).toEqual(['node', 'dist/src/worker.js']);
  });
});
