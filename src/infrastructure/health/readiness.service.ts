import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MIGRATIONS_TABLE } from '../database/data-source-options';
import { QueueProducer } from '../queue/queue-producer';
import { ReminderFlow, reminderFlow, reminderStall } from './reminder-flow';

export type CheckName = 'database' | 'migrations' | 'redis';
export interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}
export interface Readiness {
  ready: boolean;
  failing: CheckName[];
  checks: Record<CheckName, CheckResult>;
  /** Whether reminders flow (worker running, SMTP taking mail): `reminders` is degraded when not. */
  degraded: Array<'reminders'>;
  reminders: { status: 'flowing' | 'stalled' | 'unknown'; reason?: string } & Partial<ReminderFlow>;
}

/**
 * How long each check may take; they run together. Redis must be reported down within 2 s
 * (a producer command fails at once when it is away, so this is a backstop). PostgreSQL gets
 * longer: opening a pool connection on a loaded machine can take a second or two, and a
 * slow answer is not a down database. Nor is a Redis whose first connection is still opening
 * down: readiness waits for it (REDIS_FIRST_CONNECTION_MS).
 */
const REDIS_TIMEOUT_MS = 1500;
const DATABASE_TIMEOUT_MS = 5000;
/** While the first connection to Redis is still opening (a slow start), readiness waits this long for it. */
const REDIS_FIRST_CONNECTION_MS = 5000;

function withTimeout<T>(work: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function check(work: () => Promise<unknown>, what: string, timeoutMs: number): Promise<CheckResult> {
  try {
    await withTimeout(work(), what, timeoutMs);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  }
}

@Injectable()
export class ReadinessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueProducer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether reminders flow: nothing owed or in the outbox has waited longer than REMINDER_STALLED_AFTER_MS. */
  async reminders(): Promise<Readiness['reminders']> {
    try {
      const flow = await withTimeout(reminderFlow(this.dataSource, this.clock.now()), 'PostgreSQL (reminders)', DATABASE_TIMEOUT_MS);
      const reason = reminderStall(flow, this.config.reminders.stalledAfterMs);
      return reason ? { status: 'stalled', reason, ...flow } : { status: 'flowing', ...flow };
    } catch (error) {
      return { status: 'unknown', reason: (error as Error).message };
    }
  }

  async readiness(): Promise<Readiness> {
    const [database, migrations, redis, reminders] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1'), 'PostgreSQL', DATABASE_TIMEOUT_MS),
      check(async () => {
        // showMigrations() would create a missing migrations table, which the application's
        // role (DB_APP_ROLE) may not do: a missing table is pending migrations.
        const [{ present }] = await this.dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [MIGRATIONS_TABLE]);
        if (!present || (await this.dataSource.showMigrations())) throw new Error('migrations are pending: run `npm run migrate`');
      }, 'PostgreSQL (migrations)', DATABASE_TIMEOUT_MS),
      this.queue.hasConnected()
        ? check(() => this.queue.ping(), 'Redis', REDIS_TIMEOUT_MS)
        : check(() => this.queue.ping(), 'Redis (first connection still opening)', REDIS_FIRST_CONNECTION_MS),
      this.reminders(),
    ]);
    const checks = { database, migrations, redis };
    const failing = (Object.keys(checks) as CheckName[]).filter((name) => checks[name].status === 'down');
    // Reminders not flowing leave the API able to serve people: it stays ready, and says so.
    return { ready: failing.length === 0, failing, checks, degraded: reminders.status === 'stalled' ? ['reminders'] : [], reminders };
  }
}
