import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every read of a review's case content, append-only like the review history. */
export class AccessLog1764200000000 implements MigrationInterface {
  name = 'AccessLog1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "access_log" (
        "id" bigserial NOT NULL,
        "review_id" uuid NOT NULL,
        "actor" varchar(200) NOT NULL,
        "method" varchar(10) NOT NULL,
        "route" varchar(300) NOT NULL,
        "path" varchar(500) NOT NULL,
        "status" integer NOT NULL,
        "ip" varchar(64),
        "user_agent" varchar(300),
        "request_id" varchar(64),
        "at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_access_log" PRIMARY KEY ("id"),
        CONSTRAINT "FK_access_log_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_access_log_review_at" ON "access_log" ("review_id", "at")`);
    await queryRunner.query(`
      CREATE TRIGGER "access_log_append_only" BEFORE UPDATE OR DELETE ON "access_log"
      FOR EACH ROW EXECUTE FUNCTION "refuse_change_to_history"()`);
    await queryRunner.query(`
      CREATE TRIGGER "access_log_no_truncate" BEFORE TRUNCATE ON "access_log"
      FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_to_history"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "access_log"`);
  }
}
