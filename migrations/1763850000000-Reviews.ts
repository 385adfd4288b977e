import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviews with their persisted lifecycle snapshot, and the append-only history of every
 * accepted event (a trigger refuses UPDATE and DELETE on it).
 */
export class Reviews1763850000000 implements MigrationInterface {
  name = 'Reviews1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "reviews" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "reference" varchar(64) NOT NULL,
        "csp_id" uuid NOT NULL,
        "guidance_version" varchar(8) NOT NULL DEFAULT '2016',
        "date_of_death" date NOT NULL,
        "notified_on" date NOT NULL,
        "police_force" varchar(200) NOT NULL,
        "police_reference" varchar(100) NOT NULL,
        "circumstances" text NOT NULL,
        "no_recommendations_reason" text,
        "machine_version" integer NOT NULL,
        "snapshot" jsonb NOT NULL,
        "status" varchar(40) NOT NULL,
        "on_hold" boolean NOT NULL DEFAULT false,
        "version" integer NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_reviews" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_reviews_reference" UNIQUE ("reference"),
        CONSTRAINT "FK_reviews_csp" FOREIGN KEY ("csp_id") REFERENCES "csps"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_reviews_csp_status" ON "reviews" ("csp_id", "status")`);
    await queryRunner.query(`CREATE INDEX "IDX_reviews_status_hold" ON "reviews" ("status", "on_hold")`);
    await queryRunner.query(`
      CREATE TABLE "review_events" (
        "id" bigserial NOT NULL,
        "review_id" uuid NOT NULL,
        "sequence" integer NOT NULL,
        "type" varchar(64) NOT NULL,
        "payload" jsonb NOT NULL,
        "actor" varchar(200) NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "from_status" varchar(40),
        "to_status" varchar(40) NOT NULL,
        "from_on_hold" boolean,
        "to_on_hold" boolean NOT NULL,
        CONSTRAINT "PK_review_events" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_review_events_sequence" UNIQUE ("review_id", "sequence"),
        CONSTRAINT "FK_review_events_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id")
      )`);
    await queryRunner.query(`
      CREATE FUNCTION "refuse_change_to_history"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "review_events_append_only" BEFORE UPDATE OR DELETE ON "review_events"
      FOR EACH ROW EXECUTE FUNCTION "refuse_change_to_history"()`);
    await queryRunner.query(`
      CREATE TRIGGER "review_events_no_truncate" BEFORE TRUNCATE ON "review_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_to_history"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "review_events"`);
    await queryRunner.query(`DROP FUNCTION "refuse_change_to_history"()`);
    await queryRunner.query(`DROP TABLE "reviews"`);
  }
}
