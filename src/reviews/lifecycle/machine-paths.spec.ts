/**
 * Paths generated from the machine definition with @xstate/graph.
 *
 * States are compared abstractly (state value + the context flags the guards
 * read), so loops such as hold/resume or QA resubmission do not make the
 * state space infinite.
 */
import { getShortestPaths, getSimplePaths } from '@xstate/graph';
import { transition, type SnapshotFrom } from 'xstate';
import type { ReviewEvent, ReviewEventType } from './events';
import { REVIEW_EVENT_TYPES } from './events';
import { applyEvent, describe as describeLifecycle, initialSnapshot, statusOf, type PersistedReview } from './lifecycle';
import {
  FINAL_STAGES,
  homeOfficeKnowsDecision,
  latestQaRound,
  STAGES,
  WAITING_STAGES,
  type Stage,
} from './review-context';
import { EMPTY_FACTS, type ReviewFacts } from './review-facts';
import { REVIEW_MACHINE_VERSION, reviewMachine } from './review-machine';
import { ALL_FACTS, SAMPLE_PAYLOADS } from './test-fixtures';

type Snapshot = SnapshotFrom<typeof reviewMachine>;

const AT = '2026-02-01T10:00:00.000Z';
const INPUT = { at: '2026-01-05T09:00:00.000Z' };

function stageOf(s: Snapshot): Stage {
  const v = s.value as unknown;
  return typeof v === 'string' ? (v as Stage) : (v as { open: { stage: Stage } }).open.stage;
}

function serializeState(s: Snapshot): string {
  const c = s.context;
  return JSON.stringify({
    value: s.value,
    decision: c.decision?.outcome ?? null,
    directed: c.direction !== null,
    homeOfficeKnows: homeOfficeKnowsDecision(c),
    homeOfficeNotified: c.homeOfficeNotification !== null,
    ragApproved: c.ragApproval !== null,
    qa: latestQaRound(c)?.outcome ?? null,
  });
}

/** Every payload variant worth trying for each event type. */
function candidateEvents(facts: ReviewFacts, exclude: readonly ReviewEventType[] = []): ReviewEvent[] {
  const variants: Record<string, object[]> = {
    DECIDE: [
      { outcome: 'proceed' },
      { outcome: 'not_proceed' },
      { outcome: 'joint_review', jointWith: 'SAR 2026/01' },
    ],
    RECORD_QA_OUTCOME: [{ outcome: 'approved' }, { outcome: 'approved_with_development' }, { outcome: 'resubmit' }],
  };
  return REVIEW_EVENT_TYPES.filter((t) => !exclude.includes(t)).flatMap((type) =>
    (variants[type] ?? [{}]).map((o) => ({ ...SAMPLE_PAYLOADS[type], ...o, at: AT, facts }) as ReviewEvent),
  );
}

function toPersisted(s: Snapshot): PersistedReview {
  return JSON.parse(
    JSON.stringify({ machineVersion: REVIEW_MACHINE_VERSION, value: s.value, context: s.context }),
  ) as PersistedReview;
}

/** A state is a sink when no candidate event leads to a different state. */
function isSink(s: Snapshot, events: readonly ReviewEvent[]): boolean {
  const here = serializeState(s);
  return events.every((e) => serializeState(transition(reviewMachine, s, e)[0]) === here);
}

const isFinal = (s: Snapshot) => (FINAL_STAGES as readonly string[]).includes(stageOf(s));

/**
 * Stages where generated paths come to rest (sinks). REOPEN is left out: it is the way back
 * from an ending when new information arrives, not part of a review's own course.
 */
function sinkStages(facts: ReviewFacts, exclude: readonly ReviewEventType[]): Set<Stage> {
  const events = candidateEvents(facts, [...exclude, 'REOPEN']);
  const paths = getSimplePaths(reviewMachine, { events, serializeState, input: INPUT });
  expect(paths.length).toBeGreaterThan(0);
  const sinks = new Set<Stage>();
  for (const path of paths) {
    if (isSink(path.state, events)) sinks.add(stageOf(path.state));
  }
  return sinks;
}

