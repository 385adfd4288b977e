import { HttpException, INestApplicationContext, Logger, Type } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { TRUSTED_ACCESS } from '../access/access.service';
import { ReviewMembersService, addMemberSchema } from '../access/members';
import type { Role } from '../access/policy';
import { HomeOfficeChecklistService } from '../reports/home-office/home-office-checklist.service';
import { ActionsService } from '../casefile/actions/actions.service';
import { addActionSchema, completeActionSchema } from '../casefile/actions/actions.schemas';
import { AgenciesService, createAgencySchema } from '../casefile/agencies/agencies.service';
import { appointSchema } from '../casefile/appointments/appointments.schemas';
import { AppointmentsService } from '../casefile/appointments/appointments.service';
import { DocumentsService } from '../casefile/documents/documents.service';
import type { Agency } from '../casefile/entities';
import { recordFamilyEngagementSchema } from '../casefile/family/family.schemas';
import { FamilyService } from '../casefile/family/family.service';
import { commissionImrSchema, extendImrSchema, receiveImrSchema, signOffImrSchema } from '../casefile/imrs/imrs.schemas';
import { ImrsService } from '../casefile/imrs/imrs.service';
import { holdMeetingSchema, scheduleMeetingSchema } from '../casefile/meetings/meetings.schemas';
import { MeetingsService } from '../casefile/meetings/meetings.service';
import { addPanelMemberSchema } from '../casefile/panel/panel.schemas';
import { PanelService } from '../casefile/panel/panel.service';
import { addPersonSchema } from '../casefile/people/people.schemas';
import { PeopleService } from '../casefile/people/people.service';
import { changeProceedingStatusSchema, recordProceedingSchema } from '../casefile/proceedings/proceedings.schemas';
import { ProceedingsService } from '../casefile/proceedings/proceedings.service';
import { confirmAnonymisationSchema, putPublicationSchema } from '../casefile/publication/publication.schemas';
import { PublicationService } from '../casefile/publication/publication.service';
import { createRecommendationSchema } from '../casefile/recommendations/recommendations.schemas';
import { RecommendationsService } from '../casefile/recommendations/recommendations.service';
import { createCspSchema } from '../csps/csps.controller';
import { CspsService } from '../csps/csps.service';
import { User, USER_ROLES, UserRole } from '../identity/identity.entities';
import { IdentityService } from '../identity/identity.service';
import { verifyPassword } from '../identity/passwords';
import { SessionService } from '../identity/sessions.service';
import { Clock } from '../infrastructure/clock/clock';
import type { AppConfig } from '../infrastructure/config/app-config';
import { APP_CONFIG } from '../infrastructure/config/config.module';
import { ConfigError } from '../infrastructure/config/load-config';
import { parseInput } from '../infrastructure/http/validation';
import { businessDate, BUSINESS_TIME_ZONE, type Stage } from '../reviews/lifecycle';
import { ReviewLifecycleService } from '../reviews/review-lifecycle.service';
import { Review } from '../reviews/review.entity';
import { openReviewSchema } from '../reviews/reviews.schemas';
import { demoPdf } from './demo-pdf';

/**
 * Demo mode's data: one user per role and five reviews at different stages, so a newcomer can
 * try every journey. Everything is made through the application's own services, exactly as the
 * API would make it (the same validation, rules, history rows with their actors, deadlines and
 * audit columns), by the demo user whose job it is: the CSP lead opens and decides, the chair
 * commissions IMRs, the report writer records recommendations and uploads the drafts, the RAG
 * member approves. Nothing here writes SQL.
 *
 * Idempotent: the CSP, agencies and users are found before they are made, and a review is
 * recognised by its police reference in the DEMO CSP, so a second run creates nothing. Dates
 * are relative to today (the first run's), so the deadlines read like a live caseload.
 */

export const DEMO_CSP = { code: 'DEMO', name: 'Demo Community Safety Partnership', boardName: 'Responsible Authorities Group' } as const;

export const DEMO_POLICE_FORCE = 'Demoshire Police';

type AgencyKey = 'police' | 'health' | 'council' | 'probation' | 'specialist';

export const DEMO_AGENCIES: Readonly<Record<AgencyKey, { name: string; kind: Agency['kind'] }>> = {
  police: { name: DEMO_POLICE_FORCE, kind: 'police' },
  health: { name: 'Demoshire NHS Foundation Trust', kind: 'health' },
  council: { name: 'Demoshire County Council', kind: 'local_authority' },
  probation: { name: 'Demoshire Probation Service', kind: 'probation' },
  specialist: { name: 'Demoshire Domestic Abuse Service', kind: 'specialist_da_service' },
};

