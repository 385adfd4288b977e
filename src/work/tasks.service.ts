import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AccessContext } from '../access/access.service';
import { Review } from '../reviews/review.entity';
import { AccessService, mayApply } from '../access/access.service';
import type { Action } from '../access/actions';
import { permission } from '../access/policy';
import type { Holder, ReviewSubject } from '../access/policy';
import { urgencyOn } from '../deadlines/deadline-clocks.service';
import { visibleClocks } from '../access/history-visibility';
import { computeManyReviewFacts } from '../casefile/review-facts.query';
import { describe as describeReview, migrateSnapshot } from '../reviews/lifecycle';
import type { DeadlineKind } from '../deadlines/rules/kinds';
import { addDays, londonDateOf } from '../deadlines/rules';
import { Clock } from '../infrastructure/clock/clock';
import { ReviewLifecycleService } from '../reviews/review-lifecycle.service';
import type { ReviewEventType } from '../reviews/lifecycle/events';
import { FINAL_STAGES } from '../reviews/lifecycle/review-context';
import type { Stage } from '../reviews/lifecycle/review-context';
import { boardReturnedAtOf } from '../access/policy';
import { dateInWords } from '../shared/display-dates';
import { WORK_EVENTS } from './work-events';
import { byReview } from '../shared/group-by';

/**
 * Where an event's task leads: the form that does it. The board's decision has its own page
 * (approve, or return with comments, beside the report it is about); the others are on the
 * review's overview, opened at that form.
 */
export function eventHref(base: string, type: ReviewEventType): string {
  return type === 'RAG_APPROVE' ? `${base}/sign-off` : `${base}?do=${type}#event-${type}`;
}

/** The stages at which a draft report is offered to the family: before the board's sign-off. */
export const DRAFT_OFFER_STAGES: readonly Stage[] = ['establishing', 'information_gathering', 'drafting'];

/** My work reads reviews this many at a time, and at most MAX_REVIEWS_READ for one answer. */
const REVIEWS_PER_READ = 25;
const MAX_REVIEWS_READ = 200;

/** How near its target an open action of the action plan becomes a task (days). */
export const ACTION_NEAR_DAYS = 7;

