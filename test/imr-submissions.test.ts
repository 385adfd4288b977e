import request from 'supertest';
import { IdentityService } from '../src/identity/identity.service';
import { londonDateOf } from '../src/deadlines/rules';
import { CaseFileSql } from './support/casefile-sql';
import { fixtures } from './support/document-fixtures';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

const LEAD = 'csp.lead@maldon.gov.uk';
const CHAIR = 'chair@independent-reviews.example';
const AUTHOR = 'imr.author@mse.nhs.uk';

/**
 * Agencies send their own reports (issue 14 item 5) over the API: the IMR author uploads their
 * agency's IMR and chronology (the upload is the submission), the chair confirms its receipt
 * or sends it back with comments; each is in the history, attributable; refused uploads write
 * nothing; an IMR author cannot send another agency's.
 */
describe('IMR submissions over HTTP (real PostgreSQL)', () => {
  let ctx: TestContext;
  let api: ReturnType<typeof reviewApi>;
  let sql: CaseFileSql;
  let cspId: string;
  let health: string;
  let police: string;
  let authorToken: string;
  const http = () => request(ctx.api.getHttpServer());

  beforeAll(async () => {
    ctx = await startTestApp({ env: { DOCUMENT_MAX_BYTES: '4096' } });
    api = reviewApi(ctx.api, LEAD);
    sql = new CaseFileSql(ctx.database.url);
    cspId = (await api.createCsp('MALDON')).id;
    health = (await http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Mid and South Essex NHS Foundation Trust', kind: 'health' }).expect(201)).body.id;
    police = (await http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Essex Police', kind: 'police' }).expect(201)).body.id;
    const identities = ctx.api.get(IdentityService);
    await identities.addUser({ email: CHAIR, displayName: 'Chris Rowe' });
    const author = await identities.addUser({ email: AUTHOR, displayName: 'Dr Amira Bello' });
    authorToken = (await identities.issueToken(author.id, 'test')).token;
  });
  afterAll(() => ctx.close());

  async function reviewWithImrs() {
    const { id } = await api.openReview(cspId);
    await http().post(`/reviews/${id}/members`).set('X-Actor', LEAD).send({ email: AUTHOR, role: 'imr_author', agencyId: health }).expect(201);
    const commission = async (agencyId: string, kind = 'imr') =>
      (await http().post(`/reviews/${id}/imrs`).set('X-Actor', CHAIR).send({ agencyId, kind, requestedOn: '2026-02-10', dueOn: '2026-03-24' }).expect(201)).body.id as string;
    return { id, healthImr: await commission(health), policeImr: await commission(police, 'short_report') };
  }
  const asAuthor = (req: request.Test) => req.set('Authorization', `Bearer ${authorToken}`);
  const count = async (table: string, reviewId: string) =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE review_id = $1`, [reviewId]))[0].n;
  const imrOf = async (id: string, imrId: string) => (await http().get(`/reviews/${id}/imrs/${imrId}`).set('X-Actor', CHAIR).expect(200)).body;

  it('the author uploads the IMR and chronology; it awaits confirmation, not received; the chair confirms it on the upload date', async () => {
    const { id, healthImr } = await reviewWithImrs();
    const sent = await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('IMR of the health trust'), { filename: 'health-imr.pdf', contentType: 'application/pdf' })
      .attach('chronology', fixtures.pdf('Chronology of contacts'), { filename: 'chronology.pdf', contentType: 'application/pdf' })
      .expect(201);
    expect(sent.body).toMatchObject({ state: 'outstanding', receivedOn: null, submission: { outcome: 'awaiting', submittedBy: AUTHOR, submittedByName: 'Dr Amira Bello' } });
    // The files are documents of the IMR, which the author can see.
    const documents = (await asAuthor(http().get(`/reviews/${id}/documents`)).expect(200)).body as Array<{ id: string; kind: string; imrId: string; title: string }>;
    expect(documents.map((d) => [d.kind, d.imrId, d.title]).sort()).toEqual([
      ['chronology', healthImr, 'Chronology of Mid and South Essex NHS Foundation Trust'],
      ['imr', healthImr, 'IMR of Mid and South Essex NHS Foundation Trust'],
    ]);
    // Its clock still runs: not received until the chair confirms.
    const clock = () => api.get(id).then((r) => r.clocks.find((c: { kind: string; subjectId: string }) => c.kind === 'imr_due' && c.subjectId === healthImr));
    expect((await clock()).status).not.toBe('met');
    expect((await api.get(id)).facts).toMatchObject({ imrsOutstanding: 2 });

    // Confirm needs the IMR's current version (If-Match).
    await http().post(`/reviews/${id}/imrs/${healthImr}/submissions/confirmation`).set('X-Actor', CHAIR).send({}).expect(428);
    const imr = await imrOf(id, healthImr);
    const confirmed = await http()
      .post(`/reviews/${id}/imrs/${healthImr}/submissions/confirmation`)
      .set('X-Actor', CHAIR)
      .set('If-Match', `"${imr.version}"`)
      .send({})
      .expect(200);
    expect(confirmed.body).toMatchObject({ state: 'received', receivedOn: londonDateOf(new Date()), submission: { outcome: 'received', decidedBy: CHAIR, decidedByName: 'Chris Rowe' } });
    expect((await api.get(id)).facts).toMatchObject({ imrsOutstanding: 1 });
    expect(['met', 'missed']).toContain((await clock()).status);

    const history = ((await api.history(id)) as unknown as Array<{ type: string; actor: string; payload: Record<string, unknown> }>).filter((h) => h.type.startsWith('IMR_') && h.payload.imrId === healthImr);
    expect(history.map((h) => [h.type, h.actor])).toEqual([
      ['IMR_COMMISSIONED', CHAIR],
      ['IMR_SUBMITTED', AUTHOR],
      ['IMR_RECEIVED', CHAIR],
    ]);
    expect(history[1].payload).toMatchObject({ submittedBy: 'Dr Amira Bello', report: { version: 1, filename: 'health-imr.pdf' }, chronology: { version: 1, filename: 'chronology.pdf' } });
    expect(history[2].payload).toMatchObject({ submittedBy: 'Dr Amira Bello', confirmedBy: 'Chris Rowe', receivedOn: londonDateOf(new Date()) });
    // Nothing more can be sent once received.
    await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('Late again'), { filename: 'again.pdf', contentType: 'application/pdf' })
      .expect(409);
  });

  it('the chair sends it back with comments (required); the author sends a new version, which the chair confirms with another date', async () => {
    const { id, healthImr } = await reviewWithImrs();
    await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('First go'), { filename: 'imr-v1.pdf', contentType: 'application/pdf' })
      .expect(201);
    let imr = await imrOf(id, healthImr);
    const empty = await http().post(`/reviews/${id}/imrs/${healthImr}/submissions/return`).set('X-Actor', CHAIR).set('If-Match', `"${imr.version}"`).send({ comments: '  ' }).expect(400);
    expect(empty.body.errors).toEqual([{ field: 'comments', message: 'is required' }]);
    const back = await http()
      .post(`/reviews/${id}/imrs/${healthImr}/submissions/return`)
      .set('X-Actor', CHAIR)
      .set('If-Match', `"${imr.version}"`)
      .send({ comments: 'Add the GP contacts of March.' })
      .expect(200);
    expect(back.body).toMatchObject({ state: 'outstanding', submission: { outcome: 'sent_back', comments: 'Add the GP contacts of March.', decidedByName: 'Chris Rowe' } });
    // Nothing awaits now: confirming is refused.
    imr = await imrOf(id, healthImr);
    await http().post(`/reviews/${id}/imrs/${healthImr}/submissions/confirmation`).set('X-Actor', CHAIR).set('If-Match', `"${imr.version}"`).send({}).expect(409);

    // The same file again is refused, naming the version it repeats; a changed one is version 2.
    const same = await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('First go'), { filename: 'imr-v1.pdf', contentType: 'application/pdf' })
      .expect(409);
    expect(same.body.message).toMatch(/identical to version 1/);
    await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('Second go, with the GP contacts'), { filename: 'imr-v2.pdf', contentType: 'application/pdf' })
      .expect(201);
    const submissions = (await asAuthor(http().get(`/reviews/${id}/imrs/${healthImr}/submissions`)).expect(200)).body;
    expect(submissions.map((s: { outcome: string; report: { version: number } }) => [s.outcome, s.report.version])).toEqual([
      ['sent_back', 1],
      ['awaiting', 2],
    ]);
    expect(await count('documents', id)).toBe(1);

    // The chair answering from a read made before the new version was sent: 412, nothing confirmed.
    await http().post(`/reviews/${id}/imrs/${healthImr}/submissions/confirmation`).set('X-Actor', CHAIR).set('If-Match', `"${imr.version}"`).send({}).expect(412);
    expect((await imrOf(id, healthImr)).receivedOn).toBeNull();
    imr = await imrOf(id, healthImr);
    const future = await http().post(`/reviews/${id}/imrs/${healthImr}/submissions/confirmation`).set('X-Actor', CHAIR).set('If-Match', `"${imr.version}"`).send({ receivedOn: '2999-01-01' }).expect(400);
    expect(future.body.errors[0]).toMatchObject({ field: 'receivedOn' });
    await http().post(`/reviews/${id}/imrs/${healthImr}/submissions/confirmation`).set('X-Actor', CHAIR).set('If-Match', `"${imr.version}"`).send({ receivedOn: '2026-03-20' }).expect(200);
    expect((await imrOf(id, healthImr)).receivedOn).toBe('2026-03-20');
    // The author sees the comments and the sent-back entry in the history (their agency's IMR).
    const seen = (await asAuthor(http().get(`/reviews/${id}/history`)).expect(200)).body as Array<{ type: string; payload: Record<string, unknown> }>;
    expect(seen.filter((h) => h.type.startsWith('IMR_')).map((h) => h.type)).toEqual(['IMR_COMMISSIONED', 'IMR_SUBMITTED', 'IMR_SENT_BACK', 'IMR_SUBMITTED', 'IMR_RECEIVED']);
    expect(seen.find((h) => h.type === 'IMR_SENT_BACK')!.payload).toMatchObject({ comments: 'Add the GP contacts of March.', sentBackBy: 'Chris Rowe' });
  });

  it('refuses, naming the field, and writes nothing: no report, a file that is not what it says, an unknown part, a file too large, two reports; another agency’s IMR is not found', async () => {
    const { id, healthImr, policeImr } = await reviewWithImrs();
    const before = { documents: await count('documents', id), submissions: await count('imr_submissions', id), versions: await count('document_versions', id) };
    const none = await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`)).field('note', 'x').expect(400);
    expect(none.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'report', message: expect.stringMatching(/^is required/) })]));
    const fake = await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('fine'), { filename: 'imr.pdf', contentType: 'application/pdf' })
      .attach('chronology', Buffer.from('MZ not a pdf'), { filename: 'chronology.pdf', contentType: 'application/pdf' })
      .expect(400);
    expect(fake.body.errors.map((e: { field: string }) => e.field)).toEqual(['chronology']);
    const unknown = await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('file', fixtures.pdf('fine'), { filename: 'imr.pdf', contentType: 'application/pdf' })
      .expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'report', message: expect.stringContaining('"file" is not a part this form takes') }]);
    // A chronology over DOCUMENT_MAX_BYTES is a 413 naming it (the report was fine).
    const large = await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('fine'), { filename: 'imr.pdf', contentType: 'application/pdf' })
      .attach('chronology', Buffer.concat([fixtures.pdf('big'), Buffer.alloc(5000, 32)]), { filename: 'chronology.pdf', contentType: 'application/pdf' })
      .expect(413);
    expect(large.body.errors).toEqual([{ field: 'chronology', message: 'is larger than the limit of 4096 bytes' }]);
    // Two reports: the second is refused, naming the part.
    const two = await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions`))
      .attach('report', fixtures.pdf('one'), { filename: 'one.pdf', contentType: 'application/pdf' })
      .attach('report', fixtures.pdf('two'), { filename: 'two.pdf', contentType: 'application/pdf' })
      .expect(400);
    expect(two.body.errors).toEqual([{ field: 'report', message: 'send one file only' }]);
    await asAuthor(http().post(`/reviews/${id}/imrs/${policeImr}/submissions`))
      .attach('report', fixtures.pdf('not theirs'), { filename: 'imr.pdf', contentType: 'application/pdf' })
      .expect(404);
    // An IMR author may not confirm (the chair's), even their own agency's.
    await asAuthor(http().post(`/reviews/${id}/imrs/${healthImr}/submissions/confirmation`)).send({}).expect(403);
    expect({ documents: await count('documents', id), submissions: await count('imr_submissions', id), versions: await count('document_versions', id) }).toEqual(before);
  });
});
