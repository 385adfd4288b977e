/**
 * Diagrams of the lifecycle, drawn from the machine definition itself (state
 * nodes and their transitions), so they cannot drift from the behaviour.
 * No dependencies, no browser: plain strings.
 */
import type { AnyStateNode } from 'xstate';
import { isFinalStage, isStage, type Stage } from './review-context';
import { reviewMachine } from './review-machine';

export interface LifecycleGraphStage {
  readonly stage: Stage;
  /** An ending stage (closed, withdrawn): left only by REOPEN. */
  readonly final: boolean;
  /** Events handled in this stage without leaving it (e.g. RAG_APPROVE). */
  readonly internalEvents: string[];
}

export interface LifecycleGraphEdge {
  readonly from: Stage;
  readonly to: Stage;
  readonly events: string[];
}

export interface LifecycleGraph {
  readonly initial: Stage;
  readonly stages: LifecycleGraphStage[];
  readonly edges: LifecycleGraphEdge[];
  /** Transitions available from every open stage (declared on `open`). */
  readonly fromAnyOpenStage: { readonly event: string; readonly to: Stage }[];
  readonly holdStates: string[];
  readonly holdEdges: { readonly from: string; readonly to: string; readonly events: string[] }[];
}

function childNodes(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states) as AnyStateNode[];
}

function child(node: AnyStateNode, key: string): AnyStateNode {
  const found = (node.states as Record<string, AnyStateNode | undefined>)[key];
  if (!found) throw new Error(`Lifecycle machine has no state ${node.id}.${key}`);
  return found;
}

function addEdge<T extends { from: string; to: string; events: string[] }>(edges: T[], edge: T): void {
  const existing = edges.find((e) => e.from === edge.from && e.to === edge.to);
  if (!existing) edges.push(edge);
  else for (const ev of edge.events) if (!existing.events.includes(ev)) existing.events.push(ev);
}

