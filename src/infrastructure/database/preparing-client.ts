import { createHash } from 'node:crypto';
import { Client } from 'pg';

/** How many statements one connection keeps prepared; past that, statements go unnamed. */
export const MAX_PREPARED_PER_CONNECTION = 200;

const names = new Map<string, string>();
/** The statement's name: a digest of its text (remembered for the first 1,000 texts). */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `dhr_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    if (names.size < 1000) names.set(text, name);
  }
  return name;
}

/**
 * The pool's connection (issue 16): every statement with parameters is sent as a named
 * prepared statement. An unnamed statement is parsed and planned on every run; for what a
 * transition and a read send, that was most of PostgreSQL's time (measured with
 * log_min_duration_statement over a benchmark run: of 2,040 ms, bind, where an unnamed statement
 * is planned, 990 ms and parse 450). Named, a connection parses each text once, and after a few
 * runs PostgreSQL keeps a plan it trusts.
 *
 * A statement's name is a digest of its text, so the same text is the same statement on every
 * connection and a different text never reuses another's plan. Texts are bounded by the code's
 * queries, but a list of values written out (`IN ($1, $2, …)`) makes a text per length: each
 * connection prepares at most MAX_PREPARED_PER_CONNECTION, and sends the rest unnamed, as before.
 * Statements without parameters (BEGIN, COMMIT, DDL) go as they are.
 */
export class PreparingClient extends Client {
  private readonly prepared = new Set<string>();

  // pg's query has many overloads; this one only rewrites (text, values[, callback]).
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (this.prepared.has(name) || this.prepared.size < MAX_PREPARED_PER_CONNECTION) {
        this.prepared.add(name);
        return (Client.prototype.query as (...a: unknown[]) => never).call(this, { name, text, values }, ...args.slice(2));
      }
    }
    return (Client.prototype.query as (...a: unknown[]) => never).apply(this, args);
  }
}
