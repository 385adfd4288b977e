import type { AnyStateNode } from 'xstate';
import { applyEvent, describe as describeLifecycle, initialSnapshot, isOnHold, statusOf } from './lifecycle';
import { FINAL_STAGES, OPEN_STAGES, STAGES } from './review-context';
import { REVIEW_MACHINE_VERSION, reviewMachine } from './review-machine';
import { ALL_FACTS, OPENED_AT, PATH_TO, clock, drive, ev } from './test-fixtures';

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states as Record<string, AnyStateNode>).flatMap(allNodes)];
}

describe('review machine', () => {
  it('is version 1', () => {
    expect(REVIEW_MACHINE_VERSION).toBe(1);
  });

  it('starts in notified, not on hold, with the opening instant recorded', () => {
    const p = initialSnapshot(OPENED_AT);
    expect(statusOf(p)).toBe('notified');
    expect(isOnHold(p)).toBe(false);
    expect(p.context.openedAt).toBe(OPENED_AT);
    expect(p.context.stageHistory).toEqual([{ stage: 'notified', enteredAt: OPENED_AT }]);
  });

  it.each(STAGES.map((s) => [s]))('reaches stage %s', (stage) => {
    const p = drive(PATH_TO[stage]);
    expect(statusOf(p)).toBe(stage);
    expect(p.context.stageHistory[p.context.stageHistory.length - 1]?.stage).toBe(stage);
  });

  it('has no delayed (timer) transitions anywhere', () => {
    for (const node of allNodes(reviewMachine.root)) {
      expect(node.after).toEqual([]);
      expect(node.invoke).toEqual([]);
    }
  });

  it('routes DECIDE joint_review to establishing and records the link', () => {
    const p = drive([{ type: 'DECIDE', overrides: { outcome: 'joint_review', jointWith: 'SAR 2026/03' } }]);
    expect(statusOf(p)).toBe('establishing');
    expect(p.context.decision).toMatchObject({ outcome: 'joint_review', jointWith: 'SAR 2026/03' });
  });

  it('records the RAG approval in rag_sign_off; an approval is final (no return after it)', () => {
    const next = clock();
    const p = drive([...PATH_TO.rag_sign_off, { type: 'RAG_APPROVE', overrides: { comments: 'Good' } }], { next });
    expect(statusOf(p)).toBe('rag_sign_off');
    expect(p.context.ragApproval).toMatchObject({ approvedAt: '2026-01-05', comments: 'Good' });
    expect(() => drive([{ type: 'RAG_RETURN' }], { from: p, next })).toThrow('RAG_RETURN refused: The board (RAG) already approved this draft on 2026-01-05');
  });

  it('sends the report back to drafting when the board returns it, keeping its comments', () => {
    const next = clock();
    const p = drive([...PATH_TO.rag_sign_off, { type: 'RAG_RETURN' }], { next });
    expect(statusOf(p)).toBe('drafting');
    expect(p.context.ragApproval).toBeNull();
    expect(p.context.ragReturns).toEqual([expect.objectContaining({ comments: 'Please strengthen the analysis' })]);
  });

  it('loops through drafting, RAG and QA again on resubmit, counting QA rounds', () => {
    const next = clock();
    let p = drive(
      [...PATH_TO.home_office_qa, { type: 'RECORD_QA_OUTCOME', overrides: { outcome: 'resubmit', notes: 'Gaps' } }],
      { next },
    );
    expect(statusOf(p)).toBe('drafting');
    expect(p.context.ragApproval).toBeNull();
    expect(p.context.qaRounds).toHaveLength(1);
    expect(p.context.qaRounds[0]).toMatchObject({ round: 1, outcome: 'resubmit', notes: 'Gaps' });
    p = drive(
      [
        { type: 'AGREE_REPORT' },
        { type: 'RAG_APPROVE' },
        { type: 'SUBMIT_TO_HOME_OFFICE' },
        { type: 'RECORD_QA_OUTCOME', overrides: { outcome: 'approved_with_development' } },
      ],
      { from: p, next },
    );
    expect(statusOf(p)).toBe('awaiting_publication');
    expect(p.context.qaRounds.map((r) => [r.round, r.outcome])).toEqual([
      [1, 'resubmit'],
      [2, 'approved_with_development'],
    ]);
  });

  it('records publication and closure', () => {
    const p = drive(PATH_TO.closed);
    expect(p.context.publication).toMatchObject({ url: 'https://csp.example.gov.uk/dhr/adult-a' });
    expect(p.context.closure).toMatchObject({ fromStage: 'action_plan_monitoring' });
  });

  it.each(OPEN_STAGES.map((s) => [s]))('can be withdrawn from %s, held or not', (stage) => {
    const next = clock();
    const base = drive(PATH_TO[stage], { next });
    const plain = drive([{ type: 'WITHDRAW', overrides: { reason: 'Family request' } }], { from: base, next });
    expect(statusOf(plain)).toBe('withdrawn');
    expect(plain.context.withdrawal).toMatchObject({ reason: 'Family request', fromStage: stage });

    const held = drive([{ type: 'PLACE_ON_HOLD' }, { type: 'WITHDRAW' }], { from: base, next });
    expect(statusOf(held)).toBe('withdrawn');
    expect(isOnHold(held)).toBe(false);
    const hold = held.context.holds[0];
    expect(hold?.endedBy).toBe('withdrawal');
    expect(hold?.endedAt).toBe(held.context.withdrawal?.withdrawnAt);
  });

  it.each(FINAL_STAGES.map((s) => [s]))('%s ends the review: nothing is possible but reopening, not even a hold', (stage) => {
    const p = drive(PATH_TO[stage]);
    const d = describeLifecycle(p, ALL_FACTS, '2026-06-01T00:00:00.000Z');
    expect(d.allowedEvents).toEqual(['REOPEN']);
    expect(d.blockedEvents).toEqual([]);
    for (const type of ['PLACE_ON_HOLD', 'WITHDRAW', 'DECIDE', 'CLOSE'] as const) {
      const r = applyEvent(p, ev(type, '2026-06-01T00:00:00.000Z'));
      expect(r).toEqual({ ok: false, reasons: [`${type} is not possible in stage ${stage}`] });
    }
  });

  it.each([
    ['closed', 'action_plan_monitoring'],
    ['withdrawn', 'notified'],
  ] as const)('REOPEN takes a %s review back to the stage it ended from (%s), keeping what ended it', (stage, from) => {
    const p = drive(PATH_TO[stage]);
    const r = applyEvent(p, ev('REOPEN', '2026-06-02T10:00:00.000Z', { reason: 'Inquest found new facts' }));
    if (!r.ok) throw new Error(r.reasons.join('; '));
    expect(r.status).toBe(from);
    expect(r.onHold).toBe(false);
    const ctx = r.persisted.context;
    expect(ctx.closure).toBeNull();
    expect(ctx.withdrawal).toBeNull();
    expect(ctx.reopenings).toEqual([
      expect.objectContaining({ reason: 'Inquest found new facts', reopenedAt: '2026-06-02T10:00:00.000Z', toStage: from }),
    ]);
    expect(ctx.reopenings?.[0]?.[stage === 'closed' ? 'closure' : 'withdrawal']).not.toBeNull();
    expect(ctx.stageHistory[ctx.stageHistory.length - 1]).toEqual({ stage: from, enteredAt: '2026-06-02T10:00:00.000Z' });
    // And it can end again.
    const again = applyEvent(r.persisted, ev('WITHDRAW', '2026-06-03T10:00:00.000Z'));
    expect(again).toMatchObject({ ok: true, status: 'withdrawn' });
  });
});
