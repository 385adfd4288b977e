import { boardReturnedAtOf } from '../access/policy';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { restrictToVisibleReviews } from '../access/access.service';
import { assertMayApply } from '../access/access.guard';
import type { AccessContext } from '../access/access.service';
import { hiddenFacts, SATISFIED_FACTS, visibleClocks, visibleHistory, visibleSummary } from '../access/history-visibility';
import { Imr } from '../casefile/entities';
import { DataSource, EntityManager } from 'typeorm';
import { computeReviewFacts, FACTS_COLUMNS, factsOf, type FactsRow } from '../casefile/review-facts.query';
import { Csp } from '../csps/csp.entity';
import { DeadlineClocks, type GatheredRow } from '../deadlines/deadline-clocks.service';
import { Deadline } from '../deadlines/deadline.entity';
import { Clock } from '../infrastructure/clock/clock';
import { entityFromJson, entityFromRow, insertRow, jsonObjectOf, selectListOf } from '../infrastructure/database/entity-rows';
import { isUuid } from '../infrastructure/http/validation';
import { RequestValidationError, StaleVersionError, StateConflictError } from '../infrastructure/http/errors';
import {
  applyEvent,
  describe,
  effectiveInstant,
  heldDurations,
  InvalidSnapshotError,
  initialSnapshot,
  migrateSnapshot,
  parseReviewEvent,
  PersistedReview,
  REVIEW_MACHINE_VERSION,
  type Stage,
  ReviewFacts,
  SnapshotVersionError,
  statusOf,
  whenOf,
  withEnvelope,
} from './lifecycle';
import { assertChronology } from './chronology';
import { reviewDatedFacts, reviewFactsAndDates } from './chronology.query';
import { historyOrigin, ReviewEventRecord } from './review-event.entity';
import { SUBMISSION_GATE, type SubmissionGate } from './submission-gate';
import { findReview, lockReview, reviewNotFound } from './review-history';
import { Review } from './review.entity';
import type { ListReviewsQuery, OpenReviewInput } from './reviews.schemas';
import { containing, searchReviews } from './review-search';

/** `facts` is partial in a view narrowed to a caller who may not read every record (history-visibility.ts). */
export type ReviewView = Omit<ReturnType<ReviewLifecycleService['toView']>, 'facts'> & { facts: Partial<ReviewFacts> } & Awaited<ReturnType<DeadlineClocks['clocksOf']>>;

/**
 * Opens reviews and moves them through the lifecycle statechart. Every accepted event is
 * applied to the latest state under a row lock, and written with its history row in one
 * transaction; a refused event writes nothing.
 */