export const TASK_KINDS = [
  'event',
  'imr_receipt',
  'imr_confirm',
  'imr_send',
  'imr_sign_off',
  'meeting_held',
  'action_update',
  'meeting_papers',
  'draft_to_family',
  'report_revision',
  'panel_setup',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export type Urgency = 'overdue' | 'due_soon' | 'on_track' | 'none';

export interface Task {
  reviewId: string;
  reference: string;
  kind: TaskKind;
  /** The lifecycle event, for kind `event`. */
  event: ReviewEventType | null;
  /** The IMR, meeting, action or overview report (a revision) the task is about. */
  subjectId: string | null;
  title: string;
  /** The page (and form) that does it. */
  href: string;
  dueDate: string | null;
  urgency: Urgency;
  daysLeft: number | null;
  daysOverdue: number | null;
  /** The clock the due date comes from, when one does. */
  clockId: string | null;
}

const URGENCY_ORDER: Record<Urgency, number> = { overdue: 0, due_soon: 1, on_track: 2, none: 3 };

/** Most urgent first, then soonest due (no due date last), then by review and title. */
export function byUrgency(a: Task, b: Task): number {
  return (
    URGENCY_ORDER[a.urgency] - URGENCY_ORDER[b.urgency] ||
    (a.dueDate ?? '9999-12-31').localeCompare(b.dueDate ?? '9999-12-31') ||
    // By code unit, as PostgreSQL's "C" collation orders them (My work reads reviews in that order).
    (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0) ||
    a.title.localeCompare(b.title)
  );
}

/** Whether the holder may take this action on the review as one of its team (a `review` grant: the chair). */
function asTeam(action: Action, holder: Holder, review: ReviewSubject): boolean {
  return permission(action, holder, review).via.some((g) => g.scope === 'review');
}

/**
 * What the signed-in person must do next on every review they may see: the lifecycle's work
 * events their role on the review may apply now, and the case-file work that falls to them
 * (IMR receipts for the chair, their agency's IMR and its sign-off for an IMR author, meetings
 * to record as held, actions near or past their target, meeting papers to circulate, the draft
 * to offer the family, the report the board returned to revise).
 */
@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly reviews: ReviewLifecycleService,
    private readonly clock: Clock,
  ) {}

  /** The reviews the caller may see (the reviews list's own narrowing), every page of it. */
  async visibleReviews(access: AccessContext): Promise<Array<{ id: string; reference: string }>> {
    const reviews: Array<{ id: string; reference: string }> = [];
    for (let page = 1; ; page++) {
      const result = await this.reviews.list({ page, pageSize: 100 }, access);
      reviews.push(...result.items.map((r) => ({ id: r.id, reference: r.reference })));
      if (result.items.length < 100 || reviews.length >= result.total) return reviews;
    }
  }

  /** The references of these reviews, by id. */
  async referencesOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; reference: string }> = await this.dataSource.query('SELECT id, reference FROM reviews WHERE id = ANY($1::uuid[])', [[...new Set(ids)]]);
    return new Map(rows.map((r) => [r.id, r.reference]));
  }

  /** Whether the user holds any case role: a CSP role or a membership of some review. */
  async holdsCaseRole(userId: string): Promise<boolean> {
    const holder = await this.access.holder(userId, null);
    if (holder.cspRoles.length > 0) return true;
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM review_members WHERE user_id = $1 AND ended_at IS NULL LIMIT 1', [userId]);
    return rows.length > 0;
  }

  /**
   * The `limit` most urgent of the user's tasks (byUrgency), on the reviews `caller` may see, and
   * whether there are more, without deriving the tasks of every review. A person's tasks on a
   * review come from their place on its team (any kind of task, due no sooner than the review's
   * `next_work_on`) or from a CSP role (a CSP lead's or a RAG member's lifecycle steps, due no
   * sooner than its `next_lead_on` or `next_rag_on`). The reviews of each are read in the order of
   * that date (null last) and reference, 25 at a time, merged soonest first; reading stops once
   * the page's last task comes before anything a review not yet read could hold. Closed and
   * withdrawn reviews have no tasks. At most MAX_REVIEWS_READ reviews are read for one answer;
   * past them, only the tasks known to come first are given, with `more`.
   */
  async mostUrgent(userId: string, caller: AccessContext, limit: number): Promise<{ items: Task[]; more: boolean; reviewsRead: number }> {
    const holder = caller.holder;
    if (!holder) return { items: [], more: false, reviewsRead: 0 };
    const cspsOf = (role: string) => holder.cspRoles.filter((g) => g.role === role).map((g) => g.cspId);
    // The reviews the person is on the team of, by id (few): a condition PostgreSQL can start from.
    const teamOf: string[] = (
      await this.dataSource.query('SELECT DISTINCT review_id FROM review_members WHERE user_id = $1 AND ended_at IS NULL', [userId])
    ).map((r: { review_id: string }) => r.review_id);
    const streams = [
      ...(teamOf.length > 0 ? [this.stream('r.next_work_on', 'r.id = ANY(:team)', { team: teamOf })] : []),
      // One stream per CSP: with `csp_id = :csp` the index gives the order (with ANY, every review is sorted).
      ...cspsOf('csp_lead').map((csp) => this.stream('r.next_lead_on', 'r.csp_id = :csp', { csp })),
      ...cspsOf('rag_member').map((csp) => this.stream('r.next_rag_on', `r.csp_id = :csp AND r.status = 'rag_sign_off'`, { csp })),
    ];
    const seen = new Set<string>();
    /** The review first in order among the streams' next ones, not yet read (taken from its stream if `take`). */
    const next = async (take: boolean): Promise<Candidate | null> => {
      let best: { candidate: Candidate; stream: Stream } | null = null;
      for (const stream of streams) {
        for (;;) {
          if (stream.buffer.length === 0 && !stream.done) await stream.fill();
          const head = stream.buffer[0];
          if (!head || !seen.has(head.id)) break;
          stream.buffer.shift();
        }
        const head = stream.buffer[0];
        if (head && (!best || beforeCandidate(head, best.candidate))) best = { candidate: head, stream };
      }
      if (best && take) best.stream.buffer.shift();
      return best?.candidate ?? null;
    };
    const tasks: Task[] = [];
    for (;;) {
      const batch: string[] = [];
      for (let candidate = await next(true); candidate; candidate = batch.length < REVIEWS_PER_READ ? await next(true) : null) {
        seen.add(candidate.id);
        batch.push(candidate.id);
      }
      tasks.push(...(await this.ofReviews(userId, batch)));
      tasks.sort(byUrgency);
      const after = await next(false);
      if (!after) return { items: tasks.slice(0, limit), more: tasks.length > limit, reviewsRead: seen.size };
      // Every task of a review not yet read is due on or after after.bound (and, due that day, is
      // on a review whose reference does not come before after's), or has no date.
      const known = tasks.filter(
        (t) => t.dueDate !== null && (after.bound === null || t.dueDate < after.bound || (t.dueDate === after.bound && t.reference < after.reference)),
      );
      if (known.length >= limit) return { items: known.slice(0, limit), more: true, reviewsRead: seen.size };
      if (seen.size >= MAX_REVIEWS_READ) return { items: known, more: true, reviewsRead: seen.size };
    }
  }

  /** Open reviews matching `where`, by `column` (null last) and reference, read REVIEWS_PER_READ at a time. */
  private stream(column: string, where: string, params: Record<string, unknown>): Stream {
    const qb = this.dataSource.manager
      .createQueryBuilder(Review, 'r')
      .select(['r.id AS id', `${column}::text AS bound`, 'r.reference AS reference'])
      .where('r.status <> ALL(:finalStages)', { finalStages: [...FINAL_STAGES] })
      .andWhere(where, params)
      .orderBy(column, 'ASC', 'NULLS LAST')
      .addOrderBy('r.reference COLLATE "C"', 'ASC')
      .addOrderBy('r.id', 'ASC');
    const stream: Stream = {
      buffer: [],
      done: false,
      read: 0,
      fill: async () => {
        const rows: Candidate[] = await qb.clone().offset(stream.read).limit(REVIEWS_PER_READ).getRawMany();
        stream.read += rows.length;
        stream.buffer.push(...rows);
        stream.done = rows.length < REVIEWS_PER_READ;
      },
    };
    return stream;
  }

  /** The user's tasks on every review `caller` (their own access) may see; or on `reviews`, already listed. */
  async forUser(userId: string, caller: AccessContext, reviews?: ReadonlyArray<{ id: string }>): Promise<Task[]> {
    const ids = (reviews ?? (await this.visibleReviews(caller))).map((r) => r.id);
    const tasks: Task[] = [];
    for (let i = 0; i < ids.length; i += 100) tasks.push(...(await this.ofReviews(userId, ids.slice(i, i + 100))));
    return tasks.sort(byUrgency);
  }

  /**
   * The user's tasks on these reviews (which they may see), in a fixed number of statements
   * whatever their number (issue 16: a dozen or more per review made My work take 40 s at
   * 100,000 reviews): what each review's tasks are derived from is read for all of them at once
   * (`load`), then derived review by review (`derive`), in the reviews' order.
   */
  async ofReviews(userId: string, reviewIds: readonly string[]): Promise<Task[]> {
    if (reviewIds.length === 0) return [];
    const loaded = await this.load(userId, reviewIds);
    const now = this.clock.now();
    return reviewIds.flatMap((id) => {
      const work = loaded.get(id);
      return work ? derive(userId, work, now) : [];
    });
  }

  /** What deriving each review's tasks needs, for all of them: ten statements, whatever their number. */
  private async load(userId: string, reviewIds: readonly string[]): Promise<Map<string, ReviewWork>> {
    const ids = [...reviewIds];
    const db = this.dataSource;
    const onReviews = await this.access.reviewsAndHolders(userId, ids);
    const reviews: Array<{ id: string; reference: string; snapshot: unknown; machine_version: number }> = await db.query(
      'SELECT id, reference, snapshot, machine_version FROM reviews WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const facts = await computeManyReviewFacts(db, ids);
    const clocks: Array<{ id: string; review_id: string; kind: string; subject_id: string | null; due_at: Date }> = await db.query(
      `SELECT id, review_id, kind, subject_id, due_at FROM deadlines WHERE review_id = ANY($1::uuid[]) AND status IN ('open', 'paused') ORDER BY due_at, id`,
      [ids],
    );
    const imrs: Array<ImrWork & { review_id: string }> = await db.query(
      `SELECT i.review_id, i.id, i.agency_id AS "agencyId", a.name AS agency, i.kind, to_char(i.due_on, 'YYYY-MM-DD') AS "dueOn",
              to_char(i.received_on, 'YYYY-MM-DD') AS "receivedOn", i.waived_reason AS "waivedReason", to_char(i.signed_off_on, 'YYYY-MM-DD') AS "signedOffOn"
         FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = ANY($1::uuid[]) ORDER BY i.due_on, i.id`,
      [ids],
    );
    // The latest upload of each IMR through the service (the order latestSubmissions keeps).
    const submissions: Array<{ imr_id: string; outcome: string; comments: string | null }> = await db.query(
      `SELECT DISTINCT ON (imr_id) imr_id, outcome, comments FROM imr_submissions WHERE review_id = ANY($1::uuid[]) ORDER BY imr_id, submitted_at DESC, created_at DESC`,
      [ids],
    );
    const meetings: Array<{ review_id: string; id: string; starts_at: Date; papers_circulated_on: string | null }> = await db.query(
      `SELECT review_id, id, starts_at, to_char(papers_circulated_on, 'YYYY-MM-DD') AS papers_circulated_on
         FROM panel_meetings WHERE review_id = ANY($1::uuid[]) AND status = 'scheduled' ORDER BY starts_at, id`,
      [ids],
    );
    const actions: Array<ActionWork & { review_id: string }> = await db.query(
      `SELECT review_id, id, recommendation_id AS "recommendationId", description, to_char(target_date, 'YYYY-MM-DD') AS "targetDate", status
         FROM actions WHERE review_id = ANY($1::uuid[]) ORDER BY target_date, id`,
      [ids],
    );
    const panel: Array<{ review_id: string; n: number }> = await db.query(
      `SELECT review_id, count(*)::int AS n FROM panel_members WHERE review_id = ANY($1::uuid[]) AND left_on IS NULL GROUP BY review_id`,
      [ids],
    );
    // The family's part in the draft, and the board's latest return and the overview report's latest upload.
    const drafts: Array<{ id: string; openQaChanges: number } & FamilyWork & RevisionWork> = await db.query(
      `SELECT r.id,
              EXISTS (SELECT 1 FROM documents WHERE review_id = r.id AND kind = 'overview_report') AS "hasDraft",
              EXISTS (SELECT 1 FROM family_engagements WHERE review_id = r.id AND kind = 'draft_offered') AS "offered",
              EXISTS (SELECT 1 FROM family_engagements WHERE review_id = r.id
                        AND (consent_given = false OR preferred_contribution = 'does_not_wish_to_contribute')) AS "declined",
              (SELECT max(recorded_at) FROM review_events WHERE review_id = r.id AND type = 'RAG_RETURN') AS "returnedAt",
              (SELECT d.id FROM documents d JOIN document_versions v ON v.document_id = d.id
                WHERE d.review_id = r.id AND d.kind = 'overview_report' ORDER BY v.uploaded_at DESC, d.id LIMIT 1) AS "documentId",
              (SELECT max(v.uploaded_at) FROM documents d JOIN document_versions v ON v.document_id = d.id
                WHERE d.review_id = r.id AND d.kind = 'overview_report') AS "uploadedAt",
              (SELECT count(*)::int FROM qa_changes WHERE review_id = r.id AND done_on IS NULL) AS "openQaChanges"
         FROM reviews r WHERE r.id = ANY($1::uuid[])`,
      [ids],
    );
    const clocksOf = byReview(clocks);
    const imrsOf = byReview(imrs);
    const meetingsOf = byReview(meetings);
    const actionsOf = byReview(actions);
    const submission = new Map(submissions.map((x) => [x.imr_id, x]));
    const panelCount = new Map(panel.map((x) => [x.review_id, x.n]));
    const draft = new Map(drafts.map((x) => [x.id, x]));
    const now = this.clock.now();
    const out = new Map<string, ReviewWork>();
    for (const review of reviews) {
      const on = onReviews.get(review.id);
      const reviewFacts = facts.get(review.id);
      if (!on || !reviewFacts) continue;
      const persisted = migrateSnapshot(review.snapshot, review.machine_version);
      const description = describeReview(persisted, reviewFacts, now.toISOString());
      const stage = description.status as Stage;
      const reviewImrs = imrsOf(review.id);
      // The clocks the person may see on the review, as its page shows them (history-visibility.ts).
      const seen = { cspId: on.review.cspId, stage, boardReturnedAt: boardReturnedAtOf(stage, persisted.context) };
      const running = visibleClocks(
        clocksOf(review.id).map((c) => ({ id: c.id, kind: c.kind, subjectId: c.subject_id, dueDate: londonDateOf(c.due_at) })),
        on.holder,
        seen,
        new Map(reviewImrs.map((i) => [i.id, i.agencyId])),
      );
      const d = draft.get(review.id)!;
      out.set(review.id, {
        reviewId: review.id,
        reference: review.reference,
        stage,
        lifecycle: persisted.context,
        holder: on.holder,
        subject: on.review,
        allowedEvents: description.allowedEvents as ReviewEventType[],
        running,
        imrs: reviewImrs,
        submissions: new Map(reviewImrs.filter((i) => submission.has(i.id)).map((i) => [i.id, submission.get(i.id)!])),
        meetings: meetingsOf(review.id).map((m) => ({ id: m.id, startsAt: new Date(m.starts_at), papersCirculatedOn: m.papers_circulated_on })),
        actions: actionsOf(review.id),
        panelCount: panelCount.get(review.id) ?? 0,
        family: { hasDraft: d.hasDraft, offered: d.offered, declined: d.declined },
        revision: { returnedAt: d.returnedAt, documentId: d.documentId, uploadedAt: d.uploadedAt },
        openQaChanges: d.openQaChanges,
      });
    }
    return out;
  }
}

