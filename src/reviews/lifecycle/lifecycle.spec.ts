import type { ReviewEvent } from './events';
import {
  applyEvent,
  describe as describeLifecycle,
  heldDurations,
  initialSnapshot,
  InvalidSnapshotError,
  isOnHold,
  migrateSnapshot,
  runMigrations,
  SNAPSHOT_MIGRATIONS,
  SnapshotVersionError,
  statusOf,
  withEnvelope,
  type PersistedReview,
} from './lifecycle';
import { REVIEW_MACHINE_VERSION } from './review-machine';
import { EMPTY_FACTS } from './review-facts';
import { ALL_FACTS, OPENED_AT, PATH_TO, SAMPLE_PAYLOADS, drive, ev } from './test-fixtures';

function apply(p: PersistedReview, event: ReviewEvent): PersistedReview {
  const r = applyEvent(p, event);
  if (!r.ok) throw new Error(r.reasons.join('; '));
  return r.persisted;
}

describe('lifecycle: the not-proceeding path', () => {
  it('DECIDE not_proceed, CLOSE refused until the Home Office is told, then DIRECT_REVIEW reopens it', () => {
    let p = initialSnapshot(OPENED_AT);
    p = apply(
      p,
      ev('DECIDE', '2026-01-06T10:00:00.000Z', { outcome: 'not_proceed', rationale: 'Death not from abuse' }),
    );
    expect(statusOf(p)).toBe('not_proceeding');
    expect(p.context.decision).toMatchObject({ outcome: 'not_proceed', rationale: 'Death not from abuse' });

    const d = describeLifecycle(p, EMPTY_FACTS, '2026-01-06T11:00:00.000Z');
    expect(d.allowedEvents).toEqual(['NOTIFY_HOME_OFFICE', 'PLACE_ON_HOLD', 'WITHDRAW']);
    expect(d.blockedEvents).toEqual([
      { type: 'DIRECT_REVIEW', reasons: ['The Home Office has not been told of the decision not to proceed'] },
      { type: 'CLOSE', reasons: ['The Home Office has not been told of the decision not to proceed'] },
      { type: 'RECORD_HOME_OFFICE_AGREEMENT', reasons: ['The Home Office has not been told of the decision not to proceed'] },
    ]);

    const refused = applyEvent(p, ev('CLOSE', '2026-01-06T11:00:00.000Z', {}, EMPTY_FACTS));
    expect(refused).toEqual({
      ok: false,
      reasons: ['The Home Office has not been told of the decision not to proceed'],
    });

    p = apply(p, ev('NOTIFY_HOME_OFFICE', '2026-01-07T09:00:00.000Z', { sentAt: '2026-01-07' }));
    expect(p.context.homeOfficeNotification).toEqual({ sentAt: '2026-01-07', recordedAt: '2026-01-07T09:00:00.000Z' });
    expect(describeLifecycle(p, EMPTY_FACTS, '2026-01-07T10:00:00.000Z').allowedEvents).toEqual([
      'DIRECT_REVIEW',
      'CLOSE',
      'PLACE_ON_HOLD',
      'WITHDRAW',
      'RECORD_HOME_OFFICE_AGREEMENT',
    ]);

    p = apply(p, ev('DIRECT_REVIEW', '2026-03-01T09:00:00.000Z', { directedAt: '2026-02-27', note: 'SoS letter' }));
    expect(statusOf(p)).toBe('establishing');
    expect(p.context.direction).toEqual({ directedAt: '2026-02-27', note: 'SoS letter', recordedAt: '2026-03-01T09:00:00.000Z' });
    expect(p.context.decision).toMatchObject({ outcome: 'proceed', directedBySecretaryOfState: true, decidedAt: '2026-02-27' });
    expect(p.context.supersededDecisions).toHaveLength(1);
    expect(p.context.supersededDecisions[0]?.decision.outcome).toBe('not_proceed');
    expect(p.context.supersededDecisions[0]?.homeOfficeNotification?.sentAt).toBe('2026-01-07');

    // The Home Office made this decision, so ToR need no further notification.
    p = apply(p, ev('AGREE_TERMS_OF_REFERENCE', '2026-03-10T09:00:00.000Z'));
    p = apply(p, ev('BEGIN_DRAFTING', '2026-06-10T09:00:00.000Z'));
    expect(statusOf(p)).toBe('drafting');
  });

  it('a "no" can be closed once the Home Office has been told', () => {
    const p = drive([...PATH_TO.not_proceeding, { type: 'NOTIFY_HOME_OFFICE' }, { type: 'CLOSE', facts: EMPTY_FACTS }]);
    expect(statusOf(p)).toBe('closed');
    expect(p.context.closure).toMatchObject({ fromStage: 'not_proceeding' });
  });

  it('says an event is not possible in the current stage', () => {
    const p = drive(PATH_TO.drafting);
    expect(applyEvent(p, ev('DECIDE', '2026-02-01T00:00:00Z'))).toEqual({
      ok: false,
      reasons: ['DECIDE is not possible in stage drafting'],
    });
    expect(applyEvent(p, { type: 'NOPE', at: '2026-02-01T00:00:00Z', facts: ALL_FACTS } as unknown as ReviewEvent)).toEqual({
      ok: false,
      reasons: ['Unknown event type NOPE'],
    });
  });
});

