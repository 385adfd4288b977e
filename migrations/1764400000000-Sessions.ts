import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sign-in for people: password hashes and lockout on users, and signed-in sessions. */
export class Sessions1764400000000 implements MigrationInterface {
  name = 'Sessions1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "users"
        ADD COLUMN "password_hash" varchar(255),
        ADD COLUMN "failed_sign_ins" integer NOT NULL DEFAULT 0,
        ADD COLUMN "locked_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      CREATE TABLE "user_sessions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "token_hash" char(64) NOT NULL,
        "csrf_token" varchar(64) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "ended_at" TIMESTAMP WITH TIME ZONE,
        "ip" varchar(64),
        "user_agent" varchar(500),
        CONSTRAINT "PK_user_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_user_sessions_token_hash" UNIQUE ("token_hash"),
        CONSTRAINT "FK_user_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_user_sessions_user" ON "user_sessions" ("user_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_sessions"`);
    await queryRunner.query(`
      ALTER TABLE "users"
        DROP COLUMN "locked_until",
        DROP COLUMN "failed_sign_ins",
        DROP COLUMN "password_hash"`);
  }
}