export type DemoUserKey = 'administrator' | 'lead' | 'rag' | 'chair' | 'writer' | 'panel' | 'imr';

export interface DemoUser {
  key: DemoUserKey;
  email: string;
  displayName: string;
  role: Role;
  /** The role as a person would say it, with its scope. */
  label: string;
  /** What the policy table (src/access/policy.ts) lets them see and do, in a line. */
  can: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    key: 'administrator',
    email: 'admin@demo.invalid',
    displayName: 'Demo Administrator',
    role: 'administrator',
    label: 'administrator',
    can: 'users, CSPs and agencies; no review content',
  },
  {
    key: 'lead',
    email: 'lead@demo.invalid',
    displayName: 'Demo CSP Lead',
    role: 'csp_lead',
    label: 'CSP lead (DEMO)',
    can: 'every DEMO review: opens, decides, appoints, submits, publishes',
  },
  {
    key: 'rag',
    email: 'rag@demo.invalid',
    displayName: 'Demo RAG Member',
    role: 'rag_member',
    label: 'RAG member (DEMO)',
    can: 'DEMO reviews from RAG sign-off on: reads the report, approves or returns it',
  },
  {
    key: 'chair',
    email: 'chair@demo.invalid',
    displayName: 'Demo Independent Chair',
    role: 'chair',
    label: 'chair',
    can: 'the 4 reviews they chair: panel, IMRs, meetings, moves the review on',
  },
  {
    key: 'writer',
    email: 'writer@demo.invalid',
    displayName: 'Demo Report Writer',
    role: 'report_writer',
    label: 'report writer',
    can: 'the 4 reviews they write: recommendations, drafts, family',
  },
  {
    key: 'panel',
    email: 'panel@demo.invalid',
    displayName: 'Demo Panel Member',
    role: 'panel_member',
    label: `panel member (${DEMO_AGENCIES.police.name})`,
    can: 'the 4 reviews they sit on: reads the case file, no real names',
  },
  {
    key: 'imr',
    email: 'imr@demo.invalid',
    displayName: 'Demo IMR Author',
    role: 'imr_author',
    label: `IMR author (${DEMO_AGENCIES.health.name})`,
    can: "the 4 reviews they write for: their agency's IMRs only, signs them off",
  },
];

const userOf = (key: DemoUserKey): DemoUser => DEMO_USERS.find((u) => u.key === key)!;
const email = (key: DemoUserKey) => userOf(key).email;

/** The five demo reviews, by police reference (how a second run recognises them). */
export const DEMO_REVIEWS = [
  { policeReference: 'DEMO-0001', stage: 'notified', summary: 'just notified: the decision is awaited (only the CSP lead sees it)' },
  { policeReference: 'DEMO-0002', stage: 'information_gathering', summary: '3 IMRs commissioned: 1 received, 1 overdue, 1 not yet due; panel meets in 2 weeks' },
  { policeReference: 'DEMO-0003', stage: 'drafting', summary: 'IMRs in, the panel has met, 3 recommendations agreed' },
  { policeReference: 'DEMO-0004', stage: 'rag_sign_off', summary: 'overview report and executive summary uploaded: the RAG to approve or return' },
  { policeReference: 'DEMO-0005', stage: 'action_plan_monitoring', summary: 'published after Home Office QA; action plan: 1 of 3 actions done' },
] as const satisfies ReadonlyArray<{ policeReference: string; stage: Stage; summary: string }>;

export type DemoReviewKey = (typeof DEMO_REVIEWS)[number]['policeReference'];

/** Demo mode with APP_ENV=production: refused, with what to do instead. */
export class DemoRefusedError extends ConfigError {}

export function assertDemoAllowed(config: Pick<AppConfig, 'env'>): void {
  if (config.env === 'production') {
    throw new DemoRefusedError([
      'DEMO: demo mode is refused with APP_ENV=production: it creates users whose password is published and fictional reviews. ' +
        'Unset DEMO, or run the demo on a local machine (APP_ENV=local).',
    ]);
  }
}

export interface DemoSeedResult {
  cspId: string;
  created: { csp: boolean; agencies: number; users: number; reviews: number };
  /** Demo users whose password was set (new, or not the demo password). */
  passwordsSet: number;
  users: ReadonlyArray<DemoUser & { userId: string }>;
  reviews: ReadonlyArray<{ policeReference: DemoReviewKey; id: string; reference: string; stage: string; intended: Stage; summary: string; created: boolean }>;
}

