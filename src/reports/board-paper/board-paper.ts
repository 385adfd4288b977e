/**
 * The board paper (issue 15 item 3): one review at sign-off, for the Responsible Authorities
 * Group. Pure: the service loads the record (only the parts the caller may read) and calls
 * `boardPaperOf`; the renderers (JSON, DOCX, PDF) read the result.
 *
 * Each part the caller may not read under the policy is `{ shown: false }` ("Not shown" on
 * paper), never an empty list that would read as "none". Names of people are never held: the
 * victim by pseudonym, the chair and report writer by role and organisation, panel members by
 * agency and role.
 */
import { dayOf } from '../../reviews/chronology';
import type { HoldReason, ReviewContext, Stage } from '../../reviews/lifecycle';
import {
  ACTION_STATUS_LABELS,
  ADVOCACY_ORGANISATION_LABELS,
  APPOINTMENT_ROLE_LABELS,
  CONTRIBUTION_PREFERENCE_LABELS,
  DECISION_OUTCOME_LABELS,
  FAMILY_ENGAGEMENT_KIND_LABELS,
  HOLD_REASON_LABELS,
  IMR_KIND_LABELS,
  QA_OUTCOME_LABELS,
  RECOMMENDATION_LEVEL_LABELS,
  STAGE_LABELS,
} from '../../web/labels';

/** The parts of the paper guarded by a read action of the policy (the service maps each to its action). */
export const GUARDED_PARTS = ['pseudonym', 'appointments', 'panel', 'meetings', 'imrs', 'family', 'recommendations', 'actions'] as const;
export type GuardedPart = (typeof GUARDED_PARTS)[number];
export type PaperVisibility = Record<GuardedPart, boolean>;
export const FULL_PAPER_VISIBILITY: PaperVisibility = Object.fromEntries(GUARDED_PARTS.map((p) => [p, true])) as PaperVisibility;

/** What the service loads: the lifecycle's record and the case file's rows (absent when not readable). */
export interface BoardPaperRecord {
  id: string;
  reference: string;
  csp: { code: string; name: string; boardName: string };
  notifiedOn: string;
  stage: Stage;
  context: ReviewContext;
  pseudonym?: string | null;
  appointments?: Array<{ role: 'chair' | 'report_writer'; organisation: string; appointedOn: string; endedOn: string | null; independenceDeclaredAt: string | null }>;
  panel?: Array<{ agencyName: string; role: string; joinedOn: string; leftOn: string | null; declaredAt: string | null }>;
  meetings?: Array<{ startsAt: string; status: 'scheduled' | 'held' | 'cancelled' }>;
  imrs?: Array<{
    agencyName: string;
    kind: keyof typeof IMR_KIND_LABELS;
    requestedOn: string;
    dueOn: string;
    receivedOn: string | null;
    waivedReason: string | null;
    waivedAt: string | null;
    extensions: number;
  }>;
  family?: Array<{
    kind: keyof typeof FAMILY_ENGAGEMENT_KIND_LABELS;
    occurredOn: string;
    advocateOrganisation: keyof typeof ADVOCACY_ORGANISATION_LABELS | null;
    consentGiven: boolean | null;
    preferredContribution: keyof typeof CONTRIBUTION_PREFERENCE_LABELS | null;
  }>;
  recommendations?: Array<{ number: number; text: string; level: string; addressee: string; status: 'draft' | 'agreed' | 'withdrawn' }>;
  actions?: Array<{ recommendationNumber: number; description: string; owner: string; targetDate: string | null; status: string; completedOn: string | null }>;
}

export type Shown<T> = ({ shown: true } & T) | { shown: false };

export interface ChronologyEntry {
  /** The London calendar day it happened. */
  date: string;
  event: string;
}

export interface BoardPaper {
  id: string;
  reference: string;
  csp: { code: string; name: string };
  boardName: string;
  /** Today, when the paper was drawn up. */
  preparedOn: string;
  stage: Stage;
  stageLabel: string;
  onHold: boolean;
  pseudonym: Shown<{ value: string | null }>;
  /** Always shown; `notShown` names the kinds of entry left out because the caller may not read them. */
  chronology: { entries: ChronologyEntry[]; notShown: string[] };
  appointments: Shown<{ rows: Array<{ role: string; organisation: string; appointedOn: string; endedOn: string | null; independenceDeclaredOn: string | null }> }>;
  panel: Shown<{ rows: Array<{ agency: string; role: string; joinedOn: string; leftOn: string | null; declaredOn: string | null }> }>;
  imrs: Shown<{
    rows: Array<{ agency: string; kind: string; requestedOn: string; dueOn: string; extensions: number; receivedOn: string | null; waived: { on: string | null; reason: string } | null }>;
  }>;
  family: Shown<{ rows: Array<{ date: string; entry: string; detail: string }> }>;
  holds: Array<{ reason: HoldReason; reasonLabel: string; from: string; to: string | null; expectedEnd: string | null }>;
  recommendations: Shown<{ rows: Array<{ number: number; text: string; level: string; addressee: string; status: string }> }>;
  actionPlan: Shown<{ rows: Array<{ recommendation: number; action: string; leadAgency: string; targetDate: string | null; status: string; completedOn: string | null }> }>;
}

