import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { ROOT_LOGGER } from '../infrastructure/logging/logging.module';
import type { Logger } from '../infrastructure/logging/root-logger';
import { metrics } from '../infrastructure/metrics/metrics';
import { ReminderScheduler } from './reminder-scheduler';

/** How often every open deadline is checked against the reminder policy (besides at start). */
export const REPLAN_EVERY_MS = 10 * 60 * 1000;

/**
 * The worker's own loops, in the process rather than as jobs in Redis, so that nothing Redis
 * loses can stop them: every REMINDER_DISPATCH_MS the outbox is relayed and the reminders whose
 * time has come are handed to BullMQ; at start and every ten minutes the deadlines planned with
 * another reminder policy are planned again. Several workers run them side by side: each takes
 * rows with SKIP LOCKED. The start-up re-plan runs beside the dispatcher, so sending starts at
 * once. A failure (PostgreSQL or Redis away) is logged once and tried again on the next turn.
 */
@Injectable()
export class ReminderLoops implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private dispatchTimer: NodeJS.Timeout | null = null;
  private replanTimer: NodeJS.Timeout | null = null;
  private failing: string | null = null;
  private replanning: Promise<void> | null = null;
  private turn: Promise<void> | null = null;
  /** For metrics: reminders handed to BullMQ, and when the dispatcher last finished a turn. */
  readonly stats = { dispatched: 0, lastTurnAt: 0 };

  constructor(
    private readonly scheduler: ReminderScheduler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.replan();
    this.replanTimer = setInterval(() => this.replan(), REPLAN_EVERY_MS);
    this.replanTimer.unref();
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.dispatchTimer) clearTimeout(this.dispatchTimer);
    if (this.replanTimer) clearInterval(this.replanTimer);
    await Promise.allSettled([this.turn, this.replanning]);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.dispatchTimer = setTimeout(() => {
      this.turn = this.dispatchTurn().finally(() => {
        this.turn = null;
        this.schedule(this.config.reminders.dispatchEveryMs);
      });
    }, delay);
  }

  private async dispatchTurn(): Promise<void> {
    try {
      while (!this.stopped && (await this.scheduler.relayOutbox()) > 0);
      for (let n = 1; !this.stopped && n > 0; ) {
        n = await this.scheduler.dispatchDue();
        this.stats.dispatched += n;
        metrics.remindersDispatched.inc(n);
      }
      this.stats.lastTurnAt = Date.now();
      if (this.failing) this.logger.info({ was: this.failing }, 'reminder dispatch working again');
      this.failing = null;
    } catch (error) {
      const message = (error as Error).message;
      if (this.failing !== message) this.logger.warn({ err: message }, 'reminder dispatch failed; trying again');
      this.failing = message;
    }
  }

  private replan(): void {
    if (this.replanning || this.stopped) return;
    const started = Date.now();
    this.replanning = this.scheduler
      .replanAll()
      .then((planned) => {
        if (planned > 0) this.logger.info({ planned, ms: Date.now() - started }, 'deadlines planned with the current reminder policy');
      })
      .catch((error: Error) => this.logger.warn({ err: error.message }, 'could not plan reminders; trying again later'))
      .finally(() => {
        this.replanning = null;
      });
  }
}