describe('lifecycle: the hold path', () => {
  it('holds in information_gathering, refuses BEGIN_DRAFTING with the hold reason, resumes, counts held time', () => {
    let p = drive(PATH_TO.information_gathering);
    p = apply(
      p,
      ev('PLACE_ON_HOLD', '2026-03-01T10:00:00.000Z', {
        reason: 'criminal_proceedings',
        detail: 'Trial at Chelmsford Crown Court',
        expectedEnd: '2026-06-30',
      }),
    );
    expect(statusOf(p)).toBe('information_gathering');
    expect(isOnHold(p)).toBe(true);

    const refused = applyEvent(p, ev('BEGIN_DRAFTING', '2026-03-05T10:00:00.000Z', {}, ALL_FACTS));
    expect(refused).toEqual({
      ok: false,
      reasons: ['The review is on hold (criminal_proceedings) since 2026-03-01'],
    });

    const d = describeLifecycle(p, ALL_FACTS, '2026-03-05T10:00:00.000Z');
    expect(d.onHold).toBe(true);
    expect(d.hold).toEqual({
      reason: 'criminal_proceedings',
      detail: 'Trial at Chelmsford Crown Court',
      expectedEnd: '2026-06-30',
      startedAt: '2026-03-01T10:00:00.000Z',
      stage: 'information_gathering',
      heldMs: 4 * 86_400_000,
    });
    expect(d.allowedEvents).toEqual(['RESUME', 'WITHDRAW']);
    expect(d.blockedEvents).toEqual([
      { type: 'BEGIN_DRAFTING', reasons: ['The review is on hold (criminal_proceedings) since 2026-03-01'] },
    ]);
    expect(heldDurations(p, '2026-03-02T10:00:00.000Z')).toEqual({
      totalHeldMs: 86_400_000,
      periods: [
        {
          reason: 'criminal_proceedings',
          detail: 'Trial at Chelmsford Crown Court',
          stage: 'information_gathering',
          startedAt: '2026-03-01T10:00:00.000Z',
          endedAt: null,
          durationMs: 86_400_000,
        },
      ],
    });

    p = apply(p, ev('RESUME', '2026-03-11T10:00:00.000Z', { note: 'Guilty plea entered' }));
    expect(isOnHold(p)).toBe(false);
    expect(p.context.holds[0]).toMatchObject({ endedAt: '2026-03-11T10:00:00.000Z', endedBy: 'resume', resumeNote: 'Guilty plea entered' });
    // Held time no longer grows after RESUME.
    expect(heldDurations(p, new Date('2027-01-01T00:00:00Z')).totalHeldMs).toBe(10 * 86_400_000);

    // A second, shorter hold adds up.
    p = apply(p, ev('PLACE_ON_HOLD', '2026-03-12T10:00:00.000Z', { reason: 'family', detail: 'Bereavement' }));
    p = apply(p, ev('RESUME', '2026-03-12T16:00:00.000Z'));
    expect(heldDurations(p, '2026-04-01T00:00:00Z').totalHeldMs).toBe(10 * 86_400_000 + 6 * 3_600_000);

    const r = applyEvent(p, ev('BEGIN_DRAFTING', '2026-03-13T10:00:00.000Z'));
    expect(r).toMatchObject({ ok: true, status: 'drafting', onHold: false, changed: true });
  });
});

