import { randomBytes } from 'node:crypto';
import { PgliteDatabase } from '#sql/pglite.js';
import { PostgresDatabase } from '#sql/postgres.js';
import type { SqlDatabase } from '#sql/sql.js';

export type TestStoreKind = 'pglite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

export interface TestDatabase {
  db: SqlDatabase;
  /** the schema of a PostgreSQL test database (null for PGlite) */
  schema: string | null;
  dispose(): Promise<void>;
}

/** A fresh database for one test run: a new schema in PostgreSQL (dropped afterwards) or an in-memory PGlite. */
export async function openTestDatabase(kind: TestStoreKind, options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await PgliteDatabase.open(null);
    return { db, schema: null, dispose: () => db.close() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await PostgresDatabase.connect(TEST_DATABASE_URL, { schema, ...options });
  return {
    db,
    schema,
    async dispose() {
      await db.close();
      const admin = await PostgresDatabase.connect(TEST_DATABASE_URL, { poolSize: 1 });
      await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    },
  };
}