/** The services the seeder uses, from the application's own container. */
function servicesOf(app: INestApplicationContext) {
  const get = <T>(type: Type<T>): T => app.get(type, { strict: false });
  return {
    dataSource: get(DataSource),
    clock: get(Clock),
    csps: get(CspsService),
    agencies: get(AgenciesService),
    identity: get(IdentityService),
    sessions: get(SessionService),
    lifecycle: get(ReviewLifecycleService),
    members: get(ReviewMembersService),
    people: get(PeopleService),
    appointments: get(AppointmentsService),
    panel: get(PanelService),
    imrs: get(ImrsService),
    meetings: get(MeetingsService),
    recommendations: get(RecommendationsService),
    documents: get(DocumentsService),
    family: get(FamilyService),
    proceedings: get(ProceedingsService),
    publication: get(PublicationService),
    actions: get(ActionsService),
    homeOfficeChecklist: get(HomeOfficeChecklistService),
  };
}

type Services = ReturnType<typeof servicesOf>;

/**
 * Seeds the demo data into the application's database (see the file comment). Refuses with
 * APP_ENV=production before touching anything. `config` defaults to the application's own.
 */
export async function seedDemo(
  app: INestApplicationContext,
  options: { config?: Pick<AppConfig, 'env' | 'demo'> } = {},
): Promise<DemoSeedResult> {
  const config = options.config ?? app.get<AppConfig>(APP_CONFIG, { strict: false });
  assertDemoAllowed(config);
  const logger = new Logger('DemoSeed');
  const s = servicesOf(app);
  const created = { csp: false, agencies: 0, users: 0, reviews: 0 };

  let csp = (await s.csps.list()).find((c) => c.code === DEMO_CSP.code);
  if (!csp) {
    csp = await s.csps.create(parseInput(createCspSchema, DEMO_CSP));
    created.csp = true;
  }

  const existingAgencies = await s.agencies.list();
  const agencies = {} as Record<AgencyKey, string>;
  for (const [key, agency] of Object.entries(DEMO_AGENCIES) as Array<[AgencyKey, (typeof DEMO_AGENCIES)[AgencyKey]]>) {
    let found = existingAgencies.find((a) => a.name === agency.name);
    if (!found) {
      found = await s.agencies.create(parseInput(createAgencySchema, agency));
      created.agencies += 1;
    }
    agencies[key] = found.id;
  }

  const users: Array<DemoUser & { userId: string }> = [];
  let passwordsSet = 0;
  for (const user of DEMO_USERS) {
    const before = await s.dataSource.manager.findOne(User, { where: { email: user.email } });
    // Administrator, CSP lead and RAG member are user roles; the review roles are memberships (below).
    const userRole = (USER_ROLES as readonly string[]).includes(user.role) ? (user.role as UserRole) : undefined;
    const saved = await s.identity.addUser({
      email: user.email,
      displayName: user.displayName,
      ...(userRole ? { role: userRole, ...(userRole === 'administrator' ? {} : { cspCode: DEMO_CSP.code }) } : {}),
      change: { changedBy: 'demo mode', reason: 'a fictional demo user (npm run demo)' },
    });
    if (!before) created.users += 1;
    if (!(await hasPassword(s, saved.id, config.demo.password))) {
      await s.sessions.setPassword(saved.id, config.demo.password);
      passwordsSet += 1;
    }
    users.push({ ...user, userId: saved.id });
  }

  const dates = new DemoDates(businessDate(s.clock.now()));
  const reviews: Array<DemoSeedResult['reviews'][number]> = [];
  for (const spec of DEMO_REVIEWS) {
    let review = await s.dataSource.manager.findOne(Review, { where: { cspId: csp.id, policeReference: spec.policeReference } });
    const isNew = !review;
    if (!review) {
      const id = await SCRIPTS[spec.policeReference](new DemoReview(s, dates, csp.id, agencies, spec.policeReference));
      review = await s.dataSource.manager.findOneByOrFail(Review, { id });
      created.reviews += 1;
    }
    if (review.status !== spec.stage) {
      logger.warn(`Demo review ${review.reference} is at ${review.status}, not ${spec.stage} (changed since it was seeded, or seeding was interrupted)`);
    }
    reviews.push({ policeReference: spec.policeReference, id: review.id, reference: review.reference, stage: review.status, intended: spec.stage, summary: spec.summary, created: isNew });
  }
  logger.log(
    `Demo data: ${created.csp ? 'created' : 'found'} CSP ${DEMO_CSP.code}; created ${created.agencies} agencies, ${created.users} users, ${created.reviews} reviews`,
  );
  return { cspId: csp.id, created, passwordsSet, users, reviews };
}

/** Whether the user's password is already the demo password (then it is left alone, sessions too). */
async function hasPassword(s: Services, userId: string, password: string): Promise<boolean> {
  const row = await s.dataSource.manager
    .createQueryBuilder(User, 'u')
    .addSelect('u.passwordHash')
    .where('u.id = :userId', { userId })
    .getOne();
  return !!row?.passwordHash && (await verifyPassword(row.passwordHash, password));
}

