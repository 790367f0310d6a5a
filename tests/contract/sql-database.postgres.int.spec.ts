import { PostgresDatabase } from '#sql/postgres.js';
import { openTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { describeSqlDatabaseContract } from './sql-database.contract.js';

describeSqlDatabaseContract('PostgreSQL', () => openTestDatabase('postgres', { poolSize: 4 }));

describe('PostgresDatabase', () => {
  test('with a schema, every pooled connection works in it', async () => {
    const { db, schema, dispose } = await openTestDatabase('postgres', { poolSize: 3 });
    try {
      const paths = await Promise.all(
        Array.from({ length: 6 }, () =>
          db.transaction(async (tx) => {
            await tx.query('SELECT pg_sleep(0.02)');
            return (await tx.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0].schema;
          }),
        ),
      );
      expect(new Set(paths)).toEqual(new Set([schema]));
    } finally {
      await dispose();
    }
  });

  test('refuses a schema name that is not a plain identifier', async () => {
    await expect(PostgresDatabase.connect(TEST_DATABASE_URL, { schema: 'x; DROP TABLE y' })).rejects.toThrow('invalid schema name');
  });
});
