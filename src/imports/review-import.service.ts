import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AccessContext } from '../access/access.service';
import { ActionsService } from '../casefile/actions/actions.service';
import { addActionSchema, completeActionSchema } from '../casefile/actions/actions.schemas';
import { AppointmentsService } from '../casefile/appointments/appointments.service';
import { appointSchema, endAppointmentSchema } from '../casefile/appointments/appointments.schemas';
import { CaseFileTransactions } from '../casefile/casefile-transactions';
import { DocumentContentStore } from '../casefile/documents/document-content.store';
import { DocumentsService } from '../casefile/documents/documents.service';
import { Agency } from '../casefile/entities';
import { FamilyService } from '../casefile/family/family.service';
import { recordFamilyEngagementSchema } from '../casefile/family/family.schemas';
import { ImrsService } from '../casefile/imrs/imrs.service';
import { commissionImrSchema, extendImrSchema, qualityCheckImrSchema, receiveImrSchema, signOffImrSchema, waiveImrSchema } from '../casefile/imrs/imrs.schemas';
import { MeetingsService } from '../casefile/meetings/meetings.service';
import { cancelMeetingSchema, holdMeetingSchema, scheduleMeetingSchema } from '../casefile/meetings/meetings.schemas';
import { PanelService } from '../casefile/panel/panel.service';
import { addPanelMemberSchema, leavePanelSchema } from '../casefile/panel/panel.schemas';
import { PeopleService } from '../casefile/people/people.service';
import { addPersonSchema } from '../casefile/people/people.schemas';
import { ProceedingsService } from '../casefile/proceedings/proceedings.service';
import { changeProceedingStatusSchema, recordProceedingSchema } from '../casefile/proceedings/proceedings.schemas';
import { PublicationService } from '../casefile/publication/publication.service';
import { confirmAnonymisationSchema, putPublicationSchema } from '../casefile/publication/publication.schemas';
import { RecommendationsService } from '../casefile/recommendations/recommendations.service';
import { createRecommendationSchema, noRecommendationsReasonSchema } from '../casefile/recommendations/recommendations.schemas';
import { RecordsSecuredService } from '../casefile/scoping/records-secured.service';
import { ScopingResponsesService } from '../casefile/scoping/scoping-responses.service';
import { confirmRecordsSecuredSchema, recordScopingResponseSchema } from '../casefile/scoping/scoping.schemas';
import { Csp } from '../csps/csp.entity';
import { DeadlineClocks } from '../deadlines/deadline-clocks.service';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { RequestValidationError } from '../infrastructure/http/errors';
import { parseInput, zodProblems } from '../infrastructure/http/validation';
import { businessDate } from '../reviews/lifecycle';
import { withHistoryOrigin } from '../reviews/review-event.entity';
import { ReviewLifecycleService } from '../reviews/review-lifecycle.service';
import { Review } from '../reviews/review.entity';
import { openReviewSchema } from '../reviews/reviews.schemas';
import {
  importedReviewSchema,
  importFileSchema,
  importStepSchema,
  type ImportedReviewReport,
  type ImportFile,
  type ImportRefusal,
  type ImportReport,
  type ImportStepName,
} from './import-format';

