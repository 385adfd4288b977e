import JSZip from 'jszip';
import mammoth from 'mammoth';
import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { CaseFileApi } from './support/casefile-api';
import { fixtures } from './support/document-fixtures';
import { answerHomeOfficeChecklist } from './support/home-office';
import { reviewApi } from './support/review-api';
import { reviewAtSignOff } from './support/scenarios';
import { startTestApp, TestClock, type TestContext } from './support/test-app';

const NOW = '2026-12-04T10:00:00Z';
const LEAD = 'lead.qa@maldon.gov.uk';
const CHAIR = 'chair.qa@independent.example';

function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/**
 * Home Office quality assurance rounds (issue 15 item 4): each round keeps its letter as a
 * document, the changes the letter asks for as a list each marked done, and the resubmission,
 * which waits until every change is done and sends a pack that says what was done.
 */
describe('Home Office QA rounds: the letter, the changes asked for, the resubmission', () => {
  const clock = new TestClock(new Date(NOW));
  let ctx: TestContext;
  let reviewId: string;
  let reference: string;
  const tokens = {} as Record<'chair' | 'rag' | 'panel', string>;
  const http = () => request(ctx.api.getHttpServer());
  const lead = () => reviewApi(ctx.api, LEAD);
  const letter = (round: number | string, content: string, actor = LEAD) =>
    http()
      .post(`/reviews/${reviewId}/qa-rounds/${round}/letter`)
      .set('X-Actor', actor)
      .attach('file', fixtures.pdf(content), { filename: `letter-round-${round}.pdf`, contentType: 'application/pdf' });
  const rounds = async () => (await http().get(`/reviews/${reviewId}/qa-rounds`).set('X-Actor', LEAD).expect(200)).body as Array<{
    round: number;
    outcome: string | null;
    letter: { documentId: string; version: number; filename: string; contentUrl: string } | null;
    changes: Array<{ id: string; number: number; text: string; done: boolean; doneOn: string | null; note: string | null; doneBy: string | null; version: number }>;
    changesOpen: number;
  }>;
  const done = (round: number, changeId: string, body: Record<string, unknown>, ifMatch: string, actor = LEAD) =>
    http().post(`/reviews/${reviewId}/qa-rounds/${round}/changes/${changeId}/done`).set('X-Actor', actor).set('If-Match', ifMatch).send(body);

  beforeAll(async () => {
    ctx = await startTestApp({ clock });
    const maldon = await lead().createCsp('MALDON');
    const casefile = new CaseFileApi(ctx.api, LEAD);
    const police = await casefile.agency('Essex Police');
    reviewId = (await reviewAtSignOff(ctx.api, maldon.id, [police])).id;
    reference = (await lead().get(reviewId)).reference;
    await lead().accept(reviewId, { type: 'RAG_APPROVE', approvedAt: '2026-07-01' });
    await answerHomeOfficeChecklist(ctx.api, reviewId, LEAD);
    await lead().accept(reviewId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-07-10' });
    const identities = ctx.api.get(IdentityService);
    const chair = await identities.addUser({ email: CHAIR, displayName: 'Chris Chair' });
    const rag = await identities.addUser({ email: 'rag.qa@maldon.gov.uk', displayName: 'Board Member', role: 'rag_member', cspCode: 'MALDON' });
    const panel = await identities.addUser({ email: 'panel.qa@essex.police.uk', displayName: 'Panel Member' });
    await http().post(`/reviews/${reviewId}/members`).set('X-Actor', LEAD).send({ email: CHAIR, role: 'chair' }).expect(201);
    await http().post(`/reviews/${reviewId}/members`).set('X-Actor', LEAD).send({ email: 'panel.qa@essex.police.uk', role: 'panel_member', agencyId: police }).expect(201);
    tokens.chair = (await identities.issueToken(chair.id, 'qa')).token;
    tokens.rag = (await identities.issueToken(rag.id, 'qa')).token;
    tokens.panel = (await identities.issueToken(panel.id, 'qa')).token;
  }, 120_000);
  afterAll(() => ctx?.close());

  it('keeps the letter as a document of the review: a later upload is its next version, a refused one writes nothing', async () => {
    // Round 1 is awaiting its letter; no round 2; a round that is not a number.
    expect((await letter(2, 'letter')).status).toBe(404);
    const notANumber = await letter('first', 'letter');
    expect(notANumber.status).toBe(400);
    expect(notANumber.body.errors).toEqual([{ field: 'round', message: 'must be a round number (1, 2, …)' }]);
    const noFile = await http().post(`/reviews/${reviewId}/qa-rounds/1/letter`).set('X-Actor', LEAD);
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors[0].field).toBe('file');
    expect((await rounds())[0].letter).toBeNull();

    expect((await letter(1, 'The panel asks for changes')).status).toBe(201);
    const [first] = await rounds();
    expect(first.letter).toMatchObject({ version: 1, filename: 'letter-round-1.pdf' });
    // The same file again is refused; a corrected scan is version 2 of the same document.
    expect((await letter(1, 'The panel asks for changes')).status).toBe(409);
    const second = await letter(1, 'The panel asks for changes (complete scan)', CHAIR);
    expect(second.status).toBe(201);
    expect(second.body.letter).toMatchObject({ documentId: first.letter!.documentId, version: 2 });
    const document = (await http().get(`/reviews/${reviewId}/documents/${first.letter!.documentId}`).set('X-Actor', LEAD).expect(200)).body;
    expect(document).toMatchObject({ kind: 'letter', title: 'Home Office letter, round 1', versionCount: 2 });
    const content = await http().get(second.body.letter.contentUrl).set('X-Actor', LEAD).buffer(true).parse(binary).expect(200);
    expect((content.body as Buffer).toString('latin1')).toContain('complete scan');
  });

  it('lists the changes the letter asks for once its outcome is recorded, all or none', async () => {
    const before = await http().post(`/reviews/${reviewId}/qa-rounds/1/changes`).set('X-Actor', LEAD).send({ changes: ['Add a tribute'] });
    expect(before.status).toBe(409);
    expect(before.body.message).toContain('Round 1 has no outcome yet');

    const outcome = await lead().accept(reviewId, { type: 'RECORD_QA_OUTCOME', outcome: 'resubmit', letterDate: '2026-09-01', notes: 'Two changes' });
    expect(outcome.status).toBe('drafting');

    const empty = await http().post(`/reviews/${reviewId}/qa-rounds/1/changes`).set('X-Actor', LEAD).send({ changes: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ field: 'changes', message: 'must list at least one change' }]);
    const tooLong = await http().post(`/reviews/${reviewId}/qa-rounds/1/changes`).set('X-Actor', LEAD).send({ changes: ['Fine', 'x'.repeat(2001)] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([{ field: 'changes.1', message: 'must be at most 2000 characters' }]);
    const tooMany = await http().post(`/reviews/${reviewId}/qa-rounds/1/changes`).set('X-Actor', LEAD).send({ changes: Array.from({ length: 51 }, (_, i) => `Change ${i + 1}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ field: 'changes', message: 'must list at most 50 changes at once' }]);
    expect((await rounds())[0].changes).toEqual([]);

    const listed = await http().post(`/reviews/${reviewId}/qa-rounds/1/changes`).set('X-Actor', LEAD).send({ changes: ['Add a tribute from the family', 'Say why housing gave no IMR'] });
    expect(listed.status).toBe(201);
    // The chair adds one the lead missed: numbered after them.
    const added = await http().post(`/reviews/${reviewId}/qa-rounds/1/changes`).set('Authorization', `Bearer ${tokens.chair}`).send({ changes: ['Tie recommendation 1 to a finding'] });
    expect(added.status).toBe(201);
    const [round] = await rounds();
    expect(round.changes.map((c) => [c.number, c.text, c.done])).toEqual([
      [1, 'Add a tribute from the family', false],
      [2, 'Say why housing gave no IMR', false],
      [3, 'Tie recommendation 1 to a finding', false],
    ]);
    expect(round.changesOpen).toBe(3);
    // A panel member may not; the RAG member reads the rounds but may not change them or open the letter.
    await http().post(`/reviews/${reviewId}/qa-rounds/1/changes`).set('Authorization', `Bearer ${tokens.panel}`).send({ changes: ['No'] }).expect(403);
  });

  it('refuses the resubmission until every change is marked done, then sends a pack that says what was done', async () => {
    await lead().accept(reviewId, { type: 'AGREE_REPORT', occurredAt: '2026-09-20' });
    await lead().accept(reviewId, { type: 'RAG_APPROVE', approvedAt: '2026-09-25' });
    // The lead's My work: the resubmission is a task to make the changes, on the QA page.
    const identities = ctx.api.get(IdentityService);
    const partnershipLead = await identities.addUser({ email: 'lead2.qa@maldon.gov.uk', displayName: 'Second Lead', role: 'csp_lead', cspCode: 'MALDON' });
    const auth = { Authorization: `Bearer ${(await identities.issueToken(partnershipLead.id, 'my work')).token}` };
    const submitTask = async () =>
      ((await http().get('/me/tasks').set(auth).expect(200)).body.items as Array<{ reviewId: string; event: string | null; title: string; href: string }>).find(
        (t) => t.reviewId === reviewId && t.event === 'SUBMIT_TO_HOME_OFFICE',
      );
    expect(await submitTask()).toMatchObject({ title: 'Make the changes the Home Office asked for (3 still open), then resubmit the report', href: `/cases/${reviewId}/qa` });
    const refused = await lead().event(reviewId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-10-01' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('SUBMIT_TO_HOME_OFFICE is not allowed now: 3 changes the Home Office asked for are not marked done');
    expect(refused.body.openChanges.map((c: { number: number }) => c.number)).toEqual([1, 2, 3]);
    expect(refused.body.reasons[0]).toBe('Not done: round 1, change 1: Add a tribute from the family');

    const [round] = await rounds();
    const [tribute, housing, tie] = round.changes;
    // Before the letter, without a date, with an old version: refused, nothing written.
    const early = await done(1, tribute.id, { doneOn: '2026-08-31' }, `"${tribute.version}"`);
    expect(early.status).toBe(400);
    expect(early.body.errors).toEqual([{ field: 'doneOn', message: "must not be before the Home Office's letter of 1 September 2026" }]);
    expect((await done(1, tribute.id, {}, `"${tribute.version}"`)).body.errors[0].field).toBe('doneOn');
    const future = await done(1, tribute.id, { doneOn: '2099-01-01' }, `"${tribute.version}"`);
    expect([future.status, future.body.errors]).toEqual([400, [{ field: 'doneOn', message: expect.stringMatching(/future/) }]]);
    expect((await done(1, tribute.id, { doneOn: '2026-09-10' }, `"${tribute.version + 5}"`)).status).toBe(412);
    expect((await done(1, tribute.id, { doneOn: '2026-09-10' }, '')).status).toBe(428);
    expect((await done(2, tribute.id, { doneOn: '2026-09-10' }, `"${tribute.version}"`)).status).toBe(404);
    expect((await rounds())[0].changesOpen).toBe(3);

    const marked = await done(1, tribute.id, { doneOn: '2026-09-10', note: 'Tribute added as section 1.4' }, `"${tribute.version}"`);
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ done: true, doneOn: '2026-09-10', note: 'Tribute added as section 1.4', doneBy: LEAD, version: tribute.version + 1 });
    expect((await done(1, tribute.id, { doneOn: '2026-09-11' }, `"${tribute.version + 1}"`)).status).toBe(409);
    // The day of the letter itself is allowed.
    await done(1, housing.id, { doneOn: '2026-09-01' }, `"${housing.version}"`, CHAIR).expect(200);

    const stillOne = await lead().event(reviewId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-10-01' });
    expect(stillOne.status).toBe(409);
    expect(stillOne.body.message).toBe('SUBMIT_TO_HOME_OFFICE is not allowed now: a change the Home Office asked for is not marked done');
    expect((await submitTask())?.title).toBe('Make the changes the Home Office asked for (1 still open), then resubmit the report');
    await done(1, tie.id, { doneOn: '2026-09-15', note: 'Finding 6 now leads to recommendation 1' }, `"${tie.version}"`).expect(200);
    // Every change done: the task is the resubmission itself.
    expect(await submitTask()).toMatchObject({ title: 'Submit the report to the Home Office', href: `/cases/${reviewId}?do=SUBMIT_TO_HOME_OFFICE#event-SUBMIT_TO_HOME_OFFICE` });

    const resubmitted = await lead().accept(reviewId, { type: 'SUBMIT_TO_HOME_OFFICE', submittedAt: '2026-10-01' });
    expect(resubmitted.status).toBe('home_office_qa');
    const all = await rounds();
    expect(all.map((r) => [r.round, r.outcome, r.changesOpen])).toEqual([
      [1, 'resubmit', 0],
      [2, null, 0],
    ]);

    // The pack sent with round 2: its cover sheet lists each change and what was done.
    const sent = await http().get(`/reviews/${reviewId}/home-office-packs/2`).set('X-Actor', LEAD).buffer(true).parse(binary).expect(200);
    const zip = await JSZip.loadAsync(sent.body as Buffer);
    const cover = (await mammoth.extractRawText({ buffer: await zip.file(`${reference}-cover-sheet.docx`)!.async('nodebuffer') })).value;
    expect(cover).toContain('Changes asked for by the Home Office, and what was done');
    expect(cover).toMatch(/1\. Add a tribute from the family\s+10 September 2026\s+Tribute added as section 1\.4/);
    expect(cover).toMatch(/3\. Tie recommendation 1 to a finding\s+15 September 2026\s+Finding 6 now leads to recommendation 1/);
  });

  it('puts each step in the history, with who and when, and shows the RAG member the rounds but not the letter', async () => {
    const history = (await http().get(`/reviews/${reviewId}/history`).set('X-Actor', LEAD).expect(200)).body as Array<{ type: string; actor: string; payload: Record<string, unknown>; occurredAt: string }>;
    const qa = history.filter((e) => e.type.startsWith('QA_')).map((e) => [e.type, e.actor, e.payload.round, e.payload.numbers ?? e.payload.number ?? e.payload.version]);
    expect(qa).toEqual([
      ['QA_LETTER_UPLOADED', LEAD, 1, 1],
      ['QA_LETTER_UPLOADED', CHAIR, 1, 2],
      ['QA_CHANGES_LISTED', LEAD, 1, [1, 2]],
      ['QA_CHANGES_LISTED', CHAIR, 1, [3]],
      ['QA_CHANGE_DONE', LEAD, 1, 1],
      ['QA_CHANGE_DONE', CHAIR, 1, 2],
      ['QA_CHANGE_DONE', LEAD, 1, 3],
    ]);
    // A change is dated the day it was done.
    expect(history.find((e) => e.type === 'QA_CHANGE_DONE' && e.payload.number === 1)!.occurredAt.slice(0, 10)).toBe('2026-09-10');

    const asRag = (await http().get(`/reviews/${reviewId}/qa-rounds`).set('Authorization', `Bearer ${tokens.rag}`).expect(200)).body;
    expect(asRag[0].changes).toHaveLength(3);
    await http().get(asRag[0].letter.contentUrl).set('Authorization', `Bearer ${tokens.rag}`).expect(404);
    await http().get(`/reviews/${reviewId}/qa-rounds`).set('Authorization', `Bearer ${tokens.panel}`).expect(403);
  });
});