type ImrWork = { id: string; agencyId: string; agency: string; kind: string; dueOn: string; receivedOn: string | null; waivedReason: string | null; signedOffOn: string | null };
type ActionWork = { id: string; recommendationId: string; description: string; targetDate: string | null; status: string };
type FamilyWork = { hasDraft: boolean; offered: boolean; declined: boolean };
type RevisionWork = { returnedAt: Date | null; documentId: string | null; uploadedAt: Date | null };

/** What one review's tasks for one person are derived from (TasksService.load). */
interface ReviewWork {
  reviewId: string;
  reference: string;
  stage: Stage;
  lifecycle: Parameters<typeof boardReturnedAtOf>[1];
  holder: Holder;
  subject: ReviewSubject;
  allowedEvents: ReviewEventType[];
  /** The running clocks the person may see, soonest first. */
  running: RunningClocks;
  /** Soonest due first. */
  imrs: ImrWork[];
  /** The latest upload of each IMR through the service, by IMR. */
  submissions: Map<string, { outcome: string; comments: string | null }>;
  /** The scheduled meetings, soonest first. */
  meetings: Array<{ id: string; startsAt: Date; papersCirculatedOn: string | null }>;
  /** Soonest target first. */
  actions: ActionWork[];
  panelCount: number;
  family: FamilyWork;
  revision: RevisionWork;
  /** The changes the Home Office's QA letters asked for that are not yet done. */
  openQaChanges: number;
}

