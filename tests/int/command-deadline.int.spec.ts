import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { workerStreamId } from '#domain/events.js';
import { EventStoreDeadlineError, WrongExpectedVersionError, type EventStore } from '#event-store/event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { FixedClock } from '#platform/clock.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { registration as register } from '../support/trajectories.js';
import { reachWithoutDirectory, staff } from '../support/access.js';

const policy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
const clock = new FixedClock(new Date('2024-06-30T10:00:00Z'));

/** The store, except that the next append's caller sees its deadline pass: after the append was written, or before it got anywhere. */
function stalling(store: EventStore, mode: 'written' | 'lost' | 'conflict'): EventStore & { appends: number } {
  let stalled = false;
  const wrapper = Object.create(store) as EventStore & { appends: number };
  wrapper.appends = 0;
  wrapper.appendToStream = async (streamId, events, expectedVersion) => {
    wrapper.appends += 1;
    if (stalled) return store.appendToStream(streamId, events, expectedVersion);
    stalled = true;
    if (mode === 'written') await store.appendToStream(streamId, events, expectedVersion);
    if (mode === 'conflict')
      await store.appendToStream(
        streamId,
        events.map((e) => ({ ...e, metadata: { ...e.metadata, correlationId: 'someone-else' } })),
        expectedVersion,
      );
    throw new EventStoreDeadlineError(`append to ${streamId}`, 100);
  };
  return wrapper;
}

describe('a command whose append outlived its deadline', () => {
  let database: TestDatabase;
  let store: SqlEventStore;
  let n = 0;
  const newWorker = () => `w-deadline-${++n}`;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    store = await SqlEventStore.create(database.db);
  });
  afterAll(() => database.dispose());

  test('written after all: the repeat finds its own events and succeeds, nothing is doubled', async () => {
    const id = newWorker();
    const wrapped = stalling(store, 'written');
    const outcome = await new WorkerCommandExecutor(wrapped, clock, policy, reachWithoutDirectory()).execute(id, register(id), { actor: staff('coach') });
    expect(outcome.version).toBe(1);
    expect(wrapped.appends).toBe(2);
    expect((await store.readStream(workerStreamId(id))).events.map((e) => e.type)).toEqual(['V1.WorkerRegistered']);
  });

  test('never written: the repeat writes it', async () => {
    const id = newWorker();
    const wrapped = stalling(store, 'lost');
    const outcome = await new WorkerCommandExecutor(wrapped, clock, policy, reachWithoutDirectory()).execute(id, register(id), { actor: staff('coach') });
    expect(outcome.version).toBe(1);
    expect((await store.readStream(workerStreamId(id))).version).toBe(1);
  });

  test('another command wrote meanwhile: the conflict stands (a registration is then refused by rule)', async () => {
    const id = newWorker();
    const wrapped = stalling(store, 'conflict');
    const error = await new WorkerCommandExecutor(wrapped, clock, policy, reachWithoutDirectory())
      .execute(id, register(id), { actor: staff('coach'), expectedVersion: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    const stored = (await store.readStream(workerStreamId(id))).events;
    expect(stored.map((e) => e.metadata.correlationId)).toEqual(['someone-else']);
  });
});
