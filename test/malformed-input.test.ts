import fc from 'fast-check';
import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { startTestApp, TestContext } from './support/test-app';

/**
 * The review's fuzz check, kept: every operation the served OpenAPI document lists is driven
 * with malformed and extreme input built from its own schemas (NUL characters, huge strings,
 * wrong types, impossible dates, negative and huge numbers, unicode, unknown fields, bad ids
 * and If-Match values), as an authorised CSP lead of the review under test. No answer may be a
 * 5xx: bad input is the client's, and says so with a 4xx.
 */

type Schema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
};
type Operation = {
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
};

const IMPOSSIBLE_DATES = ['2026-02-30', '2026-02-29', '0000-01-01', '1899-12-31', '2201-01-01', '9999-12-31', '2026-13-01', '2026-00-10', '20266-01-01'];
const IMPOSSIBLE_INSTANTS = ['2026-02-30T10:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59+14:00', '2026-04-01T25:61:00Z', '2026-04-01T10:00:00+99:00'];

/** Strings no field should choke on. */
const nastyString = fc.oneof(
  // Text with a NUL somewhere in it: PostgreSQL cannot store U+0000.
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uD800', '\uFEFF', 'ℌ𝔢𝔩𝔩𝔬 🚀 👩‍👩‍👧', '<script>alert(1)</script>', "'; DROP TABLE review; --", '%00', '../../etc/passwd', '-1', 'NaN', 'null', '{}', '[]'),
  fc.constantFrom(...IMPOSSIBLE_DATES, ...IMPOSSIBLE_INSTANTS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant('x'.repeat(70_000)),
  fc.constant('ü'.repeat(20_000)),
);

/** A value of any JSON type, extreme where it can be. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nastyString, weight: 6 },
  fc.constantFrom(-1, 0, -0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 3.7),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

/** A plausible (well-formed) value for the schema, so the malformed one beside it reaches deeper. */
function plausible(schema: Schema | undefined, ids: string[], name = ''): fc.Arbitrary<unknown> {
  if (!schema) return anyValue;
  const options = schema.anyOf ?? schema.oneOf;
  if (options && options.length > 0) return fc.oneof(...options.map((s) => plausible(s, ids, name)));
  if (schema.allOf && schema.allOf.length > 0) return plausible(schema.allOf[0], ids, name);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      // Dates are often a pattern, not a format, in the document: the field's name tells.
      if (schema.format !== 'date-time' && (/(On|Date|date)$/.test(name) || schema.pattern?.includes('\\d{4}-'))) return fc.constant('2026-01-20');
      if (/At$|_before$/.test(name)) return fc.constant('2026-01-20T10:00:00Z');
      if (schema.format === 'date') return fc.constant('2026-01-20');
      if (schema.format === 'date-time') return fc.constant('2026-01-20T10:00:00Z');
      if (schema.format === 'uuid' || /Id$/.test(name)) return fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 4 }, { arbitrary: fc.uuid(), weight: 1 });
      if (schema.format === 'email') return fc.constantFrom('someone@example.org', 'a@b', '@', 'x'.repeat(400) + '@example.org');
      if (schema.format === 'uri') return fc.constantFrom('https://example.org/a', 'javascript:alert(1)', 'http://', 'ftp://x');
      return fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom('Criteria met.', '2026-01-20'));
    case 'integer':
    case 'number':
      return fc.oneof(fc.integer({ min: -5, max: 200 }), fc.constantFrom(1e12, -1e12, 0.5));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(plausible(schema.items, ids, name), { maxLength: 3 });
    case 'object':
      return objectOf(schema, ids);
    default:
      return anyValue;
  }
}

/**
 * An object of the schema's shape. Mostly every field plausible but one, which is malformed
 * (so the bad value is not hidden behind another field's 400) or is its plausible text with a
 * NUL in it; else each field plausible, malformed or left out at random; now and then with an
 * unknown field.
 */
function objectOf(schema: Schema, ids: string[]): fc.Arbitrary<unknown> {
  const props = Object.entries(schema.properties ?? {});
  const plausibleFields = fc.record(Object.fromEntries(props.map(([name, inner]) => [name, plausible(inner, ids, name)])));
  const oneBad =
    props.length === 0
      ? plausibleFields
      : fc.tuple(plausibleFields, fc.nat({ max: props.length - 1 }), anyValue).map(([record, i, bad]) => ({ ...record, [props[i][0]]: bad }));
  const mixed = fc.record(
    Object.fromEntries(
      props.map(([name, inner]) => [name, fc.oneof({ arbitrary: plausible(inner, ids, name), weight: 3 }, { arbitrary: anyValue, weight: 2 }, { arbitrary: fc.constant(undefined), weight: 1 })]),
    ),
  );
  const textFields = props.filter(([, inner]) => inner.type === 'string' && !inner.enum && !inner.format);
  const oneNul =
    textFields.length === 0
      ? oneBad
      : fc
          .tuple(plausibleFields, fc.nat({ max: textFields.length - 1 }), fc.string({ maxLength: 8 }))
          .map(([record, i, tail]) => ({ ...record, [textFields[i][0]]: `Text ${tail}\u0000${tail}` }));
  return fc
    .tuple(
      fc.oneof({ arbitrary: plausibleFields, weight: 1 }, { arbitrary: oneBad, weight: 4 }, { arbitrary: oneNul, weight: 2 }, { arbitrary: mixed, weight: 1 }),
      fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 5 },
        { arbitrary: fc.dictionary(fc.constantFrom('unexpected', 'constructor', '__proto__', '\u0000'), anyValue, { minKeys: 1, maxKeys: 2 }), weight: 1 },
      ),
    )
    .map(([record, extra]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(record as Record<string, unknown>)) if (v !== undefined) out[k] = v;
      if (extra) for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
      return out;
    });
}

