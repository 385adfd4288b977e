import { ForbiddenException, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { z } from 'zod';
import type { AccessContext } from '../access/access.service';
import { Csp } from '../csps/csp.entity';
import { DeadlineClocks } from '../deadlines/deadline-clocks.service';
import { Clock } from '../infrastructure/clock/clock';
import { RequestValidationError, StaleVersionError, StateConflictError } from '../infrastructure/http/errors';
import { calendarDate, parseInput, text, uuid } from '../infrastructure/http/validation';
import { assertChronology } from './chronology';
import { caseFileFacts, reviewDatedFacts } from './chronology.query';
import {
  applyEvent,
  effectiveInstant,
  initialSnapshot,
  isReviewEventType,
  migrateSnapshot,
  parseReviewEvent,
  REVIEW_MACHINE_VERSION,
  statusOf,
  whenOf,
  withEnvelope,
  type PersistedReview,
  type ReviewEventPayload,
  type ReviewFacts,
} from './lifecycle';
import { historyOrigin, ReviewEventRecord } from './review-event.entity';
import { lockReview } from './review-history';
import { Review } from './review.entity';
import { withoutServerRecordedFields } from './submission-gate';

/** The notification's details a correction may change. */
export const NOTIFICATION_FIELDS = ['dateOfDeath', 'notifiedOn', 'policeForce', 'policeReference', 'circumstances'] as const;
type NotificationField = (typeof NOTIFICATION_FIELDS)[number];

export function correctionSchema(today: () => string) {
  return z
    .object({
      reason: text(5000),
      notification: z
        .object({
          dateOfDeath: calendarDate().refine((v) => v <= today(), 'must not be in the future').optional(),
          notifiedOn: calendarDate().refine((v) => v <= today(), 'must not be in the future').optional(),
          policeForce: text(200).optional(),
          policeReference: text(100).optional(),
          circumstances: text(20000).optional(),
        })
        .strict()
        .optional(),
      event: z
        .object({
          /** The history entry (its `sequence`) of the lifecycle event to correct. */
          sequence: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more'),
          /** The event's fields as they should have been (its date, a decision's rationale...). */
          changes: z.record(z.unknown()).refine((c) => Object.keys(c).length > 0, 'must name at least one field'),
        })
        .strict()
        .optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if ((v.notification === undefined) === (v.event === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['body'], message: 'must correct either the notification or one event' });
      }
    });
}
export type CorrectionInput = z.output<ReturnType<typeof correctionSchema>>;

export const transferSchema = z.object({ toCspId: uuid('CSP id'), reason: text(5000) }).strict();
export type TransferInput = z.output<typeof transferSchema>;

/**
 * When the lifecycle is replayed after a correction, the case file as it stood at each event is
 * not known; what the case file required was checked when the event was first accepted. Replay
 * asks only the lifecycle's own order (a resume needs a hold...) and the chronology the dates.
 */
const REPLAY_FACTS: ReviewFacts = Object.freeze({
  chairAppointed: true,
  panelMemberCount: 1,
  imrsCommissioned: 1,
  imrsOutstanding: 0,
  meetingsConsideringImrs: 1,
  draftOverviewReport: true,
  draftExecutiveSummary: true,
  overviewReportRevisedSinceReturn: true,
  recommendationsCount: 1,
  noRecommendationsReason: false,
  familyOfferedDraft: true,
  activeCriminalProceedings: false,
  anonymisationConfirmed: true,
  familyToldOfPublication: true,
  actionsTotal: 0,
  actionsIncomplete: 0,
});

interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** What a CORRECTION history entry holds. */
export interface CorrectionPayload extends Record<string, unknown> {
  reason: string;
  target: 'notification' | { sequence: number; type: string };
  changes: FieldChange[];
}

/**
 * Corrections and transfers: a recorded fact put right on the record, never rewritten in place.
 * The history is append-only; a correction is an entry of its own (what it was, what it is now,
 * why, who, when), and the lifecycle is replayed from the history with every correction laid
 * over the entry it corrects, so stages, holds and clocks follow. The chronology must still hold.
 */