describe('lifecycle: persistence', () => {
  it('keeps working through JSON.stringify/parse at every step', () => {
    let p = JSON.parse(JSON.stringify(initialSnapshot(OPENED_AT))) as PersistedReview;
    const steps = [...PATH_TO.information_gathering, { type: 'PLACE_ON_HOLD' as const }, { type: 'RESUME' as const }];
    const rest = PATH_TO.closed.slice(PATH_TO.information_gathering.length);
    let hour = 0;
    for (const step of [...steps, ...rest]) {
      hour += 1;
      const at = new Date(Date.parse(OPENED_AT) + hour * 3_600_000).toISOString();
      const r = applyEvent(p, ev(step.type, at, (step as { overrides?: object }).overrides as never));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const roundTripped = JSON.parse(JSON.stringify(r.persisted)) as PersistedReview;
      expect(roundTripped).toEqual(r.persisted);
      p = roundTripped;
    }
    expect(statusOf(p)).toBe('closed');
    expect(p.machineVersion).toBe(REVIEW_MACHINE_VERSION);
    expect(p.context.holds).toHaveLength(1);
  });

  it('refuses a snapshot of another version, or a malformed one, instead of misreading it', () => {
    const p = initialSnapshot(OPENED_AT);
    expect(() => applyEvent({ ...p, machineVersion: 2 }, ev('DECIDE', '2026-01-06T00:00:00Z'))).toThrow(
      SnapshotVersionError,
    );
    expect(() => statusOf({ ...p, value: { open: { stage: 'limbo', hold: 'active' } } } as never)).toThrow(
      InvalidSnapshotError,
    );
    expect(() => statusOf({ ...p, value: { open: { stage: 'drafting', hold: 'active' } } })).toThrow(
      /stage history ends at notified/,
    );
    expect(() => statusOf({ ...p, value: { open: { stage: 'notified', hold: 'onHold' } } })).toThrow(
      /hold state and hold record disagree/,
    );
  });

  it('detects a refusal whatever key order the store returns (e.g. jsonb)', () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]))
          : v;
    const p = reverseKeys(drive(PATH_TO.information_gathering)) as PersistedReview;
    expect(applyEvent(p, ev('BEGIN_DRAFTING', '2026-02-01T00:00:00Z', {}, EMPTY_FACTS))).toMatchObject({ ok: false });
    expect(applyEvent(p, ev('BEGIN_DRAFTING', '2026-02-01T00:00:00Z'))).toMatchObject({ ok: true, status: 'drafting' });
  });

  it('withEnvelope adds at and facts to a payload', () => {
    expect(withEnvelope(SAMPLE_PAYLOADS.CLOSE, { at: OPENED_AT, facts: EMPTY_FACTS })).toEqual({
      type: 'CLOSE',
      at: OPENED_AT,
      facts: EMPTY_FACTS,
    });
  });
});

describe('lifecycle: migrateSnapshot', () => {
  it('returns a current-version snapshot as is', () => {
    const p = drive(PATH_TO.drafting);
    const stored = JSON.parse(JSON.stringify(p)) as unknown;
    expect(migrateSnapshot(stored, REVIEW_MACHINE_VERSION)).toEqual(p);
  });

  it('has no migrations yet', () => {
    expect(Object.keys(SNAPSHOT_MIGRATIONS)).toEqual([]);
  });

  it.each([[0], [-1], [1.5], [REVIEW_MACHINE_VERSION + 1], [99]])('refuses version %p', (version) => {
    const p = initialSnapshot(OPENED_AT);
    expect(() => migrateSnapshot({ ...p, machineVersion: version }, version)).toThrow(SnapshotVersionError);
  });

  it('refuses a snapshot whose embedded version disagrees with the stored one', () => {
    const p = initialSnapshot(OPENED_AT);
    expect(() => migrateSnapshot({ ...p, machineVersion: 7 }, REVIEW_MACHINE_VERSION)).toThrow(
      /says machine version 7 but was stored as version 1/,
    );
  });

  it('chains registered migrations and refuses a gap', () => {
    const v1 = { machineVersion: 1, value: 'closed', context: { a: 1 } };
    const registry = {
      1: (s: Record<string, unknown>) => ({ ...s, context: { ...(s['context'] as object), b: 2 } }),
      2: (s: Record<string, unknown>) => ({ ...s, value: 'withdrawn' }),
    };
    expect(runMigrations(v1, 1, 3, registry)).toEqual({
      machineVersion: 3,
      value: 'withdrawn',
      context: { a: 1, b: 2 },
    });
    expect(() => runMigrations(v1, 1, 3, { 1: registry[1] })).toThrow(
      new SnapshotVersionError('No migration from lifecycle snapshot version 2 to 3', 1, 3),
    );
  });
});

describe('lifecycle: describe', () => {
  it('lists what can be done now and why the rest cannot', () => {
    const p = drive(PATH_TO.establishing);
    const d = describeLifecycle(p, EMPTY_FACTS, '2026-01-10T00:00:00Z');
    expect(d.status).toBe('establishing');
    expect(d.onHold).toBe(false);
    expect(d.hold).toBeUndefined();
    expect(d.allowedEvents).toEqual(['NOTIFY_HOME_OFFICE', 'PLACE_ON_HOLD', 'WITHDRAW']);
    expect(d.blockedEvents).toEqual([
      {
        type: 'AGREE_TERMS_OF_REFERENCE',
        reasons: [
          'An independent chair has not been appointed',
          'No panel members have been appointed',
          'The Home Office has not been told of the decision to hold a review',
        ],
      },
    ]);
  });

  it('in notified offers DECIDE', () => {
    const d = describeLifecycle(initialSnapshot(OPENED_AT), EMPTY_FACTS, OPENED_AT);
    expect(d.allowedEvents).toEqual(['DECIDE', 'PLACE_ON_HOLD', 'WITHDRAW']);
    expect(d.blockedEvents).toEqual([]);
  });

  it('rejects an invalid instant', () => {
    expect(() => initialSnapshot('yesterday')).toThrow(TypeError);
    expect(() => describeLifecycle(initialSnapshot(OPENED_AT), EMPTY_FACTS, 'soon')).toThrow(TypeError);
  });
});
