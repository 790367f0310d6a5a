import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  InvalidPositionError,
  WrongExpectedVersionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '#event-store/event-store.js';
import { ProjectionRunner, readCheckpointRow } from '#projections/projection-runner.js';
import type { Projection } from '#projections/projection.js';
import { PgliteDatabase } from '#sql/pglite.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';

export interface EventStoreUnderTest {
  store: EventStore;
  dispose(): Promise<void>;
  /** the same store opened again, as another process would (closed by the caller) */
  reopen(): Promise<EventStore>;
  /**
   * The stream-name prefix the adapter's log is limited to (KurrentDB), or null when the log is
   * everything in the adapter's own tables (SQL).
   */
  logPrefix: string | null;
}

function event(type: string, data: Record<string, unknown> = {}): NewEvent {
  return {
    type,
    data,
    metadata: { actor: 'contract', correlationId: randomUUID(), causationId: null, recordedAt: new Date().toISOString() },
  };
}

async function readEverything(store: EventStore, after: string | null = null, batch = 100): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let position = after;
  for (;;) {
    const page = await store.readAll(position, batch);
    if (page.length === 0) return all;
    all.push(...page);
    position = page.at(-1)!.position;
  }
}

/**
 * Waits until the log can return everything up to `position`. The log may lag behind an append
 * (PostgreSQL shows an event once every older transaction of the server has ended), never skip it.
 */
