import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database role the application runs as, `dhr_app` (NOLOGIN): ordinary reads and writes on
 * every table, but on the append-only tables only INSERT and SELECT, so the application itself
 * cannot change or delete history, whatever its code does. The triggers on those tables
 * (`refuse_change_to_history`) stay, as a second line against the owner.
 *
 * Migrations keep running as the connecting (owner) role; the API and the worker switch to
 * `DB_APP_ROLE` (default `dhr_app`) on every pooled connection. The owner must be a member of
 * `dhr_app` to switch to it: a superuser always is, any other owner is made one here when it may.
 *
 * Tables created by later migrations (run by the same owner) get the ordinary grants through
 * the default privileges below, UPDATE and DELETE included. So a FUTURE APPEND-ONLY TABLE needs,
 * in the migration that creates it, `REVOKE UPDATE, DELETE, TRUNCATE ON "<table>" FROM dhr_app`
 * (and the `refuse_change_to_history` triggers), or the application will be able to change it;
 * add it to the list in README.md ("The application's database role").
 *
 * The role is cluster-wide and several databases (the test databases, say) may share it, so it
 * is created only if missing, and `down` keeps it: it revokes this database's grants only.
 */
const APP_ROLE = 'dhr_app';
/** Tables the application may only INSERT into and SELECT from. */
const APPEND_ONLY_TABLES = ['review_events', 'access_log', 'document_downloads'];
/** Read by the readiness check; written only by migrations, as the owner. */
const MIGRATIONS_TABLE = 'schema_migrations';

export class ApplicationRole1764600000000 implements MigrationInterface {
  name = 'ApplicationRole1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          BEGIN
            CREATE ROLE "${APP_ROLE}" NOLOGIN;
          EXCEPTION
            -- Another database's migration created it at the same moment.
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
              RAISE EXCEPTION 'role ${APP_ROLE} does not exist and % may not create it', current_user
                USING HINT = 'As a PostgreSQL administrator: CREATE ROLE ${APP_ROLE} NOLOGIN; GRANT ${APP_ROLE} TO ' || current_user || ';';
          END;
        END IF;
      END $$`);
    // The owner switches to the role when it runs the application (a superuser is a member of
    // every role). PostgreSQL 16 separates membership from the right to SET ROLE: ask for that.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT pg_has_role(current_user, '${APP_ROLE}',
            CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END) THEN
          BEGIN
            EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
          EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING '% is not a member of ${APP_ROLE} and may not make itself one', current_user
              USING HINT = 'The application must then log in as a role that is (or set DB_APP_ROLE to one).';
          END;
        END IF;
      END $$`);

    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO "${APP_ROLE}"`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${APP_ROLE}"`);
    await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "${APP_ROLE}"`);
    await queryRunner.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "${APP_ROLE}"`);
    // Tables, sequences and functions that later migrations create (as this same owner).
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${APP_ROLE}"`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "${APP_ROLE}"`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO "${APP_ROLE}"`);

    // Append-only: INSERT and SELECT only (a later append-only table revokes in its own migration).
    const appendOnly = APPEND_ONLY_TABLES.map((t) => `"${t}"`).join(', ');
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${appendOnly} FROM "${APP_ROLE}"`);
    await queryRunner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "${MIGRATIONS_TABLE}" FROM "${APP_ROLE}"`);

    // document_downloads was append-only by convention only: give it the same triggers as the
    // other two, so the owner is refused too.
    await queryRunner.query(`
      CREATE TRIGGER "document_downloads_append_only" BEFORE UPDATE OR DELETE ON "document_downloads"
      FOR EACH ROW EXECUTE FUNCTION "refuse_change_to_history"()`);
    await queryRunner.query(`
      CREATE TRIGGER "document_downloads_no_truncate" BEFORE TRUNCATE ON "document_downloads"
      FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_to_history"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "document_downloads_no_truncate" ON "document_downloads"`);
    await queryRunner.query(`DROP TRIGGER "document_downloads_append_only" ON "document_downloads"`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM "${APP_ROLE}"`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM "${APP_ROLE}"`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM "${APP_ROLE}"`);
    await queryRunner.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM "${APP_ROLE}"`);
    await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "${APP_ROLE}"`);
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "${APP_ROLE}"`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM "${APP_ROLE}"`);
    // The role itself stays: it is cluster-wide and other databases may use it. Drop it by hand
    // (DROP ROLE dhr_app) once no database of the cluster has grants to it.
  }
}
