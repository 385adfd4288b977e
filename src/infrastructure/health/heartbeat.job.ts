import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobHandler } from '../queue/job-handler';

/**
 * A job that proves the worker path end to end: taken from Redis, run by the worker, and
 * answered from PostgreSQL.
 */
@Injectable()
export class HeartbeatJob implements JobHandler<'maintenance'> {
  readonly queue = 'maintenance' as const;
  readonly job = 'heartbeat' as const;

  constructor(private readonly dataSource: DataSource) {}

  async handle(job: Job): Promise<{ echo: unknown; databaseTime: string }> {
    const [row] = await this.dataSource.query('SELECT now() AS now');
    return { echo: job.data?.echo ?? null, databaseTime: new Date(row.now).toISOString() };
  }
}
