import { createServer, Server } from 'node:http';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis, { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { resolvedUrl } from '../config/resolved-config';
import { ROOT_LOGGER } from '../logging/logging.module';
import type { Logger } from '../logging/root-logger';
import { registry } from '../metrics/metrics';
import { QUEUE_NAMES } from '../queue/queues';
import { reminderFlow, reminderStall } from './reminder-flow';

const CHECK_TIMEOUT_MS = 3000;

function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The worker's own health and metrics, on WORKER_HEALTH_PORT (none when unset), for a
 * supervisor and for Prometheus:
 * - `GET /health/live`: 200 while the process runs.
 * - `GET /health/ready`: 200 when PostgreSQL and Redis answer and reminders flow (nothing owed
 *   or in the outbox has waited longer than REMINDER_STALLED_AFTER_MS); 503 naming what fails.
 * - `GET /metrics`: Prometheus text: owed reminders and the oldest one's wait, the outbox
 *   backlog, failed notifications on open clocks, BullMQ job counts by state, emails sent per
 *   kind, reminders dispatched, send failures, reminder lateness, and the process's own.
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;
  private redis: Redis | null = null;
  private readonly queues: Queue[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.reminders.healthPort;
    if (port === null) return;
    this.redis = new IORedis(resolvedUrl(this.config, 'redis'), { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => undefined);
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection: { url: resolvedUrl(this.config, 'redis'), maxRetriesPerRequest: null }, prefix: this.config.queue.prefix });
      queue.on('error', () => undefined);
      this.queues.push(queue);
    }
    this.registerGauges();
    this.server = createServer((req, res) => {
      void this.answer(req.url ?? '/').then(({ status, type, body }) => {
        res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.config.http.host, () => resolve());
    });
    this.logger.info({ port, host: this.config.http.host }, 'worker health and metrics listening');
  }

  private async answer(url: string): Promise<{ status: number; type: string; body: string }> {
    const json = (status: number, value: unknown) => ({ status, type: 'application/json', body: JSON.stringify(value) });
    const path = url.split('?')[0];
    if (path === '/health/live' || path === '/health') return json(200, { status: 'ok' });
    if (path === '/health/ready') {
      const failing: Record<string, string> = {};
      await Promise.all([
        within(this.dataSource.query('SELECT 1'), 'PostgreSQL').catch((e: Error) => (failing.database = e.message)),
        within(this.redis!.ping(), 'Redis').catch((e: Error) => (failing.redis = e.message)),
        within(reminderFlow(this.dataSource, this.clock.now()), 'PostgreSQL (reminders)')
          .then((flow) => {
            const stall = reminderStall(flow, this.config.reminders.stalledAfterMs);
            if (stall) failing.reminders = stall;
          })
          .catch((e: Error) => (failing.reminders = e.message)),
      ]);
      const ready = Object.keys(failing).length === 0;
      // Each check by name with its state, so a 503 says which one failed and why.
      const checks = Object.fromEntries(
        (['database', 'redis', 'reminders'] as const).map((name) => [name, failing[name] === undefined ? { status: 'up' } : { status: 'down', error: failing[name] }]),
      );
      return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', failing, checks });
    }
    if (path === '/metrics') {
      try {
        return { status: 200, type: registry.contentType, body: await registry.metrics() };
      } catch (error) {
        return { status: 503, type: 'text/plain', body: `metrics unavailable: ${(error as Error).message}\n` };
      }
    }
    return json(404, { status: 'not_found' });
  }

  private registerGauges(): void {
    const flowGauge = (name: string, help: string, pick: (f: Awaited<ReturnType<typeof reminderFlow>>) => number) => {
      registry.removeSingleMetric(name);
      const dataSource = this.dataSource;
      const clock = this.clock;
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.set(pick(await within(reminderFlow(dataSource, clock.now()), 'PostgreSQL')));
        },
      });
    };
    flowGauge('dhr_reminders_owed', 'Reminders whose time has come and that are not finished.', (f) => f.owed);
    flowGauge('dhr_reminders_oldest_owed_seconds', 'How long the longest-waiting owed reminder has waited.', (f) => f.oldestOwedSeconds);
    flowGauge('dhr_outbox_pending', 'Outbox rows not yet processed.', (f) => f.outboxPending);
    flowGauge('dhr_outbox_oldest_seconds', 'How long the oldest unprocessed outbox row has waited.', (f) => f.oldestOutboxSeconds);
    flowGauge('dhr_notifications_failed', 'Failed notifications on clocks still open (retried while owed).', (f) => f.failed);
    registry.removeSingleMetric('dhr_queue_jobs');
    const queues = this.queues;
    new Gauge({
      name: 'dhr_queue_jobs',
      help: 'BullMQ jobs by queue and state.',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of queues) {
          const counts = await within(queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'), 'Redis');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    await Promise.all(this.queues.map((q) => q.close().catch(() => undefined)));
    this.redis?.disconnect();
  }
}