/** The person's tasks on one review, from what `load` read. */
function derive(userId: string, work: ReviewWork, now: Date): Task[] {
  const { reviewId, holder, subject, running } = work;
  const access: AccessContext = { trusted: false, userId, action: 'review.read', holder, review: subject, restriction: null };
  const today = londonDateOf(now);
  const base = `/cases/${reviewId}`;
  const task: TaskOf = (t) => ({ reviewId, reference: work.reference, ...t, ...urgencyOn(t.dueDate, today) });
  const tasks: Task[] = [];

  for (const type of work.allowedEvents) {
    const event = WORK_EVENTS[type];
    if (!event || !mayApply(access, type)) continue;
    const clock = event.clocks.map((kind) => running.find((c) => c.kind === kind)).find((c) => c !== undefined);
    // A resubmission waits on the changes the Home Office asked for (the submission is refused
    // while any is open): the task is to make them, on the QA page, by the same date.
    const changes = type === 'SUBMIT_TO_HOME_OFFICE' ? work.openQaChanges : 0;
    const title = changes > 0 ? `Make the changes the Home Office asked for (${changes} still open), then resubmit the report` : event.title;
    const href = changes > 0 ? `${base}/qa` : eventHref(base, type);
    tasks.push(task({ kind: 'event', event: type, subjectId: null, title, href, dueDate: clock?.dueDate ?? null, clockId: clock?.id ?? null }));
  }

  // A closed or withdrawn review asks nothing more of its case file.
  if ((FINAL_STAGES as readonly string[]).includes(work.stage)) return tasks;

  // A chair new to a review being established: the panel comes first (the terms of reference wait on it).
  if (work.stage === 'establishing' && asTeam('panel.write', holder, subject) && work.panelCount === 0) {
    tasks.push(task({ kind: 'panel_setup', event: null, subjectId: null, title: 'Set up the review panel: a senior representative of each agency', href: `${base}/team`, dueDate: null, clockId: null }));
  }

  const clockOf = (kind: DeadlineKind, subjectId: string) => running.find((c) => c.kind === kind && c.subjectId === subjectId);
  const chairsImrs = asTeam('imrs.write', holder, subject);
  const authorAgencies = holder.memberships.filter((m) => m.role === 'imr_author' && m.agencyId).map((m) => m.agencyId as string);
  if (chairsImrs || authorAgencies.length > 0) {
    for (const imr of work.imrs) {
      const what = imr.kind === 'short_report' ? 'short report' : 'IMR';
      const agency = imr.agency;
      const outstanding = imr.receivedOn === null && imr.waivedReason === null;
      // The agency's latest upload: awaiting the chair's confirmation, or sent back with comments.
      const submission = outstanding ? (work.submissions.get(imr.id) ?? null) : null;
      const clock = clockOf('imr_due', imr.id);
      if (chairsImrs && outstanding) {
        tasks.push(
          submission?.outcome === 'awaiting'
            ? task({ kind: 'imr_confirm', event: null, subjectId: imr.id, title: `Confirm receipt of the ${what} from ${agency}`, href: `${base}/imrs/${imr.id}/confirm`, dueDate: imr.dueOn, clockId: clock?.id ?? null })
            : task({ kind: 'imr_receipt', event: null, subjectId: imr.id, title: `Record receipt of the ${what} from ${agency}`, href: `${base}/imrs/${imr.id}/receipt`, dueDate: imr.dueOn, clockId: clock?.id ?? null }),
        );
      }
      if (!authorAgencies.includes(imr.agencyId)) continue;
      if (outstanding && submission?.outcome !== 'awaiting') {
        const comments = submission?.outcome === 'sent_back' ? (submission.comments ?? '') : null;
        const title =
          comments === null
            ? `Send the ${what} of ${agency} to the chair`
            : `Send the ${what} of ${agency} to the chair again: sent back with the comments “${comments.length > 120 ? `${comments.slice(0, 119)}…` : comments}”`;
        tasks.push(task({ kind: 'imr_send', event: null, subjectId: imr.id, title, href: `${base}/imrs/${imr.id}/submit`, dueDate: imr.dueOn, clockId: clock?.id ?? null }));
      } else if (imr.receivedOn !== null && imr.signedOffOn === null) {
        tasks.push(task({ kind: 'imr_sign_off', event: null, subjectId: imr.id, title: `Record the sign-off of the ${what} of ${agency}`, href: `${base}/imrs/${imr.id}/sign-off`, dueDate: null, clockId: null }));
      }
    }
  }

  if (asTeam('meetings.write', holder, subject)) {
    for (const meeting of work.meetings.filter((m) => m.startsAt.getTime() <= now.getTime())) {
      tasks.push(
        task({ kind: 'meeting_held', event: null, subjectId: meeting.id, title: `Record the meeting of ${dateInWords(meeting.startsAt)} as held`, href: `${base}/meetings/${meeting.id}/held`, dueDate: londonDateOf(meeting.startsAt), clockId: null }),
      );
    }
  }

  if (asTeam('actions.write', holder, subject)) {
    const near = addDays(today, ACTION_NEAR_DAYS);
    for (const action of work.actions.filter((a) => a.status !== 'complete' && a.targetDate !== null && a.targetDate <= near)) {
      const clock = clockOf('action_target', action.id);
      tasks.push(
        task({
          kind: 'action_update',
          event: null,
          subjectId: action.id,
          title: `Update the action "${action.description.length > 80 ? `${action.description.slice(0, 79)}…` : action.description}"`,
          href: `${base}/recommendations/${action.recommendationId}/actions/${action.id}/progress`,
          dueDate: action.targetDate,
          clockId: clock?.id ?? null,
        }),
      );
    }
  }
  tasks.push(...papersTasks(work, task, now));
  tasks.push(...draftToFamilyTasks(work, task));
  tasks.push(...revisionTasks(work, task));
  return tasks;
}

