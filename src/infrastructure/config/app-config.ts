import { z } from 'zod';

/**
 * The typed configuration every part of the application receives. It is built once at boot by
 * `loadConfig` from `config/default.json` overridden by environment variables.
 */
export interface AppConfig {
  env: 'local' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    publicBaseUrl: string;
    bodyLimit: string;
    /** Origins allowed to call the API from a browser; empty = CORS off. */
    corsOrigins: string[];
    /** Express's `trust proxy`: which hops' X-Forwarded-For to believe; false: none. */
    trustProxy: false | number | string;
    /** Requests per minute per client address and route (health checks excepted). */
    rateLimitPerMinute: number;
  };
  database: {
    /** Set when PostgreSQL is given explicitly; otherwise the local resolver finds or starts one. */
    url: string | null;
    /**
     * The login of the API, the worker and the command line (APP_DATABASE_URL): a role that is
     * only a member of dhr_app. Unset: `dhr_app_login` on the server of `url`, created by
     * app-login.ts. Migrations always use `url` (the schema's owner).
     */
    appUrl: string | null;
    localPort: number;
    localDatabase: string;
    poolSize: number;
    /** Whether the single-machine start may start an embedded PostgreSQL. */
    embedded: boolean;
    /**
     * Role the API and the worker switch to on every connection (`dhr_app`: no UPDATE, DELETE
     * or TRUNCATE on the append-only tables); '' = stay the login role. Migrations never switch.
     */
    appRole: string;
    /** Whether the API's and the worker's connections send their statements prepared (preparing-client.ts). */
    prepareStatements: boolean;
  };
  redis: {
    url: string | null;
    localPort: number;
    /** How long a producer command may take before the HTTP request gets a 503. */
    commandTimeoutMs: number;
    /** Whether the single-machine start may start a redis-server found on PATH. */
    spawnLocal: boolean;
  };
  queue: {
    /** BullMQ key prefix; tests use a unique one per test file. */
    prefix: string;
    /** How long a worker's lock on a running job lasts; a job whose worker died is retried after it. */
    lockMs: number;
    /** Jobs each worker process runs at once, per queue. */
    concurrency: number;
  };
  reminders: {
    /** How often the worker hands reminders that have come due (and relayed outbox rows) to BullMQ. */
    dispatchEveryMs: number;
    /** A reminder handed to BullMQ and not finished within this is handed over again (Redis may have lost it). */
    leaseMs: number;
    /** First retry of a failed send; each retry waits twice the last, up to retryMaxMs, for as long as the reminder is owed. */
    retryFirstMs: number;
    retryMaxMs: number;
    /** Readiness says reminders are not flowing when an owed reminder or an outbox row has waited longer than this. */
    stalledAfterMs: number;
    /** Port of the worker's health and metrics endpoint; null: none. */
    healthPort: number | null;
    /** Simultaneous SMTP connections each worker process keeps open. */
    smtpPoolSize: number;
    /** The reminder policy file; null: config/reminder-policy.json. */
    policyFile: string | null;
  };
  /** Folder for data the application keeps itself (embedded PostgreSQL, local Redis). */
  dataDir: string;
  reports: {
    /** Most reviews a report may rebuild at once (the committee report's DOCX, PDF and JSON of every review). */
    maxReviews: number;
  };
  documents: {
    /** Largest document version accepted, in bytes. */
    maxBytes: number;
    /** Where uploaded content goes: in its PostgreSQL row, or as a file under `dir`. */
    storage: 'database' | 'folder';
    /** Absolute after loading: DOCUMENTS_DIR resolved against the project, or `<dataDir>/documents`. */
    dir: string;
  };
  mail: {
    /**
     * SMTP server for outgoing mail (smtp:// or smtps://, credentials in the URL). Null until
     * resolved: the single-machine start then runs a local capture and fills its URL in.
     */
    smtpUrl: string | null;
    /** Sender of every email and ORGANIZER of calendar invitations: `Name <address>` or an address. */
    from: string;
    /** Absolute after loading: MAIL_CAPTURE_DIR resolved against the project, or `<dataDir>/mail`. */
    captureDir: string;
  };
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
  identity: {
    /** Whether an X-Actor header may name the caller (tests, local scripts); refused with production. */
    trustActorHeader: boolean;
    /** Secure and `__Host-` session cookie; after loading, unset means true in production only. */
    sessionCookieSecure: boolean;
    /** A session not used for this long is over. */
    sessionIdleMinutes: number;
    /** A session is over this long after sign-in, however busy. */
    sessionMaxHours: number;
    /** Days a session's record (time, address, browser) is kept after it was last active. */
    sessionRetentionDays: number;
    /** Days an API token is valid after it is issued. */
    apiTokenLifetimeDays: number;
    /** Days the link of an invitation to a review team works after it is sent. */
    invitationLifetimeDays: number;
    /** Consecutive failed sign-ins that lock an account. */
    signInMaxFailures: number;
    /** How long a locked account stays locked. */
    signInLockMinutes: number;
    /** Sign-in attempts per minute per client address before 429. */
    signInRateLimitPerMinute: number;
    /** The administrator created on the first start (when there are no users). */
    adminEmail: string | null;
    /** Their password; unset: one is generated and printed once. Never logged or echoed. */
    adminPassword: string | null;
  };
  /**
   * Sign-in through the organisation's OpenID Connect provider (Entra ID…), besides passwords.
   * On iff `issuerUrl` is set; then clientId and clientSecret are set too (loadConfig checks).
   */
  oidc: {
    issuerUrl: string | null;
    clientId: string | null;
    /** Never logged or echoed. */
    clientSecret: string | null;
    /** Where the provider sends the browser back; after loading, unset means PUBLIC_BASE_URL + /auth/oidc/callback. */
    redirectUrl: string;
    /** Space-separated; always includes openid. */
    scopes: string;
    /** The ID token claim holding the user's email address (email; preferred_username for Entra ID). */
    emailClaim: string;
  };
  /** Demo mode (`npm run demo`): demo users and reviews seeded at start; refused in production. */
  demo: {
    /** Whether the single-machine start seeds the demo data (src/demo/) after migrating. */
    enabled: boolean;
    /** The password of every demo user: a local demo's, printed at start, not a secret. */
    password: string;
  };
}