/** A DataSource whose transactions and manager are the one transaction an imported review runs in. */
function boundTo(dataSource: DataSource, manager: EntityManager): DataSource {
  return new Proxy(dataSource, {
    get(target, prop, receiver) {
      if (prop === 'manager') return manager;
      if (prop === 'transaction') {
        return (...args: unknown[]) => (args[args.length - 1] as (m: EntityManager) => Promise<unknown>)(manager);
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * Clocks planned once, when the review's whole story is in, rather than after every step: the
 * clocks are a function of the final record, and planning them forty times over for a review
 * whose steps all lie in the past is most of an import's time.
 */
class ClocksAtTheEnd extends DeadlineClocks {
  override async sync(): Promise<undefined> {
    // Planned by ReviewImportService once the review's steps are in.
    return undefined;
  }

  /** Nothing to read along with each step: its clocks are not planned then. */
  override columnsToGather(): undefined {
    return undefined;
  }
}

/** The services a review's import runs through: the API's own, inside its one transaction. */
function servicesIn(dataSource: DataSource, manager: EntityManager, clock: Clock, clocks: DeadlineClocks, store: DocumentContentStore, config: AppConfig) {
  const ds = boundTo(dataSource, manager);
  const tx = new CaseFileTransactions(ds, clock, clocks);
  return {
    lifecycle: new ReviewLifecycleService(ds, clock, clocks),
    people: new PeopleService(tx),
    appointments: new AppointmentsService(tx),
    panel: new PanelService(tx),
    scoping: new ScopingResponsesService(tx),
    records: new RecordsSecuredService(tx),
    imrs: new ImrsService(tx),
    meetings: new MeetingsService(tx),
    family: new FamilyService(tx),
    proceedings: new ProceedingsService(tx),
    recommendations: new RecommendationsService(tx),
    actions: new ActionsService(tx),
    documents: new DocumentsService(tx, store, config),
    publication: new PublicationService(tx),
  };
}
type Services = ReturnType<typeof servicesIn>;

/** A step refused: what the report says about it. */
class StepRefused extends Error {
  constructor(readonly field: string | null, readonly reason: string) {
    super(reason);
  }
}

/** Rolls a dry run's transaction back once everything in it was accepted. */
class DryRunDone extends Error {}

interface ReviewRun {
  reviewId: string;
  manager: EntityManager;
  services: Services;
  actor: string;
  refs: Map<string, { kind: string; id: string }>;
  agencies: Map<string, string>;
  declaredAgencies: Map<string, string>;
  today: () => string;
}

const FIELD_OF_ERROR = (error: unknown): { field: string | null; reason: string } | null => {
  if (error instanceof StepRefused) return { field: error.field, reason: error.reason };
  if (error instanceof HttpException) {
    const body = error.getResponse() as { errors?: Array<{ field: string; message: string }>; message?: string | string[]; reasons?: string[] };
    if (body.errors?.length) return { field: body.errors.map((e) => e.field).join(', '), reason: body.errors.map((e) => `${e.field}: ${e.message}`).join('; ') };
    const reasons = body.reasons?.length ? `: ${body.reasons.join('; ')}` : '';
    return { field: null, reason: `${Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? error.message)}${reasons}` };
  }
  return null;
};

/**
 * Brings reviews already under way in: each review from the file goes through the same services
 * and rules as if it were typed in through the API (schemas, lifecycle guards, the chronology),
 * all of it in one transaction, so a refused step leaves nothing of that review. History entries
 * are marked as imported, with the importing user as actor. A dry run does everything and rolls
 * each review back.
 */
@Injectable()
export class ReviewImportService {
  private readonly atTheEnd = new ClocksAtTheEnd();
  private readonly logger = new Logger(ReviewImportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly clocks: DeadlineClocks,
    private readonly store: DocumentContentStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the file's outline (400 naming the field); the reviews are judged one by one. */
  parseFile(body: unknown): ImportFile {
    return parseInput(importFileSchema, body);
  }

  /**
   * Imports every review of the file, `concurrency` at a time (each in its own transaction; the
   * report keeps the file's order). Agencies the file declares are created first, as reference
   * data (not in a dry run: there each review's transaction creates them, in name order, so that
   * reviews checked at once wait for each other's instead of deadlocking, and drops them).
   */
  async run(file: ImportFile, actor: string, options: { dryRun: boolean; access?: AccessContext; concurrency?: number }): Promise<ImportReport> {
    const declared = new Map(file.agencies.map((a) => [a.name.toLocaleLowerCase('en-GB'), a.kind]));
    const agencies = [...file.agencies].sort((a, b) => (a.name.trim() < b.name.trim() ? -1 : a.name.trim() > b.name.trim() ? 1 : 0));
    if (!options.dryRun && agencies.length > 0) await this.dataSource.transaction((manager) => this.insertAgencies(manager, agencies));
    const reviews: ImportedReviewReport[] = new Array(file.reviews.length);
    let next = 0;
    const worker = async () => {
      while (next < file.reviews.length) {
        const index = next++;
        reviews[index] = await this.importOne(file.reviews[index], index, actor, declared, { ...options, agencies });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, 16)) }, worker));
    return {
      dryRun: options.dryRun,
      created: reviews.filter((r) => r.status === 'created').length,
      valid: reviews.filter((r) => r.status === 'valid').length,
      refused: reviews.filter((r) => r.status === 'refused').length,
      reviews,
    };
  }

  /** The file's agencies, those missing added (in the order given: every caller gives name order). */
  private async insertAgencies(manager: EntityManager, agencies: ImportFile['agencies']): Promise<void> {
    for (const { name, kind } of agencies) {
      await manager.query(`INSERT INTO agencies (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name.trim(), kind]);
    }
  }

  private async importOne(
    raw: unknown,
    index: number,
    actor: string,
    declaredAgencies: Map<string, string>,
    options: { dryRun: boolean; access?: AccessContext; agencies: ImportFile['agencies'] },
  ): Promise<ImportedReviewReport> {
    const outline = importedReviewSchema.safeParse(raw);
    const key = typeof (raw as { key?: unknown })?.key === 'string' ? String((raw as { key: string }).key) : `review ${index + 1}`;
    const refused = (refusal: ImportRefusal): ImportedReviewReport => ({ key, status: 'refused', refusal });
    if (!outline.success) {
      const problems = zodProblems(outline.error);
      return refused({ item: 0, step: 'review', field: problems.map((p) => p.field).join(', '), reason: problems.map((p) => `${p.field}: ${p.message}`).join('; ') });
    }
    const review = outline.data;
    let item = 0;
    let stepName = 'notification';
    try {
      const result = await withHistoryOrigin('imported', () =>
        this.dataSource.transaction(async (manager) => {
          const csp = await manager.findOne(Csp, { where: { code: review.csp } });
          if (!csp) throw new StepRefused('csp', `no CSP has the code ${review.csp}`);
          const access = options.access;
          if (access && !access.trusted && !access.holder?.cspRoles.some((r) => r.role === 'csp_lead' && r.cspId === csp.id)) {
            throw new StepRefused('csp', `you are not a CSP lead of ${csp.code}`);
          }
          // A dry run's agencies, made here and dropped with the rest.
          if (options.dryRun) await this.insertAgencies(manager, options.agencies);
          const services = servicesIn(this.dataSource, manager, this.clock, this.atTheEnd, this.store, this.config);
          const today = () => businessDate(this.clock.now());
          const reviewId = await services.lifecycle.openQuietly(parseInput(openReviewSchema(today), { ...review.notification, cspId: csp.id }), actor);
          const run: ReviewRun = { reviewId, manager, services, actor, refs: new Map(), agencies: new Map(), declaredAgencies, today };
          for (const [i, rawStep] of review.steps.entries()) {
            item = i + 1;
            stepName = typeof (rawStep as { step?: unknown })?.step === 'string' ? String((rawStep as { step: string }).step) : 'step';
            const parsed = importStepSchema.safeParse(rawStep);
            if (!parsed.success) throw new RequestValidationError(zodProblems(parsed.error));
            const { step, ...fields } = parsed.data;
            await this.apply(run, step, fields);
          }
          const final = await manager.findOneByOrFail(Review, { id: reviewId });
          await this.clocks.sync(manager, final, this.clock.now());
          // Numbered last, so the lock that numbering takes is held only to the commit.
          await services.lifecycle.giveReference(manager, final);
          const report: ImportedReviewReport = { key, status: options.dryRun ? 'valid' : 'created', id: reviewId, reference: final.reference, stage: final.status };
          if (options.dryRun) throw Object.assign(new DryRunDone(), { report });
          return report;
        }),
      );
      return result;
    } catch (error) {
      if (error instanceof DryRunDone) {
        const { id: _id, reference: _reference, ...report } = (error as DryRunDone & { report: ImportedReviewReport }).report;
        return report;
      }
      const found = FIELD_OF_ERROR(error);
      if (found) return refused({ item, step: stepName, field: found.field, reason: found.reason });
      // A failure of the service itself: this review is refused (nothing of it stored) and the
      // rest of the file goes on; the cause is logged, not put in the report.
      // Name and message only: a database error object carries the query's parameters (case data).
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      this.logger.error({ error: name, message, review: key, item, step: stepName }, 'import: a review failed on an unexpected error');
      return refused({ item, step: stepName, field: null, reason: 'the service could not store this step (an internal error, logged); nothing of this review was stored' });
    }
  }

  /** A ref's record id, of the kind the field needs. */
  private ref(run: ReviewRun, field: string, value: unknown, kind: string): string {
    if (typeof value !== 'string') throw new StepRefused(field, `must be the ref of an earlier ${kind} step`);
    const found = run.refs.get(value);
    if (!found || found.kind !== kind) throw new StepRefused(field, `no earlier ${kind} step has the ref ${value}`);
    return found.id;
  }

  private remember(run: ReviewRun, ref: unknown, kind: string, id: string): void {
    if (ref === undefined) return;
    if (typeof ref !== 'string' || ref.trim() === '') throw new StepRefused('ref', 'must be a name for this record');
    if (run.refs.has(ref)) throw new StepRefused('ref', `is already used by an earlier step (${ref})`);
    run.refs.set(ref, { kind, id });
  }

  /** An agency by name: the installation's, or one the file declares (created in this transaction). */
  private async agency(run: ReviewRun, value: unknown): Promise<string> {
    if (typeof value !== 'string' || value.trim() === '') throw new StepRefused('agency', 'must be the name of an agency');
    const name = value.trim();
    const known = run.agencies.get(name);
    if (known) return known;
    let agency = await run.manager.findOne(Agency, { where: { name } });
    if (!agency) {
      const kind = run.declaredAgencies.get(name.toLocaleLowerCase('en-GB'));
      if (!kind) throw new StepRefused('agency', `no agency is called ${name} (declare it in the file's agencies)`);
      agency = await run.manager.save(run.manager.create(Agency, { name, kind } as never));
    }
    run.agencies.set(name, agency!.id);
    return agency!.id;
  }

  private async apply(run: ReviewRun, step: ImportStepName, fields: Record<string, unknown>): Promise<void> {
    const { services: s, reviewId: id, actor, today } = run;
    const { ref, ...body } = fields;
    const take = (name: string) => {
      const value = body[name];
      delete body[name];
      return value;
    };
    switch (step) {
      case 'person':
        await s.people.add(id, parseInput(addPersonSchema, fields), actor);
        return;
      case 'appointment':
        this.remember(run, ref, 'appointment', (await s.appointments.appoint(id, parseInput(appointSchema(today), body), actor)).id);
        return;
      case 'appointmentEnded': {
        const appointment = this.ref(run, 'appointment', take('appointment'), 'appointment');
        await s.appointments.end(id, appointment, parseInput(endAppointmentSchema(today), body), actor);
        return;
      }
      case 'panelMember': {
        const agencyId = await this.agency(run, take('agency'));
        this.remember(run, ref, 'panelMember', (await s.panel.add(id, parseInput(addPanelMemberSchema(today), { ...body, agencyId }), actor)).id);
        return;
      }
      case 'panelMemberLeft': {
        const member = this.ref(run, 'member', take('member'), 'panelMember');
        await s.panel.leave(id, member, parseInput(leavePanelSchema(today), body), actor);
        return;
      }
      case 'scopingResponse': {
        const agencyId = await this.agency(run, take('agency'));
        await s.scoping.record(id, parseInput(recordScopingResponseSchema(today), { ...body, agencyId }), actor);
        return;
      }
      case 'recordsSecured': {
        const agencyId = await this.agency(run, take('agency'));
        await s.records.confirm(id, parseInput(confirmRecordsSecuredSchema(today), { ...body, agencyId }), actor);
        return;
      }
      case 'imr': {
        const agencyId = await this.agency(run, take('agency'));
        this.remember(run, ref, 'imr', (await s.imrs.commission(id, parseInput(commissionImrSchema(today), { ...body, agencyId }), actor)).id);
        return;
      }
      case 'imrExtended':
        await s.imrs.extend(id, this.ref(run, 'imr', take('imr'), 'imr'), parseInput(extendImrSchema(today), body), actor);
        return;
      case 'imrReceived':
        await s.imrs.receive(id, this.ref(run, 'imr', take('imr'), 'imr'), parseInput(receiveImrSchema(today), body), actor);
        return;
      case 'imrQualityChecked':
        await s.imrs.qualityCheck(id, this.ref(run, 'imr', take('imr'), 'imr'), parseInput(qualityCheckImrSchema(today), body), actor);
        return;
      case 'imrSignedOff':
        await s.imrs.signOff(id, this.ref(run, 'imr', take('imr'), 'imr'), parseInput(signOffImrSchema(today), body), actor);
        return;
      case 'imrWaived':
        await s.imrs.waive(id, this.ref(run, 'imr', take('imr'), 'imr'), parseInput(waiveImrSchema, body), actor);
        return;
      case 'meeting':
        this.remember(run, ref, 'meeting', (await s.meetings.schedule(id, parseInput(scheduleMeetingSchema(today), body), actor)).id);
        return;
      case 'meetingHeld': {
        const meeting = this.ref(run, 'meeting', take('meeting'), 'meeting');
        const imrs = take('imrs');
        if (imrs !== undefined && !Array.isArray(imrs)) throw new StepRefused('imrs', 'must be a list of IMR refs');
        const imrIds = (imrs as unknown[] | undefined)?.map((r, i) => this.ref(run, `imrs.${i}`, r, 'imr'));
        await s.meetings.hold(id, meeting, parseInput(holdMeetingSchema, { ...body, ...(imrIds ? { imrIds } : {}) }), actor);
        return;
      }
      case 'meetingCancelled':
        await s.meetings.cancel(id, this.ref(run, 'meeting', take('meeting'), 'meeting'), parseInput(cancelMeetingSchema, body), actor);
        return;
      case 'family':
        await s.family.record(id, parseInput(recordFamilyEngagementSchema(today), fields), actor);
        return;
      case 'proceedings':
        this.remember(run, ref, 'proceedings', (await s.proceedings.record(id, parseInput(recordProceedingSchema, body), actor)).id);
        return;
      case 'proceedingsStatus': {
        const proceeding = this.ref(run, 'proceedings', take('proceedings'), 'proceedings');
        await s.proceedings.changeStatus(id, proceeding, parseInput(changeProceedingStatusSchema(today), body), actor);
        return;
      }
      case 'recommendation': {
        const agreed = take('agreed');
        if (agreed !== undefined && typeof agreed !== 'boolean') throw new StepRefused('agreed', 'must be true or false');
        const created = await s.recommendations.create(id, parseInput(createRecommendationSchema, body), actor);
        this.remember(run, ref, 'recommendation', created.id);
        if (agreed) await s.recommendations.agree(id, created.id, actor);
        return;
      }
      case 'noRecommendations':
        await s.recommendations.setNoRecommendationsReason(id, parseInput(noRecommendationsReasonSchema, fields), actor);
        return;
      case 'action': {
        const recommendation = this.ref(run, 'recommendation', take('recommendation'), 'recommendation');
        const created = await s.actions.add(id, recommendation, parseInput(addActionSchema, body), actor);
        this.remember(run, ref, 'action', `${recommendation}/${created.id}`);
        return;
      }
      case 'actionCompleted': {
        const [recommendation, action] = this.ref(run, 'action', take('action'), 'action').split('/') as [string, string];
        await s.actions.complete(id, recommendation, action, parseInput(completeActionSchema(today), body), actor);
        return;
      }
      case 'document': {
        const filename = take('filename');
        const mimeType = take('mimeType');
        const content = take('contentBase64');
        const imr = take('imr');
        if (typeof filename !== 'string' || filename.trim() === '') throw new StepRefused('filename', 'is required');
        if (typeof mimeType !== 'string') throw new StepRefused('mimeType', 'is required');
        if (typeof content !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(content)) throw new StepRefused('contentBase64', 'must be the file, base64-encoded');
        const buffer = Buffer.from(content, 'base64');
        const imrId = imr === undefined ? undefined : this.ref(run, 'imr', imr, 'imr');
        await s.documents.create(id, { ...body, ...(imrId ? { imrId } : {}) }, { fieldname: 'file', originalname: filename, mimetype: mimeType, size: buffer.length, buffer }, actor);
        return;
      }
      case 'publication':
        await s.publication.put(id, parseInput(putPublicationSchema, fields), actor);
        return;
      case 'anonymisationConfirmed':
        await s.publication.confirmAnonymisation(id, parseInput(confirmAnonymisationSchema, fields), actor);
        return;
      case 'event':
        await s.lifecycle.applyEventQuietly(id, fields, actor);
        return;
    }
  }
}
