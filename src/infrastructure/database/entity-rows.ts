import { DataSource, EntityManager } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * An entity's rows read and written in plain SQL, for the few statements every request sends
 * (issue 16): the caller's token, the review and its clocks, the history row.
 *
 * TypeORM builds each query's text afresh on every call (find options → query builder → SQL, the
 * property names replaced by a regular expression per column) and maps each row through its
 * transformer: in a CPU profile of transitions at 8 clients, TypeORM was the largest item of the
 * API's own time. The text here is built once per entity from the same metadata TypeORM uses,
 * and a row becomes an entity by its column aliases. A test holds what this reads to be what
 * TypeORM's own find reads (test/entity-rows.test.ts), column for column.
 *
 * Only plain columns are handled (no embedded entities, no transformers, no arrays): an entity
 * with anything else is refused when its text is first built, not mapped wrongly.
 */
type Ctor<T> = new () => T;

interface Plan {
  /** `alias."column" AS "prefix.property"`, each column the entity selects. */
  selectList: string;
  /** [alias in the row, property]. */
  fields: Array<[string, string]>;
}

/** What is built once per entity (a select list, a JSON object, an insert), by what it is for. */
const built = new WeakMap<Ctor<unknown>, Map<string, unknown>>();
function once<P>(target: Ctor<unknown>, key: string, build: () => P): P {
  let mine = built.get(target);
  if (!mine) built.set(target, (mine = new Map()));
  if (!mine.has(key)) mine.set(key, build());
  return mine.get(key) as P;
}

function columnsOf(source: DataSource | EntityManager, target: Ctor<unknown>): ColumnMetadata[] {
  const metadata = ('connection' in source ? source.connection : source).getMetadata(target);
  for (const column of metadata.columns) {
    const plain = !column.embeddedMetadata && !column.transformer && !column.isArray && !column.isVirtual;
    if (!plain) throw new Error(`${metadata.name}.${column.propertyName} is not a plain column: read it with TypeORM`);
  }
  // A foreign key with no property of its own (only its relation) is not read by find() either.
  return metadata.columns.filter((c) => c.isSelect && !(c.relationMetadata && c.propertyName === c.relationMetadata.propertyName));
}

function planOf(source: DataSource | EntityManager, target: Ctor<unknown>, alias: string): Plan {
  return once(target, `select ${alias}`, () => {
    const fields: Array<[string, string]> = [];
    const select: string[] = [];
    for (const column of columnsOf(source, target)) {
      const as = `${alias}.${column.propertyName}`;
      // A date is read as its text, as TypeORM gives it ('2026-12-07'); pg would make it a Date at local midnight.
      const value = column.type === 'date' ? `${alias}."${column.databaseName}"::text` : `${alias}."${column.databaseName}"`;
      select.push(`${value} AS "${as}"`);
      fields.push([as, column.propertyName]);
    }
    return { selectList: select.join(', '), fields };
  });
}

/** The select list of an entity's columns under a table alias: `r."id" AS "r.id", …`. */
export function selectListOf(source: DataSource | EntityManager, target: Ctor<unknown>, alias: string): string {
  return planOf(source, target, alias).selectList;
}

/** The entity a row read with selectListOf(…, alias) holds. */
export function entityFromRow<T>(source: DataSource | EntityManager, target: Ctor<T>, alias: string, row: Record<string, unknown>): T {
  const entity = new target() as Record<string, unknown>;
  for (const [as, property] of planOf(source, target, alias).fields) entity[property] = row[as];
  return entity as T;
}

/**
 * Inserts one row of an entity in a single statement with the columns given (the rest take their
 * defaults). JSON columns are sent as JSON text (pg would send a JavaScript array as a PostgreSQL
 * array). With `after`, a data-modifying statement (an UPDATE … RETURNING) runs first in the same
 * statement, and the row is inserted once for each row it returns: one round trip for both, and
 * the number inserted (0: the update matched nothing, so nothing was inserted either).
 */
export async function insertRow<T>(
  manager: EntityManager,
  target: Ctor<T>,
  values: Partial<T>,
  after?: { sql: string; params: unknown[] },
): Promise<number> {
  const properties = Object.keys(values).filter((k) => (values as Record<string, unknown>)[k] !== undefined);
  const insert = once(target, `insert ${properties.join(',')}`, () => {
    const metadata = manager.connection.getMetadata(target);
    const all = columnsOf(manager, target);
    const columns = properties.map((p) => {
      const column = all.find((c) => c.propertyName === p);
      if (!column || !column.isInsert) throw new Error(`${metadata.name}.${p} is not a column one inserts`);
      return column;
    });
    return { columns, into: `INSERT INTO "${metadata.tableName}" (${columns.map((c) => `"${c.databaseName}"`).join(', ')})` };
  });
  const params = insert.columns.map((c) => {
    const value = (values as Record<string, unknown>)[c.propertyName];
    return (c.type === 'jsonb' || c.type === 'json') && value !== null ? JSON.stringify(value) : value;
  });
  if (!after) {
    await manager.query(`${insert.into} VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`, params);
    return 1;
  }
  // Selected, not VALUES: each parameter takes its column's type, as VALUES would give it.
  const first = after.params.length;
  const selected = insert.columns.map((c, i) => `$${first + i + 1}${typeof c.type === 'string' ? `::${c.type}` : ''}`);
  const rows = (await manager.query(`WITH after AS (${after.sql}) ${insert.into} SELECT ${selected.join(', ')} FROM after RETURNING 1`, [
    ...after.params,
    ...params,
  ])) as unknown[];
  return rows.length;
}

const TIMESTAMP_TYPES = new Set(['timestamptz', 'timestamp', 'timestamp with time zone', 'timestamp without time zone']);

function jsonPlanOf(source: DataSource | EntityManager, target: Ctor<unknown>, alias: string): { sql: string; dates: string[] } {
  return once(target, `json ${alias}`, () => {
    const columns = columnsOf(source, target);
    // json_build_object takes at most 100 arguments: 50 columns.
    if (columns.length > 50) throw new Error(`${target.name} has more columns than one JSON object is built from`);
    // A big integer goes as text (as TypeORM reads it, and beyond 2^53 a JSON number would lose digits).
    const value = (c: ColumnMetadata) => `${alias}."${c.databaseName}"${c.type === 'bigint' || c.type === 'int8' ? '::text' : ''}`;
    return {
      sql: `json_build_object(${columns.map((c) => `'${c.propertyName}', ${value(c)}`).join(', ')})`,
      dates: columns.filter((c) => TIMESTAMP_TYPES.has(String(c.type)) || c.type === Date).map((c) => c.propertyName),
    };
  });
}

/**
 * A row of an entity as one JSON object (`json_build_object('id', d."id", …)`), so that one
 * statement can bring a row with its children (`json_agg` of this); entityFromJson reads it.
 */
export function jsonObjectOf(source: DataSource | EntityManager, target: Ctor<unknown>, alias: string): string {
  return jsonPlanOf(source, target, alias).sql;
}

/** The entity a JSON object built by jsonObjectOf holds: timestamps as Dates, as TypeORM reads them. */
export function entityFromJson<T>(source: DataSource | EntityManager, target: Ctor<T>, alias: string, json: Record<string, unknown>): T {
  const plan = jsonPlanOf(source, target, alias);
  const entity = Object.assign(new target() as Record<string, unknown>, json);
  for (const property of plan.dates) if (typeof entity[property] === 'string') entity[property] = new Date(entity[property] as string);
  return entity as T;
}
