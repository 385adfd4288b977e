import { escapeXml, lifecycleGraph, renderLifecycleMermaid, renderLifecycleSvg } from './diagram';
import { OPEN_STAGES, STAGES } from './review-context';

/** Minimal well-formedness check: tags balance and every & is an entity. */
function assertWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(xml)) !== null) {
    const between = xml.slice(last, m.index);
    expect(between).not.toMatch(/[<>]/);
    expect(between).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name!);
  }
  expect(xml.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

describe('lifecycle diagram', () => {
  it('derives stages and transitions from the machine', () => {
    const g = lifecycleGraph();
    expect(g.initial).toBe('notified');
    expect(g.stages.map((s) => s.stage)).toEqual([...STAGES]);
    expect(g.edges).toContainEqual({ from: 'notified', to: 'not_proceeding', events: ['DECIDE'] });
    expect(g.edges).toContainEqual({ from: 'notified', to: 'establishing', events: ['DECIDE'] });
    expect(g.edges).toContainEqual({ from: 'home_office_qa', to: 'drafting', events: ['RECORD_QA_OUTCOME'] });
    expect(g.edges).toContainEqual({ from: 'not_proceeding', to: 'closed', events: ['CLOSE'] });
    expect(g.stages.find((s) => s.stage === 'rag_sign_off')?.internalEvents).toEqual(['RAG_APPROVE']);
    expect(g.fromAnyOpenStage).toEqual([{ event: 'WITHDRAW', to: 'withdrawn' }]);
    expect(g.holdEdges).toEqual([
      { from: 'active', to: 'onHold', events: ['PLACE_ON_HOLD'] },
      { from: 'onHold', to: 'active', events: ['RESUME'] },
    ]);
  });

  it.each(STAGES.map((s) => [s]))('renders a well-formed SVG with every stage, highlighting %s', (current) => {
    const svg = renderLifecycleSvg(current, false);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertWellFormedXml(svg);
    for (const stage of STAGES) expect(svg).toContain(`>${stage}</text>`);
    for (const label of ['DECIDE', 'AGREE_TERMS_OF_REFERENCE', 'RAG_RETURN', 'RECORD_QA_OUTCOME', 'PUBLISH', 'CLOSE', 'PLACE_ON_HOLD', 'RESUME']) {
      expect(svg).toContain(label);
    }
    const marked = svg.match(/aria-current="step"/g) ?? [];
    expect(marked).toHaveLength(1);
    expect(svg).toMatch(new RegExp(`<g class="stage current" id="stage-${current}" data-stage="${current}" aria-current="step">\\n<title>Current stage: ${current}</title>`));
    expect(svg).toContain('fill="#1d4ed8"');
    expect(svg).not.toContain('ON HOLD');
  });

  it('indicates a hold on the current stage and in the hold region', () => {
    const svg = renderLifecycleSvg('information_gathering', true);
    assertWellFormedXml(svg);
    expect(svg).toContain('<title>Current stage: information_gathering (on hold)</title>');
    expect(svg).toContain('ON HOLD');
    expect(svg).toContain('<g class="hold-state current" data-hold="onHold">');
    expect(svg).toContain('Current stage: information_gathering (on hold)</desc>');
  });

  it('refuses an unknown stage rather than drawing nothing', () => {
    expect(() => renderLifecycleSvg('<script>', false)).toThrow(RangeError);
    expect(() => renderLifecycleMermaid('limbo')).toThrow(RangeError);
  });

  it('escapes XML', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;',
    );
  });

  it('renders Mermaid stateDiagram-v2 with the current stage styled', () => {
    const text = renderLifecycleMermaid('drafting');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> notified');
    expect(lines).toContain('  drafting --> rag_sign_off : AGREE_REPORT');
    expect(lines).toContain('  rag_sign_off --> drafting : RAG_RETURN');
    expect(lines).toContain('  closed --> [*]');
    expect(lines).toContain('  withdrawn --> [*]');
    expect(lines).toContain('  class drafting current');
    for (const stage of STAGES) expect(text).toContain(stage);
    expect(renderLifecycleMermaid('drafting', true)).toContain('  class drafting currentOnHold');
    for (const stage of OPEN_STAGES.filter((s) => s !== 'drafting')) {
      expect(text).not.toContain(`class ${stage} `);
    }
  });
});
