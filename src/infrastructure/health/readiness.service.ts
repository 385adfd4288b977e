import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueueProducer } from '../queue/queue-producer';

export type CheckName = 'database' | 'migrations' | 'redis';
export interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}
export interface Readiness {
  ready: boolean;
  failing: CheckName[];
  checks: Record<CheckName, CheckResult>;
}

/** Each check gets this long; all run together, so readiness answers within 2 s. */
const CHECK_TIMEOUT_MS = 1800;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function check(work: () => Promise<unknown>, what: string): Promise<CheckResult> {
  try {
    await withTimeout(work(), what);
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
  ) {}

  async readiness(): Promise<Readiness> {
    const [database, migrations, redis] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1'), 'PostgreSQL'),
      check(async () => {
        if (await this.dataSource.showMigrations()) throw new Error('migrations are pending: run `npm run migrate`');
      }, 'PostgreSQL (migrations)'),
      check(() => this.queue.ping(), 'Redis'),
    ]);
    const checks = { database, migrations, redis };
    const failing = (Object.keys(checks) as CheckName[]).filter((name) => checks[name].status === 'down');
    return { ready: failing.length === 0, failing, checks };
  }
}