const booleanFromString = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const lowered = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
  if (['false', '0', 'no', 'off'].includes(lowered)) return false;
  return value;
}, z.boolean());

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/**
 * One row per setting: the environment variable, where it lands in AppConfig, what it must be
 * and what it is for. The README's configuration table is written from this list.
 */
export interface SettingDefinition {
  env: string;
  path: string;
  schema: z.ZodTypeAny;
  expected: string;
  description: string;
  nullable?: boolean;
  /** A secret: a bad value is described by its length, never echoed. */
  secret?: boolean;
  /** An empty environment variable is the value '' (not "use the default"). */
  allowEmpty?: boolean;
}

export const SETTINGS: SettingDefinition[] = [
  {
    env: 'APP_ENV',
    path: 'env',
    schema: z.enum(['local', 'production', 'test']),
    expected: 'one of local, production, test',
    description: 'local: developer defaults; production: secure cookies, no local fallbacks.',
  },
  {
    env: 'HOST',
    path: 'http.host',
    schema: z.string().min(1).max(255),
    expected: 'a host name or IP address to listen on',
    description: 'Interface the HTTP API listens on (0.0.0.0 in containers).',
  },
  {
    env: 'PORT',
    path: 'http.port',
    schema: port,
    expected: 'an integer port between 1 and 65535',
    description: 'HTTP port of the API.',
  },
  {
    env: 'PUBLIC_BASE_URL',
    path: 'http.publicBaseUrl',
    schema: url(['http', 'https']),
    nullable: true,
    expected: 'an http(s) URL',
    description: 'Address users reach the service at; used in links in emails (default: http://localhost:PORT).',
  },
  {
    env: 'HTTP_BODY_LIMIT',
    path: 'http.bodyLimit',
    schema: z.string().regex(/^\d+(kb|mb)$/, 'must look like 100kb or 1mb'),
    expected: 'a size such as 100kb or 1mb',
    description: 'Largest JSON request body accepted.',
  },
  {
    env: 'CORS_ORIGINS',
    path: 'http.corsOrigins',
    schema: z.preprocess(
      (v) => (typeof v === 'string' ? v.split(',').map((o) => o.trim()).filter(Boolean) : v),
      z.array(z.string().regex(/^https?:\/\/[^\s/,]+$/, 'each origin must look like https://host[:port]')),
    ),
    expected: 'a comma-separated list of origins such as https://dhr.example.gov.uk',
    description: 'Origins allowed to call the API from a browser. Empty (the default): CORS is off.',
  },
  {
    env: 'TRUST_PROXY',
    path: 'http.trustProxy',
    schema: z.preprocess(
      (v) => (v === 'false' || v === false ? false : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
      z.union([
        z.literal(false),
        z.number().int().min(1).max(10),
        z.string().regex(/^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*$/, 'must be false, a number of proxies, or addresses/subnets'),
      ]),
    ),
    expected: 'false, the number of reverse proxies in front (1-10), or their addresses/subnets (e.g. loopback, 10.0.0.0/8)',
    description:
      'Behind a reverse proxy: whose X-Forwarded-For to believe, so rate limits and the access log see the client address, not the proxy. false (the default): the connection address.',
  },
  {
    env: 'RATE_LIMIT_PER_MINUTE',
    path: 'http.rateLimitPerMinute',
    schema: positiveInt(1_000_000),
    expected: 'an integer from 1 to 1000000',
    description: 'Requests per minute per client address and route before 429 (each route, such as `GET /reviews/:id` whatever the review, counts on its own; health checks are not limited; counted in Redis, across every API process).',
  },
  {
    env: 'DATABASE_URL',
    path: 'database.url',
    schema: url(['postgres', 'postgresql']),
    nullable: true,
    expected: 'a postgres:// URL',
    description:
      'PostgreSQL to use. Unset: a server on 127.0.0.1:LOCAL_POSTGRES_PORT, else an embedded one.',
  },
  {
    env: 'APP_DATABASE_URL',
    path: 'database.appUrl',
    schema: url(['postgres', 'postgresql']),
    nullable: true,
    expected: 'a postgres:// URL',
    description:
      'Login of the API, the worker and the command line: a role that is only a member of dhr_app (migrations use DATABASE_URL). Unset: dhr_app_login on the same server, created when needed, its password kept in DATA_DIR/app-login-password.',
  },
  {
    env: 'LOCAL_POSTGRES_PORT',
    path: 'database.localPort',
    schema: port,
    expected: 'an integer port between 1 and 65535',
    description: 'Port probed for a local PostgreSQL when DATABASE_URL is unset.',
  },
  {
    env: 'LOCAL_POSTGRES_DATABASE',
    path: 'database.localDatabase',
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier'),
    expected: 'a lower-case database name',
    description: 'Database created and used on a local or embedded PostgreSQL.',
  },
  {
    env: 'DB_POOL_SIZE',
    path: 'database.poolSize',
    schema: positiveInt(200),
    expected: 'an integer from 1 to 200',
    description: 'Connections in the PostgreSQL pool of each process.',
  },
  {
    env: 'DB_APP_ROLE',
    path: 'database.appRole',
    schema: z.string().regex(/^(?:[a-z_][a-z0-9_]{0,62})?$/, 'must be a lower-case role name, or empty'),
    allowEmpty: true,
    expected: 'a lower-case PostgreSQL role name, or empty',
    description:
      'Role the API and the worker run as on every connection (SET ROLE); dhr_app may not change the append-only tables. Empty: no switch, for a login that is already restricted. Migrations run as the login role.',
  },
  {
    env: 'DB_PREPARE_STATEMENTS',
    path: 'database.prepareStatements',
    schema: booleanFromString,
    expected: 'true or false',
    description:
      'Whether the API and the worker send each statement as a named prepared statement (planned once per connection, not on every run). Set false behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).',
  },
  {
    env: 'EMBEDDED_POSTGRES',
    path: 'database.embedded',
    schema: booleanFromString,
    expected: 'true or false',
    description: 'Whether `npm start` may start an embedded PostgreSQL when none is found.',
  },
  {
    env: 'REDIS_URL',
    path: 'redis.url',
    schema: url(['redis', 'rediss']),
    nullable: true,
    expected: 'a redis:// URL',
    description:
      'Redis to use. Unset: a server on 127.0.0.1:LOCAL_REDIS_PORT, else a redis-server from PATH.',
  },
  {
    env: 'LOCAL_REDIS_PORT',
    path: 'redis.localPort',
    schema: port,
    expected: 'an integer port between 1 and 65535',
    description: 'Port probed for a local Redis when REDIS_URL is unset.',
  },
  {
    env: 'REDIS_COMMAND_TIMEOUT_MS',
    path: 'redis.commandTimeoutMs',
    schema: positiveInt(60000),
    expected: 'an integer number of milliseconds from 1 to 60000',
    description: 'How long an HTTP request waits on Redis before answering 503.',
  },
  {
    env: 'LOCAL_REDIS',
    path: 'redis.spawnLocal',
    schema: booleanFromString,
    expected: 'true or false',
    description: 'Whether `npm start` may start a redis-server from PATH when none is found.',
  },
  {
    env: 'QUEUE_PREFIX',
    path: 'queue.prefix',
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only'),
    expected: '1-64 letters, digits, - or _',
    description: 'Prefix of every BullMQ key in Redis.',
  },
  {
    env: 'QUEUE_LOCK_MS',
    path: 'queue.lockMs',
    schema: z.coerce.number().int().min(500).max(600000),
    expected: 'an integer number of milliseconds from 500 to 600000',
    description: 'Lock on a running job; a job whose worker died (crash, SIGKILL) runs again once it lapses.',
  },
  {
    env: 'QUEUE_CONCURRENCY',
    path: 'queue.concurrency',
    schema: positiveInt(64),
    expected: 'an integer from 1 to 64',
    description: 'Jobs each worker process runs at once, per queue.',
  },
  {
    env: 'REMINDER_DISPATCH_MS',
    path: 'reminders.dispatchEveryMs',
    schema: z.coerce.number().int().min(50).max(60000),
    expected: 'an integer number of milliseconds from 50 to 60000',
    description: 'How often the worker hands reminders that have come due to BullMQ.',
  },
  {
    env: 'REMINDER_LEASE_MS',
    path: 'reminders.leaseMs',
    schema: z.coerce.number().int().min(1000).max(3600000),
    expected: 'an integer number of milliseconds from 1000 to 3600000',
    description: 'A reminder handed to BullMQ but not finished within this is handed over again (a no-op while Redis has it).',
  },
  {
    env: 'REMINDER_RETRY_FIRST_MS',
    path: 'reminders.retryFirstMs',
    schema: z.coerce.number().int().min(10).max(3600000),
    expected: 'an integer number of milliseconds from 10 to 3600000',
    description: 'Wait before the first retry of a send that failed; each retry waits twice the last.',
  },
  {
    env: 'REMINDER_RETRY_MAX_MS',
    path: 'reminders.retryMaxMs',
    schema: z.coerce.number().int().min(10).max(86400000),
    expected: 'an integer number of milliseconds from 10 to 86400000',
    description: 'Longest wait between retries of a failed send; retries go on while the reminder is owed.',
  },
  {
    env: 'REMINDER_STALLED_AFTER_MS',
    path: 'reminders.stalledAfterMs',
    schema: z.coerce.number().int().min(1000).max(86400000),
    expected: 'an integer number of milliseconds from 1000 to 86400000',
    description: 'Readiness reports reminders as not flowing when one owed (or an outbox row) has waited longer.',
  },
  {
    env: 'WORKER_HEALTH_PORT',
    path: 'reminders.healthPort',
    schema: port,
    nullable: true,
    expected: 'an integer port between 1 and 65535',
    description: "Port of the worker's /health/live, /health/ready and /metrics; unset: none.",
  },
  {
    env: 'SMTP_POOL_SIZE',
    path: 'reminders.smtpPoolSize',
    schema: positiveInt(100),
    expected: 'an integer from 1 to 100',
    description: 'SMTP connections each worker process keeps open and sends over at once.',
  },
  {
    env: 'REMINDER_POLICY_FILE',
    path: 'reminders.policyFile',
    schema: z.string().min(1),
    nullable: true,
    expected: 'a file path',
    description: 'The reminder policy (when reminders go, to whom); unset: config/reminder-policy.json.',
  },
  {
    env: 'DATA_DIR',
    path: 'dataDir',
    schema: z.string().min(1),
    expected: 'a folder path',
    description: 'Where embedded PostgreSQL and local Redis keep their data (relative to the project).',
  },
  {
    env: 'REPORT_MAX_REVIEWS',
    path: 'reports.maxReviews',
    schema: positiveInt(100_000),
    expected: 'an integer from 1 to 100000',
    description:
      'Most reviews the committee report rebuilds at once: its DOCX, its PDF and its JSON without a page; a report of more is refused (400) and the page offers no download (pages of 50 always work).',
  },
  {
    env: 'DOCUMENT_MAX_BYTES',
    path: 'documents.maxBytes',
    schema: positiveInt(1024 * 1024 * 1024),
    expected: 'an integer number of bytes from 1 to 1073741824',
    description: 'Largest document version accepted (bytes); larger uploads get 413.',
  },
  {
    env: 'DOCUMENT_STORAGE',
    path: 'documents.storage',
    schema: z.enum(['database', 'folder']),
    expected: 'database or folder',
    description: 'Where uploaded documents are kept: in PostgreSQL, or as files under DOCUMENTS_DIR.',
  },
  {
    env: 'DOCUMENTS_DIR',
    path: 'documents.dir',
    schema: z.string().min(1),
    nullable: true,
    expected: 'a folder path',
    description: 'Folder for document files when DOCUMENT_STORAGE=folder (relative to the project). Unset: DATA_DIR/documents.',
  },
  {
    env: 'SMTP_URL',
    path: 'mail.smtpUrl',
    schema: url(['smtp', 'smtps']),
    nullable: true,
    expected: 'an smtp:// or smtps:// URL',
    description:
      'SMTP server for reminder emails (smtp://user:pass@host:587, or smtps:// for TLS from the start). Unset: `npm start` writes mail as .eml files into MAIL_CAPTURE_DIR.',
  },
  {
    env: 'MAIL_FROM',
    path: 'mail.from',
    schema: z
      .string()
      .regex(
        /^(?:[^<>\r\n"]+ <[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/,
        'must look like Name <address@host> or address@host',
      ),
    expected: 'a sender such as DHR engine <dhr-engine@example.gov.uk>',
    description: 'Sender of every email and organizer of panel meeting invitations.',
  },
  {
    env: 'MAIL_CAPTURE_DIR',
    path: 'mail.captureDir',
    schema: z.string().min(1),
    nullable: true,
    expected: 'a folder path',
    description:
      'Folder where the local mail capture writes one .eml file per message when SMTP_URL is unset (relative to the project). Unset: DATA_DIR/mail.',
  },
  {
    env: 'LOG_LEVEL',
    path: 'log.level',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
    description: 'Lowest level written to the JSON log on stdout.',
  },
  {
    env: 'TRUST_ACTOR_HEADER',
    path: 'identity.trustActorHeader',
    schema: booleanFromString,
    expected: 'true or false',
    description:
      'Whether a caller may name themself in an X-Actor header instead of signing in (tests and local scripts). Refused together with APP_ENV=production.',
  },
  {
    env: 'SESSION_COOKIE_SECURE',
    path: 'identity.sessionCookieSecure',
    schema: booleanFromString,
    nullable: true,
    expected: 'true or false',
    description: 'Whether the session cookie is Secure (HTTPS only) and named __Host-dhr_session. Unset: true when APP_ENV=production.',
  },
  {
    env: 'SESSION_IDLE_MINUTES',
    path: 'identity.sessionIdleMinutes',
    schema: positiveInt(24 * 60),
    expected: 'an integer number of minutes from 1 to 1440',
    description: 'A signed-in session not used for this many minutes is over.',
  },
  {
    env: 'SESSION_MAX_HOURS',
    path: 'identity.sessionMaxHours',
    schema: positiveInt(24 * 30),
    expected: 'an integer number of hours from 1 to 720',
    description: 'A signed-in session is over this many hours after sign-in, however busy.',
  },
  {
    env: 'SESSION_RETENTION_DAYS',
    path: 'identity.sessionRetentionDays',
    schema: positiveInt(3650),
    expected: 'an integer number of days from 1 to 3650',
    description: "Days a session's record (sign-in time, address, browser) is kept after its last use; the worker deletes older ones daily.",
  },
  {
    env: 'API_TOKEN_LIFETIME_DAYS',
    path: 'identity.apiTokenLifetimeDays',
    schema: positiveInt(3650),
    expected: 'an integer number of days from 1 to 3650',
    description: 'Days an API token is valid after it is issued; then it is refused (401 saying it expired). The command line may set a shorter or longer one (--token-days).',
  },
  {
    env: 'INVITATION_LIFETIME_DAYS',
    path: 'identity.invitationLifetimeDays',
    schema: positiveInt(365),
    expected: 'an integer number of days from 1 to 365',
    description: 'Days the link in an invitation to a review team works after it is sent (or resent); then it says it has expired.',
  },
  {
    env: 'SIGN_IN_MAX_FAILURES',
    path: 'identity.signInMaxFailures',
    schema: positiveInt(100),
    expected: 'an integer from 1 to 100',
    description: 'Consecutive failed sign-ins that lock an account for SIGN_IN_LOCK_MINUTES.',
  },
  {
    env: 'SIGN_IN_LOCK_MINUTES',
    path: 'identity.signInLockMinutes',
    schema: positiveInt(24 * 60),
    expected: 'an integer number of minutes from 1 to 1440',
    description: 'How long a locked account refuses every sign-in, even with the right password.',
  },
  {
    env: 'SIGN_IN_RATE_LIMIT_PER_MINUTE',
    path: 'identity.signInRateLimitPerMinute',
    schema: positiveInt(100_000),
    expected: 'an integer from 1 to 100000',
    description: 'Sign-in attempts per minute per client address before 429 (counted in Redis, across every API process).',
  },
  {
    env: 'ADMIN_EMAIL',
    path: 'identity.adminEmail',
    schema: z.string().max(320).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'),
    nullable: true,
    expected: 'an email address',
    description: 'Email of the administrator created on the first start (when there are no users). Unset: admin@localhost.',
  },
  {
    env: 'ADMIN_PASSWORD',
    path: 'identity.adminPassword',
    // The same minimum as every password (src/identity/passwords.ts).
    schema: z.string().min(12, 'must be at least 12 characters').max(1024, 'must be at most 1024 characters'),
    nullable: true,
    secret: true,
    expected: 'a password of 12 to 1024 characters',
    description: "Password of that first administrator. Unset: one is generated and printed once on stdout. Never logged.",
  },
  {
    env: 'OIDC_ISSUER_URL',
    path: 'oidc.issuerUrl',
    schema: url(['http', 'https']),
    nullable: true,
    expected: 'an http(s) URL such as https://login.microsoftonline.com/<tenant>/v2.0',
    description:
      "Issuer of the organisation's OpenID Connect provider; set, it turns on \"Sign in with your organisation's account\" (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are then required). Unset: passwords only.",
  },
  {
    env: 'OIDC_CLIENT_ID',
    path: 'oidc.clientId',
    schema: z.string().min(1).max(500),
    nullable: true,
    expected: 'the client (application) id registered with the provider',
    description: 'Client id of this service at the OpenID Connect provider.',
  },
  {
    env: 'OIDC_CLIENT_SECRET',
    path: 'oidc.clientSecret',
    schema: z.string().min(1).max(2000),
    nullable: true,
    secret: true,
    expected: 'the client secret issued by the provider',
    description: 'Client secret of this service at the OpenID Connect provider. Never logged.',
  },
  {
    env: 'OIDC_REDIRECT_URL',
    path: 'oidc.redirectUrl',
    schema: url(['http', 'https']),
    nullable: true,
    expected: 'an http(s) URL ending in /auth/oidc/callback',
    description: 'Redirect URI registered with the provider. Unset: PUBLIC_BASE_URL/auth/oidc/callback.',
  },
  {
    env: 'OIDC_SCOPES',
    path: 'oidc.scopes',
    schema: z
      .string()
      .regex(/^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be scope names separated by single spaces')
      .refine((value) => value.split(' ').includes('openid'), { message: 'must include openid' }),
    expected: 'space-separated scopes including openid',
    description: 'Scopes asked of the provider.',
  },
  {
    env: 'OIDC_EMAIL_CLAIM',
    path: 'oidc.emailClaim',
    schema: z.string().regex(/^[A-Za-z0-9_.:\/-]{1,200}$/, 'must be a claim name'),
    expected: 'an ID token claim name such as email or preferred_username',
    description: "ID token claim holding the user's email address, matched (ignoring case) against the users.",
  },
  {
    env: 'DEMO',
    path: 'demo.enabled',
    schema: booleanFromString,
    expected: 'true or false',
    description:
      'Demo mode: `npm start` seeds demo users (one per role) and demo reviews after migrating, and prints the users. `npm run demo` sets it. Refused with APP_ENV=production.',
  },
  {
    env: 'DEMO_PASSWORD',
    path: 'demo.password',
    // The same length rules as every password (src/identity/passwords.ts).
    schema: z.string().min(12, 'must be at least 12 characters').max(1024, 'must be at most 1024 characters'),
    expected: 'a password of 12 to 1024 characters',
    description: 'Password of every demo user (printed at start: for a local demo only, not a secret).',
  },
];
