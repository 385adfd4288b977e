import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DocumentContentStore } from '../../casefile/documents/document-content.store';
import { DocumentVersion } from '../../casefile/entities';
import type { ClockRules } from '../../deadlines/clock-plan';
import { loadStatutoryPeriods, loadWorkingDayCalendar, londonDateOf } from '../../deadlines/rules';
import { Clock } from '../../infrastructure/clock/clock';
import { isUuid } from '../../infrastructure/http/validation';
import { dayOf } from '../../reviews/chronology';
import { dateInWords } from '../../shared/display-dates';
import { migrateSnapshot, type ReviewContext } from '../../reviews/lifecycle';
import { assertNoRealNames, RealNameInEmailError } from '../../reminders/mail/reminder-email';
import { DECISION_OUTCOME_LABELS, FAMILY_ENGAGEMENT_KIND_LABELS, HOLD_REASON_LABELS, IMR_KIND_LABELS, QA_OUTCOME_LABELS, STAGE_LABELS } from '../../web/labels';
import { FULL_VISIBILITY, reviewAsAt, type ReviewRecord } from '../committee-report';
import { TEXTS_APART, textsOf } from '../report-scope';
import { actionPlanText, coverSections, packFileNames, packZip, type PackModel } from './home-office-pack-files';
import { RECOMMENDATION_SCOPE_LABELS } from './labels';

export interface BuiltPack {
  model: PackModel;
  fileName: string;
  content: Buffer;
  /** Lower-case hex SHA-256 of `content`. */
  sha256: string;
}

type Db = EntityManager | DataSource;

/**
 * The Home Office submission pack of one review: the cover sheet, the latest overview report and
 * executive summary as uploaded, and the action plan (XLSX and DOCX), in one zip. Built from the
 * case file as it is now (within the caller's transaction when given one, as at submission).
 * Never a real name: everything written (the cover sheet, the action plan) is checked against
 * the real names of everyone in the review, as the emails are (409 naming the review, never the
 * name). 409 too when there is no overview report yet.
 */
