import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * A fixed statement on every request's path, sent as a named prepared statement (issue 16).
 * An unnamed statement is parsed and planned on every run: for the statements a transition and
 * a read send, that planning was about half of PostgreSQL's time (measured with
 * log_min_duration_statement: bind, where planning happens, 900 ms of 1,900 over a run). Named,
 * each pooled connection parses it once, and after a few runs PostgreSQL keeps its plan.
 *
 * For fixed SQL only (its text the same on every run, its values parameters): each name stays
 * prepared on every connection of the pool for the connection's life.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

export function prepared(text: string): PreparedStatement {
  return { name: `dhr_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

/**
 * Runs a prepared statement through TypeORM (in the manager's transaction when it has one):
 * node-postgres takes the statement's name and text as its query, so TypeORM's query runner,
 * error handling and connection are those of every other query.
 */
export function runPrepared<T>(db: EntityManager | DataSource, statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  return db.query(statement as unknown as string, values);
}
