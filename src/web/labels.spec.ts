import { lifecycleGraph, renderLifecycleSvg } from '../reviews/lifecycle';
import { DEADLINE_STATUSES } from '../deadlines/deadline.entity';
import { DEADLINE_STATUS_LABELS, DIAGRAM_LABELS, HISTORY_LABELS, STAGE_LABELS } from './labels';

describe('the clocks’ words', () => {
  it('every status a clock can have has plain-English words (a page shows no code name)', () => {
    expect(DEADLINE_STATUSES.filter((s) => !(s in DEADLINE_STATUS_LABELS))).toEqual([]);
  });
});

describe('the lifecycle drawing’s words', () => {
  it('every stage, transition event and hold state of the statechart has plain-English words', () => {
    const graph = lifecycleGraph();
    const events = new Set([...graph.edges.flatMap((e) => e.events), ...graph.stages.flatMap((s) => s.internalEvents), ...graph.fromAnyOpenStage.map((g) => g.event)]);
    expect(graph.stages.map((s) => s.stage).filter((s) => !(s in STAGE_LABELS))).toEqual([]);
    expect([...events].filter((e) => !(e in HISTORY_LABELS))).toEqual([]);
    expect(graph.holdStates.map(DIAGRAM_LABELS.hold)).toEqual(['Running', 'On hold']);
  });

  it('draws with those words and no code names (the API’s drawing keeps the codes)', () => {
    const svg = renderLifecycleSvg('information_gathering', true, DIAGRAM_LABELS);
    const text = svg.replace(/<[^>]+>/g, ' ');
    expect(text).toContain('Review lifecycle: Information gathering (on hold)');
    expect(text).toContain('Terms of reference agreed');
    expect(text).not.toMatch(/information_gathering|AGREE_TERMS_OF_REFERENCE|onHold|\b[A-Z]+_[A-Z_]+\b/);
    expect(renderLifecycleSvg('information_gathering', false)).toContain('>information_gathering<');
  });
});
