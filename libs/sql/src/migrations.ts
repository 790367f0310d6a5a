import type { SqlClient, SqlDatabase } from './sql.js';

/**
 * One schema change. `version` orders it and names it for good: once released, a migration is
 * never edited or renumbered; a later change is a new migration with a higher version.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** statements without parameters, run in the migration transaction */
  readonly sql: string;
}

export interface MigrationReport {
  /** versions applied by this call, in order */
  applied: number[];
  /** versions recorded in the database that this code does not know (a newer release ran) */
  unknown: number[];
}

/**
 * Taken (transaction-scoped) while migrating. The same key the event store took for its own
 * DDL before `schema_migrations` existed, so a process of the older release that creates the
 * event store's tables and one of this release that migrates never overlap.
 */
export const MIGRATION_LOCK = 7_310_624_118;

/** how long a migration statement may wait for a table lock before the start fails (and is retried by whoever restarts the process) */
const LOCK_TIMEOUT = '15s';

const LEDGER = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

export function assertOrdered(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new Error(`migrations must have whole, strictly increasing versions: ${migration.version} (${migration.name}) after ${previous}`);
    }
    previous = migration.version;
  }
}

/**
 * Applies, in order, every migration of `migrations` not yet recorded in `schema_migrations`,
 * all in ONE transaction: either the schema reaches the last version or nothing changes.
 * On PostgreSQL the transaction first takes an advisory lock, so any number of processes
 * starting together migrate one after the other; the first does the work, the others find it
 * recorded. PGlite is one session whose transactions already take turns (PgliteDatabase).
 */
export async function runMigrations(db: SqlDatabase, migrations: readonly Migration[]): Promise<MigrationReport> {
  assertOrdered(migrations);
  return db.transaction(async (tx) => {
    if (db.kind === 'postgres') {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Set after the advisory lock: waiting for another process's migration is fine, but a
      // migration queued behind a long query on a table would block every query behind it.
      await tx.exec(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    }
    await tx.exec(LEDGER);
    const recorded = await appliedVersions(tx);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (recorded.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    const known = new Set(migrations.map((m) => m.version));
    return { applied, unknown: [...recorded].filter((v) => !known.has(v)).sort((a, b) => a - b) };
  });
}

async function appliedVersions(db: SqlClient): Promise<Set<number>> {
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((row) => Number(row.version)));
}
