import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One review team (issue 14 item 2). A membership may be pending: someone invited by email who
 * is not yet a user (no user_id; their email and name are kept on the membership until they
 * accept). Invitations keep only the SHA-256 of their link's token, expire, and are used once.
 */
export class ReviewTeam1765100000000 implements MigrationInterface {
  name = 'ReviewTeam1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "review_members" ALTER COLUMN "user_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "review_members" ADD "email" varchar(320)`);
    await queryRunner.query(`ALTER TABLE "review_members" ADD "display_name" varchar(200)`);
    await queryRunner.query(`ALTER TABLE "review_members" ADD CONSTRAINT "CHK_review_members_who" CHECK ("user_id" IS NOT NULL OR "display_name" IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE "review_members" ADD CONSTRAINT "CHK_review_members_email_lower" CHECK ("email" IS NULL OR "email" = lower("email"))`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_review_members_pending" ON "review_members" ("review_id", "email", "role", (coalesce("agency_id", '00000000-0000-0000-0000-000000000000'::uuid))) WHERE "ended_at" IS NULL AND "user_id" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_review_members_pending_email" ON "review_members" ("email") WHERE "user_id" IS NULL`);
    await queryRunner.query(`
      CREATE TABLE "review_invitations" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "email" varchar(320) NOT NULL,
        "display_name" varchar(200) NOT NULL,
        "token_hash" char(64) NOT NULL,
        "invited_by" varchar(320) NOT NULL,
        "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "accepted_at" TIMESTAMP WITH TIME ZONE,
        "accepted_user_id" uuid,
        "withdrawn_at" TIMESTAMP WITH TIME ZONE,
        "withdrawn_by" varchar(320),
        "expiry_noticed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_review_invitations" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_review_invitations_token" UNIQUE ("token_hash"),
        CONSTRAINT "CHK_review_invitations_email_lower" CHECK ("email" = lower("email")),
        CONSTRAINT "FK_review_invitations_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_review_invitations_user" FOREIGN KEY ("accepted_user_id") REFERENCES "users"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_review_invitations_email" ON "review_invitations" ("email")`);

    // Appointments and panel records become declarations of a team record (member_id): the
    // membership of the same review, role (and agency) whose email is theirs (or, without an email,
    // whose name is), else a new team
    // record without a user (no access), which an invitation to that email later attaches.
    await queryRunner.query(`ALTER TABLE "appointments" ADD "member_id" uuid`);
    await queryRunner.query(`ALTER TABLE "panel_members" ADD "member_id" uuid`);
    await linkToTeam(queryRunner, 'appointments');
    await linkToTeam(queryRunner, 'panel_members');
    await queryRunner.query(
      `ALTER TABLE "appointments" ADD CONSTRAINT "FK_appointments_member" FOREIGN KEY ("member_id") REFERENCES "review_members"("id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "panel_members" ADD CONSTRAINT "FK_panel_members_member" FOREIGN KEY ("member_id") REFERENCES "review_members"("id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "panel_members" DROP CONSTRAINT "FK_panel_members_member"`);
    await queryRunner.query(`ALTER TABLE "appointments" DROP CONSTRAINT "FK_appointments_member"`);
    await queryRunner.query(`ALTER TABLE "panel_members" DROP COLUMN "member_id"`);
    await queryRunner.query(`ALTER TABLE "appointments" DROP COLUMN "member_id"`);
    await queryRunner.query(`DROP TABLE "review_invitations"`);
    await queryRunner.query(`DELETE FROM "review_members" WHERE "user_id" IS NULL`);
    await queryRunner.query(`DROP INDEX "IDX_review_members_pending_email"`);
    await queryRunner.query(`DROP INDEX "UQ_review_members_pending"`);
    await queryRunner.query(`ALTER TABLE "review_members" DROP CONSTRAINT "CHK_review_members_email_lower"`);
    await queryRunner.query(`ALTER TABLE "review_members" DROP CONSTRAINT "CHK_review_members_who"`);
    await queryRunner.query(`ALTER TABLE "review_members" DROP COLUMN "display_name"`);
    await queryRunner.query(`ALTER TABLE "review_members" DROP COLUMN "email"`);
    await queryRunner.query(`ALTER TABLE "review_members" ALTER COLUMN "user_id" SET NOT NULL`);
  }
}

interface Declared {
  id: string;
  review_id: string;
  role: string;
  agency_id: string | null;
  name: string;
  email: string | null;
  created_by: string;
  created_at: Date;
  ended_on: string | null;
}

/**
 * Links each appointment or panel record not yet linked to its team record, making one (without a
 * user) where none matches. Also run by TeamRecordRequired, for any record written without one.
 */
export async function linkToTeam(queryRunner: QueryRunner, table: 'appointments' | 'panel_members'): Promise<void> {
  const rows: Declared[] = await queryRunner.query(
    table === 'appointments'
      ? `SELECT id, review_id, role, NULL::uuid AS agency_id, name, lower(btrim(email)) AS email, created_by, created_at, ended_on::text AS ended_on FROM appointments WHERE member_id IS NULL ORDER BY created_at, id`
      : `SELECT id, review_id, 'panel_member' AS role, agency_id, name, lower(btrim(email)) AS email, created_by, created_at, left_on::text AS ended_on FROM panel_members WHERE member_id IS NULL ORDER BY created_at, id`,
  );
  const made = new Map<string, string>();
  for (const row of rows) {
    const active = row.ended_on === null;
    // By email; without one, by the same name (the same role and agency either way).
    const [member]: Array<{ id: string }> = await queryRunner.query(
      `SELECT m.id FROM review_members m LEFT JOIN users u ON u.id = m.user_id
        WHERE m.review_id = $1 AND m.role = $2 AND m.agency_id IS NOT DISTINCT FROM $3
          AND (CASE WHEN $4::text IS NULL THEN lower(coalesce(u.display_name, m.display_name)) = lower(btrim($6)) ELSE coalesce(u.email, m.email) = $4 END)
        ORDER BY (m.ended_at IS NULL) = $5 DESC, m.added_at, m.id LIMIT 1`,
      [row.review_id, row.role, row.agency_id, row.email, active, row.name],
    );
    const key = `${row.review_id}|${row.role}|${row.agency_id ?? ''}|${row.email ?? ''}`;
    let memberId = member?.id ?? (active && row.email ? made.get(key) : undefined);
    if (!memberId) {
      const [created]: Array<{ id: string }> = await queryRunner.query(
        `INSERT INTO review_members (review_id, user_id, email, display_name, role, agency_id, added_by, added_at, ended_by, ended_at)
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9::date::timestamptz) RETURNING id`,
        [row.review_id, row.email, row.name, row.role, row.agency_id, row.created_by, row.created_at, active ? null : row.created_by, row.ended_on],
      );
      memberId = created.id;
      if (active && row.email) made.set(key, memberId);
    }
    await queryRunner.query(`UPDATE ${table} SET member_id = $1 WHERE id = $2`, [memberId, row.id]);
  }
}