@Injectable()
export class ReviewCorrections {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly clocks: DeadlineClocks,
  ) {}

  async correct(reviewId: string, input: CorrectionInput, actor: string, expectedVersion?: number): Promise<{ sequence: number; changes: FieldChange[] }> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const review = await lockReview(manager, reviewId);
      if (expectedVersion !== undefined && expectedVersion !== review.version) throw new StaleVersionError(expectedVersion, review.version);
      const rows = await manager.find(ReviewEventRecord, { where: { reviewId }, order: { sequence: 'ASC' } });
      const corrections = new Map<number, Record<string, unknown>>();
      for (const row of rows) {
        if (row.type !== 'CORRECTION') continue;
        const p = row.payload as CorrectionPayload;
        if (p.target === 'notification') continue;
        const laid = corrections.get(p.target.sequence) ?? {};
        for (const c of p.changes) laid[c.field] = c.to;
        corrections.set(p.target.sequence, laid);
      }

      let target: CorrectionPayload['target'];
      let changes: FieldChange[];
      const corrected: Partial<Record<NotificationField, string>> = {};
      if (input.notification) {
        target = 'notification';
        changes = NOTIFICATION_FIELDS.filter((f) => input.notification![f] !== undefined && input.notification![f] !== review[f]).map((f) => {
          corrected[f] = input.notification![f];
          return { field: f, from: review[f], to: input.notification![f] };
        });
      } else {
        const { sequence, changes: wanted } = input.event!;
        const row = rows.find((r) => r.sequence === sequence);
        if (!row) throw new RequestValidationError([{ field: 'event.sequence', message: 'no entry of this review has this sequence' }]);
        if (!isReviewEventType(row.type)) {
          throw new RequestValidationError([
            { field: 'event.sequence', message: `is a ${row.type} entry, not a lifecycle event: correct the case-file record itself` },
          ]);
        }
        if ('type' in wanted) throw new RequestValidationError([{ field: 'event.changes.type', message: 'an event cannot change its type' }]);
        const current = { type: row.type, ...withoutServerRecordedFields(row.payload), ...(corrections.get(sequence) ?? {}) };
        const parsed = parseReviewEvent({ ...current, ...wanted }, now);
        if (!parsed.ok) throw new RequestValidationError(parsed.errors.map((e) => ({ field: `event.changes.${e.field}`, message: e.message })));
        const next = parsed.event as unknown as Record<string, unknown>;
        target = { sequence, type: row.type };
        changes = Object.keys(wanted)
          .filter((f) => JSON.stringify(next[f]) !== JSON.stringify((current as Record<string, unknown>)[f]))
          .map((f) => ({ field: f, from: (current as Record<string, unknown>)[f] ?? null, to: next[f] ?? null }));
        const laid = corrections.get(sequence) ?? {};
        for (const c of changes) laid[c.field] = c.to;
        corrections.set(sequence, laid);
      }
      if (changes.length === 0) throw new RequestValidationError([{ field: input.notification ? 'notification' : 'event.changes', message: 'changes nothing: every value is already as given' }]);

      const before = migrateSnapshot(review.snapshot, review.machineVersion);
      const correctedReview = Object.assign(new Review(), review, corrected);
      const replayed = this.replay(correctedReview, rows, corrections);
      const caseFile = await caseFileFacts(manager, reviewId);
      await assertChronology(reviewDatedFacts(correctedReview, replayed.context, caseFile), () => reviewDatedFacts(review, before.context, caseFile));

      const sequence = review.version + 1;
      const status = statusOf(replayed);
      const onHold = typeof replayed.value !== 'string' && replayed.value.open.hold === 'onHold';
      await manager.update(Review, { id: reviewId }, { ...corrected, snapshot: replayed, machineVersion: REVIEW_MACHINE_VERSION, status, onHold, version: sequence });
      const payload: CorrectionPayload = { reason: input.reason, target, changes };
      await manager.save(
        manager.create(ReviewEventRecord, {
          reviewId,
          sequence,
          type: 'CORRECTION',
          payload,
          actor,
          occurredAt: now,
          recordedAt: now,
          origin: 'correction',
          fromStatus: review.status,
          toStatus: status,
          fromOnHold: review.onHold,
          toOnHold: onHold,
        }),
      );
      const after = Object.assign(new Review(), correctedReview, { snapshot: replayed, status, onHold, version: sequence, updatedAt: now });
      // Clocks and reminders re-plan from the corrected dates (a due date now past sends at
      // most one overdue notice: config/reminder-policy.json overdueOnArrival).
      await this.clocks.sync(manager, after, now);
      return { sequence, changes };
    });
  }

  /** The lifecycle rebuilt from the history, each event with the corrections laid over it. */
  private replay(review: Review, rows: readonly ReviewEventRecord[], corrections: Map<number, Record<string, unknown>>): PersistedReview {
    const opened = rows.find((r) => r.type === 'NOTIFICATION_RECORDED');
    let persisted = initialSnapshot(effectiveInstant(review.notifiedOn, opened?.recordedAt ?? review.createdAt));
    for (const row of rows) {
      if (!isReviewEventType(row.type)) continue;
      const payload = { type: row.type, ...row.payload, ...(corrections.get(row.sequence) ?? {}) } as unknown as ReviewEventPayload;
      const when = whenOf(payload);
      const at = when === undefined ? row.occurredAt.toISOString() : effectiveInstant(when, row.recordedAt);
      const result = applyEvent(persisted, withEnvelope(payload, { at, recordedAt: row.recordedAt.toISOString(), facts: REPLAY_FACTS }));
      if (!result.ok) {
        throw new StateConflictError(`With this correction, ${row.type} (entry ${row.sequence}) could not have happened`, result.reasons);
      }
      persisted = result.persisted;
    }
    return persisted;
  }

  /**
   * Moves a review to another CSP. The caller must lead both partnerships (a review is not
   * handed to a partnership without one of its own leads taking it); review-scoped members
   * (chair, panel, IMR authors) stay, CSP-scoped access moves with it.
   */
  async transfer(reviewId: string, input: TransferInput, actor: string, access?: AccessContext, expectedVersion?: number) {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const review = await lockReview(manager, reviewId);
      if (expectedVersion !== undefined && expectedVersion !== review.version) throw new StaleVersionError(expectedVersion, review.version);
      const [from, to] = await this.csps(manager, review.cspId, input.toCspId);
      if (!to) throw new RequestValidationError([{ field: 'toCspId', message: 'no CSP has this id' }]);
      if (to.id === review.cspId) throw new RequestValidationError([{ field: 'toCspId', message: 'is the CSP the review already belongs to' }]);
      if (access && !access.trusted && !access.holder?.cspRoles.some((r) => r.role === 'csp_lead' && r.cspId === to.id)) {
        throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: `toCspId: only a CSP lead of ${to.name} as well may transfer a review to it` });
      }
      const sequence = review.version + 1;
      await manager.update(Review, { id: reviewId }, { cspId: to.id, version: sequence });
      await manager.save(
        manager.create(ReviewEventRecord, {
          reviewId,
          sequence,
          type: 'REVIEW_TRANSFERRED',
          payload: { reason: input.reason, from: { cspId: from?.id ?? review.cspId, code: from?.code ?? null, name: from?.name ?? null }, to: { cspId: to.id, code: to.code, name: to.name } },
          actor,
          occurredAt: now,
          recordedAt: now,
          origin: historyOrigin(),
          fromStatus: review.status,
          toStatus: review.status,
          fromOnHold: review.onHold,
          toOnHold: review.onHold,
        }),
      );
      // The clocks' people follow the CSP (its lead is told of the review's deadlines).
      await this.clocks.sync(manager, Object.assign(new Review(), review, { cspId: to.id, version: sequence, updatedAt: now }), now);
      return { sequence, from: from ? { id: from.id, code: from.code } : null, to: { id: to.id, code: to.code } };
    });
  }

  private async csps(manager: EntityManager, fromId: string, toId: string): Promise<[Csp | undefined, Csp | undefined]> {
    const found = await manager.find(Csp, { where: { id: In([fromId, toId]) } });
    return [found.find((c) => c.id === fromId), found.find((c) => c.id === toId)];
  }
}

export const parseCorrection = (body: unknown, today: () => string) => parseInput(correctionSchema(today), body);
