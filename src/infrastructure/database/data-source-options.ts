import { DataSourceOptions } from 'typeorm';
import { PreparingClient } from './preparing-client';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * The one description of how we use PostgreSQL; schema changes only through migrations.
 *
 * With `role` (the application's DB_APP_ROLE), every connection of the pool runs as that role:
 * `-c role=…` goes in the connection's start-up packet, so PostgreSQL switches before the first
 * query, and a connection that may not switch fails instead of running as the login role.
 * Migrations are run without it, as the connecting (owner) role.
 */
/**
 * `prepare`: each connection sends its statements prepared (preparing-client.ts), for the API
 * and the worker. Not for migrations: a statement prepared before a migration changes its table
 * could no longer run on that connection ("cached plan must not change result type").
 */
export function dataSourceOptions(url: string, poolSize = 10, role = '', options: { prepare?: boolean } = {}): DataSourceOptions {
  const connection = startupOptions(url, role);
  return {
    type: 'postgres',
    url: connection.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // Each connection prepares the statements it sends (preparing-client.ts).
    extra: { max: poolSize, connectionTimeoutMillis: 5000, ...(options.prepare ? { Client: PreparingClient } : {}), ...connection.extra },
  };
}

/**
 * The connection's start-up settings: JIT compilation off (issue 16: the access filter's cost
 * estimate switched it on for the reviews list, 85 ms of its 235 ms, for queries that read a page
 * of rows), and the role when given. pg lets the URL's query override its options, so `options`
 * given in the URL (e.g. `?options=-c%20statement_timeout%3D5000`) is moved out of it and kept
 * alongside, before ours (a later `-c` wins, so the URL cannot turn JIT back on by accident,
 * nor change the role).
 */
function startupOptions(url: string, role: string): { url: string; extra: { options: string } } {
  if (role && !/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`not a role name: ${JSON.stringify(role)}`);
  const ours = ['-c jit=off', ...(role ? [`-c role=${role}`] : [])].join(' ');
  const parsed = new URL(url);
  const fromUrl = parsed.searchParams.get('options');
  if (fromUrl === null) return { url, extra: { options: ours } };
  parsed.searchParams.delete('options');
  return { url: parsed.toString(), extra: { options: `${fromUrl} ${ours}` } };
}
