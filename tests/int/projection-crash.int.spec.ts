import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { toNewEvent } from '#application/serialization.js';
import { workerStreamId, type TrajectoryCommand, type TrajectoryEvent } from '#domain/index.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import type { Projection } from '#projections/projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import type { SqlDatabase } from '#sql/sql.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';
import { decided, registration } from '../support/trajectories.js';

const WORKERS = 2_500;

/** One worker's trajectory as events, decided by the domain (no HTTP: this test is about the runner). */
function trajectory(i: number): TrajectoryEvent[] {
  const programmes = ['SW', 'BW', 'MAATWERK', 'INVOEG_DC', 'LDE'] as const;
  const programme = programmes[i % programmes.length];
  const workerId = randomUUID();
  const year = 2008 + (i % 6);
  const commands: TrajectoryCommand[] = [
    registration(workerId),
    { type: 'RecordScreening', data: { date: `${year}-01-05`, advice: 'supported-employment', programme, indication: null } },
    { type: 'StartPlacement', data: { placementId: randomUUID(), programme, enterpriseId: 'e', startDate: `${year}-02-01`, fte: i % 3 === 0 ? 0.5 : 1 } },
  ];
  if (i % 2 === 0)
    commands.push({ type: 'RecordExit', data: { date: `${year + 1}-0${1 + (i % 9)}-15`, reason: i % 10 === 0 ? 'doorstroom-regular-work' : 'resignation' } });
  return decided(commands);
}

async function snapshot(db: SqlDatabase) {
  const flows = await db.query('SELECT * FROM stat_flow_counts ORDER BY programme, year');
  const checks = await db.query('SELECT * FROM follow_up_checks ORDER BY placement_id');
  const guarantees = await db.query('SELECT * FROM return_guarantees ORDER BY worker_id');
  return { flows: flows.rows, checks: checks.rows, guarantees: guarantees.rows };
}

describe('projection runner: a crash loses or doubles nothing (PostgreSQL)', () => {
  let test_db: TestDatabase;
  let store: SqlEventStore;
  const projections = (): Projection[] => [new FlowCountsProjection(), new FollowUpScheduleProjection()];
  let eventCount = 0;

  beforeAll(async () => {
    test_db = await openTestDatabase('postgres');
    await migrateSchema(test_db.db);
    store = await SqlEventStore.open(test_db.db);
    const meta = { actor: 'seed', correlationId: 'seed', causationId: null, recordedAt: '2026-11-23T00:00:00Z' };
    const all = Array.from({ length: WORKERS }, (_, i) => trajectory(i));
    for (let i = 0; i < all.length; i += 50) {
      await Promise.all(
        all.slice(i, i + 50).map((events) => {
          eventCount += events.length;
          const workerId = (events[0] as Extract<TrajectoryEvent, { type: 'WorkerRegistered' }>).data.workerId;
          return store.appendToStream(
            workerStreamId(workerId),
            events.map((e) => toNewEvent(e, meta)),
            0,
          );
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await test_db.dispose();
  });

  test('the rebuild process killed (SIGKILL) in the middle, then caught up, matches a clean rebuild figure for figure', async () => {
    const runner = new ProjectionRunner(store, test_db.db, projections(), { batchSize: 100 });
    const child = spawn(process.execPath, ['dist/apps/worker/src/cli/rebuild-projections.js'], {
      env: {
        ...process.env,
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: test_db.schema!,
        PROJECTION_BATCH_SIZE: '100',
        AUTH_JWT_SECRET: 'x',
        INSZ_HASH_KEY: 'y',
        PERSONAL_DATA_KEK: randomBytes(32).toString('base64'),
        AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
        REDIS_URL: 'redis://127.0.0.1:1',
      },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Kill it once it has applied some batches but not all.
    const head = await store.headPosition();
    for (;;) {
      const checkpoint = await runner.checkpoint();
      if (checkpoint !== null && checkpoint !== head) break;
      if (child.exitCode !== null) throw new Error('the rebuild finished before it could be killed; seed more events');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const partial = await runner.checkpoint();
    expect(partial).not.toBe(head);

    await runner.catchUp();
    const afterCrash = await snapshot(test_db.db);
    expect(afterCrash.flows.reduce((n, r) => n + Number((r as { inflow: number }).inflow), 0)).toBe(WORKERS);

    // Replaying what was applied changes nothing: the checkpoint is at the head.
    expect(await runner.catchUp()).toBe(0);
    expect(await snapshot(test_db.db)).toEqual(afterCrash);

    const applied = await runner.rebuild();
    expect(applied).toBe(eventCount);
    expect(await snapshot(test_db.db)).toEqual(afterCrash);
  }, 120_000);

  test('a failure inside a batch rolls the whole batch back, checkpoint included', async () => {
    const runner = new ProjectionRunner(store, test_db.db, projections(), { batchSize: 500 });
    const clean = await snapshot(test_db.db);
    const failing: Projection = {
      name: 'failing',
      reset: async () => undefined,
      apply: async () => {
        throw new Error('disk full');
      },
    };
    const broken = new ProjectionRunner(store, test_db.db, [...projections(), failing], { batchSize: 500 });
    await test_db.db.transaction(async (tx) => {
      for (const p of projections()) await p.reset(tx);
      await tx.query('UPDATE projection_checkpoints SET position = NULL');
    });
    await expect(broken.catchUp()).rejects.toThrow('disk full');
    expect(await broken.checkpoint()).toBeNull();
    expect((await snapshot(test_db.db)).flows).toEqual([]);
    await runner.catchUp();
    expect(await snapshot(test_db.db)).toEqual(clean);
  }, 60_000);

  test('two runners at once apply every event once', async () => {
    const clean = await snapshot(test_db.db);
    const a = new ProjectionRunner(store, test_db.db, projections(), { batchSize: 150 });
    const b = new ProjectionRunner(store, test_db.db, projections(), { batchSize: 150 });
    await test_db.db.transaction(async (tx) => {
      for (const p of projections()) await p.reset(tx);
      await tx.query('UPDATE projection_checkpoints SET position = NULL');
    });
    await Promise.all([a.catchUp(), b.catchUp()]);
    expect(await snapshot(test_db.db)).toEqual(clean);
  }, 60_000);
});
