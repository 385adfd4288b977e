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
    await queryRunner.query(
      `ALTER TABLE "review_members" ADD CONSTRAINT "CHK_review_members_who" CHECK ("user_id" IS NOT NULL OR ("email" IS NOT NULL AND "email" = lower("email") AND "display_name" IS NOT NULL))`,
    );
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "review_invitations"`);
    await queryRunner.query(`DELETE FROM "review_members" WHERE "user_id" IS NULL`);
    await queryRunner.query(`DROP INDEX "IDX_review_members_pending_email"`);
    await queryRunner.query(`DROP INDEX "UQ_review_members_pending"`);
    await queryRunner.query(`ALTER TABLE "review_members" DROP CONSTRAINT "CHK_review_members_who"`);
    await queryRunner.query(`ALTER TABLE "review_members" DROP COLUMN "display_name"`);
    await queryRunner.query(`ALTER TABLE "review_members" DROP COLUMN "email"`);
    await queryRunner.query(`ALTER TABLE "review_members" ALTER COLUMN "user_id" SET NOT NULL`);
  }
}
