import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AccessContext } from '../../access/access.service';
import type { Action } from '../../access/actions';
import { permission, SIGN_OFF_STAGES } from '../../access/policy';
import { londonDateOf } from '../../deadlines/rules';
import { Clock } from '../../infrastructure/clock/clock';
import { parseInput } from '../../infrastructure/http/validation';
import { isStage, migrateSnapshot } from '../../reviews/lifecycle';
import { STAGE_LABELS } from '../../web/labels';
import { REPORT_FORMATS } from '../committee-report.service';
import { refuseRealNames } from '../report-scope';
import { boardPaperOf, FULL_PAPER_VISIBILITY, GUARDED_PARTS, type BoardPaper, type BoardPaperRecord, type GuardedPart, type PaperVisibility } from './board-paper';

/** `format`: json (default), docx or pdf; nothing else. */
export const boardPaperQuerySchema = z.object({ format: z.enum(REPORT_FORMATS, { message: 'must be json, docx or pdf' }).optional() }).strict();

/** The read action of the policy that guards each part of the paper (the chronology and holds are the review's own: review.read). */
const PART_ACTIONS: Record<GuardedPart, Action> = {
  pseudonym: 'people.read',
  appointments: 'appointments.read',
  panel: 'panel.read',
  meetings: 'meetings.read',
  imrs: 'imrs.read',
  family: 'family.read',
  recommendations: 'recommendations.read',
  actions: 'actions.read',
};

