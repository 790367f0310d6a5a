import { migrateSchema, SCHEMA_MIGRATIONS } from '../../apps/worker/src/schema-migrations.js';
import { runMigrations } from '#sql/migrations.js';
import type { RecordedEvent } from '#event-store/event-store.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { PostgresDatabase } from '#sql/postgres.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';

const ALL_VERSIONS = SCHEMA_MIGRATIONS.map((m) => m.version);

/** The tables as the release before `schema_migrations` made them (worker_keys in its older shape too). */
const OLD_RELEASE_TABLES = `
CREATE TABLE event_streams (stream_id text PRIMARY KEY, version integer NOT NULL);
CREATE TABLE events (
  global_position bigserial NOT NULL, transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(), stream_id text NOT NULL,
  stream_version integer NOT NULL, type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stream_id, stream_version));
CREATE UNIQUE INDEX events_log_order ON events (transaction_id, global_position);
CREATE UNIQUE INDEX events_sequence ON events (global_position);
CREATE TABLE projection_checkpoints (name text PRIMARY KEY, position text, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE projection_status (name text PRIMARY KEY, rebuilding boolean NOT NULL DEFAULT false, rebuild_started_at timestamptz);
INSERT INTO projection_checkpoints (name, position) VALUES ('read-models', '0-42');
INSERT INTO projection_status (name) VALUES ('read-models');
CREATE TABLE stat_flow_counts (programme text NOT NULL, year integer NOT NULL, inflow integer NOT NULL DEFAULT 0, outflow integer NOT NULL DEFAULT 0,
  fte_units_in bigint NOT NULL DEFAULT 0, fte_units_out bigint NOT NULL DEFAULT 0, exits_excluded integer NOT NULL DEFAULT 0,
  checked_employed integer NOT NULL DEFAULT 0, checked_ibo integer NOT NULL DEFAULT 0, checked_not_employed integer NOT NULL DEFAULT 0,
  PRIMARY KEY (programme, year));
INSERT INTO stat_flow_counts (programme, year, inflow) VALUES ('SW', 2011, 7);
CREATE TABLE worker_keys (worker_id text PRIMARY KEY, key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO worker_keys (worker_id, key) VALUES ('w-old', decode(repeat('ab', 32), 'hex'));
`;

async function tables(db: TestDatabase['db']): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
  );
  return rows.map((r) => r.name);
}

async function ledger(db: TestDatabase['db']): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((r) => r.version);
}

const EXPECTED_TABLES = [
  'audit_log',
  'browser_sessions',
  'caseload_counts',
  'caseload_workers',
  'declaration_revisions',
  'employment_declarations',
  'event_store_identity',
  'event_streams',
  'events',
  'follow_up_checks',
  'follow_up_provisional',
  'history_import_errors',
  'history_import_rows',
  'history_imports',
  'idempotency_keys',
  'insz_lookup',
  'login_codes_used',
  'organisation_members',
  'organisations',
  'projection_checkpoints',
  'projection_status',
  'return_guarantees',
  'schema_migrations',
  'stat_facts_status',
  'stat_flow_counts',
  'stat_placements',
  'stat_publications',
  'stat_workers',
  'worker_keys',
];

