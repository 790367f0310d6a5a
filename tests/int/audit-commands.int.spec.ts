import { randomBytes, randomUUID } from 'node:crypto';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { appendAuditEntriesIn, AT_ISO, verifyAuditChain } from '#audit/audit-log.js';
import { AuditProjection } from '#audit/audit-projection.js';
import type { TrajectoryCommand } from '#domain/commands.js';
import { RuleViolation } from '#domain/rules.js';
import type { EventStore } from '#event-store/event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { FixedClock } from '#platform/clock.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { registration as register } from '../support/trajectories.js';

/**
 * A command's audit entry is derived from its events by the projection runner, in the runner's
 * transaction: whatever fails where, the trail holds an entry exactly for each command whose
 * events are in the log. Erasure (no event) writes its entry in its own transaction.
 */
const policy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
const clock = new FixedClock(new Date('2026-11-24T09:00:00Z'));

const screen: TrajectoryCommand = { type: 'RecordScreening', data: { date: '2024-01-10', advice: 'supported-employment', programme: 'SW', indication: null } };
const exit: TrajectoryCommand = { type: 'RecordExit', data: { date: '2024-05-01', reason: 'resignation' } };

class Crash extends Error {}

/** The store, with a crash injected before or after the append reaches it. */
function crashing(store: EventStore, when: 'before' | 'after'): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'appendToStream') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<EventStore['appendToStream']>) => {
        if (when === 'before') throw new Crash('before the append');
        await target.appendToStream(...args);
        throw new Crash('after the append, before the answer');
      };
    },
  });
}

describe.each(['pglite', 'postgres'] as const)('audit entries of commands (%s)', (kind) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  let runner: ProjectionRunner;
  const entries = async () =>
    (
      await database.db.query<{ actor: string; action: string; worker_id: string; detail: string; at: string }>(
        `SELECT actor, action, worker_id, detail, ${AT_ISO} AS at FROM audit_log ORDER BY seq`,
      )
    ).rows;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateSchema(database.db);
    store = await SqlEventStore.open(database.db);
    runner = new ProjectionRunner(store, database.db, [new CaseloadProjection(), new AuditProjection(store)], { batchSize: 3 });
  });
  afterAll(async () => {
    await store.close();
    await database.dispose();
  });

  test('an entry exactly for each command whose events were appended, whatever crashes where; a replay adds none', async () => {
    const executor = new WorkerCommandExecutor(store, clock, policy);
    const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await executor.execute(a, register(a), { actor: 'scr-1' });
    await executor.execute(a, screen, { actor: 'coach-1' });
    await expect(executor.execute(a, exit, { actor: 'coach-1' })).rejects.toThrow(RuleViolation); // refused: nothing appended
    await expect(new WorkerCommandExecutor(crashing(store, 'before'), clock, policy).execute(b, register(b), { actor: 'scr-1' })).rejects.toThrow(Crash);
    await expect(new WorkerCommandExecutor(crashing(store, 'after'), clock, policy).execute(c, register(c), { actor: 'scr-2' })).rejects.toThrow(Crash);
    await executor.execute(d, register(d), { actor: 'scr-1' });

    // The runner crashes after the audit projection appended, before the batch commits: nothing stays.
    const head = await store.readAll(null, 100);
    await expect(
      database.db.transaction(async (tx) => {
        await runner.applyInTransaction(head, tx);
        throw new Crash('before the batch commits');
      }),
    ).rejects.toThrow(Crash);
    expect(await entries()).toEqual([]);

    await runner.catchUp();
    const at = '2026-11-24T09:00:00.000Z';
    expect(await entries()).toEqual([
      { actor: 'scr-1', action: 'command', worker_id: a, detail: 'RegisterWorker', at },
      { actor: 'coach-1', action: 'command', worker_id: a, detail: 'RecordScreening', at },
      { actor: 'scr-2', action: 'command', worker_id: c, detail: 'RegisterWorker', at },
      { actor: 'scr-1', action: 'command', worker_id: d, detail: 'RegisterWorker', at },
    ]);

    await runner.rebuild();
    await runner.catchUp();
    expect(await entries()).toHaveLength(4);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 4 });

    await executor.execute(d, screen, { actor: 'coach-2' });
    await runner.catchUp();
    expect((await entries()).map((e) => [e.worker_id, e.detail])).toEqual([
      [a, 'RegisterWorker'],
      [a, 'RecordScreening'],
      [c, 'RegisterWorker'],
      [d, 'RegisterWorker'],
      [d, 'RecordScreening'],
    ]);
  });

  test("read models moved to another event store: the checkpoint moves to that store's head (its events were copied, not commanded)", async () => {
    const checkpoint = async () =>
      (
        await database.db.query<{ position: string; event_store_id: string }>(
          "SELECT position, event_store_id FROM projection_checkpoints WHERE name = 'audit-trail'",
        )
      ).rows[0];
    const before = await checkpoint();
    expect(before.event_store_id).toBe(await store.identity());
    // The same store again (a plain rebuild): nothing moves.
    await database.db.transaction((tx) => new AuditProjection(store).reset(tx));
    expect(await checkpoint()).toEqual(before);
    const other = new Proxy(store, {
      get: (target, property, receiver) =>
        property === 'identity'
          ? () => Promise.resolve('sql:another-store')
          : property === 'headPosition'
            ? () => Promise.resolve('0-999999')
            : (Reflect.get(target, property, receiver) as unknown),
    }) as EventStore;
    await database.db.transaction((tx) => new AuditProjection(other).reset(tx));
    expect(await checkpoint()).toEqual({ position: '0-999999', event_store_id: 'sql:another-store' });
  });

  test('erasure: the entry, the lookup row and the key commit together or not at all', async () => {
    const personalData = await PersonalData.create(database.db, 'k', { current: randomBytes(32) });
    const workerId = randomUUID();
    await personalData.claimAndSeal('hash-erasure', workerId, []);
    const before = (await entries()).length;
    const erase = { actor: 'adm', action: 'erase' as const, workerId, detail: 'DELETE /v1/workers/{id}/personal-data', at: clock.now().toISOString() };
    await expect(
      personalData.erase(workerId, async (tx) => {
        await appendAuditEntriesIn(tx, [erase]);
        throw new Crash('after the audit entry');
      }),
    ).rejects.toThrow(Crash);
    expect(await entries()).toHaveLength(before);
    expect(await personalData.workerByInszHash('hash-erasure')).toBe(workerId);

    await personalData.erase(workerId, (tx) => appendAuditEntriesIn(tx, [erase]).then(() => undefined));
    expect((await entries()).slice(before)).toEqual([{ actor: 'adm', action: 'erase', worker_id: workerId, detail: erase.detail, at: erase.at }]);
    expect(await personalData.workerByInszHash('hash-erasure')).toBeNull();
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });
});