const shown = <T>(visible: boolean, value: () => T): Shown<T> => (visible ? { shown: true, ...value() } : { shown: false });

const RECOMMENDATION_STATUS_LABELS: Readonly<Record<string, string>> = { draft: 'Draft', agreed: 'Agreed', withdrawn: 'Withdrawn' };

/** What a family involvement entry says besides its kind: labels only, never the notes or names. */
function familyDetail(f: NonNullable<BoardPaperRecord['family']>[number]): string {
  const parts: string[] = [];
  if (f.advocateOrganisation) parts.push(ADVOCACY_ORGANISATION_LABELS[f.advocateOrganisation]);
  if (f.consentGiven !== null) parts.push(f.consentGiven ? 'Consent given' : 'Consent not given');
  if (f.preferredContribution) parts.push(`Prefers: ${CONTRIBUTION_PREFERENCE_LABELS[f.preferredContribution].toLowerCase()}`);
  return parts.join('; ');
}

/** The dated lifecycle history and, where the caller may read them, the case file's dated facts, oldest first. */
export function chronologyOf(record: BoardPaperRecord, visible: PaperVisibility): ChronologyEntry[] {
  const c = record.context;
  const board = record.csp.boardName;
  // Process order breaks ties on one day (a later push is later in the process).
  const entries: ChronologyEntry[] = [{ date: record.notifiedOn, event: 'Notified to the partnership' }];
  const push = (when: string | null | undefined, event: string) => {
    if (when) entries.push({ date: dayOf(when), event });
  };
  for (const s of c.supersededDecisions) {
    push(s.decision.decidedAt, `Decision: ${DECISION_OUTCOME_LABELS[s.decision.outcome].toLowerCase()} (since replaced)`);
    push(s.homeOfficeNotification?.sentAt, 'Home Office told of that decision');
  }
  if (c.decision) {
    push(
      c.decision.decidedAt,
      c.decision.directedBySecretaryOfState ? 'Review directed by the Secretary of State' : `Decision: ${DECISION_OUTCOME_LABELS[c.decision.outcome].toLowerCase()}`,
    );
  }
  push(c.homeOfficeNotification?.sentAt, 'Home Office told of the decision');
  if (visible.appointments) {
    for (const a of record.appointments ?? []) {
      push(a.appointedOn, `${APPOINTMENT_ROLE_LABELS[a.role]} appointed`);
      push(a.endedOn, `${APPOINTMENT_ROLE_LABELS[a.role]}’s appointment ended`);
    }
  }
  push(c.termsOfReference?.agreedAt, 'Terms of reference agreed');
  for (const h of c.holds) {
    push(h.startedAt, `Put on hold (${HOLD_REASON_LABELS[h.reason].toLowerCase()})`);
    push(h.endedAt, h.endedBy === 'withdrawal' ? 'Hold ended by the withdrawal' : 'Resumed after the hold');
  }
  if (visible.imrs) {
    for (const i of record.imrs ?? []) {
      push(i.requestedOn, `${i.kind === 'short_report' ? 'Short report' : 'IMR'} requested from ${i.agencyName}`);
      push(i.receivedOn, `${i.kind === 'short_report' ? 'Short report' : 'IMR'} received from ${i.agencyName}`);
      push(i.waivedAt, `${i.kind === 'short_report' ? 'Short report' : 'IMR'} from ${i.agencyName} waived`);
    }
  }
  if (visible.meetings) for (const m of record.meetings ?? []) if (m.status === 'held') push(m.startsAt, 'Panel meeting held');
  for (const s of c.stageHistory) {
    if (s.stage === 'drafting') push(s.enteredAt, 'Drafting of the overview report began');
    if (s.stage === 'rag_sign_off') push(s.enteredAt, `Overview report agreed by the panel and presented to the ${board}`);
  }
  for (const r of c.ragReturns) push(r.returnedAt, `Report returned for revision by the ${board}`);
  push(c.ragApproval?.approvedAt, `Report approved by the ${board}`);
  for (const r of c.qaRounds) {
    push(r.submittedAt, r.round === 1 ? 'Submitted to the Home Office' : `Resubmitted to the Home Office (round ${r.round})`);
    if (r.outcome) push(r.letterDate, `Home Office Quality Assurance Panel’s letter: ${QA_OUTCOME_LABELS[r.outcome].toLowerCase()}`);
  }
  push(c.publication?.publishedAt, 'Overview report and executive summary published');
  for (const s of c.stageHistory) if (s.stage === 'action_plan_monitoring') push(s.enteredAt, 'Action plan monitoring began');
  push(c.withdrawal?.withdrawnAt, 'Withdrawn');
  push(c.closure?.closedAt, 'Closed');
  for (const r of c.reopenings ?? []) push(r.reopenedAt, 'Reopened');
  // A stable sort by day keeps the process order within a day.
  return entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.date.localeCompare(b.e.date) || a.i - b.i).map(({ e }) => e);
}

