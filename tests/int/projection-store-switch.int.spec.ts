import { randomUUID } from 'node:crypto';
import { formatPosition, parsePosition, type EventStore, type NewEvent } from '#event-store/event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { EventStoreChangedError, ProjectionProgress, ProjectionRunner, readCheckpointRow } from '#projections/projection-runner.js';
import type { Projection } from '#projections/projection.js';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import { untilReadable } from '../contract/event-store.contract.js';
import { openTestDatabase, type TestDatabase, type TestStoreKind } from '../support/databases.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';

/** The read store's schema, and the counting projection's table. */
async function prepare(db: SqlClient): Promise<void> {
  await migrateSchema(db as SqlDatabase);
  await db.exec('CREATE TABLE IF NOT EXISTS switch_counts (stream_id text PRIMARY KEY, n integer NOT NULL)');
}

/** Counts events per stream in the read store: enough to see which log the read model came from. */
const counting: Projection = {
  name: 'counting',
  reset: async (tx) => void (await tx.query('DELETE FROM switch_counts')),
  apply: async (events, tx) => {
    for (const e of events) {
      await tx.query('INSERT INTO switch_counts VALUES ($1, 1) ON CONFLICT (stream_id) DO UPDATE SET n = switch_counts.n + 1', [e.streamId]);
    }
  },
};

const registered = (): NewEvent => ({
  type: 'V1.WorkerRegistered',
  data: {},
  metadata: { actor: 'test', correlationId: randomUUID(), causationId: null, recordedAt: new Date().toISOString() },
});

async function counts(db: SqlDatabase): Promise<Record<string, number>> {
  const { rows } = await db.query<{ stream_id: string; n: number }>('SELECT stream_id, n FROM switch_counts ORDER BY stream_id');
  return Object.fromEntries(rows.map((r) => [r.stream_id, r.n]));
}

/** Appends, then waits until the log shows them (PostgreSQL's log lags any transaction still open on the server). */
async function fill(store: EventStore, streams: number): Promise<string[]> {
  const ids = Array.from({ length: streams }, () => `worker-${randomUUID()}`);
  let last = '';
  for (const id of ids) last = (await store.appendToStream(id, [registered()], 0)).position;
  await untilReadable(store, last);
  return ids.sort();
}

describe.each<[TestStoreKind, TestStoreKind]>([
  ['pglite', 'pglite'],
  ['pglite', 'postgres'],
])('one read store, its event store switched from %s to another %s store', (firstKind, secondKind) => {
  let readDb: TestDatabase;
  let firstDb: TestDatabase;
  let secondDb: TestDatabase;
  let first: SqlEventStore;
  let second: SqlEventStore;

  beforeAll(async () => {
    [readDb, firstDb, secondDb] = await Promise.all([openTestDatabase('pglite'), openTestDatabase(firstKind), openTestDatabase(secondKind)]);
    [first, second] = await Promise.all([SqlEventStore.create(firstDb.db), SqlEventStore.create(secondDb.db)]);
  });
  afterAll(async () => {
    await Promise.all([readDb?.dispose(), firstDb?.dispose(), secondDb?.dispose()]);
  });

  test('the runner refuses the other store, progress does not trust the old checkpoint, a rebuild moves the read store over', async () => {
    expect(await first.identity()).not.toBe(await second.identity());

    const firstStreams = await fill(first, 7);
    const runner = new ProjectionRunner(first, readDb.db, [counting], { batchSize: 3 });
    await prepare(readDb.db);
    expect(await runner.catchUp()).toBe(7);
    expect(Object.keys(await counts(readDb.db))).toEqual(firstStreams);
    const onFirst = await readCheckpointRow(readDb.db);
    expect(onFirst.eventStoreId).toBe(await first.identity());

    // The second store has fewer events, so its positions lie at or below the old checkpoint:
    // compared as bare positions, its events would look processed already.
    const secondStreams = await fill(second, 2);
    const secondHead = (await second.headPosition())!;
    const switched = new ProjectionRunner(second, readDb.db, [counting], { batchSize: 3 });
    await prepare(readDb.db);
    const refused = await switched.verifyEventStore().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EventStoreChangedError);
    expect((refused as Error).message).toContain(await first.identity());
    expect((refused as Error).message).toContain(await second.identity());
    expect((refused as Error).message).toContain('npm run projections:rebuild');
    await expect(switched.catchUp()).rejects.toBeInstanceOf(EventStoreChangedError);
    // Nothing of the second store was applied, and the checkpoint is untouched.
    expect(Object.keys(await counts(readDb.db))).toEqual(firstStreams);
    expect(await readCheckpointRow(readDb.db)).toEqual(onFirst);

    const progress = new ProjectionProgress(readDb.db, second);
    expect(await progress.hasProcessed(secondHead)).toBe(false);
    await expect(progress.status()).rejects.toBeInstanceOf(EventStoreChangedError);
    // Read against the first store, the same read store is fine.
    expect(await new ProjectionProgress(readDb.db, first).hasProcessed((await first.headPosition())!)).toBe(true);

    // The rebuild (npm run projections:rebuild) adopts the configured store.
    expect(await switched.rebuild()).toBe(2);
    expect(Object.keys(await counts(readDb.db))).toEqual(secondStreams);
    const onSecond = await readCheckpointRow(readDb.db);
    expect(onSecond).toMatchObject({ eventStoreId: await second.identity(), position: secondHead, skippedEvents: 0 });
    await switched.verifyEventStore();
    expect(await progress.hasProcessed(secondHead)).toBe(true);
    expect(await progress.status()).toMatchObject({ caughtUp: true, checkpoint: secondHead });
    // ...and from then on the first store is the stranger.
    await expect(runner.catchUp()).rejects.toBeInstanceOf(EventStoreChangedError);
  });

  test('a checkpoint kept before identities were recorded: adopted when it lies within the log, refused beyond its head', async () => {
    const runner = new ProjectionRunner(second, readDb.db, [counting]);
    await prepare(readDb.db);
    const head = (await second.headPosition())!;
    await readDb.db.query('UPDATE projection_checkpoints SET event_store_id = NULL, position = $1', [head]);
    await runner.verifyEventStore();
    expect((await readCheckpointRow(readDb.db)).eventStoreId).toBe(await second.identity());

    // A position this log has not reached (as a checkpoint of a busier store, or of a backup restored over an older one).
    const [major, minor] = parsePosition(head);
    const beyond = formatPosition(major + 1000n, minor);
    await readDb.db.query('UPDATE projection_checkpoints SET event_store_id = NULL, position = $1', [beyond]);
    const fresh = new ProjectionRunner(second, readDb.db, [counting]);
    await expect(fresh.verifyEventStore()).rejects.toThrow(/beyond the event store's head/);
    expect((await readCheckpointRow(readDb.db)).eventStoreId).toBeNull();
  });
});
