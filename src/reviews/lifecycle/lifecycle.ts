/**
 * The service-facing, pure API of the review lifecycle.
 *
 * Nothing here keeps an actor running: a review's lifecycle is a persisted
 * snapshot (plain JSON, stored with the review), and every change is computed
 * with xstate's pure `transition()` from the restored snapshot and an event.
 */
import { getNextTransitions, initialTransition, transition, type SnapshotFrom } from 'xstate';
import {
  isReviewEventType,
  REVIEW_EVENT_TYPES,
  type EventEnvelope,
  type ReviewEvent,
  type ReviewEventPayload,
  type ReviewEventType,
} from './events';
import { refusalReasons } from './guard-reasons';
import {
  currentHold,
  isFinalStage,
  OPEN_STAGES,
  type FinalStage,
  type HoldPeriod,
  type HoldReason,
  type OpenStage,
  type ReviewContext,
  type Stage,
} from './review-context';
import type { ReviewFacts } from './review-facts';
import { REVIEW_MACHINE_VERSION, reviewMachine } from './review-machine';

export type HoldRegionState = 'active' | 'onHold';

/** The machine's state value, as persisted. */
export type PersistedStateValue = FinalStage | { readonly open: { readonly stage: OpenStage; readonly hold: HoldRegionState } };

/** A review's lifecycle as stored: JSON-serialisable, versioned. */
export interface PersistedReview {
  /** REVIEW_MACHINE_VERSION of the machine that wrote it. */
  readonly machineVersion: number;
  readonly value: PersistedStateValue;
  readonly context: ReviewContext;
}

type ReviewSnapshot = SnapshotFrom<typeof reviewMachine>;

/** A stored snapshot was written by a machine version this code cannot read. */
export class SnapshotVersionError extends Error {
  override readonly name = 'SnapshotVersionError';
  constructor(
    message: string,
    readonly fromVersion: unknown,
    readonly currentVersion: number = REVIEW_MACHINE_VERSION,
  ) {
    super(message);
  }
}

/** A stored snapshot is not a well-formed lifecycle snapshot. */
export class InvalidSnapshotError extends Error {
  override readonly name = 'InvalidSnapshotError';
}

