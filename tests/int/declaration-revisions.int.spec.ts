import { randomBytes, randomUUID } from 'node:crypto';
import { DeclarationRevisions } from '#application/declaration-revisions.js';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import type { TrajectoryCommand } from '#domain/commands.js';
import { findPlacement } from '#domain/index.js';
import { SqlEmploymentRegister, type EmploymentDeclaration, type EmploymentRegister } from '#employment-register/employment-register.js';
import type { EventStore } from '#event-store/event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { FixedClock } from '#platform/clock.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { registration } from '../support/trajectories.js';

/**
 * Late declarations are imported without waiting for anything; the worker revises what they cover
 * from a queue table. A crash anywhere in the import leaves no stored declaration unrevised.
 */
const policy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
const clock = new FixedClock(new Date('2026-11-23T10:00:00Z'));

class Crash extends Error {}

describe.each(['pglite', 'postgres'] as const)('declaration revisions (%s)', (kind) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  let register: SqlEmploymentRegister;
  let executor: WorkerCommandExecutor;
  let personalData: PersonalData;
  let runner: ProjectionRunner;
  const queued = async () => (await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM declaration_revisions')).rows[0].n;
  const outcomeOf = async (workerId: string, placementId: string) => findPlacement((await executor.load(workerId)).state, placementId)?.followUp?.outcome;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateSchema(database.db);
    store = await SqlEventStore.open(database.db);
    register = await SqlEmploymentRegister.create(database.db);
    executor = new WorkerCommandExecutor(store, clock, policy);
    personalData = await PersonalData.create(database.db, 'k', { current: randomBytes(32) });
    runner = new ProjectionRunner(store, database.db, [new FollowUpScheduleProjection()]);
  });
  afterAll(async () => {
    await store.close();
    await database.dispose();
  });

  /** A worker whose check found nothing in 2013 (reference date 2013-09-30): a provisional not-employed. */
  async function aProvisionalResult(inszHash: string) {
    const workerId = randomUUID();
    const placementId = randomUUID();
    await personalData.claimAndSeal(inszHash, workerId, []);
    const commands: TrajectoryCommand[] = [
      registration(workerId),
      { type: 'RecordScreening', data: { date: '2012-01-02', advice: 'supported-employment', programme: 'SW', indication: null } },
      { type: 'StartPlacement', data: { placementId, programme: 'SW', enterpriseId: 'e', startDate: '2012-01-02', fte: 1 } },
      { type: 'RecordExit', data: { date: '2013-03-31', reason: 'resignation' } },
      { type: 'RecordFollowUp', data: { placementId, outcome: 'not-employed', source: 'register' } },
    ];
    for (const command of commands) await executor.execute(workerId, command, { actor: 'test' });
    return { workerId, placementId };
  }
  const ibo = (inszHash: string): EmploymentDeclaration => ({ inszHash, employerId: 'vdab', kind: 'ibo', startDate: '2013-09-01', endDate: '2013-12-31' });

  test('the import only queues; the worker revises once the projections hold the results, then empties the queue', async () => {
    const { workerId, placementId } = await aProvisionalResult('h-1');
    const revisions = new DeclarationRevisions(database.db, store, register, executor);
    // The projections have not run: the import does not wait for them.
    expect(await revisions.import([ibo('h-1'), ibo('h-unknown')])).toBe(2);
    expect(await queued()).toBe(2);
    expect(await outcomeOf(workerId, placementId)).toBe('not-employed');

    await runner.catchUp();
    expect(await revisions.runOnce()).toEqual({ declarations: 2, revised: 1 });
    expect(await outcomeOf(workerId, placementId)).toBe('ibo');
    expect(await queued()).toBe(0);
    // Taken again (a crash before the delete): the domain decides nothing new.
    expect(await revisions.import([ibo('h-1')])).toBe(1);
    await runner.catchUp();
    expect(await revisions.runOnce()).toEqual({ declarations: 1, revised: 0 });
  });

  test('a crash between queueing and storing, or between storing and marking ready: nothing stored stays unrevised', async () => {
    const stored = await aProvisionalResult('h-2');
    const lost = await aProvisionalResult('h-3');
    await runner.catchUp();
    const failingRegister: EmploymentRegister = {
      record: () => Promise.reject(new Crash('before the declarations are stored')),
      statusOn: (hash, date) => register.statusOn(hash, date),
    };
    await expect(new DeclarationRevisions(database.db, store, failingRegister, executor).import([ibo('h-3')])).rejects.toThrow(Crash);
    const failingHead = new Proxy(store, {
      get: (target, property, receiver) =>
        property === 'headPosition'
          ? () => Promise.reject(new Crash('after storing, before marking ready'))
          : (Reflect.get(target, property, receiver) as unknown),
    }) as EventStore;
    await expect(new DeclarationRevisions(database.db, failingHead, register, executor).import([ibo('h-2')])).rejects.toThrow(Crash);
    expect(await queued()).toBe(2);

    const revisions = new DeclarationRevisions(database.db, store, register, executor);
    // Rows never marked ready belong to an import that may still be running: left alone for a minute.
    expect(await revisions.runOnce()).toEqual({ declarations: 0, revised: 0 });
    await database.db.query("UPDATE declaration_revisions SET queued_at = now() - interval '2 minutes'");
    expect(await revisions.runOnce()).toEqual({ declarations: 2, revised: 1 });
    expect(await outcomeOf(stored.workerId, stored.placementId)).toBe('ibo');
    // Its declaration never reached the register: nothing to revise.
    expect(await outcomeOf(lost.workerId, lost.placementId)).toBe('not-employed');
    expect(await queued()).toBe(0);
  });
});
