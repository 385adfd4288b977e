import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Panel meetings, family involvement and parallel proceedings over REST: why a meeting was
 * cancelled, the kind-specific details of a family engagement (advocacy, consent, preferred way
 * to contribute), and when a proceeding's status last changed. Constraint names match the
 * entities (src/casefile/entities) so the drift test stays empty.
 */
export class MeetingsFamily1763960000000 implements MigrationInterface {
  name = 'MeetingsFamily1763960000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "panel_meetings" ADD "cancellation_reason" text`);
    await queryRunner.query(
      `ALTER TABLE "panel_meetings" ADD CONSTRAINT "CHK_panel_meetings_cancellation" CHECK ("cancellation_reason" IS NULL OR "status" = 'cancelled')`,
    );

    await queryRunner.query(`ALTER TABLE "family_engagements" ADD "advocate_organisation" varchar(40)`);
    await queryRunner.query(`ALTER TABLE "family_engagements" ADD "advocate_name" varchar(200)`);
    await queryRunner.query(`ALTER TABLE "family_engagements" ADD "consent_given" boolean`);
    await queryRunner.query(`ALTER TABLE "family_engagements" ADD "preferred_contribution" varchar(40)`);
    await queryRunner.query(
      `ALTER TABLE "family_engagements" ADD CONSTRAINT "CHK_family_engagements_advocate_organisation" CHECK ("advocate_organisation" IN ('aafda', 'national_homicide_service', 'other'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "family_engagements" ADD CONSTRAINT "CHK_family_engagements_preferred_contribution" CHECK ("preferred_contribution" IN ('meeting_in_person', 'video_call', 'telephone', 'in_writing', 'through_advocate', 'does_not_wish_to_contribute'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "family_engagements" ADD CONSTRAINT "CHK_family_engagements_consent" CHECK (("kind" = 'consent') = ("consent_given" IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "family_engagements" ADD CONSTRAINT "CHK_family_engagements_advocate" CHECK (("advocate_organisation" IS NULL OR "kind" IN ('advocacy_offered', 'advocate_appointed')) AND ("kind" <> 'advocate_appointed' OR "advocate_organisation" IS NOT NULL))`,
    );

    await queryRunner.query(`ALTER TABLE "proceedings" ADD "status_changed_on" date`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "proceedings" DROP COLUMN "status_changed_on"`);

    for (const constraint of [
      'CHK_family_engagements_advocate',
      'CHK_family_engagements_consent',
      'CHK_family_engagements_preferred_contribution',
      'CHK_family_engagements_advocate_organisation',
    ]) {
      await queryRunner.query(`ALTER TABLE "family_engagements" DROP CONSTRAINT "${constraint}"`);
    }
    for (const column of ['preferred_contribution', 'consent_given', 'advocate_name', 'advocate_organisation']) {
      await queryRunner.query(`ALTER TABLE "family_engagements" DROP COLUMN "${column}"`);
    }

    await queryRunner.query(`ALTER TABLE "panel_meetings" DROP CONSTRAINT "CHK_panel_meetings_cancellation"`);
    await queryRunner.query(`ALTER TABLE "panel_meetings" DROP COLUMN "cancellation_reason"`);
  }
}
