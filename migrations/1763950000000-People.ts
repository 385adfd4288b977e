import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People in the case (real names kept, pseudonyms shown by default), agencies' scoping
 * responses and their records-secured confirmations. Constraint names match the entities
 * (src/casefile/entities/{person,scoping-response,records-secured}.entity.ts).
 */
export class People1763950000000 implements MigrationInterface {
  name = 'People1763950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "people" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "role" varchar(20) NOT NULL,
        "real_name" varchar(200) NOT NULL,
        "pseudonym" varchar(100) NOT NULL,
        "relationship_to_victim" text,
        "age" integer,
        "legal_status" varchar(20),
        "notes" text,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_people" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_people_review_id" UNIQUE ("review_id", "id"),
        CONSTRAINT "UQ_people_pseudonym" UNIQUE ("review_id", "pseudonym"),
        CONSTRAINT "FK_people_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_people_role" CHECK ("role" IN ('victim', 'perpetrator', 'child', 'family', 'friend', 'other')),
        CONSTRAINT "CHK_people_legal_status" CHECK ("legal_status" IN ('suspected', 'charged', 'convicted', 'acquitted', 'deceased')),
        CONSTRAINT "CHK_people_legal_status_perpetrator" CHECK (("role" = 'perpetrator') = ("legal_status" IS NOT NULL)),
        CONSTRAINT "CHK_people_age" CHECK ("age" IS NULL OR ("age" >= 0 AND "age" <= 130))
      )`);

    await queryRunner.query(`
      CREATE TABLE "scoping_responses" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "agency_id" uuid NOT NULL,
        "had_contact" boolean NOT NULL,
        "summary" text,
        "responded_on" date NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_scoping_responses" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_scoping_responses_agency" UNIQUE ("review_id", "agency_id"),
        CONSTRAINT "FK_scoping_responses_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_scoping_responses_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id")
      )`);

    await queryRunner.query(`
      CREATE TABLE "records_secured" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "agency_id" uuid NOT NULL,
        "confirmed_on" date NOT NULL,
        "confirmed_by" varchar(200) NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_records_secured" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_records_secured_agency" UNIQUE ("review_id", "agency_id"),
        CONSTRAINT "FK_records_secured_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_records_secured_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['records_secured', 'scoping_responses', 'people']) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