function assertInstant(at: string, what: string): void {
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
    throw new TypeError(`${what}: at must be an ISO instant, got ${String(at)}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stageOfValue(value: PersistedStateValue): Stage {
  return typeof value === 'string' ? value : value.open.stage;
}

/**
 * Checks the shape of a current-version snapshot, and that its state value
 * agrees with its context (stage history, hold record). Throws
 * InvalidSnapshotError rather than letting a malformed record be misread.
 */
export function assertPersistedReview(input: unknown): PersistedReview {
  if (!isRecord(input)) throw new InvalidSnapshotError('Lifecycle snapshot is not an object');
  if (input['machineVersion'] !== REVIEW_MACHINE_VERSION) {
    throw new SnapshotVersionError(
      `Lifecycle snapshot has machine version ${String(input['machineVersion'])}, ` +
        `this code reads version ${REVIEW_MACHINE_VERSION}; migrate it first (migrateSnapshot)`,
      input['machineVersion'],
    );
  }
  const value = input['value'];
  const context = input['context'];
  let stage: Stage;
  let held: boolean;
  if (value === 'closed' || value === 'withdrawn') {
    stage = value;
    held = false;
  } else if (
    isRecord(value) &&
    isRecord(value['open']) &&
    (OPEN_STAGES as readonly unknown[]).includes(value['open']['stage']) &&
    (value['open']['hold'] === 'active' || value['open']['hold'] === 'onHold')
  ) {
    stage = value['open']['stage'] as OpenStage;
    held = value['open']['hold'] === 'onHold';
  } else {
    throw new InvalidSnapshotError(`Lifecycle snapshot has an unknown state value: ${JSON.stringify(value)}`);
  }
  if (
    !isRecord(context) ||
    typeof context['openedAt'] !== 'string' ||
    !Array.isArray(context['stageHistory']) ||
    !Array.isArray(context['holds']) ||
    !Array.isArray(context['qaRounds']) ||
    !Array.isArray(context['ragReturns']) ||
    !Array.isArray(context['supersededDecisions'])
  ) {
    throw new InvalidSnapshotError('Lifecycle snapshot has a malformed context');
  }
  const ctx = context as unknown as ReviewContext;
  const lastStage = ctx.stageHistory[ctx.stageHistory.length - 1]?.stage;
  if (lastStage !== stage) {
    throw new InvalidSnapshotError(
      `Lifecycle snapshot is inconsistent: state is ${stage} but the stage history ends at ${String(lastStage)}`,
    );
  }
  if ((currentHold(ctx) !== null) !== held) {
    throw new InvalidSnapshotError('Lifecycle snapshot is inconsistent: hold state and hold record disagree');
  }
  return input as unknown as PersistedReview;
}

/**
 * JSON with object keys sorted, to compare snapshots whatever key order the
 * store returned them in (Postgres jsonb, for one, reorders keys).
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

function toPersisted(snapshot: ReviewSnapshot): PersistedReview {
  // Round-trip through JSON: the stored form must be exactly what we return.
  const plain = JSON.parse(JSON.stringify({ value: snapshot.value, context: snapshot.context })) as {
    value: PersistedStateValue;
    context: ReviewContext;
  };
  return { machineVersion: REVIEW_MACHINE_VERSION, value: plain.value, context: plain.context };
}

/** Rebuilds the machine snapshot of a persisted review (current version only). */
export function restoreSnapshot(persisted: PersistedReview): ReviewSnapshot {
  const checked = assertPersistedReview(persisted);
  return reviewMachine.resolveState({
    value: checked.value as ReviewSnapshot['value'],
    context: checked.context,
  });
}

/** The snapshot of a newly notified review, opened at `at`. */
export function initialSnapshot(at: string): PersistedReview {
  assertInstant(at, 'initialSnapshot');
  const [snapshot] = initialTransition(reviewMachine, { at });
  return toPersisted(snapshot);
}

export function statusOf(persisted: PersistedReview): Stage {
  return stageOfValue(assertPersistedReview(persisted).value);
}

export function isOnHold(persisted: PersistedReview): boolean {
  const value = assertPersistedReview(persisted).value;
  return typeof value !== 'string' && value.open.hold === 'onHold';
}

/** Adds the server's envelope to a validated payload. */
export function withEnvelope(payload: ReviewEventPayload, envelope: EventEnvelope): ReviewEvent {
  return {
    ...payload,
    at: envelope.at,
    ...(envelope.recordedAt !== undefined ? { recordedAt: envelope.recordedAt } : {}),
    facts: envelope.facts,
  } as ReviewEvent;
}

/** Event types for which the current stage or hold region has a transition. */
function existingEventTypes(snapshot: ReviewSnapshot): Set<ReviewEventType> {
  const types = new Set<ReviewEventType>();
  for (const t of getNextTransitions(snapshot)) {
    if (isReviewEventType(t.eventType)) types.add(t.eventType);
  }
  return types;
}

/** Event types handled by the hold region rather than the stage. */
const HOLD_EVENTS: readonly ReviewEventType[] = ['PLACE_ON_HOLD', 'RESUME'];

export type ApplyResult =
  | {
      readonly ok: true;
      readonly persisted: PersistedReview;
      readonly status: Stage;
      readonly onHold: boolean;
      readonly changed: true;
    }
  | { readonly ok: false; readonly reasons: string[] };

/**
 * Applies one event (with its `at` and `facts`) to a persisted review.
 * Refusals are results, not exceptions; a malformed or old snapshot throws.
 */
export function applyEvent(persisted: PersistedReview, event: ReviewEvent): ApplyResult {
  const snapshot = restoreSnapshot(persisted);
  const type: unknown = (event as { type?: unknown }).type;
  if (!isReviewEventType(type)) {
    return { ok: false, reasons: [`Unknown event type ${String(type)}`] };
  }
  assertInstant(event.at, 'applyEvent');
  const stage = stageOfValue(persisted.value);
  const context = persisted.context;
  const ruleInput = { context, stage, facts: event.facts, at: event.at, payload: event };

  if (!existingEventTypes(snapshot).has(type)) {
    if (HOLD_EVENTS.includes(type) && !isFinalStage(stage)) {
      const reasons = refusalReasons(type, ruleInput);
      if (reasons.length > 0) return { ok: false, reasons };
    }
    return { ok: false, reasons: [`${type} is not possible in stage ${stage}`] };
  }

  const [next] = transition(reviewMachine, snapshot, event);
  const after = toPersisted(next);
  if (
    canonicalJson(after.value) === canonicalJson(persisted.value) &&
    canonicalJson(after.context) === canonicalJson(persisted.context)
  ) {
    const reasons = refusalReasons(type, ruleInput);
    return {
      ok: false,
      reasons: reasons.length > 0 ? reasons : [`${type} was not accepted in stage ${stage}`],
    };
  }
  return {
    ok: true,
    persisted: after,
    status: stageOfValue(after.value),
    onHold: typeof after.value !== 'string' && after.value.open.hold === 'onHold',
    changed: true,
  };
}

export interface HoldSummary {
  readonly reason: HoldReason;
  readonly detail: string;
  readonly expectedEnd: string | null;
  readonly startedAt: string;
  readonly stage: OpenStage;
  /** Held so far, up to the `at` given to describe(). */
  readonly heldMs: number;
}

export interface LifecycleDescription {
  readonly status: Stage;
  readonly onHold: boolean;
  readonly hold?: HoldSummary;
  /** Event types accepted now (given the facts). */
  readonly allowedEvents: ReviewEventType[];
  /** Event types this stage/hold region has, refused now, with why. */
  readonly blockedEvents: { readonly type: ReviewEventType; readonly reasons: string[] }[];
}

/** Where a review stands and what can be done next (for the API). */
export function describe(persisted: PersistedReview, facts: ReviewFacts, at: string): LifecycleDescription {
  assertInstant(at, 'describe');
  const snapshot = restoreSnapshot(persisted);
  const status = stageOfValue(persisted.value);
  const existing = existingEventTypes(snapshot);
  const allowedEvents: ReviewEventType[] = [];
  const blockedEvents: { type: ReviewEventType; reasons: string[] }[] = [];
  for (const type of REVIEW_EVENT_TYPES) {
    if (!existing.has(type)) continue;
    // The Home Office's agreement answers a "no" only: not worth a line on any other review.
    if (type === 'RECORD_HOME_OFFICE_AGREEMENT' && persisted.context.decision?.outcome !== 'not_proceed') continue;
    const reasons = refusalReasons(type, { context: persisted.context, stage: status, facts, at });
    if (reasons.length === 0) allowedEvents.push(type);
    else blockedEvents.push({ type, reasons });
  }
  const hold = currentHold(persisted.context);
  const base = { status, onHold: hold !== null, allowedEvents, blockedEvents };
  if (!hold) return base;
  return {
    ...base,
    hold: {
      reason: hold.reason,
      detail: hold.detail,
      expectedEnd: hold.expectedEnd,
      startedAt: hold.startedAt,
      stage: hold.stage,
      heldMs: Math.max(0, Date.parse(at) - Date.parse(hold.startedAt)),
    },
  };
}

export interface HeldPeriodDuration {
  readonly reason: HoldReason;
  readonly detail: string;
  readonly stage: OpenStage;
  readonly startedAt: string;
  /** Null while the hold is current (counted up to `now`). */
  readonly endedAt: string | null;
  readonly durationMs: number;
}

/**
 * Time spent on hold, from the recorded `at` instants. Net elapsed time of a
 * review = gross elapsed time - totalHeldMs.
 */
export function heldDurations(
  persisted: PersistedReview,
  now: string | Date,
): { totalHeldMs: number; periods: HeldPeriodDuration[] } {
  const nowMs = typeof now === 'string' ? Date.parse(now) : now.getTime();
  if (Number.isNaN(nowMs)) throw new TypeError('heldDurations: now is not a valid instant');
  const periods = assertPersistedReview(persisted).context.holds.map((h: HoldPeriod) => {
    const end = h.endedAt === null ? nowMs : Date.parse(h.endedAt);
    return {
      reason: h.reason,
      detail: h.detail,
      stage: h.stage,
      startedAt: h.startedAt,
      endedAt: h.endedAt,
      durationMs: Math.max(0, end - Date.parse(h.startedAt)),
    };
  });
  return { totalHeldMs: periods.reduce((sum, p) => sum + p.durationMs, 0), periods };
}

/**
 * A migration turns a snapshot written by machine version N into one that
 * version N + 1 reads. It receives the stored JSON and returns JSON; the
 * runner stamps the new machineVersion.
 */
export type SnapshotMigration = (snapshot: Record<string, unknown>) => Record<string, unknown>;

/**
 * Migrations keyed by the version they migrate FROM. Empty while only version
 * 1 exists. When REVIEW_MACHINE_VERSION becomes 2, add `1: (s) => ...` here
 * and a test that a version-1 fixture migrates and then applies events.
 */
export const SNAPSHOT_MIGRATIONS: Readonly<Record<number, SnapshotMigration>> = Object.freeze({});

/** Runs migrations `fromVersion` → `toVersion` (exposed for tests). */
export function runMigrations(
  persisted: unknown,
  fromVersion: number,
  toVersion: number,
  migrations: Readonly<Record<number, SnapshotMigration>>,
): Record<string, unknown> {
  if (!Number.isInteger(fromVersion) || fromVersion < 1) {
    throw new SnapshotVersionError(`Lifecycle snapshot version ${String(fromVersion)} is not a valid version`, fromVersion, toVersion);
  }
  if (fromVersion > toVersion) {
    throw new SnapshotVersionError(
      `Lifecycle snapshot version ${fromVersion} is newer than this code (version ${toVersion})`,
      fromVersion,
      toVersion,
    );
  }
  if (!isRecord(persisted)) throw new InvalidSnapshotError('Lifecycle snapshot is not an object');
  if ('machineVersion' in persisted && persisted['machineVersion'] !== fromVersion) {
    throw new SnapshotVersionError(
      `Lifecycle snapshot says machine version ${String(persisted['machineVersion'])} but was stored as version ${fromVersion}`,
      fromVersion,
      toVersion,
    );
  }
  let current: Record<string, unknown> = persisted;
  for (let version = fromVersion; version < toVersion; version++) {
    const migrate = migrations[version];
    if (!migrate) {
      throw new SnapshotVersionError(
        `No migration from lifecycle snapshot version ${version} to ${version + 1}`,
        fromVersion,
        toVersion,
      );
    }
    current = { ...migrate(current), machineVersion: version + 1 };
  }
  return current;
}

/**
 * Brings a stored snapshot written by machine version `fromVersion` up to
 * REVIEW_MACHINE_VERSION. Returns the current version unchanged; throws
 * SnapshotVersionError for versions it cannot migrate (never guesses).
 */
export function migrateSnapshot(persisted: unknown, fromVersion: number): PersistedReview {
  const migrated = runMigrations(persisted, fromVersion, REVIEW_MACHINE_VERSION, SNAPSHOT_MIGRATIONS);
  return assertPersistedReview(
    'machineVersion' in migrated ? migrated : { ...migrated, machineVersion: REVIEW_MACHINE_VERSION },
  );
}

/** Alias of `describe`, for callers where that name clashes (e.g. tests). */
export const describeLifecycle = describe;