/**
 * For the chair: the papers of each scheduled meeting yet to start and not recorded as
 * circulated, due by the meeting's papers clock (five working days before it, config), linked
 * to the meeting's form that records the date they were circulated.
 */
function papersTasks(work: ReviewWork, task: TaskOf, now: Date): Task[] {
  if (!asTeam('meetings.write', work.holder, work.subject)) return [];
  return work.meetings
    .filter((m) => m.papersCirculatedOn === null && m.startsAt.getTime() > now.getTime())
    .map((meeting) => {
      const clock = work.running.find((c) => c.kind === 'meeting_papers_due' && c.subjectId === meeting.id);
      return task({
        kind: 'meeting_papers',
        event: null,
        subjectId: meeting.id,
        title: `Circulate the papers for the meeting of ${dateInWords(meeting.startsAt)}`,
        href: `/cases/${work.reviewId}/meetings/${meeting.id}/reschedule#papersCirculatedOn`,
        dueDate: clock?.dueDate ?? null,
        clockId: clock?.id ?? null,
      });
    });
}

/**
 * For the chair: offer the family the draft report once there is one (an overview report
 * document) and before the board's sign-off, unless the family log records the draft offered
 * or that the family declined to take part (consent refused, or "does not wish to contribute").
 * Due by the completion target, as the panel's agreement of the report is.
 */