@Injectable()
export class HomeOfficePackService {
  private readonly rules: ClockRules = { periods: loadStatutoryPeriods(), calendar: loadWorkingDayCalendar() };

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly store: DocumentContentStore,
  ) {}

  async build(reviewId: string, db: Db = this.dataSource.manager): Promise<BuiltPack> {
    const { model, realNames, documents } = await this.load(reviewId, db);
    // Each string as it is written, not their JSON (where a line break between two names is `\n`).
    const written = textsOf([coverSections(model), actionPlanText(model.actionPlan)]).join(TEXTS_APART);
    try {
      assertNoRealNames(written, realNames);
    } catch (error) {
      if (!(error instanceof RealNameInEmailError)) throw error;
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `${model.reference}: the pack would show a real name of a person in this review (in a recommendation, an action, an agency's name or the reference); correct the record first`,
      });
    }
    const content = await packZip(model, documents);
    return { model, fileName: packFileNames(model).zip, content, sha256: createHash('sha256').update(content).digest('hex') };
  }

  private async load(reviewId: string, db: Db) {
    if (!isUuid(reviewId)) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No review with this id' });
    const [review]: Array<{
      id: string;
      reference: string;
      notified_on: string;
      guidance_version: string;
      snapshot: unknown;
      machine_version: number;
      csp_code: string;
      csp_name: string;
      board_name: string;
    }> = await db.query(
      `SELECT r.id, r.reference, to_char(r.notified_on, 'YYYY-MM-DD') AS notified_on, r.guidance_version, r.snapshot, r.machine_version,
              c.code AS csp_code, c.name AS csp_name, c.board_name
         FROM reviews r JOIN csps c ON c.id = r.csp_id WHERE r.id = $1`,
      [reviewId],
    );
    if (!review) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No review with this id' });

    const latest = await this.latestReports(reviewId, db);
    if (!latest.some((d) => d.kind === 'overview_report')) {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `${review.reference} has no overview report yet: upload it (a document of kind overview_report) before the Home Office pack can be made`,
      });
    }

    // Inside a transaction (the submission's gate), on its one connection, the reads go in turn:
    // pg only queues queries sent together on one client, and pg 9 refuses them. After a failure
    // the rest are not sent. On the pool they go together.
    const oneConnection = 'queryRunner' in db && db.queryRunner !== undefined;
    let turn: Promise<unknown> = Promise.resolve();
    const q = <T>(sql: string): Promise<T[]> => {
      if (!oneConnection) return db.query(sql, [reviewId]);
      const read = turn.then(() => db.query(sql, [reviewId]) as Promise<T[]>);
      turn = read;
      return read;
    };
    const [people, chairs, meetings, imrs, extensions, trials, panel, scoping, family, plan, qaChanges] = await Promise.all([
      q<{ role: string; pseudonym: string; real_name: string }>(`SELECT role, pseudonym, real_name FROM people WHERE review_id = $1 ORDER BY created_at`),
      q<{ organisation: string; on: string; declared: Date | null; ended: string | null }>(
        `SELECT organisation, to_char(appointed_on, 'YYYY-MM-DD') AS on, independence_declared_at AS declared, to_char(ended_on, 'YYYY-MM-DD') AS ended
           FROM appointments WHERE review_id = $1 AND role = 'chair' ORDER BY appointed_on`,
      ),
      q<{ id: string; starts_at: Date; status: 'scheduled' | 'held' | 'cancelled'; created_at: Date; papers: string | null }>(
        `SELECT id, starts_at, status, created_at, to_char(papers_circulated_on, 'YYYY-MM-DD') AS papers FROM panel_meetings WHERE review_id = $1 ORDER BY starts_at`,
      ),
      q<{ id: string; agency_id: string; agency: string; kind: string; requested: string; due: string; received: string | null; waived: boolean; waived_reason: string | null }>(
        `SELECT i.id, i.agency_id, a.name AS agency, i.kind, to_char(i.requested_on, 'YYYY-MM-DD') AS requested, to_char(i.due_on, 'YYYY-MM-DD') AS due,
                to_char(i.received_on, 'YYYY-MM-DD') AS received, (i.waived_reason IS NOT NULL AND btrim(i.waived_reason) <> '') AS waived, i.waived_reason
           FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = $1 ORDER BY i.requested_on, a.name`,
      ),
      q<{ imr_id: string; granted: string; previous: string }>(
        `SELECT imr_id, to_char(granted_on, 'YYYY-MM-DD') AS granted, to_char(previous_due_on, 'YYYY-MM-DD') AS previous FROM imr_extensions WHERE review_id = $1 ORDER BY granted_on, created_at`,
      ),
      q<{ on: string }>(
        `SELECT to_char(status_changed_on, 'YYYY-MM-DD') AS on FROM proceedings WHERE review_id = $1 AND type = 'criminal' AND status = 'concluded' AND status_changed_on IS NOT NULL`,
      ),
      q<{ agency_id: string; agency: string; role: string; joined: string; left: string | null; declared: Date | null }>(
        `SELECT pm.agency_id, a.name AS agency, pm.role, to_char(pm.joined_on, 'YYYY-MM-DD') AS joined, to_char(pm.left_on, 'YYYY-MM-DD') AS left,
                pm.no_direct_case_management_declared_at AS declared
           FROM panel_members pm JOIN agencies a ON a.id = pm.agency_id WHERE pm.review_id = $1 ORDER BY pm.joined_on, a.name`,
      ),
      q<{ agency_id: string; agency: string; had_contact: boolean; responded: string }>(
        `SELECT s.agency_id, a.name AS agency, s.had_contact, to_char(s.responded_on, 'YYYY-MM-DD') AS responded
           FROM scoping_responses s JOIN agencies a ON a.id = s.agency_id WHERE s.review_id = $1 ORDER BY a.name`,
      ),
      q<{ kind: keyof typeof FAMILY_ENGAGEMENT_KIND_LABELS; on: string }>(
        `SELECT kind, to_char(occurred_on, 'YYYY-MM-DD') AS on FROM family_engagements WHERE review_id = $1 ORDER BY occurred_on, created_at`,
      ),
      q<{
        number: number;
        text: string;
        scope: keyof typeof RECOMMENDATION_SCOPE_LABELS;
        description: string | null;
        owner: string | null;
        milestones: string | null;
        target: string | null;
        completed: string | null;
        evidence: string | null;
      }>(
        `SELECT r.number, r.text, r.scope, a.description, a.owner, a.milestones, to_char(a.target_date, 'YYYY-MM-DD') AS target,
                to_char(a.completed_on, 'YYYY-MM-DD') AS completed, a.evidence
           FROM recommendations r LEFT JOIN actions a ON a.recommendation_id = r.id AND a.review_id = r.review_id
          WHERE r.review_id = $1 AND r.status <> 'withdrawn'
          ORDER BY r.number, a.created_at, a.id`,
      ),
      q<{ round: number; number: number; text: string; done: string | null; note: string | null }>(
        `SELECT round, number, text, to_char(done_on, 'YYYY-MM-DD') AS done, done_note AS note FROM qa_changes WHERE review_id = $1 ORDER BY round, number`,
      ),
    ]);

    const context: ReviewContext = migrateSnapshot(review.snapshot, review.machine_version).context;
    const preparedOn = londonDateOf(this.clock.now());
    const pseudonym = people.find((p) => p.role === 'victim')?.pseudonym ?? null;
    const record: ReviewRecord = {
      id: review.id,
      reference: review.reference,
      csp: { code: review.csp_code, name: review.csp_name, boardName: review.board_name },
      notifiedOn: review.notified_on,
      guidanceVersion: review.guidance_version,
      context,
      pseudonym,
      chairAppointedOn: chairs.map((c) => c.on),
      meetings: meetings.map((m) => ({ id: m.id, startsAt: new Date(m.starts_at).toISOString(), status: m.status, createdAt: new Date(m.created_at).toISOString(), papersCirculatedOn: m.papers })),
      imrs: imrs.map((i) => ({
        id: i.id,
        agencyName: i.agency,
        kind: i.kind,
        requestedOn: i.requested,
        dueOn: i.due,
        receivedOn: i.received,
        waived: i.waived,
        extensions: extensions.filter((e) => e.imr_id === i.id).map((e) => ({ grantedOn: e.granted, previousDueOn: e.previous })),
      })),
      criminalConcludedOn: trials.map((t) => t.on),
      actions: [],
    };
    // Today's picture, through the committee report's rebuilding (its key dates and holds).
    const now = reviewAsAt(record, preparedOn, FULL_VISIBILITY, this.rules);
    const day = (value: Date | null) => (value ? londonDateOf(new Date(value)) : null);

    const onPanel = new Set(panel.filter((p) => p.left === null).map((p) => p.agency_id));
    const withImr = new Set(imrs.filter((i) => !i.waived).map((i) => i.agency_id));
    const agenciesLeftOut: PackModel['agenciesLeftOut'] = [];
    for (const s of scoping) {
      if (!s.had_contact) agenciesLeftOut.push({ agency: s.agency, reason: `No contact with the people in the review (scoping answer of ${dateInWords(s.responded)})` });
      else if (!onPanel.has(s.agency_id) && !withImr.has(s.agency_id)) agenciesLeftOut.push({ agency: s.agency, reason: 'Had contact; neither on the panel nor asked for an IMR' });
    }
    for (const i of imrs.filter((i) => i.waived)) agenciesLeftOut.push({ agency: i.agency, reason: `IMR waived: ${i.waived_reason}` });

    const model: PackModel = {
      reference: review.reference,
      csp: { code: review.csp_code, name: review.csp_name },
      pseudonym,
      guidanceVersion: review.guidance_version,
      preparedOn,
      keyDates: now?.keyDates ?? [],
      holds: now?.holds ?? [],
      chronology: processChronology(context),
      chair: chairs.map((c) => ({ organisation: c.organisation, appointedOn: c.on, independenceDeclaredOn: day(c.declared), endedOn: c.ended })),
      panel: panel.map((p) => ({ agency: p.agency, role: p.role, joinedOn: p.joined, leftOn: p.left, declaredOn: day(p.declared) })),
      agenciesLeftOut,
      imrs: imrs.map((i) => ({
        agency: i.agency,
        kind: IMR_KIND_LABELS[i.kind as keyof typeof IMR_KIND_LABELS] ?? i.kind,
        requestedOn: i.requested,
        dueOn: i.due,
        receivedOn: i.received,
        waived: i.waived,
      })),
      family: family.map((f) => ({ date: f.on, text: FAMILY_ENGAGEMENT_KIND_LABELS[f.kind] ?? f.kind })),
      actionPlan: plan.map((p) => ({
        recommendationNumber: p.number,
        recommendation: p.text,
        scope: RECOMMENDATION_SCOPE_LABELS[p.scope] ?? p.scope,
        action: p.description ?? 'No action recorded yet',
        leadAgency: p.owner ?? '',
        milestones: p.milestones ?? '',
        targetDate: p.target,
        completedOn: p.completed,
        outcome: p.evidence ?? '',
      })),
      qaChanges: qaChanges.map((c) => ({ round: c.round, number: c.number, text: c.text, doneOn: c.done, note: c.note })),
      documents: [],
    };
    const documents: Array<{ fileName: string; content: Buffer }> = [];
    for (const d of latest) {
      const fileName = `${review.reference}-${d.kind === 'overview_report' ? 'overview-report' : 'executive-summary'}${extname(d.filename).toLowerCase().slice(0, 10)}`;
      model.documents.push({ kind: d.kind, title: d.title, versionNo: d.versionNo, uploadedOn: londonDateOf(d.uploadedAt), fileName });
      documents.push({ fileName, content: await this.store.read(d) });
    }
    return { model, realNames: people.map((p) => p.real_name), documents };
  }

  /** The latest version of each kind (overview report, executive summary), by upload. */
  private async latestReports(reviewId: string, db: Db) {
    const rows: Array<{ id: string }> = await db.query(
      `SELECT DISTINCT ON (d.kind) v.id
         FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.review_id = d.review_id
        WHERE d.review_id = $1 AND d.kind IN ('overview_report', 'executive_summary')
        ORDER BY d.kind, v.uploaded_at DESC, v.version_no DESC`,
      [reviewId],
    );
    if (rows.length === 0) return [];
    const manager = db instanceof DataSource ? db.manager : db;
    const versions = await manager
      .createQueryBuilder(DocumentVersion, 'v')
      .addSelect('v.content')
      .innerJoinAndSelect('v.document', 'd')
      .where('v.id IN (:...ids)', { ids: rows.map((r) => r.id) })
      .getMany();
    return versions
      .map((v) => ({
        kind: v.document!.kind as 'overview_report' | 'executive_summary',
        title: v.document!.title,
        versionNo: v.versionNo,
        filename: v.filename,
        uploadedAt: v.uploadedAt,
        storage: v.storage,
        content: v.content ?? null,
        storagePath: v.storagePath,
      }))
      .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'overview_report' ? -1 : 1));
  }
}

