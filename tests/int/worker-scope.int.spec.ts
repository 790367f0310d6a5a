import { systemActor } from '#access/actor.js';
import { WorkerReach } from '#access/reach.js';
import { WorkerCommandExecutor, WorkerNotFoundError } from '#application/worker-commands.js';
import type { TrajectoryCommand } from '#domain/commands.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { FixedClock } from '#platform/clock.js';
import { membershipsOf, user } from '../support/access.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { registration as register } from '../support/trajectories.js';
import { COACH_MEMBER } from '#domain/testing/fixtures.js';

/**
 * Reach in the command executor, with two executors standing for two processes: a remembered
 * state that says "theirs" is proven by the append, one that says "not theirs" is checked on a
 * fresh read, so a reassignment made elsewhere is always respected. Two coaches in two
 * organisations, each with an org-admin.
 */
const policy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
const clock = new FixedClock(new Date('2024-06-30T10:00:00Z'));

const pop = (date: string): TrajectoryCommand => ({ type: 'RecordPop', data: { date, goals: ['x'], goalsCiphertext: 'sealed' } });
const assign = (coach: string): TrajectoryCommand => ({ type: 'AssignCoach', data: { coach, coachMembership: COACH_MEMBER } });

const reach = new WorkerReach(
  membershipsOf({
    'org-a': { ann: ['coach'], 'admin-a': ['org-admin'] },
    'org-b': { bob: ['coach'], 'admin-b': ['org-admin', 'coach'] },
  }),
);
const screener = user('scr', 'screener');
const ann = user('ann', 'coach');
const bob = user('bob', 'coach');
const adminA = user('admin-a', 'org-admin');
const adminB = user('admin-b', 'org-admin');

describe.each(['pglite', 'postgres'] as const)('reach in the command executor (%s)', (kind) => {
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
    const api = new WorkerCommandExecutor(store, clock, policy, reach);
    const other = new WorkerCommandExecutor(store, clock, policy, reach);
    const id = newWorker();
    await api.execute(id, register(id, 'ann'), { actor: screener });
    await api.execute(id, pop('2024-01-10'), { actor: ann });
    await other.execute(id, assign('bob'), { actor: screener });
    await expect(api.execute(id, pop('2024-01-11'), { actor: ann })).rejects.toBeInstanceOf(WorkerNotFoundError);
    // The new coach reaches the worker through the process that still remembers ann.
    const done = await api.execute(id, pop('2024-01-12'), { actor: bob });
    expect(done.version).toBe(4);
    expect((await store.readStream(`worker-${id}`)).version).toBe(4);
  });

  it("decideReach: the remembered state opens the gate without a read only when it says yes; a no is decided on the store's state", async () => {
    const api = new WorkerCommandExecutor(store, clock, policy, reach);
    const other = new WorkerCommandExecutor(store, clock, policy, reach);
    const id = newWorker();
    await api.execute(id, register(id, 'ann'), { actor: screener });
    // bob is refused, then made the coach by another process: this process still remembers ann.
    expect(await api.decideReach(id, bob)).toEqual({ reaches: false, loaded: { state: expect.anything(), version: 0, events: [] } });
    await other.execute(id, assign('bob'), { actor: screener });
    // Decided on a read: the answer carries it, as load gives it, for the request's own read.
    const decided = await api.decideReach(id, bob);
    expect(decided).toEqual({ reaches: true, loaded: await api.load(id, bob) });
    expect(decided.loaded).toMatchObject({ version: 2, state: { coach: 'bob' } });
    // Remembered as bob's now: no read, nothing carried.
    expect(await api.decideReach(id, bob)).toEqual({ reaches: true, loaded: null });
    // ann's remembered yes is a first gate only: the load and the command decide on the store.
    await api.execute(id, pop('2024-01-09'), { actor: bob });
    await other.execute(id, assign('ann'), { actor: screener });
    expect((await api.decideReach(id, bob)).reaches).toBe(true);
    expect((await api.load(id, bob)).version).toBe(0);
    await expect(api.execute(id, pop('2024-01-10'), { actor: bob })).rejects.toBeInstanceOf(WorkerNotFoundError);
    expect((await api.decideReach(id, bob)).reaches).toBe(false);
  });

  it('out of reach and unknown are the same error and load the same, and nothing is written', async () => {
    const api = new WorkerCommandExecutor(store, clock, policy, reach);
    const id = newWorker();
    await api.execute(id, register(id, 'ann'), { actor: screener });
    for (const outsider of [bob, adminB]) {
      const foreign = await api.execute(id, pop('2024-01-10'), { actor: outsider }).catch((e: unknown) => e);
      const unknown = await api.execute('nobody', pop('2024-01-10'), { actor: outsider }).catch((e: unknown) => e);
      expect(foreign).toBeInstanceOf(WorkerNotFoundError);
      expect(unknown).toBeInstanceOf(WorkerNotFoundError);
      expect(await api.load(id, outsider)).toEqual(await api.load('nobody', outsider));
    }
    expect((await store.readStream(`worker-${id}`)).version).toBe(1);
    // A screener and a system component reach every worker.
    await expect(api.execute(id, pop('2024-01-10'), { actor: screener })).resolves.toMatchObject({ version: 2 });
    await expect(api.execute(id, pop('2024-01-11'), { actor: systemActor('test') })).resolves.toMatchObject({ version: 3 });
  });

  it("an org-admin reaches the workers of their organisation's coaches, and no other", async () => {
    const api = new WorkerCommandExecutor(store, clock, policy, reach);
    const [a, b] = [newWorker(), newWorker()];
    await api.execute(a, register(a, 'ann'), { actor: screener });
    await api.execute(b, register(b, 'bob'), { actor: screener });
    await expect(api.execute(a, pop('2024-01-10'), { actor: adminA })).resolves.toMatchObject({ version: 2 });
    await expect(api.execute(b, pop('2024-01-10'), { actor: adminA })).rejects.toBeInstanceOf(WorkerNotFoundError);
    // admin-b is also a coach: the union of both reaches.
    await expect(api.execute(b, pop('2024-01-10'), { actor: adminB })).resolves.toMatchObject({ version: 2 });
    // Reassigned to a coach of org-a, the worker leaves org-b's reach.
    await api.execute(b, assign('ann'), { actor: screener });
    await expect(api.execute(b, pop('2024-01-11'), { actor: adminB })).rejects.toBeInstanceOf(WorkerNotFoundError);
    await expect(api.execute(b, pop('2024-01-11'), { actor: adminA })).resolves.toMatchObject({ version: 4 });
  });
});
