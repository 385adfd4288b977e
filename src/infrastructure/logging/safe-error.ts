import pino from 'pino';

/**
 * Properties of an error that may hold what a person typed: TypeORM's QueryFailedError carries
 * the SQL (`query`) and its bound values (`parameters`, a person's real name among them) and the
 * driver's error (`driverError`); PostgreSQL's own error adds `detail` ("Key (email)=(…)"),
 * `where` and `internalQuery`. None of them is ever logged.
 */
const WITH_VALUES = new Set(['query', 'parameters', 'driverError', 'detail', 'where', 'internalQuery', 'parameter']);

/**
 * pino's error serializer (type, message, stack, cause, own properties) without the
 * properties above, at any depth of `cause` or AggregateError's `errors`.
 */
export function safeErrorSerializer(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const serialized = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  return scrub(serialized, 0);
}

/**
 * PostgreSQL quotes the offending value at the end of some messages (`invalid input syntax for
 * type uuid: "…"`, `date/time field value out of range: "…"`, `invalid input value for enum …:
 * "…"`): the value is replaced, the rest of the message kept.
 */
const QUOTED_VALUE = /(invalid input syntax for type [^:\n]*|invalid input value for enum [^:\n]*|out of range[^:\n]*|malformed [^:\n]*|invalid [^:\n]* value[^:\n]*): "[^\n]*"/g;

function withoutValues(text: string): string {
  return text.replace(QUOTED_VALUE, '$1: "[value not logged]"');
}

function scrub(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (WITH_VALUES.has(key)) continue;
    if (depth < 5 && (key === 'cause' || key === 'aggregateErrors' || key === 'errors') && inner && typeof inner === 'object') {
      out[key] = Array.isArray(inner)
        ? inner.map((e) => (e && typeof e === 'object' ? scrub(e as Record<string, unknown>, depth + 1) : e))
        : scrub(inner as Record<string, unknown>, depth + 1);
      continue;
    }
    out[key] = (key === 'message' || key === 'stack') && typeof inner === 'string' ? withoutValues(inner) : inner;
  }
  return out;
}

/** pino's `formatters.log`: every Error value of a log line's object, serialized safely. */
export function withSafeErrors(object: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(object)) {
    if (value instanceof Error && key !== 'err' && key !== 'error') {
      out ??= { ...object };
      out[key] = safeErrorSerializer(value);
    }
  }
  return out ?? object;
}