describe.each(['pglite', 'postgres'] as const)('schema migrations (%s)', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind, { poolSize: 2 });
  });
  afterEach(() => database.dispose());

  test('bring up an empty database, once', async () => {
    expect(await migrateSchema(database.db)).toEqual({ applied: ALL_VERSIONS, unknown: [] });
    expect(await tables(database.db)).toEqual(EXPECTED_TABLES);
    expect(await ledger(database.db)).toEqual(ALL_VERSIONS);
    const { rows } = await database.db.query('SELECT name, position FROM projection_checkpoints');
    expect(rows).toEqual([{ name: 'read-models', position: null }]);
    expect(await migrateSchema(database.db)).toEqual({ applied: [], unknown: [] });
  });

  test('bring up a database made by the release before migrations, keeping its data and upgrading worker_keys', async () => {
    await database.db.exec(OLD_RELEASE_TABLES);
    expect(await migrateSchema(database.db)).toEqual({ applied: ALL_VERSIONS, unknown: [] });
    expect(await tables(database.db)).toEqual(EXPECTED_TABLES);
    expect((await database.db.query('SELECT position FROM projection_checkpoints')).rows).toEqual([{ position: '0-42' }]);
    expect((await database.db.query('SELECT inflow FROM stat_flow_counts')).rows).toEqual([{ inflow: 7 }]);
    // worker_keys: the key may now be null (erasure) and shredded_at exists.
    await database.db.query(`UPDATE worker_keys SET key = NULL, shredded_at = now() WHERE worker_id = 'w-old'`);
    expect((await database.db.query(`SELECT key, shredded_at IS NOT NULL AS shredded FROM worker_keys`)).rows).toEqual([{ key: null, shredded: true }]);
  });

  test('the event store alone (SqlEventStore.create) records its version; the service then applies the rest', async () => {
    const { SqlEventStore } = await import('#event-store/sql-event-store.js');
    await SqlEventStore.create(database.db);
    expect(await ledger(database.db)).toEqual([1, 8]);
    expect(await migrateSchema(database.db)).toEqual({ applied: ALL_VERSIONS.filter((v) => v !== 1 && v !== 8), unknown: [] });
  });

  test('a failing migration changes nothing: the whole run is one transaction', async () => {
    const broken = [...SCHEMA_MIGRATIONS, { version: 1_000, name: 'broken', sql: 'CREATE TABLE fine (n int); SELECT no_such_function();' }];
    await expect(runMigrations(database.db, broken)).rejects.toThrow(/no_such_function/);
    expect(await tables(database.db)).toEqual([]);
    expect(await migrateSchema(database.db)).toEqual({ applied: ALL_VERSIONS, unknown: [] });
  });

  test('an upgrade counts the caseload the store holds (migration 82); the counts then follow every write of the rows', async () => {
    await runMigrations(
      database.db,
      SCHEMA_MIGRATIONS.filter((migration) => migration.version < 82),
    );
    const write = (sql: string) => database.db.exec(sql);
    await write(`INSERT INTO caseload_workers (worker_id, coach, programme, status, version) VALUES
      ('w1', 'c1', 'SW', 'active', 3), ('w2', 'c1', 'SW', 'active', 3), ('w3', 'c1', NULL, 'registered', 1),
      ('w4', NULL, NULL, 'registered', 1), ('w5', 'c2', 'BW', 'exited', 4), ('w6', NULL, NULL, 'registered', 1)`);
    await migrateSchema(database.db);
    const counts = async () =>
      (await database.db.query('SELECT coach, programme, status, workers FROM caseload_counts WHERE workers <> 0 ORDER BY coach, programme, status')).rows;
    const rowsGrouped = async () =>
      (
        await database.db.query(
          'SELECT coach, programme, status, count(*)::int AS workers FROM caseload_workers GROUP BY coach, programme, status ORDER BY coach, programme, status',
        )
      ).rows;
    expect(await counts()).toEqual([
      { coach: 'c1', programme: 'SW', status: 'active', workers: 2 },
      { coach: 'c1', programme: null, status: 'registered', workers: 1 },
      { coach: 'c2', programme: 'BW', status: 'exited', workers: 1 },
      { coach: null, programme: null, status: 'registered', workers: 2 },
    ]);
    // As the projection writes: one upsert of several rows, new and changed, some moving between groups.
    await write(`INSERT INTO caseload_workers (worker_id, coach, programme, status, version) VALUES
      ('w1', 'c2', 'SW', 'exited', 4), ('w2', 'c1', 'SW', 'active', 4), ('w4', 'c1', NULL, 'registered', 2), ('w7', NULL, 'BW', 'registered', 2)
      ON CONFLICT (worker_id) DO UPDATE SET coach = excluded.coach, programme = excluded.programme, status = excluded.status, version = excluded.version`);
    expect(await counts()).toEqual(await rowsGrouped());
    expect(await counts()).toContainEqual({ coach: 'c2', programme: 'SW', status: 'exited', workers: 1 });
    await write(`UPDATE caseload_workers SET name_words = '{}'`);
    await write(`UPDATE caseload_workers SET coach = NULL WHERE coach = 'c1'`);
    expect(await counts()).toEqual(await rowsGrouped());
    // A rebuild empties the table, then writes it again.
    await write('DELETE FROM caseload_workers');
    expect(await counts()).toEqual([]);
    await write(`INSERT INTO caseload_workers (worker_id, coach, programme, status, version) VALUES ('w1', 'c1', 'SW', 'active', 3)`);
    expect(await counts()).toEqual([{ coach: 'c1', programme: 'SW', status: 'active', workers: 1 }]);
    // The projection's plain insert of a batch of registrations: a row already there is left alone (and not counted again).
    await write(`INSERT INTO caseload_workers (worker_id, coach, programme, status, version) VALUES
      ('w1', 'c2', NULL, 'registered', 1), ('w8', 'c2', NULL, 'registered', 1) ON CONFLICT (worker_id) DO NOTHING`);
    expect(await counts()).toEqual(await rowsGrouped());
    expect(await counts()).toEqual([
      { coach: 'c1', programme: 'SW', status: 'active', workers: 1 },
      { coach: 'c2', programme: null, status: 'registered', workers: 1 },
    ]);
    // The projection itself: a batch of registrations alone is inserted; one whose row is there after all is written over, and counted once.
    const registered = (workerId: string, position: number, coach: string): RecordedEvent => ({
      streamId: `worker-${workerId}`,
      streamVersion: 1,
      position: String(position),
      type: 'V1.WorkerRegistered',
      data: {
        workerId,
        inszCiphertext: 'sealed',
        coach,
        birthYear: 1970,
        educationLevel: 'low',
        migrationBackground: false,
        disability: false,
        unemployedSince: null,
        socialAssistance: false,
      },
      metadata: { actor: 'test', correlationId: 'test', causationId: null, recordedAt: '2026-12-07T00:00:00.000Z' },
    });
    const projection = new CaseloadProjection();
    await database.db.transaction((tx) => projection.apply([registered('w9', 1, 'c3'), registered('w10', 2, 'c3')], tx));
    await database.db.transaction((tx) => projection.apply([registered('w1', 3, 'c3'), registered('w11', 4, 'c1')], tx));
    expect(await counts()).toEqual(await rowsGrouped());
    expect(await counts()).toEqual([
      { coach: 'c1', programme: null, status: 'registered', workers: 1 },
      { coach: 'c2', programme: null, status: 'registered', workers: 1 },
      { coach: 'c3', programme: null, status: 'registered', workers: 3 },
    ]);
  });

  test('a database migrated by a newer release is reported, not refused', async () => {
    await runMigrations(database.db, [...SCHEMA_MIGRATIONS, { version: 999, name: 'from the future', sql: 'CREATE TABLE future (n int)' }]);
    expect(await migrateSchema(database.db)).toEqual({ applied: [], unknown: [999] });
  });

  test('versions must increase', async () => {
    await expect(runMigrations(database.db, [SCHEMA_MIGRATIONS[1], SCHEMA_MIGRATIONS[0]])).rejects.toThrow(/strictly increasing/);
  });
});

describe('schema migrations from many processes at once (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('postgres', { poolSize: 1 });
  });
  afterAll(() => database.dispose());

  test('ten connections migrating a fresh schema together: all succeed, each version applied once', async () => {
    const dbs = await Promise.all(Array.from({ length: 10 }, () => PostgresDatabase.connect(TEST_DATABASE_URL, { schema: database.schema!, poolSize: 1 })));
    try {
      const reports = await Promise.all(dbs.map((db) => migrateSchema(db)));
      expect(reports.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(ALL_VERSIONS);
      expect(await ledger(database.db)).toEqual(ALL_VERSIONS);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