/** Extracts stages and transitions from the machine definition. */
export function lifecycleGraph(): LifecycleGraph {
  const root = reviewMachine.root;
  const open = child(root, 'open');
  const stageRegion = child(open, 'stage');
  const holdRegion = child(open, 'hold');
  const stageNodes = [
    ...childNodes(stageRegion),
    // The ending stages (closed, withdrawn) sit beside `open`.
    ...childNodes(root).filter((n) => n.key !== 'open'),
  ];
  const stages: LifecycleGraphStage[] = [];
  const edges: LifecycleGraphEdge[] = [];
  for (const node of stageNodes) {
    if (!isStage(node.key)) throw new Error(`Lifecycle machine state ${node.id} is not a known stage`);
    const internalEvents: string[] = [];
    for (const [eventType, transitions] of node.transitions) {
      for (const t of transitions) {
        const targets = t.target ?? [];
        // REOPEN goes back to whichever stage the review ended from: one guarded transition per
        // stage, drawn as an event of the ending stage rather than nine arrows.
        if (targets.length === 0 || eventType === 'REOPEN') {
          if (!internalEvents.includes(eventType)) internalEvents.push(eventType);
          continue;
        }
        for (const target of targets) {
          if (isStage(target.key)) addEdge(edges, { from: node.key, to: target.key, events: [eventType] });
        }
      }
    }
    stages.push({ stage: node.key, final: isFinalStage(node.key), internalEvents });
  }
  const fromAnyOpenStage: { event: string; to: Stage }[] = [];
  for (const [eventType, transitions] of open.transitions) {
    for (const t of transitions) {
      for (const target of t.target ?? []) {
        if (isStage(target.key)) fromAnyOpenStage.push({ event: eventType, to: target.key });
      }
    }
  }
  const holdEdges: { from: string; to: string; events: string[] }[] = [];
  for (const node of childNodes(holdRegion)) {
    for (const [eventType, transitions] of node.transitions) {
      for (const t of transitions) {
        for (const target of t.target ?? []) addEdge(holdEdges, { from: node.key, to: target.key, events: [eventType] });
      }
    }
  }
  const initialTarget = stageRegion.initial.target[0];
  if (!initialTarget || !isStage(initialTarget.key)) throw new Error('Lifecycle machine has no initial stage');
  return {
    initial: initialTarget.key,
    stages,
    edges,
    fromAnyOpenStage,
    holdStates: childNodes(holdRegion).map((n) => n.key),
    holdEdges,
  };
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function assertStage(currentStatus: string): asserts currentStatus is Stage {
  if (!isStage(currentStatus)) {
    throw new RangeError(`Unknown lifecycle stage: ${currentStatus}`);
  }
}

const COLOURS = {
  box: '#f8fafc',
  boxStroke: '#475569',
  current: '#1d4ed8',
  currentText: '#ffffff',
  text: '#0f172a',
  muted: '#475569',
  edge: '#334155',
  hold: '#b45309',
  holdFill: '#fef3c7',
} as const;

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
/** Rough text width for layout (no font metrics available). */
const textWidth = (text: string, size = 12) => Math.ceil(text.length * size * 0.62);

/**
 * A standalone SVG of the lifecycle with the current stage highlighted and
 * the hold state shown. Throws RangeError for an unknown stage.
 */
export interface DiagramLabels {
  /** Words for a stage (default: its code). */
  stage?: (stage: string) => string;
  /** Words for an event on a transition (default: its code). */
  event?: (event: string) => string;
  /** Words for a state of the hold region, active or onHold (default: its code). */
  hold?: (state: string) => string;
}

export function renderLifecycleSvg(currentStatus: string, onHold: boolean, labels: DiagramLabels = {}): string {
  assertStage(currentStatus);
  const graph = lifecycleGraph();
  const index = new Map(graph.stages.map((s, i) => [s.stage, i] as const));
  const stageName = labels.stage ?? ((stage: string) => stage);
  const eventName = labels.event ?? ((event: string) => event);
  const holdName = labels.hold ?? ((state: string) => state);
  const events = (list: readonly string[]) => list.map(eventName).join(', ');
  const boxW = Math.max(240, ...graph.stages.map((s) => textWidth(stageName(s.stage), 14) + 24));
  const boxH = 46;
  const rowGap = 34;
  const top = 72;
  const rowY = (i: number) => top + i * (boxH + rowGap);
  const centreY = (i: number) => rowY(i) + boxH / 2;

  // Lanes for edges that are not straight down to the next stage.
  type Curve = { edge: LifecycleGraphEdge; side: 'left' | 'right'; offset: number; label: string };
  const curves: Curve[] = [];
  const straight: LifecycleGraphEdge[] = [];
  for (const edge of graph.edges) {
    const i = index.get(edge.from) ?? 0;
    const j = index.get(edge.to) ?? 0;
    if (j === i + 1) straight.push(edge);
    else curves.push({ edge, side: j > i ? 'left' : 'right', offset: 0, label: events(edge.events) });
  }
  for (const side of ['left', 'right'] as const) {
    const onSide = curves
      .filter((c) => c.side === side)
      .sort(
        (a, b) =>
          Math.abs((index.get(a.edge.to) ?? 0) - (index.get(a.edge.from) ?? 0)) -
          Math.abs((index.get(b.edge.to) ?? 0) - (index.get(b.edge.from) ?? 0)),
      );
    onSide.forEach((c, lane) => {
      c.offset = 48 + lane * 40;
    });
  }
  const extent = (side: 'left' | 'right') =>
    Math.max(
      0,
      ...curves.filter((c) => c.side === side).map((c) => c.offset * 0.75 + 8 + textWidth(c.label)),
    );
  const leftExtent = extent('left');
  const anyOpenLabel = graph.fromAnyOpenStage.map((g) => `${eventName(g.event)} (from any open stage)`);
  const rightExtent = Math.max(
    extent('right'),
    ...anyOpenLabel.map((l) => 60 + textWidth(l)),
    ...straight.map((e) => 10 + textWidth(events(e.events))),
  );
  const boxX = 20 + leftExtent;
  const holdPanelX = boxX + boxW + rightExtent + 30;
  const holdPanelW = 230;
  const width = holdPanelX + holdPanelW + 20;
  const height = rowY(graph.stages.length) + 10;

  const out: string[] = [];
  const heldText = onHold ? ' (on hold)' : '';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-labelledby="lifecycle-title lifecycle-desc">`,
  );
  out.push(`<title id="lifecycle-title">Review lifecycle</title>`);
  out.push(
    `<desc id="lifecycle-desc">${escapeXml(`Current stage: ${stageName(currentStatus)}${heldText}`)}</desc>`,
  );
  out.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">` +
      `<path d="M 0 0 L 10 5 L 0 10 z" fill="${COLOURS.edge}"/></marker></defs>`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${boxX}" y="24" ${FONT} font-size="15" font-weight="bold" fill="${COLOURS.text}">` +
      `${escapeXml(`Review lifecycle: ${stageName(currentStatus)}${heldText}`)}</text>`,
  );

  // Initial marker, above the initial stage.
  const initialIndex = index.get(graph.initial) ?? 0;
  const ix = boxX + boxW / 2;
  out.push(`<circle cx="${ix}" cy="${rowY(initialIndex) - 22}" r="5" fill="${COLOURS.edge}"/>`);
  out.push(
    `<line x1="${ix}" y1="${rowY(initialIndex) - 17}" x2="${ix}" y2="${rowY(initialIndex)}" stroke="${COLOURS.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
  );

  // Edges.
  for (const edge of straight) {
    const i = index.get(edge.from) ?? 0;
    const x = boxX + boxW / 2;
    const y1 = rowY(i) + boxH;
    const y2 = rowY(i + 1);
    out.push(`<g class="transition" data-from="${edge.from}" data-to="${edge.to}">`);
    out.push(
      `<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}" stroke="${COLOURS.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    out.push(
      `<text x="${x + 8}" y="${(y1 + y2) / 2 + 4}" ${FONT} font-size="12" fill="${COLOURS.muted}">${escapeXml(events(edge.events))}</text>`,
    );
    out.push(`</g>`);
  }
  for (const c of curves) {
    const i = index.get(c.edge.from) ?? 0;
    const j = index.get(c.edge.to) ?? 0;
    const sign = c.side === 'left' ? -1 : 1;
    const x = c.side === 'left' ? boxX : boxX + boxW;
    const y1 = centreY(i) + (j > i ? 6 : -6);
    const y2 = centreY(j) + (j > i ? -6 : 6);
    const cx = x + sign * c.offset;
    const labelX = x + sign * (c.offset * 0.75 + 6);
    const labelY = (y1 + y2) / 2 + 4;
    out.push(`<g class="transition" data-from="${c.edge.from}" data-to="${c.edge.to}">`);
    out.push(
      `<path d="M ${x} ${y1} C ${cx} ${y1}, ${cx} ${y2}, ${x} ${y2}" fill="none" stroke="${COLOURS.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    out.push(
      `<text x="${labelX}" y="${labelY}" text-anchor="${c.side === 'left' ? 'end' : 'start'}" ${FONT} font-size="12" fill="${COLOURS.muted}">${escapeXml(c.label)}</text>`,
    );
    out.push(`</g>`);
  }
  for (const [k, g] of graph.fromAnyOpenStage.entries()) {
    const j = index.get(g.to) ?? 0;
    const x2 = boxX + boxW;
    const y2 = centreY(j) + k * 6;
    const x1 = x2 + 50;
    const y1 = y2 - 30;
    out.push(`<g class="transition" data-from="*" data-to="${g.to}">`);
    out.push(
      `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${COLOURS.edge}" stroke-dasharray="4 3" marker-end="url(#arrow)"/>`,
    );
    out.push(
      `<text x="${x1 + 4}" y="${y1 - 2}" ${FONT} font-size="12" fill="${COLOURS.muted}">${escapeXml(`${eventName(g.event)} (from any open stage)`)}</text>`,
    );
    out.push(`</g>`);
  }

  // Stage boxes.
  for (const [i, s] of graph.stages.entries()) {
    const current = s.stage === currentStatus;
    const y = rowY(i);
    const fill = current ? COLOURS.current : COLOURS.box;
    const textFill = current ? COLOURS.currentText : COLOURS.text;
    const title = current ? `Current stage: ${stageName(s.stage)}${heldText}` : `Stage: ${stageName(s.stage)}${s.final ? ' (final)' : ''}`;
    out.push(
      `<g class="stage${current ? ' current' : ''}" id="stage-${s.stage}" data-stage="${s.stage}"${current ? ' aria-current="step"' : ''}>`,
    );
    out.push(`<title>${escapeXml(title)}</title>`);
    out.push(
      `<rect x="${boxX}" y="${y}" width="${boxW}" height="${boxH}" rx="8" fill="${fill}" stroke="${current ? COLOURS.current : COLOURS.boxStroke}" stroke-width="${current ? 3 : 1.5}"/>`,
    );
    if (s.final) {
      out.push(
        `<rect x="${boxX + 4}" y="${y + 4}" width="${boxW - 8}" height="${boxH - 8}" rx="6" fill="none" stroke="${current ? COLOURS.currentText : COLOURS.boxStroke}" stroke-width="1"/>`,
      );
    }
    if (current && onHold) {
      out.push(
        `<rect x="${boxX - 5}" y="${y - 5}" width="${boxW + 10}" height="${boxH + 10}" rx="11" fill="none" stroke="${COLOURS.hold}" stroke-width="3" stroke-dasharray="6 4"/>`,
      );
    }
    const nameY = s.internalEvents.length > 0 || (current && onHold) ? y + 19 : y + 28;
    out.push(
      `<text x="${boxX + boxW / 2}" y="${nameY}" text-anchor="middle" ${FONT} font-size="14" font-weight="${current ? 'bold' : 'normal'}" fill="${textFill}">${escapeXml(stageName(s.stage))}</text>`,
    );
    const sub: string[] = [];
    if (s.internalEvents.length > 0) sub.push(`↺ ${events(s.internalEvents)}`);
    if (current && onHold) sub.push('ON HOLD');
    if (sub.length > 0) {
      out.push(
        `<text x="${boxX + boxW / 2}" y="${y + 36}" text-anchor="middle" ${FONT} font-size="10" fill="${textFill}">${escapeXml(sub.join(' · '))}</text>`,
      );
    }
    out.push(`</g>`);
  }

  // Hold region panel.
  const panelY = top;
  const stateW = holdPanelW - 40;
  const stateH = 36;
  const holdY = (k: number) => panelY + 34 + k * (stateH + 56);
  const holdIndex = new Map(graph.holdStates.map((h, k) => [h, k] as const));
  const currentHoldState = onHold ? 'onHold' : 'active';
  const finalNow = graph.stages.find((s) => s.stage === currentStatus)?.final ?? false;
  const panelH = holdY(graph.holdStates.length) - panelY;
  out.push(`<g class="hold-region">`);
  out.push(`<title>${escapeXml(`Hold: ${finalNow ? 'not applicable (final stage)' : holdName(currentHoldState)}`)}</title>`);
  out.push(
    `<rect x="${holdPanelX}" y="${panelY}" width="${holdPanelW}" height="${panelH}" rx="8" fill="none" stroke="${COLOURS.boxStroke}" stroke-dasharray="3 3"/>`,
  );
  out.push(
    `<text x="${holdPanelX + 10}" y="${panelY + 20}" ${FONT} font-size="12" fill="${COLOURS.muted}">Hold (in any open stage)</text>`,
  );
  for (const edge of graph.holdEdges) {
    const a = holdIndex.get(edge.from) ?? 0;
    const b = holdIndex.get(edge.to) ?? 0;
    const down = b > a;
    const x = holdPanelX + 20 + stateW / 2 + (down ? -30 : 30);
    const y1 = down ? holdY(a) + stateH : holdY(a);
    const y2 = down ? holdY(b) : holdY(b) + stateH;
    out.push(
      `<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}" stroke="${COLOURS.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    out.push(
      `<text x="${x + (down ? -4 : 4)}" y="${(y1 + y2) / 2 + 4}" text-anchor="${down ? 'end' : 'start'}" ${FONT} font-size="11" fill="${COLOURS.muted}">${escapeXml(events(edge.events))}</text>`,
    );
  }
  for (const [k, h] of graph.holdStates.entries()) {
    const isCurrent = !finalNow && h === currentHoldState;
    const held = h === 'onHold';
    const fill = isCurrent ? (held ? COLOURS.holdFill : COLOURS.current) : COLOURS.box;
    const stroke = isCurrent && held ? COLOURS.hold : isCurrent ? COLOURS.current : COLOURS.boxStroke;
    const textFill = isCurrent && !held ? COLOURS.currentText : COLOURS.text;
    out.push(`<g class="hold-state${isCurrent ? ' current' : ''}" data-hold="${escapeXml(h)}">`);
    out.push(
      `<rect x="${holdPanelX + 20}" y="${holdY(k)}" width="${stateW}" height="${stateH}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${isCurrent ? 2.5 : 1}"/>`,
    );
    out.push(
      `<text x="${holdPanelX + 20 + stateW / 2}" y="${holdY(k) + 23}" text-anchor="middle" ${FONT} font-size="13" fill="${textFill}">${escapeXml(holdName(h))}</text>`,
    );
    out.push(`</g>`);
  }
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join('\n');
}

/**
 * Mermaid `stateDiagram-v2` text of the lifecycle with the current stage
 * styled (and marked as held when `onHold`).
 */
export function renderLifecycleMermaid(currentStatus: string, onHold = false): string {
  assertStage(currentStatus);
  const graph = lifecycleGraph();
  const lines: string[] = ['stateDiagram-v2', `  [*] --> ${graph.initial}`];
  for (const edge of graph.edges) {
    lines.push(`  ${edge.from} --> ${edge.to} : ${edge.events.join(', ')}`);
  }
  for (const s of graph.stages) {
    for (const ev of s.internalEvents) lines.push(`  ${s.stage} --> ${s.stage} : ${ev}`);
  }
  for (const s of graph.stages.filter((x) => x.final)) lines.push(`  ${s.stage} --> [*]`);
  for (const g of graph.fromAnyOpenStage) {
    lines.push(`  note left of ${g.to} : ${g.event} from any open stage`);
  }
  const holdEvents = graph.holdEdges.flatMap((e) => e.events).join(' / ');
  lines.push(`  note right of ${graph.initial} : ${holdEvents} in any open stage, a held review keeps its stage`);
  lines.push('  classDef current fill:#1d4ed8,color:#ffffff,font-weight:bold,stroke:#1d4ed8');
  lines.push('  classDef currentOnHold fill:#fef3c7,color:#0f172a,font-weight:bold,stroke:#b45309,stroke-width:3px,stroke-dasharray:5 5');
  lines.push(`  class ${currentStatus} ${onHold ? 'currentOnHold' : 'current'}`);
  return lines.join('\n') + '\n';
}