const NOT_SHOWN_IN_CHRONOLOGY: ReadonlyArray<[GuardedPart, string]> = [
  ['appointments', 'appointments'],
  ['imrs', 'IMRs'],
  ['meetings', 'panel meetings'],
];

/** The paper, holding only what `visible` allows. */
export function boardPaperOf(record: BoardPaperRecord, visible: PaperVisibility, preparedOn: string): BoardPaper {
  const c = record.context;
  const onHold = c.holds.some((h) => h.endedAt === null);
  return {
    id: record.id,
    reference: record.reference,
    csp: { code: record.csp.code, name: record.csp.name },
    boardName: record.csp.boardName,
    preparedOn,
    stage: record.stage,
    stageLabel: `${STAGE_LABELS[record.stage]}${onHold ? ' (on hold)' : ''}`,
    onHold,
    pseudonym: shown(visible.pseudonym, () => ({ value: record.pseudonym ?? null })),
    chronology: { entries: chronologyOf(record, visible), notShown: NOT_SHOWN_IN_CHRONOLOGY.filter(([part]) => !visible[part]).map(([, what]) => what) },
    appointments: shown(visible.appointments, () => ({
      rows: (record.appointments ?? []).map((a) => ({
        role: APPOINTMENT_ROLE_LABELS[a.role],
        organisation: a.organisation,
        appointedOn: a.appointedOn,
        endedOn: a.endedOn,
        independenceDeclaredOn: a.independenceDeclaredAt ? dayOf(a.independenceDeclaredAt) : null,
      })),
    })),
    panel: shown(visible.panel, () => ({
      rows: (record.panel ?? []).map((p) => ({ agency: p.agencyName, role: p.role, joinedOn: p.joinedOn, leftOn: p.leftOn, declaredOn: p.declaredAt ? dayOf(p.declaredAt) : null })),
    })),
    imrs: shown(visible.imrs, () => ({
      rows: (record.imrs ?? []).map((i) => ({
        agency: i.agencyName,
        kind: IMR_KIND_LABELS[i.kind],
        requestedOn: i.requestedOn,
        dueOn: i.dueOn,
        extensions: i.extensions,
        receivedOn: i.receivedOn,
        waived: i.waivedReason ? { on: i.waivedAt ? dayOf(i.waivedAt) : null, reason: i.waivedReason } : null,
      })),
    })),
    family: shown(visible.family, () => ({
      rows: (record.family ?? []).map((f) => ({ date: f.occurredOn, entry: FAMILY_ENGAGEMENT_KIND_LABELS[f.kind], detail: familyDetail(f) })),
    })),
    holds: c.holds.map((h) => ({
      reason: h.reason,
      reasonLabel: HOLD_REASON_LABELS[h.reason],
      from: dayOf(h.startedAt),
      to: h.endedAt ? dayOf(h.endedAt) : null,
      expectedEnd: h.expectedEnd ? dayOf(h.expectedEnd) : null,
    })),
    recommendations: shown(visible.recommendations, () => ({
      rows: (record.recommendations ?? []).map((r) => ({
        number: r.number,
        text: r.text,
        level: RECOMMENDATION_LEVEL_LABELS[r.level] ?? r.level,
        addressee: r.addressee,
        status: RECOMMENDATION_STATUS_LABELS[r.status] ?? r.status,
      })),
    })),
    actionPlan: shown(visible.actions, () => ({
      rows: (record.actions ?? []).map((a) => ({
        recommendation: a.recommendationNumber,
        action: a.description,
        leadAgency: a.owner,
        targetDate: a.targetDate,
        status: ACTION_STATUS_LABELS[a.status] ?? a.status,
        completedOn: a.completedOn,
      })),
    })),
  };
}
