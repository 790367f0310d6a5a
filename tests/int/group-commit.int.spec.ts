import { randomUUID } from 'node:crypto';
import { GroupCommit } from '#event-store/group-commit.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import type { SqlDatabase } from '#sql/sql.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Two batches that claim the same streams in opposite orders can deadlock on PostgreSQL. The
 * database picks one as the victim (40P01); group commit then writes that batch's appends one by
 * one. The deadlock is injected here, on the real database, into the first statement that
 * carries more than one append.
 */
describe.each(['pglite', 'postgres'] as const)('group commit after a deadlock (%s)', (kind) => {
  let database: TestDatabase;
  let store: SqlEventStore;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = await SqlEventStore.create(database.db);
  });
  afterAll(() => database.dispose());

  function deadlockingOnce(db: SqlDatabase, failure: { code: string }): SqlDatabase & { injected: number } {
    const wrapped = Object.create(db) as SqlDatabase & { injected: number };
    wrapped.injected = 0;
    wrapped.query = async (text: string, params?: unknown[]) => {
      const appends = text.includes('WITH wanted') ? (params?.[0] as unknown[]).length : 0;
      if (appends > 1 && wrapped.injected === 0) {
        wrapped.injected = appends;
        throw Object.assign(new Error('deadlock detected'), failure);
      }
      return db.query(text, params);
    };
    return wrapped;
  }

  /** The first two appends go out alone (each in a turn of its own); the other four, appended in one turn, go together. */
  async function appendAll(commit: GroupCommit, streams: string[]): Promise<PromiseSettledResult<unknown>[]> {
    const appends = [];
    for (const [n, id] of streams.entries()) {
      appends.push(commit.append(id, [event(n)], 0));
      if (n < 2) await new Promise((resolve) => setImmediate(resolve));
    }
    return Promise.allSettled(appends);
  }

  const event = (n: number) => ({
    type: 'V1.A',
    data: { n },
    metadata: { actor: 'test', correlationId: 'c', causationId: null, recordedAt: '2026-11-23T10:00:00Z' },
  });

  test('the deadlocked batch is written one append at a time, and every append lands', async () => {
    const db = deadlockingOnce(database.db, { code: '40P01' });
    const commit = new GroupCommit(db);
    const streams = Array.from({ length: 6 }, () => `worker-${randomUUID()}`);
    // The other four's batch is the one that deadlocks.
    const written = await appendAll(commit, streams);
    expect(db.injected).toBe(4);
    expect(written.map((outcome) => outcome.status === 'fulfilled' && (outcome.value as { stream_id: string }[]).map((row) => row.stream_id))).toEqual(
      streams.map((id) => [id]),
    );
    for (const [n, id] of streams.entries()) expect((await store.readStream(id)).events.map((e) => e.data)).toEqual([{ n }]);
  });

  test('any other failure fails the batch it hit, and only that one', async () => {
    const db = deadlockingOnce(database.db, { code: '57014' });
    const commit = new GroupCommit(db);
    const streams = Array.from({ length: 6 }, () => `worker-${randomUUID()}`);
    const outcomes = await appendAll(commit, streams);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
    for (const [n, id] of streams.entries()) expect((await store.readStream(id)).version).toBe(n < 2 ? 1 : 0);
  });
});
