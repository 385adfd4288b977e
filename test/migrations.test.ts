import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { runMigrations } from '../src/infrastructure/database/migrate';
import { createTestDatabase, TestDatabase } from './support/databases';

describe('migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url, 2)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('leave nothing for the entities to change: entities and migrations do not drift', async () => {
    // What `synchronize` would run against the migrated schema. Anything here means an entity
    // changed without a migration (or the other way round).
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('are all applied in the template and running them again applies nothing', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
    expect(await runMigrations(database.url)).toEqual([]);
  });

  it('can be reverted to an empty schema and applied again', async () => {
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const tables = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`,
    );
    expect(tables).toEqual([]);
    expect(await runMigrations(database.url)).toHaveLength(count);
    const again = await dataSource.driver.createSchemaBuilder().log();
    expect(again.upQueries).toEqual([]);
  });
});
