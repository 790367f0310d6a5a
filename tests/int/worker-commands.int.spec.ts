import { WorkerCommandExecutor, WorkerNotFoundError } from '#application/worker-commands.js';
import type { TrajectoryCommand } from '#domain/commands.js';
import { RuleViolation } from '#domain/rules.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { WrongExpectedVersionError } from '#event-store/event-store.js';
import { FixedClock } from '#platform/clock.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { registration as register } from '../support/trajectories.js';
import { reachWithoutDirectory, staff } from '../support/access.js';
import { employer } from '#domain/testing/fixtures.js';

/**
 * The executor keeps each worker's state after its own commands, so that the next command on
 * that worker needs no stream read. Two executors on one store stand for two processes (API and
 * worker, or two API replicas): each one's guess goes stale when the other writes, and every
 * outcome must still be the one a fresh read gives.
 */
const policy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
const clock = new FixedClock(new Date('2024-06-30T10:00:00Z'));
const actor = { actor: staff('coach-1') };

const screen: TrajectoryCommand = { type: 'RecordScreening', data: { date: '2024-01-10', advice: 'supported-employment', programme: 'SW', indication: null } };
const place = (placementId: string, startDate = '2024-02-01'): TrajectoryCommand => ({
  type: 'StartPlacement',
  data: { placementId, programme: 'SW', enterpriseId: 'e-1', employer: employer('e-1'), startDate, fte: 1 },
});
const exit = (date: string): TrajectoryCommand => ({ type: 'RecordExit', data: { date, reason: 'resignation' } });