const day = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * The board paper of one review (`boardPaper.read`: the CSP lead, the chair, a RAG member of the
 * review's CSP at sign-off). Offered from RAG sign-off on (409 before). Each part is read only
 * when the policy lets the caller read it, else "Not shown". Never a real name: the paper is
 * checked against the real names of everyone in the review, as the committee report is.
 */
@Injectable()
export class BoardPaperService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  parse(query: unknown) {
    return parseInput(boardPaperQuerySchema, query);
  }

  async build(reviewId: string, access: AccessContext): Promise<BoardPaper> {
    const rows: Array<{
      id: string;
      reference: string;
      notified_on: string;
      status: string;
      snapshot: unknown;
      machine_version: number;
      code: string;
      name: string;
      board_name: string;
    }> = await this.dataSource.query(
      `SELECT r.id, r.reference, ${day('r.notified_on')} AS notified_on, r.status, r.snapshot, r.machine_version, c.code, c.name, c.board_name
         FROM reviews r JOIN csps c ON c.id = r.csp_id WHERE r.id = $1`,
      [reviewId],
    );
    const row = rows[0];
    if (!row || !isStage(row.status)) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No review with this id' });
    const stage = row.status;
    if (!SIGN_OFF_STAGES.includes(stage)) {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `The board paper is offered once the report is with the ${row.board_name} for sign-off, or later; this review is at the stage ${STAGE_LABELS[stage]}`,
      });
    }
    const visible = this.visibility(access);
    const q = <T>(on: boolean, sql: string): Promise<T[] | undefined> => (on ? this.dataSource.query(sql, [reviewId]) : Promise.resolve(undefined));
    const [people, appointments, panel, meetings, imrs, family, recommendations, actions] = await Promise.all([
      // Every real name of the review is read for the check, whatever the caller may see.
      this.dataSource.query(`SELECT role, pseudonym, real_name FROM people WHERE review_id = $1 ORDER BY created_at`, [reviewId]) as Promise<
        Array<{ role: string; pseudonym: string; real_name: string }>
      >,
      q<{ role: 'chair' | 'report_writer'; organisation: string; appointed_on: string; ended_on: string | null; declared: Date | null }>(
        visible.appointments,
        `SELECT role, organisation, ${day('appointed_on')} AS appointed_on, ${day('ended_on')} AS ended_on, independence_declared_at AS declared
           FROM appointments WHERE review_id = $1 ORDER BY appointed_on, created_at`,
      ),
      q<{ agency: string; role: string; joined_on: string; left_on: string | null; declared: Date | null }>(
        visible.panel,
        `SELECT a.name AS agency, p.role, ${day('p.joined_on')} AS joined_on, ${day('p.left_on')} AS left_on, p.no_direct_case_management_declared_at AS declared
           FROM panel_members p JOIN agencies a ON a.id = p.agency_id WHERE p.review_id = $1 ORDER BY p.joined_on, a.name, p.created_at`,
      ),
      q<{ starts_at: Date; status: 'scheduled' | 'held' | 'cancelled' }>(visible.meetings, `SELECT starts_at, status FROM panel_meetings WHERE review_id = $1 ORDER BY starts_at`),
      q<{ agency: string; kind: 'imr' | 'short_report'; requested_on: string; due_on: string; received_on: string | null; waived_reason: string | null; waived_at: Date | null; extensions: number }>(
        visible.imrs,
        `SELECT a.name AS agency, i.kind, ${day('i.requested_on')} AS requested_on, ${day('i.due_on')} AS due_on, ${day('i.received_on')} AS received_on,
                NULLIF(btrim(i.waived_reason), '') AS waived_reason,
                (SELECT e.occurred_at FROM review_events e WHERE e.review_id = i.review_id AND e.type = 'IMR_WAIVED' AND e.payload->>'imrId' = i.id::text
                  ORDER BY e.sequence DESC LIMIT 1) AS waived_at,
                (SELECT count(*)::int FROM imr_extensions x WHERE x.review_id = i.review_id AND x.imr_id = i.id) AS extensions
           FROM imrs i JOIN agencies a ON a.id = i.agency_id WHERE i.review_id = $1 ORDER BY i.requested_on, i.created_at, a.name`,
      ),
      q<{ kind: string; occurred_on: string; advocate_organisation: string | null; consent_given: boolean | null; preferred_contribution: string | null }>(
        visible.family,
        `SELECT kind, ${day('occurred_on')} AS occurred_on, advocate_organisation, consent_given, preferred_contribution
           FROM family_engagements WHERE review_id = $1 ORDER BY occurred_on, created_at`,
      ),
      q<{ number: number; text: string; level: string; addressee: string; status: 'draft' | 'agreed' | 'withdrawn' }>(
        visible.recommendations,
        `SELECT number, text, level, addressee, status FROM recommendations WHERE review_id = $1 ORDER BY number`,
      ),
      q<{ number: number; description: string; owner: string; target_date: string | null; status: string; completed_on: string | null }>(
        visible.actions,
        `SELECT r.number, a.description, a.owner, ${day('a.target_date')} AS target_date, a.status, ${day('a.completed_on')} AS completed_on
           FROM actions a JOIN recommendations r ON r.id = a.recommendation_id WHERE a.review_id = $1 ORDER BY r.number, a.created_at`,
      ),
    ]);

    const record: BoardPaperRecord = {
      id: row.id,
      reference: row.reference,
      csp: { code: row.code, name: row.name, boardName: row.board_name },
      notifiedOn: row.notified_on,
      stage,
      context: migrateSnapshot(row.snapshot, row.machine_version).context,
      pseudonym: visible.pseudonym ? (people.find((p) => p.role === 'victim')?.pseudonym ?? null) : undefined,
      appointments: appointments?.map((a) => ({ role: a.role, organisation: a.organisation, appointedOn: a.appointed_on, endedOn: a.ended_on, independenceDeclaredAt: iso(a.declared) })),
      panel: panel?.map((p) => ({ agencyName: p.agency, role: p.role, joinedOn: p.joined_on, leftOn: p.left_on, declaredAt: iso(p.declared) })),
      meetings: meetings?.map((m) => ({ startsAt: new Date(m.starts_at).toISOString(), status: m.status })),
      imrs: imrs?.map((i) => ({
        agencyName: i.agency,
        kind: i.kind,
        requestedOn: i.requested_on,
        dueOn: i.due_on,
        receivedOn: i.received_on,
        waivedReason: i.waived_reason,
        waivedAt: iso(i.waived_at),
        extensions: i.extensions,
      })),
      family: family?.map((f) => ({
        kind: f.kind as NonNullable<BoardPaperRecord['family']>[number]['kind'],
        occurredOn: f.occurred_on,
        advocateOrganisation: f.advocate_organisation as NonNullable<BoardPaperRecord['family']>[number]['advocateOrganisation'],
        consentGiven: f.consent_given,
        preferredContribution: f.preferred_contribution as NonNullable<BoardPaperRecord['family']>[number]['preferredContribution'],
      })),
      recommendations,
      actions: actions?.map((a) => ({ recommendationNumber: a.number, description: a.description, owner: a.owner, targetDate: a.target_date, status: a.status, completedOn: a.completed_on })),
    };
    const paper = boardPaperOf(record, visible, londonDateOf(this.clock.now()));
    refuseRealNames(
      paper,
      people.map((p) => p.real_name),
      `${row.reference}: the board paper would show a real name of a person in this review (in an agency's name or the text of a record); correct the record first`,
    );
    return paper;
  }

  /** What of the review the caller may read, part by part (a trusted caller: all of it). A grant narrowed to some records (an agency's) does not show the part. */
  private visibility(access: AccessContext): PaperVisibility {
    if (access.trusted) return FULL_PAPER_VISIBILITY;
    const { holder, review } = access;
    const may = (action: Action) => {
      if (!holder || !review) return false;
      const decided = permission(action, holder, review);
      return decided.allowed && decided.restriction === null;
    };
    return Object.fromEntries(GUARDED_PARTS.map((part) => [part, may(PART_ACTIONS[part])])) as PaperVisibility;
  }
}
