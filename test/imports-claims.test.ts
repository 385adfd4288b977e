import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdentityService } from '../src/identity/identity.service';
import { dayOf } from '../src/reviews/chronology';
import { createTestDatabase, type TestDatabase } from './support/databases';
import { runEntryPoint } from './support/processes';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

/**
 * README claims about "Bringing in reviews already under way" that test/imports.test.ts and
 * test/past-review.test.ts leave alone: every step of the dhr-import/1 format (IMPORT_STEPS in
 * src/imports/import-format.ts) and every lifecycle event, each record read back through the
 * API on the dates the file gave it; refusals naming the item, step and field, with nothing of
 * the review stored however late the step; the CSV columns not tried elsewhere; and the
 * command line's --concurrency (same outcome at 1, the default and 16; one review at a time at
 * 1, several at once otherwise; an invalid value refused naming the option).
 */

const NOW = '2026-12-04T12:00:00Z';
const TODAY = '2026-12-04';
const LEAD = 'lead@maldon.gov.uk';
type Json = any;
/** Lists read back in a stable order (the routes' own order is not what is under test). */
const by = (field: string) => (a: Json, b: Json) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0);

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1').toString('base64');

/**
 * A clock that moves on a millisecond each time it is read, as a real one would between two
 * writes: the board's return and the revised report that answers it must not share an instant
 * (overviewReportRevisedSinceReturn compares when they were entered).
 */
class TickingClock extends TestClock {
  private ticks = 0;
  override now(): Date {
    return new Date(super.now().getTime() + this.ticks++);
  }
}

/**
 * Two reviews that, between them, use every step IMPORT_STEPS lists and every lifecycle event
 * but RECORD_HOME_OFFICE_AGREEMENT (test/imports.test.ts imports that one): a review from the
 * police notification in 2017 to its closure in 2018 (a chair replaced, a hold for the trial,
 * an IMR extended, received, checked and signed off, one waived, a meeting cancelled and one
 * held, the board's return, a QA resubmission, publication, the action plan completed), and a
 * "no" overturned by the Secretary of State, with no recommendations, withdrawn and reopened.
 */
