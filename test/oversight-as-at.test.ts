import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { reviewAsAt, type OversightContext, type ReviewAsAt } from '../src/reports/oversight/oversight-figures';
import { asAtOf, reviewAsAtSql, type ReviewAsAtRow } from '../src/reports/oversight/oversight.service';
import { addDays } from '../src/deadlines/rules';
import { databaseUrl } from './support/databases';

/**
 * The oversight figures read each review as it stood at the end of a day. `reviewAsAt` (the
 * rule, over the lifecycle's record) and `reviewAsAtSql` (the same worked out by PostgreSQL, which
 * the service uses) must agree on every record and every day: records made at random here, with
 * what the lifecycle writes (timestamps and plain dates, holds ended and current, replaced
 * decisions, QA rounds, entries out of date order after corrections) and read as at every day
 * from before the first entry to after the last.
 */

// A small seeded generator: the same records every run.
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STAGES = ['notified', 'establishing', 'information_gathering', 'drafting', 'rag_sign_off', 'home_office_qa', 'published'] as const;
const REASONS = ['criminal_proceedings', 'inquest', 'iopc', 'family', 'other'] as const;
const START = '2026-01-01';

function contextOf(rnd: () => number): OversightContext {
  const day = () => addDays(START, Math.floor(rnd() * 120));
  // As the lifecycle writes them: a stage's entry and a hold's start are timestamps (late in the
  // evening, the UTC day is the London day), a decision's and a submission's day a plain date.
  const stamp = () => `${day()}T${rnd() < 0.5 ? '11:00:00.000Z' : '22:30:00.000Z'}`;
  const n = (max: number) => Math.floor(rnd() * (max + 1));
  const sorted = (k: number, of: () => string) => Array.from({ length: k }, of).sort();
  const entered = sorted(n(5), stamp);
  // Now and then a correction leaves an entry out of date order.
  if (entered.length > 2 && rnd() < 0.2) [entered[0], entered[1]] = [entered[1], entered[0]];
  const holds = sorted(n(3) * 2, day);
  const decision = (decidedAt: string) => ({ outcome: 'proceed', decidedAt, rationale: 'Criteria met.', recordedAt: `${decidedAt}T12:00:00.000Z`, jointWith: null, directedBySecretaryOfState: false });
  const decided = sorted(n(3), day);
  return {
    stageHistory: entered.map((enteredAt, i) => ({ stage: STAGES[i % STAGES.length], enteredAt })),
    holds: Array.from({ length: holds.length / 2 }, (_, i) => ({
      reason: REASONS[n(4)],
      detail: 'Held',
      expectedEnd: null,
      stage: 'establishing',
      startedAt: `${holds[2 * i]}T10:00:00.000Z`,
      // The last hold may still be current (no end), or its end not recorded yet ('' is never written, but is read safely).
      endedAt: i === holds.length / 2 - 1 && rnd() < 0.4 ? (rnd() < 0.2 ? '' : null) : `${holds[2 * i + 1]}T10:00:00.000Z`,
      endedBy: 'resume',
      resumeNote: null,
    })),
    decision: decided.length > 0 ? decision(decided[decided.length - 1]) : null,
    supersededDecisions: decided.slice(0, -1).map((d) => ({ decision: decision(d), supersededAt: `${d}T13:00:00.000Z`, reason: 'Corrected' })),
    qaRounds: sorted(n(3), day).map((submittedAt, i) => ({ round: i + 1, submittedAt, recordedAt: `${submittedAt}T12:00:00.000Z`, outcome: null, letterDate: null, notes: null, outcomeRecordedAt: null })),
  } as unknown as OversightContext;
}

describe('a review as at a day: the SQL the service uses equals the rule', () => {
  let db: Client;
  beforeAll(async () => {
    db = new Client({ connectionString: databaseUrl(process.env.TEST_POSTGRES_URL!, 'postgres') });
    await db.connect();
  });
  afterAll(() => db?.end());

  it('agrees on 300 records, each read as at every day from before its first entry to after its last', async () => {
    const rnd = random(15);
    const contexts = Array.from({ length: 300 }, () => contextOf(rnd));
    // Every record as at every day of its span: one row a (record, day).
    const days = Array.from({ length: 130 }, (_, i) => addDays(START, i - 3));
    const rows: Array<{ c: number; day: string }> = contexts.flatMap((_, c) => days.map((day) => ({ c, day })));
    const { rows: got } = await db.query<ReviewAsAtRow & { i: string }>(
      `SELECT u.i, f.* FROM unnest($1::int[], $2::date[]) WITH ORDINALITY AS u(c, day, i)
         CROSS JOIN LATERAL (SELECT jsonb_build_object('context', ($3::jsonb)->u.c) AS snapshot) r
         LEFT JOIN LATERAL (${reviewAsAtSql('r.snapshot', 'u.day')}) f ON true
        ORDER BY u.i`,
      [rows.map((r) => r.c), rows.map((r) => r.day), JSON.stringify(contexts)],
    );
    expect(got).toHaveLength(rows.length);
    const differences: Array<{ context: number; day: string; sql: ReviewAsAt; rule: ReviewAsAt }> = [];
    got.forEach((row, k) => {
      const { c, day } = rows[k];
      const sql = asAtOf(row);
      const rule = reviewAsAt(contexts[c], day);
      if (!isDeepStrictEqual(sql, rule)) differences.push({ context: c, day, sql, rule });
    });
    expect(differences.slice(0, 3)).toEqual([]);
    // The records reach every branch: held and not, decided, replaced decisions standing, several QA rounds.
    const rules = rows.map(({ c, day }) => reviewAsAt(contexts[c], day));
    expect(rules.some((r) => r.hold !== null)).toBe(true);
    expect(rules.some((r) => r.holds.some((h) => h.to === null))).toBe(true);
    expect(rules.some((r, k) => r.decidedOn !== null && r.decidedOn !== contexts[rows[k].c].decision?.decidedAt)).toBe(true);
    expect(rules.some((r) => r.qaRoundsSubmitted >= 2)).toBe(true);
    expect(new Set(rules.map((r) => r.stage)).size).toBeGreaterThan(4);
  });
});