/** A body for the operation: of its schema's shape most of the time, else any value at all. */
function bodyFor(op: Operation, ids: string[]): fc.Arbitrary<unknown> {
  const json = op.requestBody?.content['application/json']?.schema;
  const shaped = json ? plausible(json, ids) : anyValue;
  return fc.oneof({ arbitrary: shaped, weight: 4 }, { arbitrary: anyValue, weight: 1 });
}

describe('malformed input (schema-driven fuzz of every API operation)', () => {
  let ctx: TestContext;
  let token: string;
  let reviewId: string;
  let cspId: string;
  let doc: { paths: Record<string, Record<string, Operation>> };
  const http = () => request(ctx.api.getHttpServer());

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { RATE_LIMIT_PER_MINUTE: '100000', SIGN_IN_RATE_LIMIT_PER_MINUTE: '100000' } });
    await http().post('/csps').set('X-Actor', 'admin').send({ code: 'FUZZ', name: 'Fuzz Community Safety Partnership' }).expect(201);
    const identities = ctx.api.get(IdentityService);
    const lead = await identities.addUser({ email: 'lead@fuzz.gov.uk', displayName: 'Fuzz CSP lead', role: 'csp_lead', cspCode: 'FUZZ' });
    token = (await identities.issueToken(lead.id, 'fuzz')).token;
    const csps = (await http().get('/csps').set('Authorization', `Bearer ${token}`).expect(200)).body as Array<{ id: string; code: string }>;
    cspId = csps.find((c) => c.code === 'FUZZ')!.id;
    reviewId = (
      await http()
        .post('/reviews')
        .set('Authorization', `Bearer ${token}`)
        .send({ cspId, dateOfDeath: '2026-01-10', notifiedOn: '2026-01-14', policeForce: 'Essex Police', policeReference: 'F/1', circumstances: 'At home.' })
        .expect(201)
    ).body.id;
    doc = (await http().get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => ctx.close());

  it('answers no operation with a 5xx, whatever the path, query, headers and body hold', async () => {
    const ids = [reviewId, cspId];
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        // The health checks answer 503 by design when a dependency is down; sign-out ends the session under test.
        .filter(() => !path.startsWith('/health') && path !== '/auth/sign-out' && path !== '/auth/sessions/current')
        .map(([method, op]) => ({ method, path, op })),
    );
    expect(operations.length).toBeGreaterThan(90);

    const failures: string[] = [];
    for (const { method, path, op } of operations) {
      const params = op.parameters ?? [];
      const pathValue = fc.oneof(
        { arbitrary: fc.constantFrom(reviewId), weight: 4 },
        { arbitrary: fc.uuid(), weight: 2 },
        { arbitrary: nastyString.filter((s) => s.length < 2000), weight: 2 },
      );
      const request = fc.record({
        path: fc.record(Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, pathValue]))),
        query: fc.record(
          Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, fc.option(fc.oneof(plausible(p.schema, ids, p.name).map(String), nastyString.filter((s) => s.length < 3000)), { nil: undefined })])),
        ),
        ifMatch: fc.option(fc.constantFrom('"1"', 'W/"2"', '*', '"-1"', '"99999999999"', 'garbage', '\u00ff'), { nil: undefined }),
        body: bodyFor(op, ids),
      });
      await fc.assert(
        fc.asyncProperty(request, async (input) => {
          const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(String((input.path as Record<string, unknown>)[name] ?? reviewId)));
          let req = http()
            [method as 'get' | 'post' | 'put' | 'patch' | 'delete'](url)
            .set('Authorization', `Bearer ${token}`);
          const query = Object.fromEntries(Object.entries(input.query).filter(([, v]) => v !== undefined)) as Record<string, string>;
          if (Object.keys(query).length > 0) req = req.query(query);
          if (input.ifMatch !== undefined) req = req.set('If-Match', input.ifMatch);
          if (method !== 'get' && method !== 'delete') {
            if (op.requestBody?.content['multipart/form-data']) {
              req = req.field('kind', String(typeof input.body === 'string' ? input.body : 'other').slice(0, 500)).attach('file', Buffer.from('%PDF-1.4 fuzz'), 'fuzz.pdf');
            } else {
              req = req.set('Content-Type', 'application/json').send(JSON.stringify(input.body ?? null));
            }
          }
          const res = await req;
          if (res.status >= 500) {
            failures.push(`${method.toUpperCase()} ${url.slice(0, 200)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)} body=${JSON.stringify(input.body)?.slice(0, 300)}`);
          }
          return res.status < 500;
        }),
        { numRuns: 16, seed: Number(process.env.FUZZ_SEED ?? 20261306), endOnFailure: true },
      ).catch(() => undefined);
    }
    // One line per failing operation (its first counterexample, unshrunk), not just the first operation.
    expect(failures).toEqual([]);
  }, 300_000); // 10-40 s alone; minutes on a loaded 2-core machine (not a speed goal)
});