/** The users and reviews seeded, as printed once at the start of `npm run demo`. */
export function formatDemoSummary(result: DemoSeedResult, password: string, baseUrl: string): string {
  const width = (values: string[]) => Math.max(...values.map((v) => v.length));
  const emailWidth = width(result.users.map((u) => u.email));
  const roleWidth = width(result.users.map((u) => u.label));
  const lines = [
    '',
    `DEMO MODE: fictional data. Every demo user's password is: ${password}`,
    '(a local demo password, printed on purpose; never use demo mode with real data)',
    '',
    ...result.users.map((u) => `  ${u.email.padEnd(emailWidth)}  ${u.label.padEnd(roleWidth)}  ${u.can}`),
    '',
    `Demo reviews (CSP ${DEMO_CSP.code}), by police reference:`,
    ...result.reviews.map((r) => `  ${r.policeReference}  ${r.reference.padEnd(17)}  ${r.stage.padEnd(22)}  ${r.summary}`),
    '',
    `API and its documentation: ${baseUrl}/api/docs (the README's "Demo mode" says how to try each journey)`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** Calendar dates relative to today (Europe/London), as YYYY-MM-DD. */
class DemoDates {
  constructor(readonly today: string) {}

  private day(offset: number): DateTime {
    return DateTime.fromISO(this.today, { zone: BUSINESS_TIME_ZONE }).plus({ days: offset });
  }

  /** `n` days before today, moved back to the Friday before if it falls on a weekend. */
  ago(n: number): string {
    let d = this.day(-n);
    while (d.weekday > 5) d = d.minus({ days: 1 });
    return d.toISODate()!;
  }

  /** `n` days after today, moved on to the Monday after if it falls on a weekend. */
  ahead(n: number): string {
    let d = this.day(n);
    while (d.weekday > 5) d = d.plus({ days: 1 });
    return d.toISODate()!;
  }

  /** An instant on a date at a London wall-clock time, with its offset. */
  at(date: string, time: string): string {
    return DateTime.fromISO(`${date}T${time}`, { zone: BUSINESS_TIME_ZONE }).toISO({ suppressMilliseconds: true })!;
  }

  /** `years` before a date (for a scoping period). */
  yearsBefore(date: string, years: number): string {
    return DateTime.fromISO(date).minus({ years }).toISODate()!;
  }
}

/** What went wrong in a seeding step, with the service's own reasons (400 errors, 409 reasons). */
function explain(error: unknown): string {
  if (error instanceof HttpException) {
    const body = error.getResponse() as { message?: unknown; reasons?: unknown };
    const reasons = Array.isArray(body.reasons) && body.reasons.length ? ` (${body.reasons.join('; ')})` : '';
    return `${String(body.message ?? error.message)}${reasons}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** One review being built, step by step, through the services, as the demo users. */
class DemoReview {
  id = '';
  private readonly today = () => this.dates.today;

  constructor(
    private readonly s: Services,
    private readonly dates: DemoDates,
    private readonly cspId: string,
    readonly agencies: Record<AgencyKey, string>,
    private readonly policeReference: string,
  ) {}

  private async step<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new Error(`Demo review ${this.policeReference}: ${what} failed: ${explain(error)}`, { cause: error });
    }
  }

  ago(n: number) {
    return this.dates.ago(n);
  }

  ahead(n: number) {
    return this.dates.ahead(n);
  }

  async open(input: { dateOfDeath: string; notifiedOn: string; circumstances: string }) {
    const body = { cspId: this.cspId, policeForce: DEMO_POLICE_FORCE, policeReference: this.policeReference, ...input };
    const review = await this.step('opening the review', () => this.s.lifecycle.open(parseInput(openReviewSchema(this.today), body), email('lead')));
    this.id = review.id;
    return review;
  }

  /** The CSP lead confirms every item of the checklist before submission to the Home Office. */
  checklistConfirmed() {
    const answers = this.s.homeOfficeChecklist.checklist.items.map((i) => ({ item: i.id, answer: 'confirmed' }));
    return this.step('answering the checklist before submission', () => this.s.homeOfficeChecklist.answer(this.id, this.s.homeOfficeChecklist.parse({ answers }), email('lead')));
  }

  event(body: Record<string, unknown> & { type: string }, actor: DemoUserKey) {
    return this.step(body.type, () => this.s.lifecycle.applyEvent(this.id, body, email(actor)));
  }

  /** The victim ("Adult A") and the perpetrator ("Adult B"), with fictional real names. */
  async people(victim: { realName: string; age: number }, perpetrator: { realName: string; age: number; legalStatus: string; relationship: string }) {
    await this.step('adding the victim', () =>
      this.s.people.add(this.id, parseInput(addPersonSchema, { role: 'victim', pseudonym: 'Adult A', ...victim }), email('lead')),
    );
    await this.step('adding the perpetrator', () =>
      this.s.people.add(
        this.id,
        parseInput(addPersonSchema, {
          role: 'perpetrator',
          pseudonym: 'Adult B',
          realName: perpetrator.realName,
          age: perpetrator.age,
          legalStatus: perpetrator.legalStatus,
          relationshipToVictim: perpetrator.relationship,
        }),
        email('lead'),
      ),
    );
  }

  async decideAndTellHomeOffice(decidedAt: string, sentAt: string, rationale: string) {
    await this.event({ type: 'DECIDE', outcome: 'proceed', rationale, decidedAt }, 'lead');
    await this.event({ type: 'NOTIFY_HOME_OFFICE', sentAt }, 'lead');
  }

  /**
   * The chair and report writer appointed (case file) and made members (access), then the
   * panel member and IMR author added by the chair, and the panel formed.
   */
  async team(appointedOn: string, panelJoinedOn: string) {
    await this.step('appointing the chair', () =>
      this.s.appointments.appoint(
        this.id,
        parseInput(appointSchema(this.today), {
          role: 'chair',
          name: userOf('chair').displayName,
          organisation: 'Independent Reviews (fictional) Ltd',
          email: email('chair'),
          appointedOn,
          independenceStatement: 'I have had no involvement with any agency in this case, nor managed anyone who had.',
        }),
        email('lead'),
      ),
    );
    await this.step('appointing the report writer', () =>
      this.s.appointments.appoint(
        this.id,
        parseInput(appointSchema(this.today), {
          role: 'report_writer',
          name: userOf('writer').displayName,
          organisation: 'Independent Reviews (fictional) Ltd',
          email: email('writer'),
          appointedOn,
          independenceStatement: 'I am independent of every agency involved.',
        }),
        email('lead'),
      ),
    );
    await this.member('chair', 'lead');
    await this.member('writer', 'lead');
    await this.member('panel', 'chair', this.agencies.police);
    await this.member('imr', 'chair', this.agencies.health);
    const panel: Array<[AgencyKey, string, string | undefined]> = [
      ['police', userOf('panel').displayName, email('panel')],
      ['health', 'Head of Safeguarding (fictional)', undefined],
      ['council', 'Assistant Director, Adult Social Care (fictional)', undefined],
      ['probation', 'Senior Probation Officer (fictional)', undefined],
      ['specialist', 'Service Manager (fictional)', undefined],
    ];
    for (const [agency, name, address] of panel) {
      await this.step(`adding the ${agency} panel member`, () =>
        this.s.panel.add(
          this.id,
          parseInput(addPanelMemberSchema(this.today), {
            name,
            agencyId: this.agencies[agency],
            role: 'Senior representative',
            ...(address ? { email: address } : {}),
            joinedOn: panelJoinedOn,
            noDirectCaseManagementDeclared: true,
          }),
          email('chair'),
        ),
      );
    }
  }

  private member(user: DemoUserKey, actor: DemoUserKey, agencyId?: string) {
    const role = userOf(user).role;
    return this.step(`adding ${email(user)} as ${role}`, () =>
      this.s.members.add(
        this.id,
        parseInput(addMemberSchema, { email: email(user), role, ...(agencyId ? { agencyId } : {}) }),
        email(actor),
        TRUSTED_ACCESS('members.manage'),
      ),
    );
  }

  termsOfReference(agreedAt: string, dateOfDeath: string) {
    return this.event({ type: 'AGREE_TERMS_OF_REFERENCE', agreedAt, scopeStart: this.dates.yearsBefore(dateOfDeath, 3), scopeEnd: dateOfDeath }, 'chair');
  }

  async commissionImr(agency: AgencyKey, requestedOn: string, dueOn: string, kind: 'imr' | 'short_report' = 'imr'): Promise<string> {
    const imr = await this.step(`commissioning the ${agency} IMR`, () =>
      this.s.imrs.commission(
        this.id,
        parseInput(commissionImrSchema(this.today), {
          agencyId: this.agencies[agency],
          kind,
          authorName: agency === 'health' ? userOf('imr').displayName : `IMR author, ${DEMO_AGENCIES[agency].name} (fictional)`,
          requestedOn,
          dueOn,
        }),
        email('chair'),
      ),
    );
    return imr.id;
  }

  extendImr(imrId: string, newDueOn: string, grantedOn: string, reason: string) {
    return this.step('extending an IMR', () =>
      this.s.imrs.extend(this.id, imrId, parseInput(extendImrSchema(this.today), { newDueOn, reason, grantedOn }), email('chair')),
    );
  }

  receiveImr(imrId: string, receivedOn: string) {
    return this.step('receiving an IMR', () => this.s.imrs.receive(this.id, imrId, parseInput(receiveImrSchema(this.today), { receivedOn }), email('chair')));
  }

  /** The health IMR's sign-off by its senior manager, recorded by the IMR author. */
  signOffHealthImr(imrId: string, signedOffOn: string) {
    return this.step('signing off the health IMR', () =>
      this.s.imrs.signOff(
        this.id,
        imrId,
        parseInput(signOffImrSchema(this.today), { signedOffBy: 'Director of Nursing (fictional)', signedOffOn }),
        email('imr'),
      ),
    );
  }

  async scheduleMeeting(date: string, agenda: string): Promise<string> {
    const meeting = await this.step('scheduling a panel meeting', () =>
      this.s.meetings.schedule(
        this.id,
        parseInput(scheduleMeetingSchema(this.today), { startsAt: this.dates.at(date, '10:00'), location: 'Demoshire Civic Centre, Room 2 (fictional)', agenda }),
        email('chair'),
      ),
    );
    return meeting.id;
  }

  async holdMeetingConsidering(date: string, imrIds: string[]) {
    const meetingId = await this.scheduleMeeting(date, 'Consider the IMRs; agree the key lines of analysis');
    await this.step('recording the panel meeting as held', () =>
      this.s.meetings.hold(
        this.id,
        meetingId,
        parseInput(holdMeetingSchema, {
          minutes: 'The panel considered each IMR and the combined chronology.',
          decisions: 'The chair and report writer to draft the analysis and recommendations.',
          imrIds,
        }),
        email('chair'),
      ),
    );
  }

  /** Recorded by the report writer, agreed by the chair. */
  async recommendations(items: ReadonlyArray<{ text: string; level: 'single_agency' | 'multi_agency' | 'national'; addressee: string }>) {
    const ids: string[] = [];
    for (const item of items) {
      const recommendation = await this.step('recording a recommendation', () =>
        this.s.recommendations.create(this.id, parseInput(createRecommendationSchema, item), email('writer')),
      );
      await this.step('agreeing a recommendation', () => this.s.recommendations.agree(this.id, recommendation.id, email('chair')));
      ids.push(recommendation.id);
    }
    return ids;
  }

  family(kind: string, occurredOn: string, extra: Record<string, unknown> = {}) {
    return this.step(`recording family engagement (${kind})`, () =>
      this.s.family.record(this.id, parseInput(recordFamilyEngagementSchema(this.today), { kind, occurredOn, ...extra }), email('chair')),
    );
  }

  /** The overview report and executive summary, uploaded by the report writer as small PDFs. */
  async uploadDrafts(reference: string) {
    for (const [kind, title] of [
      ['overview_report', 'Overview report'],
      ['executive_summary', 'Executive summary'],
    ] as const) {
      const content = demoPdf(`${title} - ${reference} (DEMO, fictional)`, [
        'This document is part of the demo data of the DHR engine.',
        'Every person, agency and event in it is fictional.',
        'Adult A and Adult B are pseudonyms.',
      ]);
      await this.step(`uploading the ${title.toLowerCase()}`, () =>
        this.s.documents.create(
          this.id,
          { kind, title: `${title} (draft)` },
          { fieldname: 'file', originalname: `${kind.replace('_', '-')}.pdf`, mimetype: 'application/pdf', size: content.length, buffer: content },
          email('writer'),
        ),
      );
    }
  }

  async proceedings(description: string, concludedOn?: string) {
    const proceeding = await this.step('recording criminal proceedings', () =>
      this.s.proceedings.record(this.id, parseInput(recordProceedingSchema, { type: 'criminal', status: 'active', description }), email('lead')),
    );
    if (concludedOn) {
      await this.step('recording the end of the proceedings', () =>
        this.s.proceedings.changeStatus(
          this.id,
          proceeding.id,
          parseInput(changeProceedingStatusSchema(this.today), { status: 'concluded', on: concludedOn }),
          email('lead'),
        ),
      );
    }
  }

  async publicationReady(confirmedBy: string) {
    await this.step('recording the publication record', () =>
      this.s.publication.put(
        this.id,
        parseInput(putPublicationSchema, { pseudonyms: ['Adult A', 'Adult B'], redactionLog: 'Names, addresses and dates of birth replaced with pseudonyms.' }),
        email('lead'),
      ),
    );
    await this.step('confirming anonymisation', () =>
      this.s.publication.confirmAnonymisation(this.id, parseInput(confirmAnonymisationSchema, { confirmedBy }), email('lead')),
    );
  }

  async action(recommendationId: string, input: { description: string; owner: string; targetDate: string }, completed?: { on: string; evidence: string }) {
    const action = await this.step('adding an action', () =>
      this.s.actions.add(this.id, recommendationId, parseInput(addActionSchema, input), email('lead')),
    );
    if (completed) {
      await this.step('completing an action', () =>
        this.s.actions.complete(
          this.id,
          recommendationId,
          action.id,
          parseInput(completeActionSchema(this.today), { completedOn: completed.on, evidence: completed.evidence }),
          email('lead'),
        ),
      );
    }
  }
}

const RECOMMENDATIONS = [
  { text: 'GPs should ask about domestic abuse when injuries are seen, and record the answer.', level: 'single_agency', addressee: DEMO_AGENCIES.health.name },
  { text: 'Police should refer to MARAC after a second call-out to the same address within a year.', level: 'single_agency', addressee: DEMO_AGENCIES.police.name },
  { text: 'Agencies should share risk information through the MARAC information-sharing protocol.', level: 'multi_agency', addressee: DEMO_CSP.name },
] as const;

/** A review up to drafting, through appointments, panel, IMRs, a meeting and recommendations. */
async function toDrafting(r: DemoReview, t: { decided: number; imrsIn: number; met: number }, dateOfDeath: string) {
  await r.decideAndTellHomeOffice(r.ago(t.decided), r.ago(t.decided - 2), 'Death of an adult at home; the partner is suspected. The criteria of s.9 are met.');
  await r.team(r.ago(t.decided - 8), r.ago(t.decided - 12));
  await r.termsOfReference(r.ago(t.decided - 20), dateOfDeath);
  const requested = r.ago(t.decided - 22);
  const police = await r.commissionImr('police', requested, r.ago(t.imrsIn - 5));
  const health = await r.commissionImr('health', requested, r.ago(t.imrsIn + 20));
  const council = await r.commissionImr('council', requested, r.ago(t.imrsIn - 5), 'short_report');
  await r.extendImr(health, r.ago(t.imrsIn - 5), r.ago(t.imrsIn + 22), 'GP records are held by another trust');
  await r.receiveImr(police, r.ago(t.imrsIn + 2));
  await r.receiveImr(council, r.ago(t.imrsIn + 1));
  await r.receiveImr(health, r.ago(t.imrsIn));
  await r.signOffHealthImr(health, r.ago(t.imrsIn));
  await r.holdMeetingConsidering(r.ago(t.met), [police, health, council]);
  const recommendations = await r.recommendations(RECOMMENDATIONS);
  await r.event({ type: 'BEGIN_DRAFTING', occurredAt: r.ago(t.met - 5) }, 'chair');
  return recommendations;
}

/** How each demo review is built; each returns the review's id. */
const SCRIPTS: Record<DemoReviewKey, (r: DemoReview) => Promise<string>> = {
  /** Just notified by the police: the CSP lead must decide within a month. */
  'DEMO-0001': async (r) => {
    await r.open({
      dateOfDeath: r.ago(12),
      notifiedOn: r.ago(9),
      circumstances: 'FICTIONAL DEMO CASE. A woman aged 41 was found dead at her home; her partner was arrested on suspicion of murder.',
    });
    await r.people({ realName: 'Alice Example', age: 41 }, { realName: 'Bob Example', age: 44, legalStatus: 'suspected', relationship: 'partner' });
    await r.proceedings('Police investigation; Adult B arrested and remanded in custody (fictional).');
    return r.id;
  },

  /** Information gathering: three IMRs commissioned, one received, one overdue, one not yet due. */
  'DEMO-0002': async (r) => {
    const dateOfDeath = r.ago(110);
    await r.open({
      dateOfDeath,
      notifiedOn: r.ago(104),
      circumstances: 'FICTIONAL DEMO CASE. A woman aged 29 died of injuries after an assault at home; her husband has been charged.',
    });
    await r.people({ realName: 'Carol Sample', age: 29 }, { realName: 'Dan Sample', age: 33, legalStatus: 'charged', relationship: 'husband' });
    await r.decideAndTellHomeOffice(r.ago(90), r.ago(88), 'Death following assault by a husband. The criteria of s.9 are met.');
    await r.team(r.ago(82), r.ago(78));
    await r.termsOfReference(r.ago(70), dateOfDeath);
    const police = await r.commissionImr('police', r.ago(68), r.ago(26));
    await r.commissionImr('health', r.ago(68), r.ago(5));
    await r.commissionImr('council', r.ago(68), r.ahead(21), 'short_report');
    await r.receiveImr(police, r.ago(27));
    await r.family('contact_attempt', r.ago(66), { contactName: "Adult A's mother", notes: 'Letter with the Home Office leaflet sent.' });
    await r.family('advocacy_offered', r.ago(66), { advocateOrganisation: 'aafda' });
    await r.scheduleMeeting(r.ahead(14), 'Consider the IMRs received; chase the overdue health IMR');
    return r.id;
  },

  /** Drafting: all IMRs in (one after an extension), the panel has met, recommendations agreed. */
  'DEMO-0003': async (r) => {
    const dateOfDeath = r.ago(262);
    await r.open({
      dateOfDeath,
      notifiedOn: r.ago(255),
      circumstances: 'FICTIONAL DEMO CASE. A man aged 52 took his own life after years of coercive control by his partner.',
    });
    await r.people({ realName: 'Erin Placeholder', age: 52 }, { realName: 'Frankie Placeholder', age: 49, legalStatus: 'suspected', relationship: 'partner' });
    await toDrafting(r, { decided: 240, imrsIn: 150, met: 130 }, dateOfDeath);
    await r.family('contact_attempt', r.ago(215), { contactName: "Adult A's sister" });
    await r.family('advocate_appointed', r.ago(205), { advocateOrganisation: 'aafda', advocateName: 'Advocate (fictional)' });
    return r.id;
  },

  /** Awaiting the RAG: the report and executive summary uploaded, the family offered the draft. */
  'DEMO-0004': async (r) => {
    const dateOfDeath = r.ago(340);
    const opened = await r.open({
      dateOfDeath,
      notifiedOn: r.ago(333),
      circumstances: 'FICTIONAL DEMO CASE. A woman aged 67 was killed by her son, who lived with her.',
    });
    await r.people({ realName: 'Grace Madeup', age: 67 }, { realName: 'Harry Madeup', age: 38, legalStatus: 'convicted', relationship: 'son' });
    await toDrafting(r, { decided: 318, imrsIn: 230, met: 205 }, dateOfDeath);
    await r.uploadDrafts(opened.reference);
    await r.family('draft_offered', r.ago(40), { contactName: "Adult A's daughter" });
    await r.event({ type: 'AGREE_REPORT', occurredAt: r.ago(35) }, 'chair');
    return r.id;
  },

  /** Published after Home Office QA; the action plan is being followed (one action done). */
  'DEMO-0005': async (r) => {
    const dateOfDeath = r.ago(700);
    const opened = await r.open({
      dateOfDeath,
      notifiedOn: r.ago(694),
      circumstances: 'FICTIONAL DEMO CASE. A woman aged 35 was killed by her former partner after leaving him.',
    });
    await r.people({ realName: 'Ivy Fictitious', age: 35 }, { realName: 'Jack Fictitious', age: 37, legalStatus: 'convicted', relationship: 'former partner' });
    await r.proceedings('Murder trial at Demoshire Crown Court (fictional).', r.ago(560));
    const [health, police, shared] = await toDrafting(r, { decided: 680, imrsIn: 580, met: 550 }, dateOfDeath);
    await r.uploadDrafts(opened.reference);
    await r.family('draft_offered', r.ago(430), { contactName: "Adult A's father" });
    await r.event({ type: 'AGREE_REPORT', occurredAt: r.ago(420) }, 'chair');
    await r.event({ type: 'RAG_APPROVE', approvedAt: r.ago(400), comments: 'Approved at the Responsible Authorities Group (fictional meeting).' }, 'rag');
    await r.checklistConfirmed();
    await r.event({ type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: r.ago(395) }, 'lead');
    await r.event({ type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: r.ago(300), notes: 'Approved for publication by the QA Panel (fictional letter).' }, 'lead');
    await r.publicationReady(userOf('lead').displayName);
    await r.family('told_of_publication', r.ago(262), { contactName: "Adult A's father" });
    await r.event({ type: 'PUBLISH', publishedAt: r.ago(260), url: 'https://www.example.org/demo-csp/domestic-homicide-reviews/adult-a' }, 'lead');
    await r.action(health, { description: 'Add a routine enquiry about domestic abuse to the injury consultation template.', owner: DEMO_AGENCIES.health.name, targetDate: r.ago(120) }, {
      on: r.ago(130),
      evidence: 'Template v3 live in every practice; audit of 50 consultations attached (fictional).',
    });
    await r.action(police, { description: 'Flag repeat call-outs for a MARAC referral in the control room system.', owner: DEMO_AGENCIES.police.name, targetDate: r.ahead(60) });
    await r.action(shared, { description: 'Refresh the MARAC information-sharing protocol and brief every agency.', owner: DEMO_CSP.name, targetDate: r.ahead(90) });
    return r.id;
  },
};
