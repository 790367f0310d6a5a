import { WorkerCommandExecutor, WorkerNotFoundError } from '#application/worker-commands.js';
import type { TrajectoryCommand } from '#domain/commands.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { FixedClock } from '#platform/clock.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { registration as register } from '../support/trajectories.js';
import { COACH_MEMBER } from '#domain/testing/fixtures.js';

/**
 * Caseload scoping in the command executor, with two executors standing for two processes: a
 * remembered state that says "theirs" is proven by the append, one that says "not theirs" is
 * checked on a fresh read, so a reassignment made elsewhere is always respected.
 */
const policy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
const clock = new FixedClock(new Date('2024-06-30T10:00:00Z'));

const pop = (date: string): TrajectoryCommand => ({ type: 'RecordPop', data: { date, goals: ['x'] } });
const assign = (coach: string): TrajectoryCommand => ({ type: 'AssignCoach', data: { coach, coachMembership: COACH_MEMBER } });

describe.each(['pglite', 'postgres'] as const)('scoping in the command executor (%s)', (kind) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  let n = 0;
  const newWorker = () => `scope-${kind}-${++n}`;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = await SqlEventStore.create(database.db);
  });
  afterAll(() => database.dispose());

  it('a coach loses a worker reassigned by another process, though their own process still remembers it as theirs', async () => {
    const api = new WorkerCommandExecutor(store, clock, policy);
    const other = new WorkerCommandExecutor(store, clock, policy);
    const id = newWorker();
    await api.execute(id, register(id, 'ann'), { actor: 'scr' });
    await api.execute(id, pop('2024-01-10'), { actor: 'ann', scope: { coach: 'ann' } });
    await other.execute(id, assign('bob'), { actor: 'scr' });
    await expect(api.execute(id, pop('2024-01-11'), { actor: 'ann', scope: { coach: 'ann' } })).rejects.toBeInstanceOf(WorkerNotFoundError);
    // The new coach reaches the worker through the process that still remembers ann.
    const done = await api.execute(id, pop('2024-01-12'), { actor: 'bob', scope: { coach: 'bob' } });
    expect(done.version).toBe(4);
    expect((await store.readStream(`worker-${id}`)).version).toBe(4);
  });

  it('out of reach and unknown are the same error, and nothing is written', async () => {
    const api = new WorkerCommandExecutor(store, clock, policy);
    const id = newWorker();
    await api.execute(id, register(id, 'ann'), { actor: 'scr' });
    const foreign = await api.execute(id, pop('2024-01-10'), { actor: 'bob', scope: { coach: 'bob' } }).catch((e: unknown) => e);
    const unknown = await api.execute('nobody', pop('2024-01-10'), { actor: 'bob', scope: { coach: 'bob' } }).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(WorkerNotFoundError);
    expect(unknown).toBeInstanceOf(WorkerNotFoundError);
    expect((await store.readStream(`worker-${id}`)).version).toBe(1);
    // Without a scope (screener, admin) the worker is reached.
    await expect(api.execute(id, pop('2024-01-10'), { actor: 'scr' })).resolves.toMatchObject({ version: 2 });
  });
});