@Injectable()
export class ReviewLifecycleService {
  private readSql?: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly clocks: DeadlineClocks,
    @Optional() @Inject(SUBMISSION_GATE) private readonly submissionGate?: SubmissionGate,
  ) {}

  /** Records the police notification: a new review in `notified`. */
  async open(input: OpenReviewInput, actor: string): Promise<ReviewView> {
    return this.dataSource.transaction(async (manager) => {
      const { review, now, deadlines } = await this.openIn(manager, input, actor);
      return this.view(manager, review, now, undefined, deadlines);
    });
  }

  /**
   * `open` for an import: no answer's view, and a provisional reference, numbered by
   * `giveReference` as the import's transaction ends (numbering takes a lock per CSP until the
   * transaction commits: held for a whole review's import, it would make imports take turns).
   */
  async openQuietly(input: OpenReviewInput, actor: string): Promise<string> {
    return this.dataSource.transaction(async (manager) => (await this.openIn(manager, input, actor, { provisional: true })).review.id);
  }

  /** Numbers a review opened with a provisional reference (see openQuietly). */
  async giveReference(manager: EntityManager, review: Review): Promise<string> {
    const csp = await manager.findOneByOrFail(Csp, { id: review.cspId });
    const reference = await this.nextReference(manager, csp, review.notifiedOn);
    await manager.update(Review, { id: review.id }, { reference });
    review.reference = reference;
    return reference;
  }

  private async openIn(
    manager: EntityManager,
    input: OpenReviewInput,
    actor: string,
    options: { provisional?: boolean } = {},
  ): Promise<{ review: Review; now: Date; deadlines: Deadline[] | undefined }> {
    const now = this.clock.now();
    const csp = await manager.findOne(Csp, { where: { id: input.cspId } });
    if (!csp) throw new RequestValidationError([{ field: 'cspId', message: 'no CSP has this id' }]);
    // The review is notified on the day the police told the CSP, whenever that is typed in.
    const notifiedAt = effectiveInstant(input.notifiedOn, now);
    const snapshot = initialSnapshot(notifiedAt);
    const reference = options.provisional ? `IMPORTING-${randomUUID()}` : await this.nextReference(manager, csp, input.notifiedOn);
    const review = await manager.save(
      manager.create(Review, {
        ...input,
        reference,
        guidanceVersion: input.guidanceVersion ?? '2016',
        machineVersion: REVIEW_MACHINE_VERSION,
        snapshot,
        status: statusOf(snapshot),
        onHold: false,
        version: 1,
        createdBy: actor,
        noRecommendationsReason: null,
      }),
    );
    await manager.save(manager.create(ReviewEventRecord, {
      reviewId: review.id,
      sequence: 1,
      type: 'NOTIFICATION_RECORDED',
      payload: { ...input },
      actor,
      occurredAt: new Date(notifiedAt),
      recordedAt: now,
      origin: historyOrigin(),
      fromStatus: null,
      toStatus: review.status,
      fromOnHold: null,
      toOnHold: false,
    }));
    await assertChronology(reviewDatedFacts(review, snapshot.context, []), () => []);
    const deadlines = await this.clocks.sync(manager, review, now);
    return { review, now, deadlines };
  }

  /** The review; with `access`, only the clocks that caller may see (history-visibility.ts). */
  async get(id: string, access?: AccessContext): Promise<ReviewView> {
    const manager = this.dataSource.manager;
    // The review, its facts and its clock rows (clocksOf orders them) in one statement (one round
    // trip, one snapshot).
    this.readSql ??= `SELECT ${selectListOf(manager, Review, 'r')}, ${FACTS_COLUMNS},
      (SELECT coalesce(json_agg(${jsonObjectOf(manager, Deadline, 'd')}), '[]'::json) FROM deadlines d WHERE d.review_id = r.id) AS "deadlines",
      (SELECT coalesce(json_object_agg(i.id, i.agency_id), '{}'::json) FROM imrs i WHERE i.review_id = r.id) AS "imrAgencies"
      FROM reviews r WHERE r.id = $1`;
    const [row] = isUuid(id)
      ? ((await manager.query(this.readSql, [id])) as Array<FactsRow & { deadlines: Array<Record<string, unknown>>; imrAgencies: Record<string, string> } & Record<string, unknown>>)
      : [];
    if (!row) throw reviewNotFound();
    const review = entityFromRow(manager, Review, 'r', row);
    const deadlines = row.deadlines.map((d) => entityFromJson(manager, Deadline, 'd', d));
    const now = this.clock.now();
    return this.narrowed(await this.view(manager, review, now, factsOf(row), deadlines), review, now, access, new Map(Object.entries(row.imrAgencies)));
  }

  /**
   * The view with only the clocks, facts and reasons the caller may see (all of them for a
   * trusted caller or none given): a fact about records the caller may not read is left out,
   * and so is every reason it gives (history-visibility.ts, visibleSummary).
   */
  private async narrowed(view: ReviewView, review: Review, now: Date, access?: AccessContext, known?: Map<string, string>): Promise<ReviewView> {
    if (!access || access.trusted) return view;
    const subject = { cspId: view.cspId, stage: view.status as Stage, boardReturnedAt: boardReturnedAtOf(view.status as Stage, view.lifecycle) };
    // Whose each IMR is: read with the review by a read or an event, or read now.
    const imrAgency = known ?? (await this.imrAgencies(view.id, view.clocks.some((c) => c.kind === 'imr_due')));
    const clocks = visibleClocks(view.clocks, access.holder, subject, imrAgency);
    const hidden = hiddenFacts(access.holder, subject);
    if (hidden.length === 0) return { ...view, clocks };
    const facts = view.facts as ReviewFacts;
    const neutral: ReviewFacts = { ...facts, ...Object.fromEntries(hidden.map((f) => [f, SATISFIED_FACTS[f]])) };
    const masked = describe(this.readSnapshot(review), neutral, now.toISOString()).blockedEvents;
    return { ...view, clocks, ...visibleSummary(facts, view.blockedEvents, hidden, masked) };
  }

  /** Whose each IMR of the review is (agency id by IMR id), when it is needed. */
  private async imrAgencies(reviewId: string, needed: boolean): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    if (!needed) return map;
    for (const imr of await this.dataSource.manager.find(Imr, { where: { reviewId }, select: { id: true, agencyId: true } })) map.set(imr.id, imr.agencyId);
    return map;
  }

  /**
   * `facts` when the caller has just computed them (an event does not change the case file),
   * `deadlines` when it has just synced them.
   */
  private async view(manager: EntityManager, review: Review, now: Date, known?: ReviewFacts, deadlines?: Deadline[]): Promise<ReviewView> {
    const facts = known ?? (await computeReviewFacts(manager, review.id));
    return { ...this.toView(review, facts, now), ...(await this.clocks.clocksOf(manager, review, now, deadlines)) };
  }

  /**
   * Applies one event. 400 if malformed, 404 if no such review, 412 if `expectedVersion` is
   * stale, 409 with the guard's reasons if the lifecycle refuses it now.
   */
  /**
   * `access`: what the guard decided for the caller; the event's own type is checked against
   * the policy here too (who may apply which event), so no page or route that maps its form to
   * an event can apply one the caller's role may not.
   */
  async applyEvent(id: string, body: unknown, actor: string, expectedVersion?: number, access?: AccessContext): Promise<ReviewView> {
    const { view, after, now, imrAgency } = await this.dataSource.transaction(async (manager) => {
      const applied = await this.applyIn(manager, id, body, actor, expectedVersion, access);
      // A return changes one fact (the report now awaits a new version): those are read afresh.
      const returned = (body as { type?: unknown } | null)?.type === 'RAG_RETURN';
      return { ...applied, view: await this.view(manager, applied.after, applied.now, returned ? undefined : applied.facts, applied.deadlines) };
    });
    // The answer shows the caller the clocks and facts they may see, as GET /reviews/:id does.
    return this.narrowed(view, after, now, access, imrAgency);
  }

  /**
   * Whether `applyEvent` would apply this event now, with every check it makes (the body, the
   * version, the lifecycle, the chronology), without applying it: the transaction is rolled back.
   * It throws what `applyEvent` would throw. For a page's "check before you confirm" step.
   */
  async checkEvent(id: string, body: unknown, actor: string, expectedVersion?: number, access?: AccessContext): Promise<void> {
    const rollback = new Error('check only: rolled back');
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.applyIn(manager, id, body, actor, expectedVersion, access);
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
  }

  /** `applyEvent` without the answer's view (an import reads the review once, at the end). */
  async applyEventQuietly(id: string, body: unknown, actor: string): Promise<void> {
    await this.dataSource.transaction((manager) => this.applyIn(manager, id, body, actor));
  }

  private async applyIn(manager: EntityManager, id: string, body: unknown, actor: string, expectedVersion?: number, access?: AccessContext) {
    const now = this.clock.now();
    const parsed = parseReviewEvent(body, now);
    if (!parsed.ok) throw new RequestValidationError(parsed.errors.map((e) => ({ ...e })));
    const event = parsed.event;
    if (access) assertMayApply(access, event.type);
    // The row lock makes concurrent events on one review take turns: each sees the state
    // the previous one left, so of two that cannot both apply, the second is refused.
    const review = await this.find(manager, id, { lock: true });
    if (expectedVersion !== undefined && expectedVersion !== review.version) {
      throw new StaleVersionError(expectedVersion, review.version);
    }
    const persisted = this.readSnapshot(review);
    const { type, ...sent } = event as { type: string } & Record<string, unknown>;
    // A submission to the Home Office passes the gate (the checklist) and records its pack, built
    // from the review as this event leaves it: the update first, then the gate, then the history row.
    const gate = type === 'SUBMIT_TO_HOME_OFFICE' && historyOrigin() !== 'imported' ? this.submissionGate : undefined;
    // What the clocks are planned from is read along with the facts, under the lock: the event
    // writes none of it (a return and a submission, which write around it, have it read afresh).
    const gatherNow = type !== 'RAG_RETURN' && !gate;
    const { facts, caseFile, along: gathered } = await reviewFactsAndDates<GatheredRow>(manager, id, gatherNow ? this.clocks.columnsToGather(manager) : undefined);
    // When it happened (its own date, default now) and when it is recorded (now).
    const at = effectiveInstant(whenOf(event), now);
    const result = applyEvent(persisted, withEnvelope(event, { at, recordedAt: now.toISOString(), facts }));
    if (!result.ok) {
      throw new StateConflictError(`${event.type} is not allowed now`, result.reasons, {
        status: review.status,
        onHold: review.onHold,
      });
    }
    // The event's date must fit the review's chronology (src/reviews/chronology.ts).
    await assertChronology(reviewDatedFacts(review, result.persisted.context, caseFile), () =>
      reviewDatedFacts(review, persisted.context, caseFile),
    );
    // Plain SQL: this runs on every lifecycle event (issue 16; TypeORM's builder made its text afresh each time).
    const update = {
      sql: 'UPDATE reviews SET snapshot = $1, machine_version = $2, status = $3, on_hold = $4, version = $5, updated_at = CURRENT_TIMESTAMP WHERE id = $6 AND version = $7 RETURNING id',
      params: [JSON.stringify(result.persisted), REVIEW_MACHINE_VERSION, result.status, result.onHold, review.version + 1, id, review.version],
    };
    const changedMeanwhile = () => new StateConflictError('The review changed while this event was applied; read it again and retry.');
    if (gate) {
      const [, affected] = (await manager.query(update.sql, update.params)) as [unknown, number];
      if (affected !== 1) throw changedMeanwhile();
    }
    const recorded = gate ? await gate.beforeSubmission(manager, { reviewId: id, round: persisted.context.qaRounds.length + 1, actor }) : {};
    // Otherwise the update and the history row are one statement (the row is written only if the
    // update matched the version read under the lock).
    const inserted = await insertRow(
      manager,
      ReviewEventRecord,
      {
        reviewId: id,
        sequence: review.version + 1,
        type,
        payload: { ...sent, ...recorded },
        actor,
        occurredAt: new Date(at),
        recordedAt: now,
        origin: historyOrigin(),
        fromStatus: review.status,
        toStatus: result.status,
        fromOnHold: review.onHold,
        toOnHold: result.onHold,
      },
      gate ? undefined : update,
    );
    if (inserted !== 1) throw changedMeanwhile();
    const after = Object.assign(new Review(), review, {
      snapshot: result.persisted,
      status: result.status,
      onHold: result.onHold,
      version: review.version + 1,
      updatedAt: now,
    });
    // The event does not change the case file: the facts read before it are still the facts,
    // but for a return (the report then awaits a new version), which has them read afresh.
    const deadlines = await this.clocks.sync(manager, after, now, type === 'RAG_RETURN' ? undefined : facts, gatherNow && 'deadlines' in gathered ? gathered : undefined);
    // Whose each IMR is, from what was gathered (the event changes no IMR).
    const imrAgency = gatherNow && 'imrs' in gathered ? new Map(gathered.imrs.map((i) => [i.id, i.agencyId])) : undefined;
    return { after, facts, now, deadlines, imrAgency };
  }

  /** Reviews the caller may see (the access policy narrows the query), newest first. */
  async list(query: ListReviewsQuery, access: AccessContext) {
    const qb = this.dataSource.manager
      .createQueryBuilder(Review, 'r')
      // Only what a row of the list shows: not the snapshot, which grows with the review's history.
      .select(['r.id', 'r.reference', 'r.cspId', 'r.status', 'r.onHold', 'r.notifiedOn', 'r.version', 'r.updatedAt'])
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.cspId) qb.andWhere('r.csp_id = :cspId', { cspId: query.cspId });
    if (query.onHold !== undefined) qb.andWhere('r.on_hold = :onHold', { onHold: query.onHold });
    if (query.reference) qb.andWhere(`r.reference ILIKE :reference ESCAPE '\\'`, { reference: containing(query.reference) });
    if (query.q) searchReviews(qb, query.q, access);
    restrictToVisibleReviews(qb, access, 'r.id', 'r');
    const [rows, total] = await qb.getManyAndCount();
    return {
      items: rows.map((r) => ({
        id: r.id,
        reference: r.reference,
        cspId: r.cspId,
        status: r.status,
        onHold: r.onHold,
        notifiedOn: r.notifiedOn,
        version: r.version,
        updatedAt: r.updatedAt,
      })),
      page: query.page,
      pageSize: query.pageSize,
      total,
    };
  }

  /**
   * The review's history in order. With `access`, only the entries that caller may see
   * (src/access/history-visibility.ts): every route and page that shows a history passes it.
   */
  async history(id: string, access?: AccessContext) {
    await this.find(this.dataSource.manager, id);
    const rows = await this.dataSource.manager.find(ReviewEventRecord, {
      where: { reviewId: id },
      order: { sequence: 'ASC' },
    });
    const imrAgency = await this.imrAgencies(id, !!access && rows.some((r) => r.type.startsWith('IMR_')));
    const shown = access ? visibleHistory(rows, access, imrAgency) : rows;
    const names = await this.namesOf([...new Set(shown.map((r) => r.actor))]);
    return shown.map((r) => ({
      sequence: r.sequence,
      type: r.type,
      payload: r.payload,
      actor: r.actor,
      /** Who, by the name they use in the service (the actor itself when it is not a user's email). */
      actorName: names.get(r.actor.toLowerCase()) ?? r.actor,
      occurredAt: r.occurredAt,
      recordedAt: r.recordedAt,
      origin: r.origin,
      fromStatus: r.fromStatus,
      toStatus: r.toStatus,
      fromOnHold: r.fromOnHold,
      toOnHold: r.toOnHold,
    }));
  }

  /** Display names of the users with these emails (emails are stored lower-case). */
  private async namesOf(actors: string[]): Promise<Map<string, string>> {
    const emails = actors.filter((a) => a.includes('@')).map((a) => a.toLowerCase());
    if (emails.length === 0) return new Map();
    const rows: Array<{ email: string; name: string }> = await this.dataSource.query(
      `SELECT email, display_name AS name FROM users WHERE email = ANY($1::text[])`,
      [emails],
    );
    return new Map(rows.map((r) => [r.email, r.name]));
  }

  async statusOf(id: string): Promise<{ status: string; onHold: boolean }> {
    const review = await this.find(this.dataSource.manager, id);
    return { status: review.status, onHold: review.onHold };
  }

  toView(review: Review, facts: ReviewFacts, now: Date) {
    const persisted = this.readSnapshot(review);
    const at = now.toISOString();
    const description = describe(persisted, facts, at);
    const held = heldDurations(persisted, now);
    return {
      id: review.id,
      reference: review.reference,
      cspId: review.cspId,
      guidanceVersion: review.guidanceVersion,
      status: description.status,
      onHold: description.onHold,
      hold: description.hold ?? null,
      version: review.version,
      notification: {
        dateOfDeath: review.dateOfDeath,
        notifiedOn: review.notifiedOn,
        policeForce: review.policeForce,
        policeReference: review.policeReference,
        circumstances: review.circumstances,
      },
      lifecycle: persisted.context,
      heldMs: held.totalHeldMs,
      facts,
      allowedEvents: description.allowedEvents,
      blockedEvents: description.blockedEvents,
      createdAt: review.createdAt,
      updatedAt: review.updatedAt,
    };
  }

  private find(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<Review> {
    return options.lock ? lockReview(manager, id) : findReview(manager, id);
  }

  /** A snapshot from another machine version is migrated by an explicit function or refused. */
  private readSnapshot(review: Review): PersistedReview {
    try {
      return migrateSnapshot(review.snapshot, review.machineVersion);
    } catch (error) {
      if (error instanceof SnapshotVersionError || error instanceof InvalidSnapshotError) {
        throw new StateConflictError(
          `This review's stored lifecycle state cannot be read by this version of the service: ${error.message}`,
          [],
          { code: 'snapshot_unreadable', machineVersion: review.machineVersion },
        );
      }
      throw error;
    }
  }

  /** DHR-<CSP code>-<year notified>-<nnn>, numbered per CSP and year. */
  private async nextReference(manager: EntityManager, csp: Csp, notifiedOn: string): Promise<string> {
    const year = notifiedOn.slice(0, 4);
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`review-reference:${csp.id}`]);
    // The highest number given under this prefix, whichever CSP the review is with now (a
    // review transferred away keeps its reference, so counting the CSP's reviews would repeat it).
    const [{ last }] = await manager.query(
      `SELECT coalesce(max(substring(reference from '([0-9]+)$')::int), 0) AS last FROM reviews WHERE reference LIKE $1`,
      [`DHR-${csp.code}-${year}-%`],
    );
    return `DHR-${csp.code}-${year}-${String(Number(last) + 1).padStart(3, '0')}`;
  }
}
