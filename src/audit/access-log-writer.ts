import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AccessLogEntry } from './access-log.entity';

/** A row of the access log as a request writes it (accessLogRow, with the review it names). */
export type AccessLogRow = Pick<AccessLogEntry, 'reviewId' | 'actor' | 'method' | 'route' | 'path' | 'status' | 'ip' | 'userAgent' | 'requestId' | 'at' | 'outcome'>;

/** The most rows one statement writes; more wait for the next. */
export const ACCESS_LOG_BATCH = 100;

const INSERT = `INSERT INTO access_log (review_id, actor, method, route, path, status, ip, user_agent, request_id, at, outcome)
  SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::int[], $7::varchar[], $8::varchar[], $9::varchar[], $10::timestamptz[], $11::varchar[])`;

/**
 * Writes the access log's rows of requests answered at the same moment in one statement and one
 * commit (issue 16: a read of a review was four statements, one of them this row, each with its
 * commit waiting for the disk). Each request still waits for its own row to be committed before
 * its answer leaves, so nothing is served unlogged; what changes is that the rows of requests
 * that arrive while a write is under way go together in the next one, instead of each paying a
 * round trip and a commit. One request alone is written at once, as before.
 *
 * If a batch fails, each of its rows is tried alone, so one row PostgreSQL refuses fails only
 * its own request.
 */
@Injectable()
export class AccessLogWriter {
  private queue: Array<{ row: AccessLogRow; done: (error?: unknown) => void }> = [];
  private writing = false;

  constructor(private readonly dataSource: DataSource) {}

  write(row: AccessLogRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, ACCESS_LOG_BATCH);
        try {
          await this.insert(batch.map((b) => b.row));
          for (const b of batch) b.done();
        } catch (error) {
          if (batch.length === 1) batch[0].done(error);
          else {
            for (const b of batch) {
              try {
                await this.insert([b.row]);
                b.done();
              } catch (alone) {
                b.done(alone);
              }
            }
          }
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async insert(rows: AccessLogRow[]): Promise<void> {
    const column = <K extends keyof AccessLogRow>(key: K) => rows.map((r) => r[key] ?? null);
    await this.dataSource.query(INSERT, [
      column('reviewId'), column('actor'), column('method'), column('route'), column('path'), column('status'),
      column('ip'), column('userAgent'), column('requestId'), column('at'), column('outcome'),
    ]);
  }
}