describe.each(['pglite', 'postgres'] as const)('WorkerCommandExecutor on %s', (kind) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  let api: WorkerCommandExecutor;
  let other: WorkerCommandExecutor;
  let n = 0;
  const newWorker = () => `w-${kind}-${++n}`;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = await SqlEventStore.create(database.db);
  });
  beforeEach(() => {
    api = new WorkerCommandExecutor(store, clock, policy, reachWithoutDirectory());
    other = new WorkerCommandExecutor(store, clock, policy, reachWithoutDirectory());
  });
  afterAll(() => database.dispose());

  it('a second registration is refused by rule, not by a version conflict', async () => {
    const id = newWorker();
    await api.execute(id, register(id), actor);
    await expect(other.execute(id, register(id), actor)).rejects.toMatchObject({ rule: 'worker-already-registered' });
    await expect(api.execute(id, register(id), actor)).rejects.toMatchObject({ rule: 'worker-already-registered' });
    expect((await store.readStream(`worker-${id}`)).version).toBe(1);
  });

  it('a command after another process wrote the worker is decided on what it wrote', async () => {
    const id = newWorker();
    await api.execute(id, register(id), actor);
    await api.execute(id, screen, actor);
    await api.execute(id, place('p-1'), actor);
    await other.execute(id, exit('2024-03-31'), actor); // the api's guess still has an active placement
    const refused = api.execute(id, exit('2024-04-30'), actor);
    await expect(refused).rejects.toBeInstanceOf(RuleViolation);
    await expect(refused).rejects.toMatchObject({ rule: 'exit-needs-active-placement' });
    expect((await api.load(id, actor.actor)).version).toBe(4);
  });

  it('a command the stale guess would refuse succeeds when the stream allows it', async () => {
    const id = newWorker();
    await api.execute(id, register(id), actor);
    await api.execute(id, screen, actor); // the api's guess has no placement
    await other.execute(id, place('p-1'), actor);
    const outcome = await api.execute(id, exit('2024-03-31'), actor);
    expect(outcome.version).toBe(4);
    expect(outcome.events.map((e) => e.type)).toEqual(['WorkerExited']);
  });

  it('If-Match is checked against the stream, not the guess', async () => {
    const id = newWorker();
    await api.execute(id, register(id), actor);
    await api.execute(id, screen, actor);
    await other.execute(id, place('p-1'), actor);
    // The client saw version 3 (written by the other process): the api's guess says 2.
    const outcome = await api.execute(id, exit('2024-03-31'), { ...actor, expectedVersion: 3 });
    expect(outcome.version).toBe(4);
    await expect(api.execute(id, exit('2024-04-30'), { ...actor, expectedVersion: 3 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
  });

  it('a repeated command that changes nothing is answered from the stream', async () => {
    const id = newWorker();
    await api.execute(id, register(id), actor);
    await api.execute(id, screen, actor);
    await api.execute(id, place('p-1'), actor);
    await api.execute(id, exit('2024-03-31'), actor);
    clock.set('2024-10-01T10:00:00Z');
    try {
      const first = await other.execute(id, { type: 'RecordFollowUp', data: { placementId: 'p-1', outcome: 'employed', source: 'register' } }, actor);
      const repeated = await api.execute(id, { type: 'RecordFollowUp', data: { placementId: 'p-1', outcome: 'employed', source: 'register' } }, actor);
      expect(first.events).toHaveLength(1);
      expect(repeated).toEqual({ version: 5, position: first.position, events: [] });
    } finally {
      clock.set('2024-06-30T10:00:00Z');
    }
  });

  it('a step for an unknown worker is not found, with or without a guess elsewhere', async () => {
    await expect(api.execute(newWorker(), screen, actor)).rejects.toBeInstanceOf(WorkerNotFoundError);
  });

  it('concurrent commands on one worker in one process all land, in some order', async () => {
    const id = newWorker();
    await api.execute(id, register(id), actor);
    await api.execute(id, screen, actor);
    const pops = Array.from({ length: 6 }, (_, i) =>
      api.execute(id, { type: 'RecordPop', data: { date: '2024-01-20', goals: [`goal ${i}`], goalsCiphertext: 'sealed' } }, actor),
    );
    const outcomes = await Promise.all(pops);
    expect(outcomes.map((o) => o.version).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8]);
    expect((await store.readStream(`worker-${id}`)).version).toBe(8);
  });

  it('needs no stream read for a command after its own, and keeps at most its capacity of workers', async () => {
    let reads = 0;
    const counted: SqlEventStore = Object.create(store);
    counted.readStream = (streamId) => (reads++, store.readStream(streamId));
    const small = new WorkerCommandExecutor(counted, clock, policy, reachWithoutDirectory(), 2);
    const [a, b, c] = [newWorker(), newWorker(), newWorker()];
    for (const id of [a, b, c]) await small.execute(id, register(id), actor);
    expect(reads).toBe(0);
    await small.execute(c, screen, actor);
    await small.execute(b, screen, actor);
    expect(reads).toBe(0);
    await small.execute(a, screen, actor); // the least recently used: no longer kept
    expect(reads).toBe(1);
    await small.load(b, actor.actor); // a job reads the worker before it decides what to do
    await small.execute(b, { type: 'RecordPop', data: { date: '2024-01-20', goals: ['g'], goalsCiphertext: 'sealed' } }, actor);
    expect(reads).toBe(2);
  });

  it("following the log, a process decides on another's writes without reading the stream; an event out of turn changes nothing", async () => {
    let reads = 0;
    const counted: SqlEventStore = Object.create(store);
    counted.readStream = (streamId) => (reads++, store.readStream(streamId));
    const follower = new WorkerCommandExecutor(counted, clock, policy, reachWithoutDirectory());
    const [followed, gap] = [newWorker(), newWorker()];
    for (const id of [followed, gap]) {
      await api.execute(id, register(id), actor);
      await api.execute(id, screen, actor);
      await api.execute(id, place('p-1'), actor);
    }
    const log = await store.readAll(null, 100_000);
    // The followed worker's events twice over (a repeat is no next event); the other's without its screening.
    const ofFollowed = log.filter((e) => e.streamId === `worker-${followed}`);
    follower.follow(ofFollowed);
    follower.follow(ofFollowed);
    follower.follow(log.filter((e) => e.streamId === `worker-${gap}` && e.type !== 'V1.ScreeningRecorded'));
    expect(follower.recall(followed)?.placements).toHaveLength(1);
    expect(follower.recall(gap)?.latestScreening).toBeNull();

    expect((await follower.execute(followed, exit('2024-03-31'), actor)).version).toBe(4);
    expect(reads).toBe(0);
    // The gap left a guess without the screening and placement: refused by it, decided again on the stream.
    expect((await follower.execute(gap, exit('2024-03-31'), actor)).version).toBe(4);
    expect(reads).toBe(1);
  });
});