/**
 * The review's process, dated, from the lifecycle's own record: each stage entered, the
 * decision and the Home Office told of it, holds and their ends, the board's returns and each
 * Home Office round with its letter. Labels and dates only: no free text.
 */
export function processChronology(context: ReviewContext): Array<{ date: string; text: string }> {
  const entries: Array<{ date: string; at: string; text: string }> = [];
  const add = (at: string | null | undefined, text: string) => {
    if (at) entries.push({ date: dayOf(at), at, text });
  };
  for (const s of context.stageHistory) add(s.enteredAt, s.stage === 'notified' ? 'Notified by the police' : `Stage: ${STAGE_LABELS[s.stage] ?? s.stage}`);
  if (context.decision) add(context.decision.decidedAt, `Decision: ${DECISION_OUTCOME_LABELS[context.decision.outcome] ?? context.decision.outcome}`);
  if (context.homeOfficeNotification) add(context.homeOfficeNotification.sentAt, 'Home Office told of the decision');
  if (context.termsOfReference) add(context.termsOfReference.agreedAt, 'Terms of reference agreed');
  for (const h of context.holds) {
    add(h.startedAt, `Placed on hold: ${HOLD_REASON_LABELS[h.reason] ?? h.reason}`);
    if (h.endedAt) add(h.endedAt, h.endedBy === 'withdrawal' ? 'Hold ended by withdrawal' : 'Resumed');
  }
  for (const r of context.ragReturns) add(r.returnedAt, 'Report returned by the board');
  if (context.ragApproval) add(context.ragApproval.approvedAt, 'Report approved by the board');
  for (const q of context.qaRounds) {
    add(q.submittedAt, q.round === 1 ? 'Submitted to the Home Office' : `Resubmitted to the Home Office (round ${q.round})`);
    if (q.letterDate && q.outcome) add(q.letterDate, `Home Office letter: ${QA_OUTCOME_LABELS[q.outcome] ?? q.outcome}`);
  }
  if (context.publication) add(context.publication.publishedAt, 'Published');
  return entries.sort((a, b) => (a.date === b.date ? (a.at < b.at ? -1 : a.at > b.at ? 1 : 0) : a.date < b.date ? -1 : 1)).map(({ date, text }) => ({ date, text }));
}