function everyStepFile() {
  const ev = (fields: Record<string, unknown>) => ({ step: 'event', ...fields });
  const doc = (kind: string, title: string, filename: string, extra: Record<string, unknown> = {}) => ({ step: 'document', kind, title, filename, mimeType: 'application/pdf', contentBase64: PDF, ...extra });
  return {
    format: 'dhr-import/1',
    agencies: [
      { name: 'Essex Police', kind: 'police' },
      { name: 'Mid and South Essex NHS Foundation Trust', kind: 'health' },
      { name: 'Maldon District Council', kind: 'local_authority' },
    ],
    reviews: [
      {
        key: 'FULL (2017)',
        csp: 'MALDON',
        notification: { dateOfDeath: '2017-01-10', notifiedOn: '2017-01-12', policeForce: 'Essex Police', policeReference: 'ESX/17/0112', circumstances: 'A woman was killed at home; her husband was convicted of murder.' },
        steps: [
          { step: 'person', role: 'victim', pseudonym: 'Adult A', realName: 'Jane Example', age: 38 },
          { step: 'person', role: 'perpetrator', pseudonym: 'Adult B', realName: 'John Example', relationshipToVictim: 'Husband', legalStatus: 'convicted' },
          ev({ type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: '2017-01-30' }),
          ev({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2017-02-01' }),
          { step: 'appointment', ref: 'chair-1', role: 'chair', name: 'First Chair', organisation: 'Independent', appointedOn: '2017-02-06', independenceStatement: 'No involvement with any agency in this case.' },
          { step: 'appointment', role: 'report_writer', name: 'Report Writer', organisation: 'Independent', appointedOn: '2017-02-10' },
          { step: 'panelMember', ref: 'police-rep', agency: 'Essex Police', name: 'DI Panel', role: 'Senior representative', joinedOn: '2017-02-08', noDirectCaseManagementDeclared: true },
          { step: 'panelMember', ref: 'health-rep', agency: 'Mid and South Essex NHS Foundation Trust', name: 'Safeguarding Lead', role: 'Senior representative', joinedOn: '2017-02-08', noDirectCaseManagementDeclared: true },
          { step: 'recordsSecured', agency: 'Essex Police', confirmedOn: '2017-02-14', confirmedBy: 'Records Manager' },
          { step: 'scopingResponse', agency: 'Essex Police', hadContact: true, summary: 'Two call-outs in 2016.', respondedOn: '2017-02-15' },
          { step: 'scopingResponse', agency: 'Maldon District Council', hadContact: false, respondedOn: '2017-02-16' },
          { step: 'family', kind: 'contact_attempt', occurredOn: '2017-02-20', contactName: 'Mary Example', preferredContribution: 'meeting_in_person' },
          ev({ type: 'AGREE_TERMS_OF_REFERENCE', agreedAt: '2017-03-01', scopeStart: '2012-01-01', scopeEnd: '2017-01-10' }),
          { step: 'family', kind: 'advocate_appointed', occurredOn: '2017-03-02', advocateOrganisation: 'aafda', advocateName: 'An Advocate' },
          { step: 'imr', ref: 'police-imr', agency: 'Essex Police', kind: 'imr', authorName: 'DS Author', requestedOn: '2017-03-06', dueOn: '2017-05-01' },
          { step: 'imr', ref: 'health-imr', agency: 'Mid and South Essex NHS Foundation Trust', kind: 'imr', authorName: 'Named Nurse', requestedOn: '2017-03-06', dueOn: '2017-05-01' },
          { step: 'imr', ref: 'council-imr', agency: 'Maldon District Council', kind: 'short_report', requestedOn: '2017-03-06', dueOn: '2017-05-01' },
          { step: 'proceedings', ref: 'trial', type: 'criminal', status: 'active', description: 'R v Example', keyDates: [{ label: 'Charged', date: '2017-01-13' }] },
          ev({ type: 'PLACE_ON_HOLD', reason: 'criminal_proceedings', detail: 'Murder trial at Chelmsford Crown Court', occurredAt: '2017-04-03', expectedEnd: '2017-06-23' }),
          { step: 'appointmentEnded', appointment: 'chair-1', endedOn: '2017-05-31' },
          { step: 'appointment', role: 'chair', name: 'Second Chair', organisation: 'Independent', appointedOn: '2017-06-01' },
          { step: 'proceedingsStatus', proceedings: 'trial', status: 'concluded', on: '2017-06-28' },
          ev({ type: 'RESUME', note: 'Verdict given', occurredAt: '2017-06-30' }),
          { step: 'imrExtended', imr: 'police-imr', newDueOn: '2017-08-31', reason: 'Trial papers held by the CPS', grantedOn: '2017-07-03' },
          { step: 'imrReceived', imr: 'health-imr', receivedOn: '2017-07-20' },
          { step: 'imrReceived', imr: 'police-imr', receivedOn: '2017-08-20' },
          { step: 'imrQualityChecked', imr: 'police-imr', checkedOn: '2017-08-25' },
          { step: 'imrSignedOff', imr: 'police-imr', signedOffBy: 'Chief Superintendent', signedOffOn: '2017-08-28' },
          { step: 'imrWaived', imr: 'council-imr', reason: 'Scoping found no contact with the council.' },
          { step: 'panelMemberLeft', member: 'health-rep', leftOn: '2017-09-01' },
          { step: 'meeting', ref: 'm-off', startsAt: '2017-09-12T10:00:00+01:00', location: 'Council Offices, Maldon' },
          { step: 'meetingCancelled', meeting: 'm-off', reason: 'The chair was unwell.' },
          { step: 'meeting', ref: 'm-on', startsAt: '2017-09-19T10:00:00+01:00', location: 'Council Offices, Maldon', agenda: 'Consider the IMRs' },
          { step: 'meetingHeld', meeting: 'm-on', minutes: 'Both IMRs were considered.', decisions: 'Begin drafting.', imrs: ['police-imr', 'health-imr'] },
          ev({ type: 'BEGIN_DRAFTING', occurredAt: '2017-09-25' }),
          doc('overview_report', 'Overview report', 'overview.pdf'),
          doc('executive_summary', 'Executive summary', 'summary.pdf'),
          doc('imr', 'Essex Police IMR', 'police-imr.pdf', { imr: 'police-imr' }),
          { step: 'recommendation', ref: 'rec-1', text: 'Agencies should share risk information at MARAC.', level: 'multi_agency', addressee: 'Maldon CSP', agreed: true },
          { step: 'recommendation', ref: 'rec-2', text: 'Essex Police should review its DASH training.', level: 'single_agency', addressee: 'Essex Police', agreed: true },
          { step: 'action', ref: 'act-1', recommendation: 'rec-1', description: 'Refresh the MARAC information-sharing protocol.', owner: 'Maldon CSP', targetDate: '2018-06-30' },
          { step: 'action', ref: 'act-2', recommendation: 'rec-2', description: 'Deliver DASH refresher training.', owner: 'Essex Police', targetDate: '2018-09-30' },
          { step: 'family', kind: 'draft_offered', occurredOn: '2017-10-02' },
          ev({ type: 'AGREE_REPORT', occurredAt: '2017-10-06' }),
          ev({ type: 'RAG_RETURN', comments: 'Strengthen the analysis of the GP contact.', occurredAt: '2017-10-20' }),
          doc('overview_report', 'Overview report (revised)', 'overview-2.pdf'),
          ev({ type: 'AGREE_REPORT', occurredAt: '2017-11-01' }),
          ev({ type: 'RAG_APPROVE', approvedAt: '2017-11-10', comments: 'Approved at the board of 10 November.' }),
          ev({ type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2017-11-20' }),
          ev({ type: 'RECORD_QA_OUTCOME', outcome: 'resubmit', letterDate: '2018-02-15', notes: 'Add the learning on coercive control.' }),
          ev({ type: 'AGREE_REPORT', occurredAt: '2018-03-01' }),
          ev({ type: 'RAG_APPROVE', approvedAt: '2018-03-10' }),
          ev({ type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2018-03-15' }),
          ev({ type: 'RECORD_QA_OUTCOME', outcome: 'approved', letterDate: '2018-05-01' }),
          { step: 'publication', pseudonyms: ['Adult A', 'Adult B'], redactionLog: 'Street names removed.' },
          { step: 'anonymisationConfirmed', confirmedBy: 'Head of Community Safety' },
          { step: 'family', kind: 'told_of_publication', occurredOn: '2018-05-20' },
          ev({ type: 'PUBLISH', publishedAt: '2018-06-01', url: 'https://www.maldon.gov.uk/dhr/2017-1' }),
          { step: 'actionCompleted', action: 'act-1', completedOn: '2018-09-01', evidence: 'Protocol reissued to all MARAC members.' },
          { step: 'actionCompleted', action: 'act-2', completedOn: '2018-10-01', evidence: 'Training delivered to 240 officers.' },
          ev({ type: 'CLOSE', occurredAt: '2018-11-01' }),
        ],
      },
      {
        key: 'DIRECTED (2018)',
        csp: 'MALDON',
        notification: { dateOfDeath: '2018-02-01', notifiedOn: '2018-02-05', policeForce: 'Essex Police', policeReference: 'ESX/18/0205', circumstances: 'A man died at home after a long history of abuse.' },
        steps: [
          ev({ type: 'DECIDE', outcome: 'not_proceed', rationale: 'The criteria of s.9 are not met.', decidedAt: '2018-02-20' }),
          ev({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2018-02-22' }),
          ev({ type: 'DIRECT_REVIEW', directedAt: '2018-04-02', note: 'The Secretary of State directed a review.' }),
          { step: 'noRecommendations', reason: 'The learning was taken up by the earlier review.' },
          ev({ type: 'WITHDRAW', reason: 'Joined with a Safeguarding Adults Review.', occurredAt: '2018-05-01' }),
          ev({ type: 'REOPEN', reason: 'New information from the inquest.', occurredAt: '2018-09-03' }),
        ],
      },
    ],
  };
}

/** Every table with a review_id column: what a review leaves in the database. */
async function caseFileTables(query: (sql: string) => Promise<Json[]>): Promise<string[]> {
  const rows = await query(`SELECT table_name FROM information_schema.columns WHERE column_name = 'review_id' AND table_schema = current_schema() ORDER BY table_name`);
  return rows.map((r) => r.table_name as string);
}

describe('importing every step of the format through the API (real PostgreSQL)', () => {
  const clock = new TickingClock(new Date(NOW));
  let ctx: TestContext;
  let db: DataSource;
  let token: string;
  const http = () => request(ctx.api.getHttpServer());
  const get = async (path: string) => {
    const res = await http().get(path).set('Authorization', `Bearer ${token}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const postImport = (body: unknown, query = '') => http().post(`/imports${query}`).set('Authorization', `Bearer ${token}`).send(body as object);
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params))[0].n);
  /** Rows in every case-file table, for the reviews whose police reference is given (all when none). */
  const rowsOf = async (policeReference?: string) => {
    const out: Record<string, number> = {};
    for (const table of await caseFileTables((sql) => db.query(sql))) {
      out[table] = policeReference
        ? await count(`SELECT count(*) AS n FROM ${table} t JOIN reviews r ON r.id = t.review_id WHERE r.police_reference = $1`, [policeReference])
        : await count(`SELECT count(*) AS n FROM ${table}`);
    }
    return out;
  };
  let full: Json;
  let directed: Json;

  beforeAll(async () => {
    ctx = await startTestApp({ clock, defaultActor: null, env: { TRUST_ACTOR_HEADER: 'true' } });
    db = ctx.api.get(DataSource);
    await http().post('/csps').set('X-Actor', 'setup').send({ code: 'MALDON', name: 'Maldon CSP' }).expect(201);
    const ids = ctx.api.get(IdentityService);
    const lead = await ids.addUser({ email: LEAD, displayName: 'Maldon Lead', role: 'csp_lead', cspCode: 'MALDON' });
    token = (await ids.issueToken(lead.id, 'test')).token;
  });
  afterAll(() => ctx.close());

  it('a dry run of both stories checks every step, reports the stage each would reach, and writes nothing (not even a document or an agency)', async () => {
    const res = await postImport(everyStepFile(), '?dryRun=true').expect(200);
    expect(res.body).toMatchObject({ dryRun: true, created: 0, valid: 2, refused: 0 });
    expect(res.body.reviews).toEqual([
      { key: 'FULL (2017)', status: 'valid', stage: 'closed' },
      { key: 'DIRECTED (2018)', status: 'valid', stage: 'establishing' },
    ]);
    expect(Object.entries(await rowsOf()).filter(([, n]) => n > 0)).toEqual([]);
    expect(await count(`SELECT count(*) AS n FROM reviews`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM document_versions`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM agencies`)).toBe(0);
  });

  it('imports both: the report names each with its reference and stage, and the declared agencies now exist', async () => {
    const res = await postImport(everyStepFile()).expect(200);
    expect(res.body).toMatchObject({ dryRun: false, created: 2, valid: 0, refused: 0 });
    [full, directed] = res.body.reviews;
    expect(full).toMatchObject({ key: 'FULL (2017)', status: 'created', reference: 'DHR-MALDON-2017-001', stage: 'closed' });
    expect(directed).toMatchObject({ key: 'DIRECTED (2018)', status: 'created', reference: 'DHR-MALDON-2018-001', stage: 'establishing' });
    const agencies = (await get('/agencies')) as Json[];
    expect(agencies.map((a) => [a.name, a.kind]).sort()).toEqual([
      ['Essex Police', 'police'],
      ['Maldon District Council', 'local_authority'],
      ['Mid and South Essex NHS Foundation Trust', 'health'],
    ]);
  });

  it('every step left its record, read back through the case-file routes with the dates the file gave', async () => {
    const id = full.id as string;
    const agencies = new Map(((await get('/agencies')) as Json[]).map((a) => [a.name as string, a.id as string]));
    const police = agencies.get('Essex Police');
    const health = agencies.get('Mid and South Essex NHS Foundation Trust');
    const council = agencies.get('Maldon District Council');

    // person
    const people = ((await get(`/reviews/${id}/people?include=realNames`)) as Json[]).sort(by('pseudonym'));
    expect(people.map((p) => [p.role, p.pseudonym, p.realName, p.age, p.relationshipToVictim, p.legalStatus])).toEqual([
      ['victim', 'Adult A', 'Jane Example', 38, null, null],
      ['perpetrator', 'Adult B', 'John Example', null, 'Husband', 'convicted'],
    ]);
    // appointment, appointmentEnded
    const appointments = ((await get(`/reviews/${id}/appointments`)) as Json[]).sort(by('appointedOn'));
    expect(appointments.map((a) => [a.role, a.name, a.organisation, a.appointedOn, a.endedOn, a.state, a.independenceStatement])).toEqual([
      ['chair', 'First Chair', 'Independent', '2017-02-06', '2017-05-31', 'ended', 'No involvement with any agency in this case.'],
      ['report_writer', 'Report Writer', 'Independent', '2017-02-10', null, 'active', null],
      ['chair', 'Second Chair', 'Independent', '2017-06-01', null, 'active', null],
    ]);
    // panelMember, panelMemberLeft
    const members = ((await get(`/reviews/${id}/panel-members`)) as Json[]).sort(by('name'));
    expect(members.map((m) => [m.name, m.agencyId, m.role, m.joinedOn, m.leftOn, m.state])).toEqual([
      ['DI Panel', police, 'Senior representative', '2017-02-08', null, 'active'],
      ['Safeguarding Lead', health, 'Senior representative', '2017-02-08', '2017-09-01', 'left'],
    ]);
    // scopingResponse, recordsSecured
    const scoping = ((await get(`/reviews/${id}/scoping-responses`)) as Json[]).sort(by('respondedOn'));
    expect(scoping.map((s) => [s.agencyId, s.hadContact, s.summary, s.respondedOn])).toEqual([
      [police, true, 'Two call-outs in 2016.', '2017-02-15'],
      [council, false, null, '2017-02-16'],
    ]);
    const secured = (await get(`/reviews/${id}/records-secured`)) as Json[];
    expect(secured.map((s) => [s.agencyId, s.confirmedOn, s.confirmedBy])).toEqual([[police, '2017-02-14', 'Records Manager']]);
    // imr, imrExtended, imrReceived, imrQualityChecked, imrSignedOff, imrWaived
    const imrs = new Map(((await get(`/reviews/${id}/imrs`)) as Json[]).map((i) => [i.agencyId as string, i]));
    expect(imrs.get(police!)).toMatchObject({
      kind: 'imr', authorName: 'DS Author', requestedOn: '2017-03-06', dueOn: '2017-08-31', receivedOn: '2017-08-20',
      qualityCheckedOn: '2017-08-25', signedOffBy: 'Chief Superintendent', signedOffOn: '2017-08-28', waivedReason: null, state: 'received',
      extensions: [{ previousDueOn: '2017-05-01', newDueOn: '2017-08-31', reason: 'Trial papers held by the CPS', grantedOn: '2017-07-03', grantedBy: LEAD }],
    });
    expect(imrs.get(health!)).toMatchObject({ kind: 'imr', requestedOn: '2017-03-06', dueOn: '2017-05-01', receivedOn: '2017-07-20', qualityCheckedOn: null, signedOffOn: null, extensions: [], state: 'received' });
    expect(imrs.get(council!)).toMatchObject({ kind: 'short_report', receivedOn: null, waivedReason: 'Scoping found no contact with the council.', state: 'waived' });
    // meeting, meetingCancelled, meetingHeld (its IMRs by ref)
    const meetings = ((await get(`/reviews/${id}/meetings`)) as Json[]).sort(by('startsAt'));
    expect(meetings.map((m) => [m.startsAt, m.status, m.location, m.cancellationReason, m.minutes, m.decisions, [...m.imrIds].sort()])).toEqual([
      ['2017-09-12T09:00:00.000Z', 'cancelled', 'Council Offices, Maldon', 'The chair was unwell.', null, null, []],
      ['2017-09-19T09:00:00.000Z', 'held', 'Council Offices, Maldon', null, 'Both IMRs were considered.', 'Begin drafting.', [imrs.get(police!).id, imrs.get(health!).id].sort()],
    ]);
    // family
    const family = ((await get(`/reviews/${id}/family-engagements`)) as Json[]).sort(by('occurredOn'));
    expect(family.map((f) => [f.kind, f.occurredOn, f.contactName, f.advocateOrganisation, f.advocateName, f.preferredContribution])).toEqual([
      ['contact_attempt', '2017-02-20', 'Mary Example', null, null, 'meeting_in_person'],
      ['advocate_appointed', '2017-03-02', null, 'aafda', 'An Advocate', null],
      ['draft_offered', '2017-10-02', null, null, null, null],
      ['told_of_publication', '2018-05-20', null, null, null, null],
    ]);
    // proceedings, proceedingsStatus
    const proceedings = (await get(`/reviews/${id}/proceedings`)) as Json[];
    expect(proceedings.map((p) => [p.type, p.status, p.statusChangedOn, p.description, p.keyDates, p.blocksPublication])).toEqual([
      ['criminal', 'concluded', '2017-06-28', 'R v Example', [{ label: 'Charged', date: '2017-01-13' }], false],
    ]);
    // recommendation (agreed: true), action, actionCompleted
    const plan = await get(`/reviews/${id}/action-plan`);
    expect(plan.counts).toEqual({ total: 2, complete: 2, incomplete: 0 });
    expect(
      [...(plan.recommendations as Json[])].sort(by('number')).map((r) => [r.number, r.text, r.level, r.addressee, r.status, (r.actions as Json[]).map((a) => [a.description, a.owner, a.targetDate, a.status, a.completedOn, a.evidence])]),
    ).toEqual([
      [1, 'Agencies should share risk information at MARAC.', 'multi_agency', 'Maldon CSP', 'agreed', [['Refresh the MARAC information-sharing protocol.', 'Maldon CSP', '2018-06-30', 'complete', '2018-09-01', 'Protocol reissued to all MARAC members.']]],
      [2, 'Essex Police should review its DASH training.', 'single_agency', 'Essex Police', 'agreed', [['Deliver DASH refresher training.', 'Essex Police', '2018-09-30', 'complete', '2018-10-01', 'Training delivered to 240 officers.']]],
    ]);
    // document (an IMR's by ref), its content as sent
    const documents = (await get(`/reviews/${id}/documents`)) as Json[];
    expect(documents.map((d) => [d.kind, d.title, d.imrId, d.latest.filename, d.latest.contentType, d.latest.sizeBytes]).sort()).toEqual(
      [
        ['executive_summary', 'Executive summary', null, 'summary.pdf', 'application/pdf', Buffer.from(PDF, 'base64').length],
        ['imr', 'Essex Police IMR', imrs.get(police!).id, 'police-imr.pdf', 'application/pdf', Buffer.from(PDF, 'base64').length],
        ['overview_report', 'Overview report', null, 'overview.pdf', 'application/pdf', Buffer.from(PDF, 'base64').length],
        ['overview_report', 'Overview report (revised)', null, 'overview-2.pdf', 'application/pdf', Buffer.from(PDF, 'base64').length],
      ].sort(),
    );
    const revised = documents.find((d) => d.title === 'Overview report (revised)');
    const content = await http().get(revised.latest.contentUrl).set('Authorization', `Bearer ${token}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(content.status).toBe(200);
    expect((content.body as Buffer).equals(Buffer.from(PDF, 'base64'))).toBe(true);
    // publication, anonymisationConfirmed (and the PUBLISH event's date and URL)
    expect(await get(`/reviews/${id}/publication`)).toMatchObject({
      pseudonyms: ['Adult A', 'Adult B'],
      redactionLog: 'Street names removed.',
      anonymisationConfirmedBy: 'Head of Community Safety',
      publishedAt: '2018-06-01',
      url: 'https://www.maldon.gov.uk/dhr/2017-1',
    });
    // The board's decisions and the Home Office QA rounds, on their dates.
    const rag = ((await get(`/reviews/${id}/rag-decisions`)) as Json[]).sort(by('sequence'));
    expect(rag.map((r) => [r.decision, r.comments, r.approvedAt, dayOf(r.at), r.actor])).toEqual([
      ['returned', 'Strengthen the analysis of the GP contact.', null, '2017-10-20', LEAD],
      ['approved', 'Approved at the board of 10 November.', '2017-11-10', '2017-11-10', LEAD],
      ['approved', null, '2018-03-10', '2018-03-10', LEAD],
    ]);
    const rounds = ((await get(`/reviews/${id}/qa-rounds`)) as Json[]).sort(by('round'));
    expect(rounds.map((r) => [r.round, r.submittedAt, r.outcome, r.letterDate, r.notes, r.submittedBy, r.outcomeRecordedBy])).toEqual([
      [1, '2017-11-20', 'resubmit', '2018-02-15', 'Add the learning on coercive control.', LEAD, LEAD],
      [2, '2018-03-15', 'approved', '2018-05-01', null, LEAD, LEAD],
    ]);
  });

  it('the review itself: every stage, the decision, the Home Office told, terms of reference, the hold, the board, QA, publication and closure on their real dates; no clock left open', async () => {
    const review = await get(`/reviews/${full.id}`);
    expect(review).toMatchObject({ reference: 'DHR-MALDON-2017-001', status: 'closed', onHold: false });
    const lifecycle = review.lifecycle;
    expect(lifecycle.stageHistory.map((s: Json) => [s.stage, dayOf(s.enteredAt)])).toEqual([
      ['notified', '2017-01-12'],
      ['establishing', '2017-01-30'],
      ['information_gathering', '2017-03-01'],
      ['drafting', '2017-09-25'],
      ['rag_sign_off', '2017-10-06'],
      ['drafting', '2017-10-20'],
      ['rag_sign_off', '2017-11-01'],
      ['home_office_qa', '2017-11-20'],
      ['drafting', '2018-02-15'],
      ['rag_sign_off', '2018-03-01'],
      ['home_office_qa', '2018-03-15'],
      ['awaiting_publication', '2018-05-01'],
      ['action_plan_monitoring', '2018-06-01'],
      ['closed', '2018-11-01'],
    ]);
    expect(lifecycle.decision).toMatchObject({ outcome: 'proceed', decidedAt: '2017-01-30', rationale: 'Section 9 criteria met.', directedBySecretaryOfState: false });
    expect(lifecycle.homeOfficeNotification).toMatchObject({ sentAt: '2017-02-01' });
    expect(lifecycle.termsOfReference).toMatchObject({ agreedAt: '2017-03-01', scopeStart: '2012-01-01', scopeEnd: '2017-01-10' });
    expect(lifecycle.holds).toEqual([
      expect.objectContaining({ reason: 'criminal_proceedings', detail: 'Murder trial at Chelmsford Crown Court', expectedEnd: '2017-06-23', stage: 'information_gathering', endedBy: 'resume', resumeNote: 'Verdict given' }),
    ]);
    expect([dayOf(lifecycle.holds[0].startedAt), dayOf(lifecycle.holds[0].endedAt)]).toEqual(['2017-04-03', '2017-06-30']);
    expect(lifecycle.ragReturns.map((r: Json) => [r.comments, dayOf(r.returnedAt)])).toEqual([['Strengthen the analysis of the GP contact.', '2017-10-20']]);
    expect(lifecycle.ragApproval).toMatchObject({ approvedAt: '2018-03-10', comments: null });
    expect(lifecycle.qaRounds.map((q: Json) => [q.round, q.submittedAt, q.outcome, q.letterDate])).toEqual([
      [1, '2017-11-20', 'resubmit', '2018-02-15'],
      [2, '2018-03-15', 'approved', '2018-05-01'],
    ]);
    expect(lifecycle.publication).toMatchObject({ publishedAt: '2018-06-01', url: 'https://www.maldon.gov.uk/dhr/2017-1' });
    expect(lifecycle.closure.fromStage).toBe('action_plan_monitoring');
    expect(dayOf(lifecycle.closure.closedAt)).toBe('2018-11-01');
    // Elapsed from the notification to the closure, gross and net of the 88 days held.
    const gross = Math.round((Date.parse('2018-11-01') - Date.parse('2017-01-12')) / 86_400_000);
    expect(review.elapsed).toMatchObject({ since: '2017-01-12', grossDays: gross, heldDays: 88, netDays: gross - 88 });
    // Clocks by the real dates: the waived IMR's is waived, the cancelled meeting's cancelled, nothing open.
    expect((review.clocks as Json[]).filter((c) => c.status === 'open')).toEqual([]);
    const clocks = (review.clocks as Json[]).map((c) => [c.kind, c.dueDate, c.status]);
    expect(clocks).toEqual(
      expect.arrayContaining([
        ['decision_due', '2017-02-12', 'met'],
        ['imr_due', '2017-07-28', 'waived'],
        ['panel_meeting', '2017-09-12', 'cancelled'],
        ['panel_meeting', '2017-09-19', 'met'],
        ['action_target', '2018-06-30', 'missed'],
        ['action_target', '2018-09-30', 'missed'],
      ]),
    );
  });

  it('the history: every entry imported, by the importing user, entered now, on the date its step gave', async () => {
    const history = (await get(`/reviews/${full.id}/history`)) as Json[];
    expect(history.every((h) => h.origin === 'imported' && h.actor === LEAD)).toBe(true);
    expect(history.every((h) => h.recordedAt >= new Date(NOW).toISOString() && dayOf(h.recordedAt) === TODAY)).toBe(true);
    // The entry's type and its date. A step that names no date (a waiver, a proceeding, a
    // meeting scheduled or cancelled, a document, a recommendation, an action added, the
    // anonymisation confirmed) is dated the day it was entered. An extension is dated the day it
    // was granted, a meeting held the day it took place.
    expect(history.map((h) => [h.type, dayOf(h.occurredAt)])).toEqual([
      ['NOTIFICATION_RECORDED', '2017-01-12'],
      ['DECIDE', '2017-01-30'],
      ['NOTIFY_HOME_OFFICE', '2017-02-01'],
      ['CHAIR_APPOINTED', '2017-02-06'],
      ['REPORT_WRITER_APPOINTED', '2017-02-10'],
      ['PANEL_MEMBER_ADDED', '2017-02-08'],
      ['PANEL_MEMBER_ADDED', '2017-02-08'],
      ['AGREE_TERMS_OF_REFERENCE', '2017-03-01'],
      ['IMR_COMMISSIONED', '2017-03-06'],
      ['IMR_COMMISSIONED', '2017-03-06'],
      ['IMR_COMMISSIONED', '2017-03-06'],
      ['PROCEEDINGS_RECORDED', TODAY],
      ['PLACE_ON_HOLD', '2017-04-03'],
      ['APPOINTMENT_ENDED', '2017-05-31'],
      ['CHAIR_APPOINTED', '2017-06-01'],
      ['PROCEEDINGS_STATUS_CHANGED', '2017-06-28'],
      ['RESUME', '2017-06-30'],
      ['IMR_EXTENDED', '2017-07-03'],
      ['IMR_RECEIVED', '2017-07-20'],
      ['IMR_RECEIVED', '2017-08-20'],
      ['IMR_QUALITY_CHECKED', '2017-08-25'],
      ['IMR_SIGNED_OFF', '2017-08-28'],
      ['IMR_WAIVED', TODAY],
      ['PANEL_MEMBER_LEFT', '2017-09-01'],
      ['PANEL_MEETING_SCHEDULED', TODAY],
      ['PANEL_MEETING_CANCELLED', TODAY],
      ['PANEL_MEETING_SCHEDULED', TODAY],
      ['PANEL_MEETING_HELD', '2017-09-19'],
      ['BEGIN_DRAFTING', '2017-09-25'],
      ['DRAFT_UPLOADED', TODAY],
      ['DRAFT_UPLOADED', TODAY],
      ['DOCUMENT_UPLOADED', TODAY],
      ['RECOMMENDATION_RECORDED', TODAY],
      ['RECOMMENDATION_AGREED', TODAY],
      ['RECOMMENDATION_RECORDED', TODAY],
      ['RECOMMENDATION_AGREED', TODAY],
      ['ACTION_ADDED', TODAY],
      ['ACTION_ADDED', TODAY],
      ['FAMILY_OFFERED_DRAFT', '2017-10-02'],
      ['AGREE_REPORT', '2017-10-06'],
      ['RAG_RETURN', '2017-10-20'],
      ['DRAFT_UPLOADED', TODAY],
      ['AGREE_REPORT', '2017-11-01'],
      ['RAG_APPROVE', '2017-11-10'],
      ['SUBMIT_TO_HOME_OFFICE', '2017-11-20'],
      ['RECORD_QA_OUTCOME', '2018-02-15'],
      ['AGREE_REPORT', '2018-03-01'],
      ['RAG_APPROVE', '2018-03-10'],
      ['SUBMIT_TO_HOME_OFFICE', '2018-03-15'],
      ['RECORD_QA_OUTCOME', '2018-05-01'],
      ['ANONYMISATION_CONFIRMED', TODAY],
      ['FAMILY_TOLD_OF_PUBLICATION', '2018-05-20'],
      ['PUBLISH', '2018-06-01'],
      ['ACTION_COMPLETED', '2018-09-01'],
      ['ACTION_COMPLETED', '2018-10-01'],
      ['CLOSE', '2018-11-01'],
    ]);
    // The extension and the held meeting are there, with what their steps said.
    expect(history.find((h) => h.type === 'IMR_EXTENDED').payload).toMatchObject({ previousDueOn: '2017-05-01', newDueOn: '2017-08-31', reason: 'Trial papers held by the CPS', grantedOn: '2017-07-03' });
    expect(history.find((h) => h.type === 'PANEL_MEETING_HELD').payload).toMatchObject({ startsAt: '2017-09-19T09:00:00.000Z', imrCount: 2 });
  });

  it('the second review: a "no" told to the Home Office, overturned by a direction, no recommendations, withdrawn and reopened, each on its date', async () => {
    const review = await get(`/reviews/${directed.id}`);
    expect(review.status).toBe('establishing');
    const lifecycle = review.lifecycle;
    expect(lifecycle.stageHistory.map((s: Json) => [s.stage, dayOf(s.enteredAt)])).toEqual([
      ['notified', '2018-02-05'],
      ['not_proceeding', '2018-02-20'],
      ['establishing', '2018-04-02'],
      ['withdrawn', '2018-05-01'],
      ['establishing', '2018-09-03'],
    ]);
    expect(lifecycle.direction).toMatchObject({ directedAt: '2018-04-02', note: 'The Secretary of State directed a review.' });
    expect(lifecycle.decision).toMatchObject({ outcome: 'proceed', decidedAt: '2018-04-02', directedBySecretaryOfState: true });
    expect(lifecycle.supersededDecisions).toEqual([
      expect.objectContaining({
        decision: expect.objectContaining({ outcome: 'not_proceed', decidedAt: '2018-02-20', rationale: 'The criteria of s.9 are not met.' }),
        homeOfficeNotification: expect.objectContaining({ sentAt: '2018-02-22' }),
      }),
    ]);
    expect(lifecycle.withdrawal).toBeNull();
    expect(lifecycle.reopenings).toEqual([
      expect.objectContaining({
        reason: 'New information from the inquest.',
        toStage: 'establishing',
        withdrawal: expect.objectContaining({ reason: 'Joined with a Safeguarding Adults Review.', fromStage: 'establishing' }),
      }),
    ]);
    expect(dayOf(lifecycle.reopenings[0].reopenedAt)).toBe('2018-09-03');
    expect(dayOf(lifecycle.reopenings[0].withdrawal.withdrawnAt)).toBe('2018-05-01');
    expect(review.facts.noRecommendationsReason).toBe(true);
    const history = (await get(`/reviews/${directed.id}/history`)) as Json[];
    expect(history.map((h) => [h.type, dayOf(h.occurredAt), h.origin, h.actor])).toEqual([
      ['NOTIFICATION_RECORDED', '2018-02-05', 'imported', LEAD],
      ['DECIDE', '2018-02-20', 'imported', LEAD],
      ['NOTIFY_HOME_OFFICE', '2018-02-22', 'imported', LEAD],
      ['DIRECT_REVIEW', '2018-04-02', 'imported', LEAD],
      ['NO_RECOMMENDATIONS_RECORDED', TODAY, 'imported', LEAD],
      ['WITHDRAW', '2018-05-01', 'imported', LEAD],
      ['REOPEN', '2018-09-03', 'imported', LEAD],
    ]);
    expect(history[4].payload).toEqual({ reason: 'The learning was taken up by the earlier review.' });
  });

  it('refuses a review at the step that breaks a rule, naming its item, step, field and reason; nothing of it is stored, however late the step', async () => {
    const story = everyStepFile().reviews[0];
    const notification = (ref: string) => ({ ...story.notification, policeReference: ref });
    const decide = { step: 'event', type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: '2017-01-30' };
    const tell = { step: 'event', type: 'NOTIFY_HOME_OFFICE', sentAt: '2017-02-01' };
    const imr = { step: 'imr', ref: 'police-imr', agency: 'Essex Police', kind: 'imr', requestedOn: '2017-03-06', dueOn: '2017-05-01' };
    // The whole story but its closure dated before the publication: refused at the last step.
    const lateSteps = story.steps.map((s: Json) => (s.type === 'CLOSE' ? { ...s, occurredAt: '2018-05-02' } : s));
    const bad = [
      { key: 'unknown step', csp: 'MALDON', notification: notification('BAD/1'), steps: [decide, { step: 'imrRecieved', imr: 'x', receivedOn: '2017-08-20' }] },
      { key: 'unknown ref', csp: 'MALDON', notification: notification('BAD/2'), steps: [decide, tell, imr, { step: 'imrReceived', imr: 'health-imr', receivedOn: '2017-04-20' }] },
      {
        key: 'ref of another kind',
        csp: 'MALDON',
        notification: notification('BAD/3'),
        steps: [decide, imr, { step: 'meeting', ref: 'm1', startsAt: '2017-04-19T10:00:00+01:00', location: 'Maldon' }, { step: 'meetingHeld', meeting: 'm1', imrs: ['police-imr', 'm1'] }],
      },
      { key: 'undeclared agency', csp: 'MALDON', notification: notification('BAD/4'), steps: [decide, { ...imr, agency: 'Chelmsford Hospice' }] },
      {
        key: 'ref used twice',
        csp: 'MALDON',
        notification: notification('BAD/5'),
        steps: [decide, { step: 'appointment', ref: 'chair', role: 'chair', name: 'A', organisation: 'Independent', appointedOn: '2017-02-06' }, { step: 'appointment', ref: 'chair', role: 'report_writer', name: 'B', organisation: 'Independent', appointedOn: '2017-02-07' }],
      },
      { key: 'field of the step', csp: 'MALDON', notification: notification('BAD/6'), steps: [decide, imr, { step: 'imrReceived', imr: 'police-imr', receivedOn: '2017-04-20' }, { step: 'imrSignedOff', imr: 'police-imr', signedOffOn: '2017-04-21' }] },
      { key: 'late step', csp: 'MALDON', notification: notification('BAD/7'), steps: lateSteps },
    ];
    const before = await rowsOf();
    const res = await postImport({ format: 'dhr-import/1', reviews: bad }).expect(200);
    expect(res.body).toMatchObject({ created: 0, refused: 7 });
    const refusals = (res.body.reviews as Json[]).map((r) => [r.key, r.status, r.refusal.item, r.refusal.step, r.refusal.field]);
    expect(refusals).toEqual([
      ['unknown step', 'refused', 2, 'imrRecieved', 'step'],
      ['unknown ref', 'refused', 4, 'imrReceived', 'imr'],
      ['ref of another kind', 'refused', 4, 'meetingHeld', 'imrs.1'],
      ['undeclared agency', 'refused', 2, 'imr', 'agency'],
      ['ref used twice', 'refused', 3, 'appointment', 'ref'],
      ['field of the step', 'refused', 4, 'imrSignedOff', 'signedOffBy'],
      ['late step', 'refused', lateSteps.length, 'event', 'occurredAt'],
    ]);
    const reasons = (res.body.reviews as Json[]).map((r) => r.refusal.reason as string);
    expect(reasons[0]).toContain('must be one of: person, appointment');
    expect(reasons[1]).toBe('no earlier imr step has the ref health-imr');
    expect(reasons[2]).toBe('no earlier imr step has the ref m1');
    expect(reasons[3]).toBe("no agency is called Chelmsford Hospice (declare it in the file's agencies)");
    expect(reasons[4]).toBe('is already used by an earlier step (chair)');
    expect(reasons[5]).toContain('signedOffBy');
    expect(reasons[6]).toContain('2018-05-02');
    // Nothing of any of them: no review, no history, no document, no agency named only by a refused step.
    expect(await count(`SELECT count(*) AS n FROM reviews WHERE police_reference LIKE 'BAD/%'`)).toBe(0);
    expect(await rowsOf()).toEqual(before);
    expect(await count(`SELECT count(*) AS n FROM agencies WHERE name = 'Chelmsford Hospice'`)).toBe(0);
  });

  it('the spreadsheet: the columns of a decision rationale, the Home Office reply, the chair, a hold ended or current and a closure after a "no" become their records', async () => {
    const header = 'key,csp,date_of_death,notified_on,police_force,police_reference,circumstances,decision,decided_on,decision_rationale,home_office_told_on,home_office_agreed_on,chair_name,chair_organisation,chair_appointed_on,hold_reason,hold_detail,hold_started_on,hold_ended_on,withdrawn_on,withdrawal_reason,closed_on';
    const csv = [
      header,
      'Held then resumed,MALDON,2019-02-26,2019-02-28,Essex Police,CSV/1,Death at home.,proceed,2019-03-01,Criteria of s.9 met.,2019-03-04,,Chair One,Essex County Council,2019-03-10,criminal_proceedings,Trial listed,2019-04-01,2019-09-30,,,',
      'Still on hold,MALDON,2019-05-01,2019-05-03,Essex Police,CSV/2,Death at home.,proceed,2019-05-10,Criteria of s.9 met.,2019-05-13,,Chair Two,,2019-05-20,inquest,Inquest opened,2019-06-01,,,,',
      'No and closed,MALDON,2019-05-10,2019-05-13,Essex Police,CSV/3,Death at home.,not_proceed,2019-05-20,Not a domestic relationship.,2019-05-22,2019-07-01,,,,,,,,,,2019-07-05',
      'Bad hold,MALDON,2019-06-01,2019-06-03,Essex Police,CSV/4,Death at home.,proceed,2019-06-10,,2019-06-12,,,,,holiday,,2019-07-01,,,,',
    ].join('\n');
    const res = await http().post('/imports').set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(res.body.reviews.map((r: Json) => [r.key, r.status, r.stage ?? null])).toEqual([
      ['Held then resumed', 'created', 'establishing'],
      ['Still on hold', 'created', 'establishing'],
      ['No and closed', 'created', 'closed'],
      ['Bad hold', 'refused', null],
    ]);
    expect(res.body.reviews[3].refusal).toMatchObject({ item: 3, step: 'event', field: 'reason' });
    expect(await count(`SELECT count(*) AS n FROM reviews WHERE police_reference = 'CSV/4'`)).toBe(0);
    const [held, current, closed] = res.body.reviews as Json[];

    const one = await get(`/reviews/${held.id}`);
    expect(one.onHold).toBe(false);
    expect(one.lifecycle.decision).toMatchObject({ outcome: 'proceed', decidedAt: '2019-03-01', rationale: 'Criteria of s.9 met.' });
    expect(one.lifecycle.homeOfficeNotification).toMatchObject({ sentAt: '2019-03-04' });
    expect(one.lifecycle.holds).toEqual([expect.objectContaining({ reason: 'criminal_proceedings', detail: 'Trial listed', stage: 'establishing', endedBy: 'resume' })]);
    expect([dayOf(one.lifecycle.holds[0].startedAt), dayOf(one.lifecycle.holds[0].endedAt)]).toEqual(['2019-04-01', '2019-09-30']);
    expect(((await get(`/reviews/${held.id}/appointments`)) as Json[]).map((a) => [a.role, a.name, a.organisation, a.appointedOn, a.state])).toEqual([
      ['chair', 'Chair One', 'Essex County Council', '2019-03-10', 'active'],
    ]);

    const two = await get(`/reviews/${current.id}`);
    expect(two.onHold).toBe(true);
    expect(two.lifecycle.holds).toEqual([expect.objectContaining({ reason: 'inquest', detail: 'Inquest opened', endedAt: null, endedBy: null })]);
    expect(dayOf(two.lifecycle.holds[0].startedAt)).toBe('2019-06-01');
    expect(((await get(`/reviews/${current.id}/appointments`)) as Json[]).map((a) => [a.name, a.appointedOn])).toEqual([['Chair Two', '2019-05-20']]);

    const three = await get(`/reviews/${closed.id}`);
    expect(three.lifecycle.decision).toMatchObject({ outcome: 'not_proceed', decidedAt: '2019-05-20', rationale: 'Not a domestic relationship.' });
    expect(three.lifecycle.homeOfficeNotification).toMatchObject({ sentAt: '2019-05-22' });
    expect(three.lifecycle.homeOfficeAgreement).toMatchObject({ receivedAt: '2019-07-01' });
    expect(three.lifecycle.closure.fromStage).toBe('not_proceeding');
    expect(dayOf(three.lifecycle.closure.closedAt)).toBe('2019-07-05');
    const history = (await get(`/reviews/${closed.id}/history`)) as Json[];
    expect(history.map((h) => [h.type, dayOf(h.occurredAt), h.origin])).toEqual([
      ['NOTIFICATION_RECORDED', '2019-05-13', 'imported'],
      ['DECIDE', '2019-05-20', 'imported'],
      ['NOTIFY_HOME_OFFICE', '2019-05-22', 'imported'],
      ['RECORD_HOME_OFFICE_AGREEMENT', '2019-07-01', 'imported'],
      ['CLOSE', '2019-07-05', 'imported'],
    ]);
  });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What an import left in a database, review by review (keyed by police reference), with
 * nothing that depends on when or in which order the reviews ran: ids become #1, #2... in the
 * order they first appear in the review's history, the times entries were entered are dropped
 * (an entry dated by its entry keeps only that fact), references are kept apart.
 */
async function outcomeOf(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  const query = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Json[];
  try {
    const tables = await caseFileTables(query);
    const reviews: Record<string, Json> = {};
    const references: string[] = [];
    for (const r of await query(`SELECT id, reference, police_reference, status, on_hold, version, snapshot FROM reviews ORDER BY police_reference`)) {
      const ids = new Map<string, string>([[r.id, '#review']]);
      const normal = (value: unknown) =>
        JSON.parse(JSON.stringify(value), (key, v) => {
          if (/recordedAt$/i.test(key)) return undefined;
          if (typeof v === 'string' && UUID.test(v)) {
            if (!ids.has(v)) ids.set(v, `#${ids.size}`);
            return ids.get(v);
          }
          // A set of records (the IMRs a meeting considered) in no particular order.
          if (Array.isArray(v) && v.length > 1 && v.every((x) => typeof x === 'string' && x.startsWith('#'))) return [...v].sort();
          return v;
        });
      const events = await query(
        `SELECT sequence, type, payload, actor, origin, from_status, to_status, from_on_hold, to_on_hold,
                CASE WHEN occurred_at = recorded_at THEN 'when entered' ELSE to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') END AS occurred
           FROM review_events WHERE review_id = $1 ORDER BY sequence`,
        [r.id],
      );
      const history = normal(events);
      const deadlines = (
        await query(
          `SELECT kind, subject_id, statutory, to_char(base_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS base_due, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS due, status, held_days
             FROM deadlines WHERE review_id = $1 ORDER BY kind, due_at, status, held_days`,
          [r.id],
        )
      )
        .map((d) => normal(d))
        .map((d: Json) => JSON.stringify(d))
        .sort();
      const rows: Record<string, number> = {};
      for (const table of tables) rows[table] = Number((await query(`SELECT count(*) AS n FROM ${table} WHERE review_id = $1`, [r.id]))[0].n);
      reviews[r.police_reference] = { status: r.status, onHold: r.on_hold, version: r.version, snapshot: normal(r.snapshot), history, deadlines, rows };
      references.push(r.reference);
    }
    /** When each review's entries were entered, first and last (ms), by police reference. */
    const spans = await query(
      `SELECT r.police_reference AS ref, min(e.recorded_at) AS first, max(e.recorded_at) AS last
         FROM review_events e JOIN reviews r ON r.id = e.review_id GROUP BY r.police_reference`,
    );
    return {
      reviews,
      references: references.sort(),
      spans: new Map(spans.map((s) => [s.ref as string, { first: new Date(s.first).getTime(), last: new Date(s.last).getTime() }])),
    };
  } finally {
    await client.end();
  }
}

/** The most reviews whose entries were being written at one moment (touching spans do not overlap). */
function mostAtOnce(spans: Iterable<{ first: number; last: number }>): number {
  const marks = [...spans].flatMap((s) => [
    { at: s.first, d: 1 },
    { at: s.last, d: -1 },
  ]);
  marks.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const m of marks) {
    now += m.d;
    most = Math.max(most, now);
  }
  return most;
}

describe('the command line: --concurrency (compiled CLI, fresh databases)', () => {
  const ACTOR = 'admin@maldon.gov.uk';
  let dir: string;
  let input: string;
  const databases: TestDatabase[] = [];
  const story = everyStepFile();
  /** Ten copies of the whole 2017 story, the directed review, and one refused in the middle. */
  const fullRefs = Array.from({ length: 10 }, (_, i) => `ESX/17/01${String(i).padStart(2, '0')}`);
  const file = {
    ...story,
    reviews: [
      ...fullRefs.slice(0, 5).map((ref, i) => ({ ...story.reviews[0], key: `FULL ${i}`, notification: { ...story.reviews[0].notification, policeReference: ref } })),
      {
        key: 'REFUSED',
        csp: 'MALDON',
        notification: { ...story.reviews[0].notification, policeReference: 'ESX/17/BAD' },
        steps: [
          { step: 'event', type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: '2017-01-30' },
          { step: 'imr', ref: 'i', agency: 'Essex Police', kind: 'imr', requestedOn: '2017-03-06', dueOn: '2017-05-01' },
          { step: 'imrReceived', imr: 'i', receivedOn: '2017-03-01' },
        ],
      },
      story.reviews[1],
      ...fullRefs.slice(5).map((ref, i) => ({ ...story.reviews[0], key: `FULL ${i + 5}`, notification: { ...story.reviews[0].notification, policeReference: ref } })),
    ],
  };
  const fileOrder = file.reviews.map((r) => r.notification.policeReference).filter((ref) => ref !== 'ESX/17/BAD');

  const freshDatabase = async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`INSERT INTO csps (code, name) VALUES ('MALDON', 'Maldon CSP')`);
    await client.end();
    return database;
  };
  const cli = async (database: TestDatabase, args: string[]) => {
    const run = runEntryPoint('cli/index.js', { DATABASE_URL: database.url }, ['import', ...args]);
    const code = await run.exited;
    return { code, stdout: run.lines.join('\n'), stderr: run.stderr() };
  };
  const reviewCount = async (database: TestDatabase) => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return Number((await client.query(`SELECT count(*) AS n FROM reviews`)).rows[0].n);
    } finally {
      await client.end();
    }
  };
  /** The report without what depends on the order of commits (ids, references). */
  const reportShape = (report: Json) => ({ ...report, reviews: report.reviews.map(({ id: _id, reference: _ref, ...rest }: Json) => rest) });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dhr-import-'));
    input = join(dir, 'reviews.json');
    writeFileSync(input, JSON.stringify(file));
  });
  afterAll(async () => {
    for (const database of databases) await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a dry run at the default concurrency checks reviews that name new agencies in opposite orders: all valid, nothing written', async () => {
    // Each review's transaction makes the file's agencies in a dry run; made in name order, two
    // reviews checked at once wait for each other's instead of deadlocking.
    const database = await freshDatabase();
    const agencies = [
      { name: 'Agency Y', kind: 'health' },
      { name: 'Agency X', kind: 'police' },
    ];
    const member = (agency: string) => ({ step: 'panelMember', agency, name: `Rep of ${agency}`, role: 'Senior representative', joinedOn: '2017-02-08', noDirectCaseManagementDeclared: true });
    const review = (i: number, first: string, second: string) => ({
      key: `R${i}`,
      csp: 'MALDON',
      notification: { ...story.reviews[0].notification, policeReference: `ESX/17/AG${i}` },
      steps: [{ step: 'event', type: 'DECIDE', outcome: 'proceed', rationale: 'Section 9 criteria met.', decidedAt: '2017-01-30' }, member(first), member(second)],
    });
    const twoOrders = join(dir, 'two-orders.json');
    writeFileSync(
      twoOrders,
      JSON.stringify({ format: story.format, agencies, reviews: [review(1, 'Agency X', 'Agency Y'), review(2, 'Agency Y', 'Agency X'), review(3, 'Agency X', 'Agency Y'), review(4, 'Agency Y', 'Agency X')] }),
    );
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = await cli(database, [twoOrders, '--actor', ACTOR, '--dry-run']);
      expect({ attempt, code: run.code, stderr: run.stderr }).toEqual({ attempt, code: 0, stderr: '' });
      expect(JSON.parse(run.stdout)).toMatchObject({ dryRun: true, valid: 4, refused: 0 });
    }
    expect(await reviewCount(database)).toBe(0);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      expect(Number((await client.query(`SELECT count(*) AS n FROM agencies`)).rows[0].n)).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses a --concurrency that is not a whole number from 1 to 16, naming the option, before touching the database', async () => {
    const database = await freshDatabase();
    const values = ['0', '17', '2.5', 'four', '', '-1'];
    const runs = await Promise.all(values.map((value) => cli(database, [input, '--actor', ACTOR, '--concurrency', value])));
    runs.forEach((run, i) => {
      expect([values[i], run.code, run.stdout]).toEqual([values[i], 2, '']);
      // '-1' reads as an option to the argument parser, which names --concurrency in its own words.
      const said = values[i] === '-1' ? "Option '--concurrency' argument is ambiguous" : '--concurrency: a whole number from 1 to 16';
      expect(run.stderr.split('\n')[0]).toContain(said);
    });
    expect(await reviewCount(database)).toBe(0);
  });

  it('takes the spreadsheet as a .csv file too: a good row created on its dates, a bad row refused naming its field (exit 1)', async () => {
    const database = await freshDatabase();
    const csv = join(dir, 'sheet.csv');
    writeFileSync(
      csv,
      [
        'key,csp,date_of_death,notified_on,police_force,police_reference,circumstances,decision,decided_on,home_office_told_on,chair_name,chair_appointed_on',
        'Row 2,MALDON,2019-02-01,2019-02-04,Essex Police,CSV/CLI/1,Death at home.,proceed,2019-02-20,2019-02-22,Chair Three,2019-03-01',
        'Row 3,MALDON,2019-05-01,2019-05-06,Essex Police,CSV/CLI/2,Death at home.,proceed,2019-05-02,,,',
      ].join('\n'),
    );
    const run = await cli(database, [csv, '--actor', ACTOR]);
    expect([run.code, run.stderr]).toEqual([1, '']);
    const report = JSON.parse(run.stdout);
    expect(report.reviews.map((r: Json) => [r.key, r.status, r.stage ?? null])).toEqual([
      ['Row 2', 'created', 'establishing'],
      ['Row 3', 'refused', null],
    ]);
    expect(report.reviews[1].refusal).toMatchObject({ item: 1, step: 'event', field: 'decidedAt' });
    const outcome = await outcomeOf(database.url);
    expect(Object.keys(outcome.reviews)).toEqual(['CSV/CLI/1']);
    expect(outcome.reviews['CSV/CLI/1'].history.map((h: Json) => [h.type, h.occurred.slice(0, 10), h.actor, h.origin])).toEqual([
      ['NOTIFICATION_RECORDED', '2019-02-04', ACTOR, 'imported'],
      ['DECIDE', '2019-02-20', ACTOR, 'imported'],
      ['NOTIFY_HOME_OFFICE', '2019-02-22', ACTOR, 'imported'],
      ['CHAIR_APPOINTED', '2019-03-01', ACTOR, 'imported'],
    ]);
  });

  it('the same file at --concurrency 1, the default and 16: the same report, the same reviews and histories; one at a time in file order at 1, several at once (up to the limit) otherwise', async () => {
    const [one, byDefault, sixteen] = [await freshDatabase(), await freshDatabase(), await freshDatabase()];
    const runs = [
      await cli(one, [input, '--actor', ACTOR, '--concurrency', '1']),
      await cli(byDefault, [input, '--actor', ACTOR]),
      await cli(sixteen, [input, '--actor', ACTOR, '--concurrency', '16']),
    ];
    const reports = runs.map((run) => {
      // One review was refused: the command says so in its exit code.
      expect([run.code, run.stderr]).toEqual([1, '']);
      return JSON.parse(run.stdout);
    });
    expect(reports[0]).toMatchObject({ dryRun: false, created: 11, valid: 0, refused: 1 });
    expect(reports[0].reviews.map((r: Json) => [r.key, r.status])).toEqual(file.reviews.map((r) => [r.key, r.key === 'REFUSED' ? 'refused' : 'created']));
    expect(reports[0].reviews[5].refusal).toMatchObject({ item: 3, step: 'imrReceived', field: 'receivedOn' });
    // One at a time, references follow the file (the refused review takes none).
    expect(reports[0].reviews.filter((r: Json) => r.status === 'created').map((r: Json) => r.reference)).toEqual([
      ...['001', '002', '003', '004', '005'].map((n) => `DHR-MALDON-2017-${n}`),
      'DHR-MALDON-2018-001',
      ...['006', '007', '008', '009', '010'].map((n) => `DHR-MALDON-2017-${n}`),
    ]);
    expect(reportShape(reports[1])).toEqual(reportShape(reports[0]));
    expect(reportShape(reports[2])).toEqual(reportShape(reports[0]));

    const outcomes = [await outcomeOf(one.url), await outcomeOf(byDefault.url), await outcomeOf(sixteen.url)];
    expect(Object.keys(outcomes[0].reviews).sort()).toEqual([...fileOrder].sort());
    expect(outcomes[0].reviews[fullRefs[0]].status).toBe('closed');
    expect(outcomes[0].reviews[fullRefs[0]].history.length).toBeGreaterThan(50);
    expect(outcomes[1].reviews).toEqual(outcomes[0].reviews);
    expect(outcomes[2].reviews).toEqual(outcomes[0].reviews);
    // Numbered as each is committed: the same numbers, whatever the order they were given in.
    expect(outcomes[1].references).toEqual(outcomes[0].references);
    expect(outcomes[2].references).toEqual(outcomes[0].references);

    // At 1, each review's entries were all written before the next review's began, in file order.
    const spansOne = fileOrder.map((ref) => outcomes[0].spans.get(ref)!);
    for (let i = 1; i < spansOne.length; i++) expect(spansOne[i].first).toBeGreaterThanOrEqual(spansOne[i - 1].last);
    expect(mostAtOnce(spansOne)).toBe(1);
    // By default four at a time; at 16, more than that (as many as the connection pool, DB_POOL_SIZE, lets in).
    const atOnceByDefault = mostAtOnce(outcomes[1].spans.values());
    expect(atOnceByDefault).toBe(4);
    expect(mostAtOnce(outcomes[2].spans.values())).toBeGreaterThan(4);
  });
});
