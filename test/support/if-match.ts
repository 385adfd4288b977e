import type { Test } from 'supertest';

type Http = () => { get(path: string): Test };

/**
 * The record a case-file write goes to, as a GET path (`/reviews/R/imrs/I` for
 * `/reviews/R/imrs/I/quality-check`), or null for a create (`POST /reviews/R/imrs`).
 */
export function recordPathOf(writePath: string): string | null {
  const m = /^(\/reviews\/[^/]+)\/(.+)$/.exec(writePath.split('?')[0]);
  if (!m) return null;
  const rest = m[2].split('/');
  if (rest[0] === 'publication') return `${m[1]}/publication`;
  if (rest.length < 2) return null;
  return `${m[1]}/${(rest.length % 2 === 0 ? rest : rest.slice(0, -1)).join('/')}`;
}

const AUTH = ['x-actor', 'authorization', 'cookie'];

/**
 * The If-Match a client that has just read the record sends: `"<version>"` from a GET of it
 * (with the same credentials), or undefined when there is no such record to read (a create).
 */
export async function currentIfMatch(http: Http, writePath: string, auth: Record<string, string> = {}): Promise<string | undefined> {
  const path = recordPathOf(writePath);
  if (!path) return undefined;
  let read = http().get(path);
  for (const [name, value] of Object.entries(auth)) read = read.set(name, value);
  const res = await read;
  return res.status === 200 && typeof res.body?.version === 'number' ? `"${res.body.version}"` : undefined;
}

/**
 * A write that, when it is sent, first reads the record it goes to and sends the version read
 * as If-Match (as the web forms and a careful client do). Chains like any supertest request.
 */
export function sendingCurrentVersion(test: Test, http: Http, writePath: string): Test {
  const end = test.end.bind(test);
  test.end = ((fn: Parameters<Test['end']>[0]) => {
    const headers = (test as unknown as { _header: Record<string, string> })._header;
    const auth = Object.fromEntries(AUTH.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]]));
    currentIfMatch(http, writePath, auth).then(
      (tag) => {
        if (tag && headers['if-match'] === undefined) test.set('If-Match', tag);
        end(fn);
      },
      (error: Error) => fn?.(error, undefined as never),
    );
    return test;
  }) as Test['end'];
  return test;
}
