import { MigrationInterface, QueryRunner } from 'typeorm';
import { linkToTeam } from './1765100000000-ReviewTeam';

/**
 * One record per person on a review (issue 14 item 2), held by the database: an appointment or a
 * panel record is always the declaration of a team record (review_members), never a record of
 * the person on its own. Any record written without one since ReviewTeam (by hand, in SQL) is
 * linked first, the same way ReviewTeam linked them (by email, else by name, in the same role
 * and agency; else a new team record without a user, which gives no access).
 */
export class TeamRecordRequired1765370000000 implements MigrationInterface {
  name = 'TeamRecordRequired1765370000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await linkToTeam(queryRunner, 'appointments');
    await linkToTeam(queryRunner, 'panel_members');
    await queryRunner.query(`ALTER TABLE "appointments" ALTER COLUMN "member_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "panel_members" ALTER COLUMN "member_id" SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "panel_members" ALTER COLUMN "member_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "appointments" ALTER COLUMN "member_id" DROP NOT NULL`);
  }
}
