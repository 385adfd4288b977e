import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AFTER_RETURN_ACTIONS, boardReturnedAtOf, Holder, permission, recordVisible } from './policy';
import { policyTableMarkdown } from './policy-docs';

const CSP = '11111111-1111-4111-8111-111111111111';
const OTHER_CSP = '22222222-2222-4222-8222-222222222222';
const HEALTH = '33333333-3333-4333-8333-333333333333';
const POLICE = '44444444-4444-4444-8444-444444444444';
const nobody: Holder = { administrator: false, cspRoles: [], memberships: [] };

describe('the policy table', () => {
  it('is in the README exactly as the code has it', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(policyTableMarkdown());
  });

  it('leaves a RAG member, after the board returned the report, reading only what they returned', () => {
    const rag: Holder = { ...nobody, cspRoles: [{ role: 'rag_member', cspId: CSP }] };
    const returned = { cspId: CSP, stage: 'drafting' as const, boardReturnedAt: '2026-06-10T09:00:00.000Z' };
    for (const action of AFTER_RETURN_ACTIONS) expect(permission(action, rag, returned).allowed).toBe(true);
    for (const action of ['review.event', 'recommendations.read', 'actions.read', 'publication.read', 'imrs.read'] as const) {
      expect(permission(action, rag, returned).allowed).toBe(false);
    }
    // Of the documents, the report's versions uploaded up to the return.
    expect(permission('documents.read', rag, returned).restriction).toEqual({ agencyIds: null, documentKinds: ['overview_report', 'executive_summary'], uploadedBefore: returned.boardReturnedAt });
    // Drafting that is not after a return (before sign-off, or after a QA resubmission): nothing.
    expect(permission('review.read', rag, { cspId: CSP, stage: 'drafting', boardReturnedAt: null }).allowed).toBe(false);
    // Another CSP's RAG: nothing.
    expect(permission('review.read', rag, { ...returned, cspId: OTHER_CSP }).allowed).toBe(false);
  });

  it('knows a pending return from the lifecycle: in drafting, the board\'s latest return after the report last reached it', () => {
    const history = [
      { stage: 'drafting', enteredAt: '2026-05-01T00:00:00.000Z' },
      { stage: 'rag_sign_off', enteredAt: '2026-06-01T00:00:00.000Z' },
      { stage: 'drafting', enteredAt: '2026-06-10T00:00:00.000Z' },
    ];
    const returns = [{ returnedAt: '2026-06-10T00:00:00.000Z' }];
    expect(boardReturnedAtOf('drafting', { ragReturns: returns, stageHistory: history })).toBe('2026-06-10T00:00:00.000Z');
    expect(boardReturnedAtOf('rag_sign_off', { ragReturns: returns, stageHistory: history })).toBeNull();
    // Back at the board since, approved, then a QA resubmission: not a pending return.
    const later = [...history, { stage: 'rag_sign_off', enteredAt: '2026-07-01T00:00:00.000Z' }, { stage: 'home_office_qa', enteredAt: '2026-07-05T00:00:00.000Z' }, { stage: 'drafting', enteredAt: '2026-08-01T00:00:00.000Z' }];
    expect(boardReturnedAtOf('drafting', { ragReturns: returns, stageHistory: later })).toBeNull();
  });

  it('lets a CSP lead act on their CSP’s reviews only', () => {
    const lead: Holder = { ...nobody, cspRoles: [{ role: 'csp_lead', cspId: CSP }] };
    expect(permission('imrs.write', lead, { cspId: CSP, stage: 'information_gathering' }).allowed).toBe(true);
    expect(permission('imrs.write', lead, { cspId: OTHER_CSP, stage: 'information_gathering' }).allowed).toBe(false);
    expect(permission('review.create', lead, null, { cspId: CSP }).allowed).toBe(true);
    expect(permission('review.create', lead, null, { cspId: OTHER_CSP }).allowed).toBe(false);
  });

  it('shows the RAG a review only from sign-off, and then only the report among the documents', () => {
    const rag: Holder = { ...nobody, cspRoles: [{ role: 'rag_member', cspId: CSP }] };
    expect(permission('review.read', rag, { cspId: CSP, stage: 'drafting' }).allowed).toBe(false);
    expect(permission('review.read', rag, { cspId: CSP, stage: 'rag_sign_off' }).allowed).toBe(true);
    expect(permission('review.event', rag, { cspId: CSP, stage: 'rag_sign_off' }, { eventType: 'RAG_APPROVE' }).allowed).toBe(true);
    expect(permission('review.event', rag, { cspId: CSP, stage: 'rag_sign_off' }, { eventType: 'DECIDE' }).allowed).toBe(false);
    const documents = permission('documents.read', rag, { cspId: CSP, stage: 'rag_sign_off' });
    expect(recordVisible(documents.restriction, { agencyId: null, documentKind: 'overview_report' })).toBe(true);
    expect(recordVisible(documents.restriction, { agencyId: HEALTH, documentKind: 'imr' })).toBe(false);
    expect(permission('family.read', rag, { cspId: CSP, stage: 'rag_sign_off' }).allowed).toBe(false);
  });

  it('narrows an IMR author to their agency, and a chair to nothing narrower than the review', () => {
    const author: Holder = { ...nobody, memberships: [{ role: 'imr_author', agencyId: HEALTH }] };
    const imrs = permission('imrs.read', author, { cspId: CSP, stage: 'information_gathering' });
    expect(imrs.allowed).toBe(true);
    expect(recordVisible(imrs.restriction, { agencyId: HEALTH })).toBe(true);
    expect(recordVisible(imrs.restriction, { agencyId: POLICE })).toBe(false);
    expect(permission('imrs.write', author, { cspId: CSP, stage: 'information_gathering' }).allowed).toBe(false);
    const chairAndAuthor: Holder = { ...nobody, memberships: [...author.memberships, { role: 'chair', agencyId: null }] };
    expect(permission('imrs.read', chairAndAuthor, { cspId: CSP, stage: 'information_gathering' }).restriction).toBeNull();
  });

  it('gives administrators no case content and real names only to the lead and the chair', () => {
    const admin: Holder = { ...nobody, administrator: true };
    expect(permission('users.manage', admin, null).allowed).toBe(true);
    expect(permission('review.read', admin, { cspId: CSP, stage: 'notified' }).allowed).toBe(false);
    const panel: Holder = { ...nobody, memberships: [{ role: 'panel_member', agencyId: POLICE }] };
    expect(permission('people.read', panel, { cspId: CSP, stage: 'drafting' }).allowed).toBe(true);
    expect(permission('people.realNames', panel, { cspId: CSP, stage: 'drafting' }).allowed).toBe(false);
    const chair: Holder = { ...nobody, memberships: [{ role: 'chair', agencyId: null }] };
    expect(permission('people.realNames', chair, { cspId: CSP, stage: 'drafting' }).allowed).toBe(true);
  });
});
