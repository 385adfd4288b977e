import request from 'supertest';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { ReviewTeam1765100000000 } from '../migrations/1765100000000-ReviewTeam';
import { TeamRecordRequired1765370000000 } from '../migrations/1765370000000-TeamRecordRequired';
import { InvitationsService } from '../src/access/invitations';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { runMigrations } from '../src/infrastructure/database/migrate';
import { IdentityService } from '../src/identity/identity.service';
import { reviewApi } from './support/review-api';
import { startTestApp, TestContext } from './support/test-app';

/**
 * One review team (issue 14 item 2): an appointment or a panel record is the declaration of one
 * team record (review_members), not a second record of the person. The ReviewTeam migration
 * links today's records to the membership of the same review, role (and agency) by email (or,
 * without one, by name), and makes a team record without a user for the others, keeping every
 * history entry; the appointments and panel routes link new records the same way.
 */

const LEAD = 'lead@maldon.gov.uk';
const CHAIR = 'chair@independent-reviews.example';

jest.setTimeout(60_000);

describe('one record per person on a review team', () => {
  let ctx: TestContext;
  let reviewId: string;
  let police: string;
  const http = () => request(ctx.api.getHttpServer());
  const post = (path: string, body: Record<string, unknown>) => http().post(path).set('X-Actor', LEAD).send(body);
  const db = () => ctx.api.get(DataSource);
  const members = async () =>
    (await http().get(`/reviews/${reviewId}/members`).set('X-Actor', LEAD).expect(200)).body as Array<{
      id: string;
      email: string | null;
      displayName: string;
      role: string;
      agency: string | null;
      userId: string | null;
      endedAt: string | null;
      declarations: Record<string, unknown>;
    }>;

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null });
    const api = reviewApi(ctx.api, LEAD);
    const csp = await api.createCsp('MALDON');
    await ctx.api.get(IdentityService).addUser({ email: CHAIR, displayName: 'Chris Rowe' });
    police = (await http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Essex Police', kind: 'police' }).expect(201)).body.id;
    reviewId = (await api.openReview(csp.id)).id;
    await post(`/reviews/${reviewId}/members`, { email: CHAIR, role: 'chair' }).expect(201);
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('the appointment and panel routes add to the team: the same person once, their declarations on their record', async () => {
    const appointed = await post(`/reviews/${reviewId}/appointments`, {
      role: 'chair',
      name: 'Chris Rowe',
      organisation: 'Independent Reviews Ltd',
      email: CHAIR.toUpperCase(),
      appointedOn: '2026-01-20',
      independenceStatement: 'I have had no involvement with any agency in this case.',
    }).expect(201);
    await post(`/reviews/${reviewId}/panel-members`, { name: 'DI Sam Patel', agencyId: police, role: 'Detective Inspector', email: 'sam.patel@essex.police.uk', joinedOn: '2026-01-20', noDirectCaseManagementDeclared: true }).expect(201);
    await post(`/reviews/${reviewId}/panel-members`, { name: 'Dr Ann Lee', agencyId: police, role: 'Safeguarding lead', joinedOn: '2026-01-20', noDirectCaseManagementDeclared: true }).expect(201);

    const team = await members();
    expect(team.map((m) => [m.displayName, m.email, m.role, m.agency, m.userId === null])).toEqual([
      ['Chris Rowe', CHAIR, 'chair', null, false],
      ['DI Sam Patel', 'sam.patel@essex.police.uk', 'panel_member', 'Essex Police', true],
      ['Dr Ann Lee', null, 'panel_member', 'Essex Police', true],
    ]);
    expect(appointed.body.memberId).toBe(team[0].id);
    expect(team[0].declarations).toMatchObject({ organisation: 'Independent Reviews Ltd', startsOn: '2026-01-20', independenceStatement: 'I have had no involvement with any agency in this case.' });
    expect(team[1].declarations).toMatchObject({ roleInAgency: 'Detective Inspector', noDirectCaseManagementDeclaredAt: expect.any(String) });
    // A team record without a user gives no access: nobody can sign in as it.
    expect(await db().query(`SELECT count(*)::int AS n FROM users WHERE email = 'sam.patel@essex.police.uk'`)).toEqual([{ n: 0 }]);
  });

  it('the migration links records made before it the same way, and keeps the history', async () => {
    const history = await db().query(`SELECT sequence, type, actor, payload FROM review_events WHERE review_id = $1 ORDER BY sequence`, [reviewId]);
    const after = MIGRATIONS.slice(MIGRATIONS.indexOf(ReviewTeam1765100000000));
    const migrations = new DataSource(dataSourceOptions(ctx.database.url, 2));
    await migrations.initialize();
    try {
      // Back to before the team (undoing the migrations after it first): no member_id, no team records without a user.
      for (let i = 0; i < after.length; i++) await migrations.undoLastMigration({ transaction: 'each' });
      expect(await migrations.query(`SELECT count(*)::int AS n FROM review_members`)).toEqual([{ n: 1 }]);
      expect(await migrations.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'appointments' AND column_name = 'member_id'`)).toEqual([]);
    } finally {
      await migrations.destroy();
    }
    expect(await runMigrations(ctx.database.url)).toEqual(after.map((m) => m.name));

    const team = await members();
    expect(team.map((m) => [m.displayName, m.email, m.role, m.agency, m.userId === null])).toEqual([
      ['Chris Rowe', CHAIR, 'chair', null, false],
      ['DI Sam Patel', 'sam.patel@essex.police.uk', 'panel_member', 'Essex Police', true],
      ['Dr Ann Lee', null, 'panel_member', 'Essex Police', true],
    ]);
    const links = await db().query(
      `SELECT 'appointment' AS kind, a.name, a.member_id FROM appointments a WHERE a.review_id = $1
       UNION ALL SELECT 'panel', p.name, p.member_id FROM panel_members p WHERE p.review_id = $1 ORDER BY 1, 2`,
      [reviewId],
    );
    const idOf = (name: string) => team.find((m) => m.displayName === name)!.id;
    expect(links).toEqual([
      { kind: 'appointment', name: 'Chris Rowe', member_id: idOf('Chris Rowe') },
      { kind: 'panel', name: 'DI Sam Patel', member_id: idOf('DI Sam Patel') },
      { kind: 'panel', name: 'Dr Ann Lee', member_id: idOf('Dr Ann Lee') },
    ]);
    // Nothing of the history is lost or changed.
    expect(await db().query(`SELECT sequence, type, actor, payload FROM review_events WHERE review_id = $1 ORDER BY sequence`, [reviewId])).toEqual(history);
  });

  it('adding as a member someone already on the team without a user (by their panel place) makes that record theirs: still one record', async () => {
    await post(`/reviews/${reviewId}/panel-members`, { name: 'Kim Howe', agencyId: police, role: 'Inspector', email: 'kim.howe@essex.police.uk', joinedOn: '2026-01-21', noDirectCaseManagementDeclared: true }).expect(201);
    const before = (await members()).filter((m) => m.email === 'kim.howe@essex.police.uk');
    expect(before.map((m) => m.userId)).toEqual([null]);
    const kim = await ctx.api.get(IdentityService).addUser({ email: 'kim.howe@essex.police.uk', displayName: 'Kim Howe' });
    const added = await post(`/reviews/${reviewId}/members`, { email: 'kim.howe@essex.police.uk', role: 'panel_member', agencyId: police }).expect(201);
    expect(added.body.id).toBe(before[0].id);
    const after = (await members()).filter((m) => m.email === 'kim.howe@essex.police.uk');
    expect(after).toEqual([expect.objectContaining({ id: before[0].id, userId: kim.id, declarations: expect.objectContaining({ roleInAgency: 'Inspector' }) })]);
  });

  it('an invitation to an email of a team record without a user attaches that record when accepted', async () => {
    const sam = (await members()).find((m) => m.displayName === 'DI Sam Patel')!;
    // The record's own invitation needs a mail transport; here the acceptance itself: the same email, one team record.
    await db().query(
      `INSERT INTO review_invitations (review_id, email, display_name, token_hash, invited_by, sent_at, expires_at) VALUES ($1, $2, 'DI Sam Patel', $3, $4, now(), now() + interval '1 day')`,
      [reviewId, sam.email, 'b'.repeat(64), LEAD],
    );
    const user = await ctx.api.get(InvitationsService).acceptByVerifiedEmail(sam.email!);
    expect(user?.email).toBe(sam.email);
    const after = (await members()).find((m) => m.id === sam.id)!;
    expect(after.userId).toBe(user!.id);
    expect((await members()).filter((m) => m.displayName === 'DI Sam Patel')).toHaveLength(1);
  });

  it('the database holds it: an appointment or panel place without a team record is refused, and TeamRecordRequired links any written before it', async () => {
    const appoint = (name: string) =>
      db().query(
        `INSERT INTO appointments (review_id, role, name, organisation, appointed_on, created_by) VALUES ($1, 'report_writer', $2, 'Writers Ltd', '2026-01-22', 'sql') RETURNING id`,
        [reviewId, name],
      );
    const place = (name: string) =>
      db().query(
        `INSERT INTO panel_members (review_id, name, agency_id, role, joined_on, created_by) VALUES ($1, $2, $3, 'Sergeant', '2026-01-22', 'sql') RETURNING id`,
        [reviewId, name, police],
      );
    await expect(appoint('Written by hand')).rejects.toMatchObject({ code: '23502', column: 'member_id' });
    await expect(place('Placed by hand')).rejects.toMatchObject({ code: '23502', column: 'member_id' });

    // Before it, such records could be written; the migration links them (a new team record without a user each, as ReviewTeam did).
    const after = MIGRATIONS.slice(MIGRATIONS.indexOf(TeamRecordRequired1765370000000));
    const migrations = new DataSource(dataSourceOptions(ctx.database.url, 2));
    await migrations.initialize();
    try {
      for (let i = 0; i < after.length; i++) await migrations.undoLastMigration({ transaction: 'each' });
    } finally {
      await migrations.destroy();
    }
    const [{ id: appointmentId }] = await appoint('Pat Writer');
    const [{ id: placeId }] = await place('Sgt Lou Fenn');
    const before = await members();
    expect(await runMigrations(ctx.database.url)).toEqual(after.map((m) => m.name));

    const team = await members();
    const added = team.filter((m) => !before.some((b) => b.id === m.id));
    expect(added.map((m) => [m.displayName, m.role, m.agency, m.userId])).toEqual([
      ['Pat Writer', 'report_writer', null, null],
      ['Sgt Lou Fenn', 'panel_member', 'Essex Police', null],
    ]);
    expect(await db().query(`SELECT member_id FROM appointments WHERE id = $1`, [appointmentId])).toEqual([{ member_id: added[0].id }]);
    expect(await db().query(`SELECT member_id FROM panel_members WHERE id = $1`, [placeId])).toEqual([{ member_id: added[1].id }]);
    expect(await db().query(`SELECT count(*)::int AS n FROM appointments WHERE member_id IS NULL`)).toEqual([{ n: 0 }]);
  });
});