export async function untilReadable(store: EventStore, position: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await store.headPosition();
    if (head !== null && comparePositions(head, position) >= 0) return;
    if (Date.now() > deadline) throw new Error(`the log did not reach ${position} within ${timeoutMs} ms (head ${head})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The one contract every event-store adapter must honour (Emmett habit: one suite, every adapter). */
export function describeEventStoreContract(adapter: string, open: () => Promise<EventStoreUnderTest>): void {
  describe(`event store contract: ${adapter}`, () => {
    let subject!: EventStoreUnderTest;
    let store: EventStore;
    // Stream names are unique per test so that a shared server (KurrentDB) needs no cleanup.
    const stream = () => `worker-${randomUUID()}`;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject.dispose();
    });

    test('a missing stream reads as version 0 with no events', async () => {
      expect(await store.readStream(stream())).toEqual({ version: 0, events: [] });
    });

    test('appends to a new stream with expected version 0, versions are 1-based', async () => {
      const id = stream();
      const result = await store.appendToStream(id, [event('V1.A', { n: 1 }), event('V1.B', { n: 2 })], 0);
      expect(result.version).toBe(2);
      const read = await store.readStream(id);
      expect(read.version).toBe(2);
      expect(read.events.map((e) => [e.streamVersion, e.type, e.data])).toEqual([
        [1, 'V1.A', { n: 1 }],
        [2, 'V1.B', { n: 2 }],
      ]);
      expect(read.events[1].position).toBe(result.position);
    });

    test('metadata round-trips', async () => {
      const id = stream();
      const e = event('V1.A');
      e.metadata.causationId = 'cause-1';
      await store.appendToStream(id, [e], 0);
      const [stored] = (await store.readStream(id)).events;
      expect(stored.metadata).toEqual(e.metadata);
    });

    test('appends to an existing stream with its version', async () => {
      const id = stream();
      await store.appendToStream(id, [event('V1.A')], 0);
      const result = await store.appendToStream(id, [event('V1.B')], 1);
      expect(result.version).toBe(2);
    });

    test('a wrong expected version is a typed error naming the actual version, and writes nothing', async () => {
      const id = stream();
      await store.appendToStream(id, [event('V1.A')], 0);
      for (const wrong of [0, 2, 5]) {
        const error = await store.appendToStream(id, [event('V1.X'), event('V1.Y')], wrong).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect((error as WrongExpectedVersionError).actualVersion).toBe(1);
        expect((error as WrongExpectedVersionError).expectedVersion).toBe(wrong);
      }
      const read = await store.readStream(id);
      expect(read.version).toBe(1);
      expect(read.events.map((e) => e.type)).toEqual(['V1.A']);
    });

    test('concurrent appends with the same expected version: exactly one wins, never a lost update', async () => {
      const id = stream();
      await store.appendToStream(id, [event('V1.A')], 0);
      const attempts = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.appendToStream(id, [event('V1.Race', { i })], 1)));
      const won = attempts.filter((a) => a.status === 'fulfilled');
      const lost = attempts.filter((a) => a.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const a of lost) expect(a.reason).toBeInstanceOf(WrongExpectedVersionError);
      expect((await store.readStream(id)).version).toBe(2);
    });

    test('concurrent appends to many streams: each stands alone, a conflict on one fails only that one', async () => {
      const existing = Array.from({ length: 5 }, () => stream());
      for (const id of existing) await store.appendToStream(id, [event('V1.A')], 0);
      const fresh = Array.from({ length: 5 }, () => stream());
      // Issued together, so that a store that batches appends gets them in one batch.
      const attempts = await Promise.allSettled([
        ...existing.map((id, i) => store.appendToStream(id, [event('V1.B'), event('V1.C')], i % 2 === 0 ? 1 : 0)),
        ...fresh.map((id, i) => store.appendToStream(id, [event('V1.A', { i })], i % 2 === 0 ? 0 : 3)),
      ]);
      const outcome = attempts.map((a) => (a.status === 'fulfilled' ? a.value.version : (a.reason as WrongExpectedVersionError).actualVersion));
      const failed = attempts.map((a) => a.status === 'rejected');
      expect(failed).toEqual([false, true, false, true, false, false, true, false, true, false]);
      for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(WrongExpectedVersionError);
      // Written: the new version. Refused: the stream's actual version.
      expect(outcome).toEqual([3, 1, 3, 1, 3, 1, 0, 1, 0, 1]);
      for (const [i, id] of existing.entries()) {
        expect((await store.readStream(id)).events.map((e) => e.type)).toEqual(i % 2 === 0 ? ['V1.A', 'V1.B', 'V1.C'] : ['V1.A']);
      }
      for (const [i, id] of fresh.entries()) expect((await store.readStream(id)).version).toBe(i % 2 === 0 ? 1 : 0);
      const positions = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value.position] : []));
      expect(new Set(positions).size).toBe(positions.length);
    });

    test('streams read at the same time each come back whole and on their own, a missing one empty', async () => {
      const ids = Array.from({ length: 12 }, () => stream());
      for (const [i, id] of ids.entries()) {
        if (i % 4 === 3) continue;
        await store.appendToStream(
          id,
          Array.from({ length: 1 + (i % 3) }, (_, n) => event('V1.A', { i, n })),
          0,
        );
      }
      // Issued together (one stream twice), so that a store that batches reads gets them in one batch.
      const reads = await Promise.all([...ids, ids[0]].map((id) => store.readStream(id)));
      const expected = (i: number) => (i % 4 === 3 ? [] : Array.from({ length: 1 + (i % 3) }, (_, n) => ({ i, n })));
      expect(reads.map((r) => r.version)).toEqual([...ids.keys(), 0].map((i) => expected(i).length));
      expect(reads.map((r) => r.events.map((e) => e.data))).toEqual([...ids.keys(), 0].map(expected));
      expect(reads.flatMap((r, i) => r.events.map((e) => e.streamId === [...ids, ids[0]][i]))).not.toContain(false);
    });

    test('concurrent creation of one stream: exactly one wins', async () => {
      const id = stream();
      const attempts = await Promise.allSettled(Array.from({ length: 6 }, () => store.appendToStream(id, [event('V1.A')], 0)));
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      expect((await store.readStream(id)).version).toBe(1);
    });

    test('bad input is refused with a clear error and writes nothing', async () => {
      const id = stream();
      await expect(store.appendToStream(id, [], 0)).rejects.toThrow('nothing to append');
      await expect(store.appendToStream(id, [event('V1.A')], -1)).rejects.toThrow('invalid expected version');
      await expect(store.appendToStream(id, [event('V1.A')], 1.5)).rejects.toThrow('invalid expected version');
      await expect(store.appendToStream('', [event('V1.A')], 0)).rejects.toThrow('invalid stream id');
      await expect(store.appendToStream(id, [event('V1.A'), event('')], 0)).rejects.toThrow('invalid event type');
      expect(await store.readStream(id)).toEqual({ version: 0, events: [] });
      await expect(store.readAll('not-a-position', 10)).rejects.toBeInstanceOf(InvalidPositionError);
      await expect(store.readAll(null, 0)).rejects.toThrow('invalid read limit');
    });

    test('readAll returns appended events in order, after a position exclusively, paged by limit', async () => {
      const before = await store.headPosition();
      const id = stream();
      const appended = await store.appendToStream(id, [event('V1.A'), event('V1.B'), event('V1.C')], 0);
      await untilReadable(store, appended.position);
      const mine = (await readEverything(store, before, 2)).filter((e) => e.streamId === id);
      expect(mine.map((e) => e.type)).toEqual(['V1.A', 'V1.B', 'V1.C']);
      const afterFirst = (await store.readAll(mine[0].position, 10)).filter((e) => e.streamId === id);
      expect(afterFirst.map((e) => e.type)).toEqual(['V1.B', 'V1.C']);
      expect((await store.readAll(mine[2].position, 10)).filter((e) => e.streamId === id)).toEqual([]);
      const page = await store.readAll(before, 1);
      expect(page).toHaveLength(1);
    });

    test('positions increase along the log and headPosition is the last one', async () => {
      const id = stream();
      await store.appendToStream(id, [event('V1.A')], 0);
      const { position } = await store.appendToStream(id, [event('V1.B')], 1);
      await untilReadable(store, position);
      const log = await readEverything(store, null, 500);
      for (let i = 1; i < log.length; i++) expect(comparePositions(log[i - 1].position, log[i].position)).toBeLessThan(0);
      expect(log.map((e) => e.position)).toContain(position);
      expect(comparePositions(log.at(-1)!.position, position)).toBeGreaterThanOrEqual(0);
      const head = await store.headPosition();
      expect(comparePositions(head!, log.at(-1)!.position)).toBeGreaterThanOrEqual(0);
    });

    test('concurrent writers on many streams: a reader polling the whole time sees every event exactly once', async () => {
      const start = await store.headPosition();
      const streams = Array.from({ length: 12 }, stream);
      const perStream = 16;
      const expected = streams.length * perStream;
      const ours = () => seen.filter((e) => streams.includes(e.streamId));
      let writing = true;
      const seen: RecordedEvent[] = [];
      // Events become visible once every older transaction in the database has ended, so after the
      // writers finish the reader keeps polling until it has them all (or gives up after 15 s).
      const reader = (async () => {
        let checkpoint = start;
        const giveUpAt = () => Date.now() + 15_000;
        let deadline = Infinity;
        for (;;) {
          if (!writing && deadline === Infinity) deadline = giveUpAt();
          const page = await store.readAll(checkpoint, 7);
          if (page.length > 0) {
            seen.push(...page);
            checkpoint = page.at(-1)!.position;
          } else if (ours().length >= expected || Date.now() > deadline) {
            return;
          } else {
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      })();
      // Each append writes two events, so the log also shows appends are atomic: never split or interleaved.
      await Promise.all(
        streams.map(async (id) => {
          for (let version = 0; version < perStream; version += 2) {
            await store.appendToStream(id, [event('V1.W', { id, version: version + 1 }), event('V1.W', { id, version: version + 2 })], version);
          }
        }),
      );
      writing = false;
      await reader;
      const mine = ours();
      const keys = mine.map((e) => `${e.streamId}@${e.streamVersion}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(expected);
      expect(mine.map((e) => (e.data as { version: number }).version)).toEqual(mine.map((e) => e.streamVersion));
      for (let i = 0; i < mine.length; i += 2) {
        expect(mine[i].streamVersion % 2).toBe(1);
        expect([mine[i + 1].streamId, mine[i + 1].streamVersion]).toEqual([mine[i].streamId, mine[i].streamVersion + 1]);
      }
    });

    test('identity: the same for every opening of the same store', async () => {
      const identity = await store.identity();
      expect(identity).toMatch(/\S{8,}/);
      const again = await subject.reopen();
      try {
        expect(await again.identity()).toBe(identity);
      } finally {
        await again.close();
      }
      expect(await store.identity()).toBe(identity);
    });

    test('another application writing beside us: its streams and event types never stop our projections', async () => {
      const before = await store.headPosition();
      const ours = stream();
      const theirs = `billing-${randomUUID()}`;
      // Interleaved: ours, theirs, an unknown type in our own stream (say, a newer version of the service), theirs, ours.
      await store.appendToStream(ours, [event('V1.A', { n: 1 })], 0);
      await store.appendToStream(theirs, [event('InvoiceIssued', { amount: 10 })], 0);
      await store.appendToStream(ours, [event('V9.FromTheFuture', { n: 2 })], 1);
      await store.appendToStream(theirs, [event('InvoicePaid', {})], 1);
      const last = await store.appendToStream(ours, [event('V1.B', { n: 3 })], 2);
      await untilReadable(store, last.position);

      // The store returns our streams in full (it knows no types); another application's streams
      // only where the log is the adapter's own tables.
      const log = (await readEverything(store, before)).filter((e) => e.streamId === ours || e.streamId === theirs);
      const expected = [
        [ours, 'V1.A'],
        [theirs, 'InvoiceIssued'],
        [ours, 'V9.FromTheFuture'],
        [theirs, 'InvoicePaid'],
        [ours, 'V1.B'],
      ].filter(([id]) => subject.logPrefix === null || id.startsWith(subject.logPrefix));
      expect(log.map((e) => [e.streamId, e.type])).toEqual(expected);
      expect(comparePositions((await store.headPosition())!, last.position)).toBeGreaterThanOrEqual(0);
      if (subject.logPrefix !== null) {
        // Their stream is still theirs to read and write: only our log leaves it out.
        expect((await store.readStream(theirs)).events.map((e) => e.type)).toEqual(['InvoiceIssued', 'InvoicePaid']);
      }

      // A projection runner from `before` applies only the types it knows, counts the rest, and reaches the head.
      const readStore = await PgliteDatabase.open(null);
      try {
        const applied: RecordedEvent[] = [];
        const recording: Projection = {
          name: 'recording',
          reset: async () => void applied.splice(0),
          apply: async (events) => void applied.push(...events),
        };
        const runner = new ProjectionRunner(store, readStore, [recording], { batchSize: 2, isKnownEventType: (type) => type.startsWith('V1.') });
        await migrateSchema(readStore);
        await runner.verifyEventStore();
        await readStore.query('UPDATE projection_checkpoints SET position = $1', [before]);
        await runner.catchUp();
        const read = await readEverything(store, before);
        const row = await readCheckpointRow(readStore);
        expect(row.position).toBe(read.at(-1)!.position);
        expect(applied.filter((e) => e.streamId === ours).map((e) => e.type)).toEqual(['V1.A', 'V1.B']);
        expect(applied.every((e) => e.type.startsWith('V1.'))).toBe(true);
        expect(row.skippedEvents).toBe(read.filter((e) => !e.type.startsWith('V1.')).length);
        expect(row.skippedEvents).toBeGreaterThanOrEqual(subject.logPrefix === null ? 3 : 1);
        expect(row.eventStoreId).toBe(await store.identity());
      } finally {
        await readStore.close();
      }
    });
  });
}
