import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case file: the records a review is made of (appointments, panel, IMRs, meetings,
 * documents, recommendations and actions, family involvement, parallel proceedings,
 * publication). The lifecycle's facts are computed from these tables.
 *
 * Every per-review table carries `review_id`. A record that points at another record of the
 * case file (an extension at its IMR, an action at its recommendation...) does so with a
 * composite foreign key on (review_id, parent_id) → parent(review_id, id), so the database
 * itself refuses a link between two reviews. Enumerations are CHECK constraints.
 */
export class CaseFile1763900000000 implements MigrationInterface {
  name = 'CaseFile1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "agencies" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" varchar(200) NOT NULL,
        "kind" varchar(40) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_agencies" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_agencies_name" UNIQUE ("name"),
        CONSTRAINT "CHK_agencies_kind" CHECK ("kind" IN ('police', 'health', 'local_authority', 'probation', 'specialist_da_service', 'other'))
      )`);

    await queryRunner.query(`
      CREATE TABLE "appointments" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "role" varchar(20) NOT NULL,
        "name" varchar(200) NOT NULL,
        "organisation" varchar(200) NOT NULL,
        "email" varchar(320),
        "appointed_on" date NOT NULL,
        "independence_declared_at" TIMESTAMP WITH TIME ZONE,
        "independence_statement" text,
        "ended_on" date,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_appointments" PRIMARY KEY ("id"),
        CONSTRAINT "FK_appointments_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_appointments_role" CHECK ("role" IN ('chair', 'report_writer')),
        CONSTRAINT "CHK_appointments_ended_after_appointed" CHECK ("ended_on" IS NULL OR "ended_on" >= "appointed_on")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_appointments_review" ON "appointments" ("review_id", "role")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_appointments_one_chair" ON "appointments" ("review_id") WHERE "role" = 'chair' AND "ended_on" IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE "panel_members" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "name" varchar(200) NOT NULL,
        "agency_id" uuid NOT NULL,
        "role" text NOT NULL,
        "email" varchar(320),
        "no_direct_case_management_declared_at" TIMESTAMP WITH TIME ZONE,
        "joined_on" date NOT NULL,
        "left_on" date,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_panel_members" PRIMARY KEY ("id"),
        CONSTRAINT "FK_panel_members_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_panel_members_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id"),
        CONSTRAINT "CHK_panel_members_left_after_joined" CHECK ("left_on" IS NULL OR "left_on" >= "joined_on")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_panel_members_review" ON "panel_members" ("review_id")`);

    await queryRunner.query(`
      CREATE TABLE "imrs" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "agency_id" uuid NOT NULL,
        "kind" varchar(20) NOT NULL,
        "author_name" varchar(200),
        "requested_on" date NOT NULL,
        "due_on" date NOT NULL,
        "received_on" date,
        "quality_checked_on" date,
        "signed_off_by" varchar(200),
        "signed_off_on" date,
        "waived_reason" text,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_imrs" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_imrs_review_id" UNIQUE ("review_id", "id"),
        CONSTRAINT "FK_imrs_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_imrs_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id"),
        CONSTRAINT "CHK_imrs_kind" CHECK ("kind" IN ('imr', 'short_report')),
        CONSTRAINT "CHK_imrs_due_after_requested" CHECK ("due_on" > "requested_on"),
        CONSTRAINT "CHK_imrs_received_or_waived" CHECK ("received_on" IS NULL OR "waived_reason" IS NULL)
      )`);

    await queryRunner.query(`
      CREATE TABLE "imr_extensions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "imr_id" uuid NOT NULL,
        "previous_due_on" date NOT NULL,
        "new_due_on" date NOT NULL,
        "reason" text NOT NULL,
        "granted_on" date NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_imr_extensions" PRIMARY KEY ("id"),
        CONSTRAINT "FK_imr_extensions_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_imr_extensions_imr" FOREIGN KEY ("review_id", "imr_id") REFERENCES "imrs"("review_id", "id"),
        CONSTRAINT "CHK_imr_extensions_later_due_date" CHECK ("new_due_on" > "previous_due_on")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_imr_extensions_imr" ON "imr_extensions" ("review_id", "imr_id")`);

    await queryRunner.query(`
      CREATE TABLE "panel_meetings" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "location" text,
        "online_link" text,
        "agenda" text,
        "status" varchar(20) NOT NULL DEFAULT 'scheduled',
        "attendance" jsonb NOT NULL DEFAULT '[]',
        "minutes" text,
        "decisions" text,
        "papers_circulated_on" date,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_panel_meetings" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_panel_meetings_review_id" UNIQUE ("review_id", "id"),
        CONSTRAINT "FK_panel_meetings_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_panel_meetings_status" CHECK ("status" IN ('scheduled', 'held', 'cancelled')),
        CONSTRAINT "CHK_panel_meetings_attendance" CHECK (jsonb_typeof("attendance") = 'array')
      )`);

    await queryRunner.query(`
      CREATE TABLE "panel_meeting_imrs" (
        "meeting_id" uuid NOT NULL,
        "imr_id" uuid NOT NULL,
        "review_id" uuid NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_panel_meeting_imrs" PRIMARY KEY ("meeting_id", "imr_id"),
        CONSTRAINT "FK_panel_meeting_imrs_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_panel_meeting_imrs_meeting" FOREIGN KEY ("review_id", "meeting_id") REFERENCES "panel_meetings"("review_id", "id"),
        CONSTRAINT "FK_panel_meeting_imrs_imr" FOREIGN KEY ("review_id", "imr_id") REFERENCES "imrs"("review_id", "id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_panel_meeting_imrs_imr" ON "panel_meeting_imrs" ("review_id", "imr_id")`);

    await queryRunner.query(`
      CREATE TABLE "documents" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "kind" varchar(30) NOT NULL,
        "title" varchar(300) NOT NULL,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_documents" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_documents_review_id" UNIQUE ("review_id", "id"),
        CONSTRAINT "FK_documents_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_documents_kind" CHECK ("kind" IN ('overview_report', 'executive_summary', 'chronology', 'imr', 'minutes', 'letter', 'other'))
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_documents_review_kind" ON "documents" ("review_id", "kind")`);

    await queryRunner.query(`
      CREATE TABLE "document_versions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "document_id" uuid NOT NULL,
        "version_no" integer NOT NULL,
        "filename" varchar(255) NOT NULL,
        "content_type" varchar(255) NOT NULL,
        "size_bytes" integer NOT NULL,
        "sha256" char(64) NOT NULL,
        "storage" varchar(10) NOT NULL,
        "content" bytea,
        "storage_path" text,
        "uploaded_by" varchar(200) NOT NULL,
        "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_document_versions" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_document_versions_number" UNIQUE ("document_id", "version_no"),
        CONSTRAINT "FK_document_versions_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_document_versions_document" FOREIGN KEY ("review_id", "document_id") REFERENCES "documents"("review_id", "id"),
        CONSTRAINT "CHK_document_versions_version_no" CHECK ("version_no" >= 1),
        CONSTRAINT "CHK_document_versions_size" CHECK ("size_bytes" >= 0),
        CONSTRAINT "CHK_document_versions_sha256" CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
        CONSTRAINT "CHK_document_versions_storage" CHECK (("storage" = 'database' AND "content" IS NOT NULL AND "storage_path" IS NULL) OR ("storage" = 'folder' AND "content" IS NULL AND "storage_path" IS NOT NULL))
      )`);

    await queryRunner.query(`
      CREATE TABLE "recommendations" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "number" integer NOT NULL,
        "text" text NOT NULL,
        "level" varchar(20) NOT NULL,
        "addressee" text NOT NULL,
        "status" varchar(20) NOT NULL DEFAULT 'draft',
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_recommendations" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_recommendations_review_id" UNIQUE ("review_id", "id"),
        CONSTRAINT "UQ_recommendations_number" UNIQUE ("review_id", "number"),
        CONSTRAINT "FK_recommendations_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_recommendations_number" CHECK ("number" >= 1),
        CONSTRAINT "CHK_recommendations_level" CHECK ("level" IN ('single_agency', 'multi_agency', 'national')),
        CONSTRAINT "CHK_recommendations_status" CHECK ("status" IN ('draft', 'agreed', 'withdrawn'))
      )`);

    await queryRunner.query(`
      CREATE TABLE "actions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "recommendation_id" uuid NOT NULL,
        "description" text NOT NULL,
        "owner" text NOT NULL,
        "target_date" date,
        "measure_of_success" text,
        "status" varchar(20) NOT NULL DEFAULT 'not_started',
        "evidence" text,
        "completed_on" date,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_actions" PRIMARY KEY ("id"),
        CONSTRAINT "FK_actions_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "FK_actions_recommendation" FOREIGN KEY ("review_id", "recommendation_id") REFERENCES "recommendations"("review_id", "id"),
        CONSTRAINT "CHK_actions_status" CHECK ("status" IN ('not_started', 'in_progress', 'complete')),
        CONSTRAINT "CHK_actions_completion" CHECK (("status" = 'complete') = ("completed_on" IS NOT NULL) AND ("status" <> 'complete' OR "evidence" IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_actions_recommendation" ON "actions" ("review_id", "recommendation_id")`);

    await queryRunner.query(`
      CREATE TABLE "family_engagements" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "kind" varchar(30) NOT NULL,
        "occurred_on" date NOT NULL,
        "contact_name" text,
        "notes" text,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_family_engagements" PRIMARY KEY ("id"),
        CONSTRAINT "FK_family_engagements_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_family_engagements_kind" CHECK ("kind" IN ('contact_attempt', 'advocacy_offered', 'advocate_appointed', 'consent', 'meeting', 'draft_offered', 'draft_comments', 'told_of_publication', 'other'))
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_family_engagements_review" ON "family_engagements" ("review_id", "kind")`);

    await queryRunner.query(`
      CREATE TABLE "proceedings" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "type" varchar(20) NOT NULL,
        "status" varchar(20) NOT NULL DEFAULT 'active',
        "description" text,
        "key_dates" jsonb NOT NULL DEFAULT '[]',
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_proceedings" PRIMARY KEY ("id"),
        CONSTRAINT "FK_proceedings_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_proceedings_type" CHECK ("type" IN ('criminal', 'inquest', 'iopc', 'other_review')),
        CONSTRAINT "CHK_proceedings_status" CHECK ("status" IN ('active', 'concluded')),
        CONSTRAINT "CHK_proceedings_key_dates" CHECK (jsonb_typeof("key_dates") = 'array')
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_proceedings_review" ON "proceedings" ("review_id", "type", "status")`);

    await queryRunner.query(`
      CREATE TABLE "publications" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "review_id" uuid NOT NULL,
        "published_on" date,
        "url" text,
        "pseudonyms" jsonb NOT NULL DEFAULT '[]',
        "redaction_log" text,
        "anonymisation_confirmed_by" varchar(200),
        "anonymisation_confirmed_at" TIMESTAMP WITH TIME ZONE,
        "created_by" varchar(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_publications" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_publications_review" UNIQUE ("review_id"),
        CONSTRAINT "FK_publications_review" FOREIGN KEY ("review_id") REFERENCES "reviews"("id"),
        CONSTRAINT "CHK_publications_pseudonyms" CHECK (jsonb_typeof("pseudonyms") = 'array'),
        CONSTRAINT "CHK_publications_anonymisation" CHECK (("anonymisation_confirmed_by" IS NULL) = ("anonymisation_confirmed_at" IS NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'publications',
      'proceedings',
      'family_engagements',
      'actions',
      'recommendations',
      'document_versions',
      'documents',
      'panel_meeting_imrs',
      'panel_meetings',
      'imr_extensions',
      'imrs',
      'panel_members',
      'appointments',
      'agencies',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
