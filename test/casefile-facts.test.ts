import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import {
  Agency,
  Appointment,
  CaseDocument,
  DocumentVersion,
  FamilyEngagement,
  Imr,
  ImrExtension,
  PanelMeeting,
  PanelMeetingImr,
  PanelMember,
  Proceeding,
  Publication,
  Recommendation,
  RecommendationAction,
} from '../src/casefile/entities';
import { computeReviewFacts, ReviewFactsNotFoundError } from '../src/casefile/review-facts.query';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { EMPTY_FACTS, ReviewFacts } from '../src/reviews/lifecycle/review-facts';
import { createTestDatabase, TestDatabase } from './support/databases';

const BY = 'chair@example.test';
const SHA = 'a'.repeat(64);

describe('case file: the facts the lifecycle reads (real PostgreSQL)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let cspId: string;
  let police: Agency;
  let health: Agency;
  /** A review with everything in its case file; it must never leak into another review's facts. */
  let busy: string;

  async function newReview(): Promise<string> {
    const [row] = await db.query(
      `INSERT INTO "reviews" ("reference", "csp_id", "date_of_death", "notified_on", "police_force", "police_reference",
         "circumstances", "machine_version", "snapshot", "status", "version", "created_by")
       VALUES ($1, $2, '2025-01-10', '2025-01-12', 'Essex Police', 'EP/1', 'Circumstances', 1, '{}', 'notified', 1, $3)
       RETURNING "id"`,
      [`DHR-${randomUUID()}`, cspId, BY],
    );
    return row.id as string;
  }
  const facts = (reviewId: string): Promise<ReviewFacts> => computeReviewFacts(db, reviewId);
  /** The team record (review_members) an appointment or panel place must be the declaration of. */
  const teamRecord = async (reviewId: string, role: 'chair' | 'report_writer' | 'panel_member', agencyId: string | null = null): Promise<string> => {
    const [row] = await db.query(
      `INSERT INTO review_members (review_id, display_name, role, agency_id, added_by, added_at) VALUES ($1, 'Someone', $2, $3, $4, now()) RETURNING id`,
      [reviewId, role, agencyId, BY],
    );
    return row.id as string;
  };

  const imr = (reviewId: string, extra: Partial<Imr> = {}) =>
    db.getRepository(Imr).save({
      reviewId,
      agencyId: police.id,
      kind: 'imr' as const,
      requestedOn: '2025-03-01',
      dueOn: '2025-04-15',
      createdBy: BY,
      ...extra,
    });
  const meeting = (reviewId: string, status: PanelMeeting['status']) =>
    db.getRepository(PanelMeeting).save({ reviewId, startsAt: new Date('2025-05-01T10:00:00Z'), status, createdBy: BY });
  const consider = (reviewId: string, meetingId: string, imrId: string) =>
    db.getRepository(PanelMeetingImr).insert({ reviewId, meetingId, imrId, createdBy: BY });
  const recommendation = (reviewId: string, number: number, status: Recommendation['status'] = 'agreed') =>
    db.getRepository(Recommendation).save({
      reviewId,
      number,
      text: `Recommendation ${number}`,
      level: 'multi_agency' as const,
      addressee: 'CSP',
      status,
      createdBy: BY,
    });
  const action = (reviewId: string, recommendationId: string, done = false) =>
    db.getRepository(RecommendationAction).save({
      reviewId,
      recommendationId,
      description: 'Train staff',
      owner: 'Police',
      status: done ? ('complete' as const) : ('in_progress' as const),
      completedOn: done ? '2026-01-10' : null,
      evidence: done ? 'Training records' : null,
      createdBy: BY,
    });
  const document = async (reviewId: string, kind: CaseDocument['kind'], withVersion: boolean) => {
    const doc = await db.getRepository(CaseDocument).save({ reviewId, kind, title: kind, createdBy: BY });
    if (withVersion) {
      await db.getRepository(DocumentVersion).save({
        reviewId,
        documentId: doc.id,
        versionNo: 1,
        filename: `${kind}.docx`,
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        sizeBytes: 3,
        sha256: SHA,
        storage: 'database' as const,
        content: Buffer.from('abc'),
        uploadedBy: BY,
        createdBy: BY,
      });
    }
    return doc;
  };
  const family = (reviewId: string, kind: FamilyEngagement['kind']) =>
    db.getRepository(FamilyEngagement).save({ reviewId, kind, occurredOn: '2025-06-01', createdBy: BY });

  /** Postgres's SQLSTATE and constraint name of a refused statement. */
  async function refusal(statement: Promise<unknown>): Promise<{ code: string; constraint: string }> {
    const error = await statement.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueryFailedError);
    const driverError = (error as QueryFailedError & { driverError: { code: string; constraint: string } }).driverError;
    return { code: driverError.code, constraint: driverError.constraint };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await new DataSource(dataSourceOptions(database.url, 4)).initialize();
    const [csp] = await db.query(`INSERT INTO "csps" ("code", "name") VALUES ('MALDON', 'Maldon CSP') RETURNING "id"`);
    cspId = csp.id;
    police = await db.getRepository(Agency).save({ name: 'Essex Police', kind: 'police' });
    health = await db.getRepository(Agency).save({ name: 'Mid Essex ICB', kind: 'health' });

    busy = await newReview();
    await db
      .getRepository(Appointment)
      .save({ reviewId: busy, role: 'chair', name: 'A Chair', organisation: 'Independent', appointedOn: '2025-02-01', createdBy: BY, memberId: await teamRecord(busy, 'chair') });
    await db
      .getRepository(PanelMember)
      .save({ reviewId: busy, name: 'P One', agencyId: police.id, role: 'DCI', joinedOn: '2025-02-10', createdBy: BY, memberId: await teamRecord(busy, 'panel_member', police.id) });
    const busyImr = await imr(busy);
    await imr(busy, { agencyId: health.id });
    const held = await meeting(busy, 'held');
    await consider(busy, held.id, busyImr.id);
    await document(busy, 'overview_report', true);
    await document(busy, 'executive_summary', true);
    const rec = await recommendation(busy, 1);
    await action(busy, rec.id, false);
    await action(busy, rec.id, true);
    await db.query(`UPDATE "reviews" SET "no_recommendations_reason" = 'none needed' WHERE "id" = $1`, [busy]);
    await family(busy, 'draft_offered');
    await family(busy, 'told_of_publication');
    await db.getRepository(Proceeding).save({ reviewId: busy, type: 'criminal', status: 'active', createdBy: BY });
    await db
      .getRepository(Publication)
      .save({ reviewId: busy, anonymisationConfirmedBy: BY, anonymisationConfirmedAt: new Date(), createdBy: BY });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('a review with an empty case file has the empty facts, with numbers as JS numbers', async () => {
    const review = await newReview();
    const result = await facts(review);
    expect(result).toEqual(EMPTY_FACTS);
    expect(typeof result.panelMemberCount).toBe('number');
  });

  it('the busy review has every fact, and its facts never show in another review', async () => {
    expect(await facts(busy)).toEqual({
      chairAppointed: true,
      panelMemberCount: 1,
      imrsCommissioned: 2,
      imrsOutstanding: 2,
      meetingsConsideringImrs: 1,
      draftOverviewReport: true,
      draftExecutiveSummary: true,
      overviewReportRevisedSinceReturn: true,
      recommendationsCount: 1,
      noRecommendationsReason: true,
      familyOfferedDraft: true,
      activeCriminalProceedings: true,
      anonymisationConfirmed: true,
      familyToldOfPublication: true,
      actionsTotal: 2,
      actionsIncomplete: 1,
    });
    expect(await facts(await newReview())).toEqual(EMPTY_FACTS);
  });

  it('refuses an unknown review', async () => {
    await expect(facts(randomUUID())).rejects.toBeInstanceOf(ReviewFactsNotFoundError);
  });

  it('chair: appointed while the appointment is open; an ended one, or a report writer, does not count', async () => {
    const review = await newReview();
    const appointments = db.getRepository(Appointment);
    await appointments.save({
      reviewId: review,
      role: 'report_writer',
      name: 'W Riter',
      organisation: 'Independent',
      appointedOn: '2025-02-01',
      createdBy: BY,
      memberId: await teamRecord(review, 'report_writer'),
    });
    expect((await facts(review)).chairAppointed).toBe(false);
    const chair = await appointments.save({
      reviewId: review,
      role: 'chair',
      name: 'C Hair',
      organisation: 'Independent',
      appointedOn: '2025-02-01',
      independenceDeclaredAt: new Date('2025-02-01T09:00:00Z'),
      createdBy: BY,
      memberId: await teamRecord(review, 'chair'),
    });
    expect(chair.version).toBe(1);
    expect((await facts(review)).chairAppointed).toBe(true);
    chair.endedOn = '2025-03-01';
    const saved = await appointments.save(chair);
    expect(saved.version).toBe(2);
    expect((await facts(review)).chairAppointed).toBe(false);
  });

  it('panel: counts members who have not left', async () => {
    const review = await newReview();
    const members = db.getRepository(PanelMember);
    const base = { reviewId: review, role: 'Head of safeguarding', joinedOn: '2025-02-10', createdBy: BY };
    await members.save({ ...base, name: 'P One', agencyId: police.id, memberId: await teamRecord(review, 'panel_member', police.id) });
    const two = await members.save({ ...base, name: 'P Two', agencyId: health.id, memberId: await teamRecord(review, 'panel_member', health.id) });
    expect((await facts(review)).panelMemberCount).toBe(2);
    await members.update(two.id, { leftOn: '2025-04-01' });
    expect((await facts(review)).panelMemberCount).toBe(1);
  });

  it('IMRs: commissioned and outstanding until received or waived with a reason', async () => {
    const review = await newReview();
    const imrs = db.getRepository(Imr);
    const first = await imr(review);
    const second = await imr(review, { agencyId: health.id, kind: 'short_report' });
    const third = await imr(review, { authorName: 'A Author' });
    expect(await facts(review)).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 3 });

    await db.getRepository(ImrExtension).save({
      reviewId: review,
      imrId: first.id,
      previousDueOn: '2025-04-15',
      newDueOn: '2025-05-15',
      reason: 'Sickness',
      grantedOn: '2025-04-10',
      createdBy: BY,
    });
    await imrs.update(first.id, { dueOn: '2025-05-15' });
    expect(await facts(review)).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 3 });

    await imrs.update(first.id, { receivedOn: '2025-05-10' });
    expect(await facts(review)).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 2 });
    await imrs.update(second.id, { waivedReason: 'No significant contact after all' });
    expect(await facts(review)).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 1 });
    // A blank reason is not a waiver.
    await imrs.update(third.id, { waivedReason: '   ' });
    expect(await facts(review)).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 1 });
    await imrs.update(third.id, { waivedReason: null, receivedOn: '2025-05-20' });
    expect(await facts(review)).toMatchObject({ imrsCommissioned: 3, imrsOutstanding: 0 });
  });

  it('meetings: only held meetings that considered at least one IMR count', async () => {
    const review = await newReview();
    const reviewImr = await imr(review);
    const scheduled = await meeting(review, 'scheduled');
    const cancelled = await meeting(review, 'cancelled');
    await meeting(review, 'held'); // held, but no IMRs considered
    await consider(review, scheduled.id, reviewImr.id);
    await consider(review, cancelled.id, reviewImr.id);
    expect((await facts(review)).meetingsConsideringImrs).toBe(0);

    await db.getRepository(PanelMeeting).update(scheduled.id, { status: 'held', minutes: 'IMR considered' });
    expect((await facts(review)).meetingsConsideringImrs).toBe(1);
    const another = await imr(review, { agencyId: health.id });
    await consider(review, scheduled.id, another.id); // two IMRs at one meeting: still one meeting
    expect((await facts(review)).meetingsConsideringImrs).toBe(1);
  });

  it('drafts: a document of the kind counts only once it has a version', async () => {
    const review = await newReview();
    const overview = await document(review, 'overview_report', false);
    await document(review, 'chronology', true);
    await document(review, 'executive_summary', false);
    expect(await facts(review)).toMatchObject({ draftOverviewReport: false, draftExecutiveSummary: false });
    await db.getRepository(DocumentVersion).save({
      reviewId: review,
      documentId: overview.id,
      versionNo: 1,
      filename: 'overview.pdf',
      contentType: 'application/pdf',
      sizeBytes: 1024,
      sha256: SHA,
      storage: 'folder' as const,
      storagePath: `${review}/overview-v1.pdf`,
      uploadedBy: BY,
      createdBy: BY,
    });
    expect(await facts(review)).toMatchObject({ draftOverviewReport: true, draftExecutiveSummary: false });
    await document(review, 'executive_summary', true);
    expect(await facts(review)).toMatchObject({ draftOverviewReport: true, draftExecutiveSummary: true });
  });

  it('recommendations and actions: withdrawn recommendations and their actions count nowhere', async () => {
    const review = await newReview();
    const one = await recommendation(review, 1, 'draft');
    const two = await recommendation(review, 2, 'agreed');
    const withdrawn = await recommendation(review, 3, 'withdrawn');
    await action(review, one.id, false);
    await action(review, two.id, true);
    await action(review, withdrawn.id, false);
    expect(await facts(review)).toMatchObject({ recommendationsCount: 2, actionsTotal: 2, actionsIncomplete: 1 });

    await db.getRepository(Recommendation).update(two.id, { status: 'withdrawn' });
    expect(await facts(review)).toMatchObject({ recommendationsCount: 1, actionsTotal: 1, actionsIncomplete: 1 });
    await db
      .getRepository(RecommendationAction)
      .update({ recommendationId: one.id }, { status: 'complete', completedOn: '2026-02-01', evidence: 'Audit' });
    expect(await facts(review)).toMatchObject({ recommendationsCount: 1, actionsTotal: 1, actionsIncomplete: 0 });
  });

  it('no recommendations: a non-blank reason on the review', async () => {
    const review = await newReview();
    await db.query(`UPDATE "reviews" SET "no_recommendations_reason" = '  ' WHERE "id" = $1`, [review]);
    expect((await facts(review)).noRecommendationsReason).toBe(false);
    await db.query(`UPDATE "reviews" SET "no_recommendations_reason" = 'Learning already acted on' WHERE "id" = $1`, [review]);
    expect((await facts(review)).noRecommendationsReason).toBe(true);
  });

  it('family: the draft offered and told of publication are entries of those kinds', async () => {
    const review = await newReview();
    await family(review, 'contact_attempt');
    await family(review, 'draft_comments');
    expect(await facts(review)).toMatchObject({ familyOfferedDraft: false, familyToldOfPublication: false });
    await family(review, 'draft_offered');
    expect(await facts(review)).toMatchObject({ familyOfferedDraft: true, familyToldOfPublication: false });
    await family(review, 'told_of_publication');
    expect(await facts(review)).toMatchObject({ familyOfferedDraft: true, familyToldOfPublication: true });
  });

  it('proceedings: only active criminal proceedings count', async () => {
    const review = await newReview();
    const proceedings = db.getRepository(Proceeding);
    await proceedings.save({ reviewId: review, type: 'inquest', status: 'active', createdBy: BY });
    expect((await facts(review)).activeCriminalProceedings).toBe(false);
    const trial = await proceedings.save({
      reviewId: review,
      type: 'criminal',
      createdBy: BY,
      keyDates: [{ label: 'Charged', date: '2025-01-20' }],
    });
    expect(trial.status).toBe('active');
    expect((await facts(review)).activeCriminalProceedings).toBe(true);
    await proceedings.update(trial.id, { status: 'concluded' });
    expect((await facts(review)).activeCriminalProceedings).toBe(false);
  });

  it('publication: anonymisation confirmed once someone confirms it', async () => {
    const review = await newReview();
    const publications = db.getRepository(Publication);
    const publication = await publications.save({ reviewId: review, pseudonyms: ['Anna'], createdBy: BY });
    expect((await facts(review)).anonymisationConfirmed).toBe(false);
    await publications.update(publication.id, { anonymisationConfirmedBy: 'CSP lead', anonymisationConfirmedAt: new Date() });
    expect((await facts(review)).anonymisationConfirmed).toBe(true);
    // One publication record per review.
    expect(await refusal(publications.insert({ reviewId: review, createdBy: BY }))).toEqual({
      code: '23505',
      constraint: 'UQ_publications_review',
    });
  });

  it("inside a transaction, the facts see the transaction's own writes", async () => {
    const review = await newReview();
    await db.transaction(async (manager) => {
      await manager.getRepository(Recommendation).save({
        reviewId: review,
        number: 1,
        text: 'R',
        level: 'national',
        addressee: 'Home Office',
        createdBy: BY,
      });
      expect((await computeReviewFacts(manager, review)).recommendationsCount).toBe(1);
      expect((await facts(review)).recommendationsCount).toBe(0);
    });
  });

  describe('the database refuses', () => {
    it('a value outside an enumeration', async () => {
      const review = await newReview();
      const civil = db.query(`INSERT INTO "proceedings" ("review_id", "type", "created_by") VALUES ($1, 'civil', $2)`, [review, BY]);
      expect(await refusal(civil)).toEqual({
        code: '23514',
        constraint: 'CHK_proceedings_type',
      });
      const gossip = db.query(
        `INSERT INTO "family_engagements" ("review_id", "kind", "occurred_on", "created_by") VALUES ($1, 'gossip', '2025-01-01', $2)`,
        [review, BY],
      );
      expect(await refusal(gossip)).toEqual({
        code: '23514',
        constraint: 'CHK_family_engagements_kind',
      });
      expect(await refusal(db.query(`INSERT INTO "agencies" ("name", "kind") VALUES ('Acme', 'company')`))).toEqual({
        code: '23514',
        constraint: 'CHK_agencies_kind',
      });
    });

    it('an IMR due on or before the date it was requested', async () => {
      const review = await newReview();
      expect(await refusal(imr(review, { requestedOn: '2025-03-01', dueOn: '2025-02-01' }))).toEqual({
        code: '23514',
        constraint: 'CHK_imrs_due_after_requested',
      });
      expect(await refusal(imr(review, { requestedOn: '2025-03-01', dueOn: '2025-03-01' }))).toEqual({
        code: '23514',
        constraint: 'CHK_imrs_due_after_requested',
      });
      expect((await facts(review)).imrsCommissioned).toBe(0);
    });

    it("a link from one review's record to another review's record", async () => {
      const review = await newReview();
      const busyImr = await db.getRepository(Imr).findOneByOrFail({ reviewId: busy });
      const ownMeeting = await meeting(review, 'held');
      expect(await refusal(consider(review, ownMeeting.id, busyImr.id))).toEqual({ code: '23503', constraint: 'FK_panel_meeting_imrs_imr' });
      expect(
        await refusal(
          db.getRepository(ImrExtension).insert({
            reviewId: review,
            imrId: busyImr.id,
            previousDueOn: '2025-04-15',
            newDueOn: '2025-05-15',
            reason: 'x',
            grantedOn: '2025-04-01',
            createdBy: BY,
          }),
        ),
      ).toEqual({ code: '23503', constraint: 'FK_imr_extensions_imr' });
      const busyRecommendation = await db.getRepository(Recommendation).findOneByOrFail({ reviewId: busy });
      expect(await refusal(action(review, busyRecommendation.id))).toEqual({ code: '23503', constraint: 'FK_actions_recommendation' });
      expect((await facts(review)).meetingsConsideringImrs).toBe(0);
    });

    it('a second open chair appointment, and a complete action without evidence', async () => {
      const review = await newReview();
      const chair = { reviewId: review, role: 'chair' as const, name: 'C', organisation: 'I', appointedOn: '2025-02-01', createdBy: BY, memberId: await teamRecord(review, 'chair') };
      await db.getRepository(Appointment).insert({ ...chair });
      expect(await refusal(db.getRepository(Appointment).insert({ ...chair }))).toEqual({ code: '23505', constraint: 'IDX_appointments_one_chair' });
      const rec = await recommendation(review, 1);
      expect(
        await refusal(
          db.getRepository(RecommendationAction).insert({
            reviewId: review,
            recommendationId: rec.id,
            description: 'd',
            owner: 'o',
            status: 'complete',
            completedOn: '2026-01-01',
            createdBy: BY,
          }),
        ),
      ).toEqual({ code: '23514', constraint: 'CHK_actions_completion' });
      expect(await refusal(recommendation(review, 1))).toEqual({ code: '23505', constraint: 'UQ_recommendations_number' });
    });
  });
});