function draftToFamilyTasks(work: ReviewWork, task: TaskOf): Task[] {
  const { holder, subject, family } = work;
  if (!DRAFT_OFFER_STAGES.includes(work.stage) || !holder.memberships.some((m) => m.role === 'chair') || !asTeam('family.write', holder, subject)) return [];
  if (!family.hasDraft || family.offered || family.declined) return [];
  const clock = work.running.find((c) => c.kind === 'completion_target');
  return [
    task({ kind: 'draft_to_family', event: null, subjectId: null, title: 'Offer the family the draft report', href: `/cases/${work.reviewId}/family/new?kind=draft_offered`, dueDate: clock?.dueDate ?? null, clockId: clock?.id ?? null }),
  ];
}

/**
 * For the chair and the report writer (those who upload the report): after the board returned
 * it, a new version of the overview report; once one is uploaded after the return, agreeing it
 * again is the task (the lifecycle's AGREE_REPORT). Due by the completion target.
 */
function revisionTasks(work: ReviewWork, task: TaskOf): Task[] {
  if (!asTeam('documents.write', work.holder, work.subject) || !boardReturnedAtOf(work.stage, work.lifecycle)) return [];
  // The board's latest return (when it was entered), and the overview report most recently uploaded.
  const { returnedAt, uploadedAt, documentId } = work.revision;
  if (returnedAt && uploadedAt && new Date(uploadedAt).getTime() > new Date(returnedAt).getTime()) return [];
  const clock = work.running.find((c) => c.kind === 'completion_target');
  return [
    task({
      kind: 'report_revision',
      event: null,
      subjectId: documentId,
      title: 'Revise the report the board returned: upload a new version of the overview report',
      href: documentId ? `/cases/${work.reviewId}/documents/${documentId}/versions` : `/cases/${work.reviewId}/documents/new`,
      dueDate: clock?.dueDate ?? null,
      clockId: clock?.id ?? null,
    }),
  ];
}

/** A review to read for My work: the soonest date a task of the person's on it can be due. */
type Candidate = { id: string; bound: string | null; reference: string };
type Stream = { buffer: Candidate[]; done: boolean; read: number; fill: () => Promise<void> };

/** Whether a comes before b in My work's reading order (bound, null last; reference by code unit; id). */
function beforeCandidate(a: Candidate, b: Candidate): boolean {
  if (a.bound !== b.bound) return b.bound === null || (a.bound !== null && a.bound < b.bound);
  if (a.reference !== b.reference) return a.reference < b.reference;
  return a.id < b.id;
}

type TaskOf = (t: Omit<Task, 'reviewId' | 'reference' | 'urgency' | 'daysLeft' | 'daysOverdue'>) => Task;
type RunningClocks = ReadonlyArray<{ id: string; kind: string; subjectId: string | null; dueDate: string | null }>;
