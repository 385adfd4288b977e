#!/usr/bin/env node
// The pages that grow with the installation (issue 16), at 1,000, 10,000 and 100,000 reviews: the
// /cases list, the reviews API, My work (page and API), the deadlines API and a review page, each
// timed as a CSP lead who sees every review (a real API token, so the access policy narrows the
// SQL as it does for a person), p50/p99 beside the raw limit measured in the same run: the same
// list read straight from PostgreSQL (the first page of the reviews, soonest clocks first), one
// client, no HTTP, no rendering. The reviews are made by generate.mjs (imported through the
// compiled command line, then copied in SQL).
//
// Usage: npm run bench:pages -- [sizes=1000,10000,100000] [requests=20]
// A page is asked at most `requests` times and for at most a minute after its first answer
// (My work at 100,000 reviews took 40 s an answer when this was written); `n` says how many.
import { cpus } from 'node:os';
import { generateReviews } from './generate.mjs';
import { quantiles, startBench } from './harness.mjs';

const SIZES = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
const REQUESTS = Number(process.argv[3] ?? 20);
const TEMPLATES = Number(process.env.TEMPLATES ?? 60);
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

const results = [];
for (const size of SIZES) {
  const bench = await startBench();
  const { db } = bench;
  try {
    const { importSeconds, copySeconds } = await generateReviews(bench, size, Math.min(size, TEMPLATES));
    const [{ reviews, clocks }] = (await db.query(`SELECT (SELECT count(*)::int FROM reviews) AS reviews, (SELECT count(*)::int FROM deadlines WHERE status IN ('open', 'paused')) AS clocks`)).rows;
    const token = bench.userWithToken('lead@bench.example', 'csp_lead', '--csp', 'BENCH');
    const api = await bench.startApi();
    const [{ id: someReview }] = (await db.query(`SELECT id FROM reviews ORDER BY reference LIMIT 1`)).rows;
    /** How many rows a JSON answer holds (its array, or its `items`): the page's size, printed with its time. */
    const itemsOf = (accept, body) => {
      if (accept !== 'application/json') return undefined;
      const json = JSON.parse(body);
      return Array.isArray(json) ? json.length : Array.isArray(json.items) ? json.items.length : undefined;
    };
    const time = async (path, accept) => {
      const s = process.hrtime.bigint();
      const res = await fetch(`${api.base}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 500)}`);
      return { ns: process.hrtime.bigint() - s, body };
    };
    const measure = async (path, accept) => {
      const first = await time(path, accept);
      const until = Date.now() + 60_000;
      const t = [];
      while (t.length < REQUESTS && (t.length < 3 || Date.now() < until)) t.push((await time(path, accept)).ns);
      const items = itemsOf(accept, first.body);
      return { n: t.length, ...quantiles(t), kB: Math.round(Buffer.byteLength(first.body) / 1024), ...(items === undefined ? {} : { items }) };
    };
    const pages = {
      'GET /cases (HTML)': await measure('/cases', 'text/html'),
      'GET /reviews?pageSize=50': await measure('/reviews?pageSize=50', 'application/json'),
      'GET /deadlines?due_before=+30 days&limit=50': await measure(`/deadlines?due_before=${inDays(30)}&limit=50`, 'application/json'),
      'GET /me/tasks': await measure('/me/tasks', 'application/json'),
      'GET /my-work (HTML)': await measure('/my-work', 'text/html'),
      'GET /cases/:id (HTML)': await measure(`/cases/${someReview}`, 'text/html'),
    };
    // The raw limit: the first page of the reviews and of the running clocks, straight to PostgreSQL.
    const raw = [];
    for (let i = 0; i < REQUESTS + 3; i++) {
      const s = process.hrtime.bigint();
      await db.query(`SELECT r.id, r.reference, r.status, r.on_hold, r.notified_on, r.version FROM reviews r JOIN csps c ON c.id = r.csp_id WHERE c.code = 'BENCH' ORDER BY r.created_at DESC, r.id LIMIT 20`);
      await db.query(`SELECT count(*) FROM reviews r JOIN csps c ON c.id = r.csp_id WHERE c.code = 'BENCH'`);
      await db.query(`SELECT d.* FROM deadlines d JOIN reviews r ON r.id = d.review_id JOIN csps c ON c.id = r.csp_id
                       WHERE c.code = 'BENCH' AND d.status IN ('open', 'paused') AND d.due_at < $1 ORDER BY d.due_at, d.id LIMIT 50`, [inDays(30)]);
      if (i >= 3) raw.push(process.hrtime.bigint() - s);
    }
    const rawFig = quantiles(raw);
    results.push({
      reviews,
      runningClocks: clocks,
      setup: { importSeconds, copySeconds },
      rawLimit: { ...rawFig, what: 'the first page of the reviews with their count, and the first 50 running clocks due within 30 days, straight to PostgreSQL, ms' },
      pages: Object.fromEntries(Object.entries(pages).map(([k, v]) => [k, { ...v, ratioP50: Number((v.p50 / rawFig.p50).toFixed(1)) }])),
    });
    console.error(JSON.stringify(results[results.length - 1]));
  } finally {
    await bench.done();
  }
}
console.log(JSON.stringify({ requests: REQUESTS, what: 'p50/p99 in ms as a CSP lead who sees every review; kB: the answer; items: the rows a JSON answer holds (its page)', results, cpus: cpus().length }, null, 2));
