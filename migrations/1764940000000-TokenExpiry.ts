import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens expire (issue 13): `api_tokens.expires_at`, after which a token is refused with a
 * 401 saying so. Tokens issued before this migration had no expiry; they get one now: now plus
 * API_TOKEN_LIFETIME_DAYS (90 when unset or not a whole number of days from 1 to 3650).
 */
export class TokenExpiry1764940000000 implements MigrationInterface {
  name = 'TokenExpiry1764940000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const setting = process.env.API_TOKEN_LIFETIME_DAYS;
    const days = setting && /^\d{1,4}$/.test(setting) && Number(setting) >= 1 && Number(setting) <= 3650 ? Number(setting) : 90;
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD "expires_at" timestamptz`);
    await queryRunner.query(`UPDATE "api_tokens" SET "expires_at" = now() + make_interval(days => $1)`, [days]);
    await queryRunner.query(`ALTER TABLE "api_tokens" ALTER COLUMN "expires_at" SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "expires_at"`);
  }
}