describe('paths generated from the machine', () => {
  const allEvents = candidateEvents(ALL_FACTS);
  const shortest = getShortestPaths(reviewMachine, { events: allEvents, serializeState, input: INPUT });

  it('reach every stage, held and not held', () => {
    const reached = new Set(shortest.map((p) => stageOf(p.state)));
    expect([...reached].sort()).toEqual([...STAGES].sort());
    const heldStages = new Set(
      shortest.filter((p) => JSON.stringify(p.state.value).includes('onHold')).map((p) => stageOf(p.state)),
    );
    expect(heldStages.size).toBe(STAGES.length - FINAL_STAGES.length);
  });

  it('replay through applyEvent to the same stage and hold state', () => {
    expect(shortest.length).toBeGreaterThan(2 * STAGES.length);
    for (const path of shortest) {
      let p = initialSnapshot(INPUT.at);
      // The first step of a generated path is the initial state (xstate.init).
      for (const step of path.steps.filter((s) => (s.event.type as string) !== 'xstate.init')) {
        const r = applyEvent(p, step.event);
        expect(r.ok).toBe(true);
        if (r.ok) p = r.persisted;
      }
      expect(p.value).toEqual(path.state.value);
      expect(statusOf(p)).toBe(stageOf(path.state));
    }
  });

  it('leave no dead end: from every reachable state a final stage can be reached without WITHDRAW', () => {
    const events = candidateEvents(ALL_FACTS, ['WITHDRAW']);
    for (const path of shortest.filter((p) => !isFinal(p.state))) {
      const onward = getShortestPaths(reviewMachine, {
        events,
        serializeState,
        fromState: path.state,
        toState: (s) => stageOf(s) === 'closed',
      });
      expect({ from: serializeState(path.state), canClose: onward.length > 0 }).toEqual({
        from: serializeState(path.state),
        canClose: true,
      });
    }
  });

  it('with every fact satisfied, every path comes to rest in a final stage', () => {
    expect([...sinkStages(ALL_FACTS, ['PLACE_ON_HOLD', 'RESUME'])].sort()).toEqual([...FINAL_STAGES].sort());
    // Without withdrawal, the only resting place is closed.
    expect([...sinkStages(ALL_FACTS, ['PLACE_ON_HOLD', 'RESUME', 'WITHDRAW'])]).toEqual(['closed']);
  });

  /**
   * Variants where someone outside the review has not acted yet. Without
   * WITHDRAW (which always ends a review), every generated path must come to
   * rest in a final stage or in a documented WAITING_STAGE.
   */
  const OUTSIDE_PARTY_VARIANTS: { name: string; facts: ReviewFacts; exclude: ReviewEventType[]; waits: Stage }[] = [
    {
      name: 'the Secretary of State has not directed a review and the CSP keeps the "no" open',
      facts: ALL_FACTS,
      exclude: ['DIRECT_REVIEW', 'CLOSE'],
      waits: 'not_proceeding',
    },
    {
      name: 'the Home Office QA Panel has not answered',
      facts: ALL_FACTS,
      exclude: ['RECORD_QA_OUTCOME'],
      waits: 'home_office_qa',
    },
    {
      name: 'criminal proceedings are still active',
      facts: { ...ALL_FACTS, activeCriminalProceedings: true },
      exclude: [],
      waits: 'awaiting_publication',
    },
    {
      name: 'agencies have not completed their actions',
      facts: { ...ALL_FACTS, actionsIncomplete: 4 },
      exclude: [],
      waits: 'action_plan_monitoring',
    },
  ];

  it.each(OUTSIDE_PARTY_VARIANTS.map((v) => [v.name, v]))('when %s, paths rest only in final or waiting stages', (_n, v) => {
    const sinks = sinkStages(v.facts, [...v.exclude, 'WITHDRAW', 'PLACE_ON_HOLD', 'RESUME']);
    expect(sinks.has(v.waits)).toBe(true);
    for (const stage of sinks) {
      expect([...FINAL_STAGES, ...WAITING_STAGES]).toContain(stage);
    }
  });

  it('every waiting stage is explained by one of the variants', () => {
    expect(OUTSIDE_PARTY_VARIANTS.map((v) => v.waits).sort()).toEqual([...WAITING_STAGES].sort());
  });

  it('the check detects an undocumented resting place (control: an empty case file)', () => {
    const sinks = sinkStages(EMPTY_FACTS, ['WITHDRAW', 'PLACE_ON_HOLD', 'RESUME', 'DIRECT_REVIEW']);
    expect(sinks.has('establishing')).toBe(true);
    expect((WAITING_STAGES as readonly string[]).includes('establishing')).toBe(false);
  });

  it('describe() agrees with the machine in every reachable state, for several case files', () => {
    const factVariants: ReviewFacts[] = [
      ALL_FACTS,
      EMPTY_FACTS,
      { ...ALL_FACTS, activeCriminalProceedings: true, imrsOutstanding: 2, actionsIncomplete: 1 },
    ];
    for (const facts of factVariants) {
      const events = candidateEvents(facts);
      const paths = getShortestPaths(reviewMachine, { events: candidateEvents(ALL_FACTS), serializeState, input: INPUT });
      for (const path of paths) {
        const persisted = toPersisted(path.state);
        const d = describeLifecycle(persisted, facts, AT);
        for (const type of REVIEW_EVENT_TYPES) {
          const results = events.filter((e) => e.type === type).map((e) => applyEvent(persisted, e));
          const accepted = results.some((r) => r.ok);
          const blocked = d.blockedEvents.find((b) => b.type === type);
          expect({ state: serializeState(path.state), type, accepted }).toEqual({
            state: serializeState(path.state),
            type,
            accepted: d.allowedEvents.includes(type),
          });
          if (blocked) {
            for (const r of results) expect(r).toEqual({ ok: false, reasons: blocked.reasons });
          }
          if (!accepted && !blocked) {
            for (const r of results) expect(r.ok).toBe(false);
          }
        }
      }
    }
  });
});
