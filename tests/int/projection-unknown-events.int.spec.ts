import { randomUUID } from 'node:crypto';
import { toNewEvent } from '#application/serialization.js';
import { workerStreamId, type TrajectoryEvent } from '#domain/index.js';
import type { NewEvent } from '#event-store/event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { ProjectionProgress, ProjectionRunner, readCheckpointRow } from '#projections/projection-runner.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { decided, registration } from '../support/trajectories.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { employer } from '#domain/testing/fixtures.js';

const metadata = () => ({ actor: 'test', correlationId: randomUUID(), causationId: null, recordedAt: '2026-11-23T00:00:00Z' });

function trajectory(workerId: string): TrajectoryEvent[] {
  return decided([
    registration(workerId),
    { type: 'RecordScreening', data: { date: '2011-01-05', advice: 'supported-employment', programme: 'SW', indication: null } },
    {
      type: 'StartPlacement',
      data: { placementId: randomUUID(), programme: 'SW', enterpriseId: 'e', employer: employer('e'), startDate: '2011-02-01', fte: 1 },
    },
    { type: 'RecordExit', data: { date: '2011-09-15', reason: 'resignation' } },
  ]);
}

describe('the real projections beside events they do not know (PGlite)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(() => database.dispose());

  test('skipped and counted, the checkpoint reaches the head, the read models hold exactly our events', async () => {
    const store = await SqlEventStore.create(database.db);
    const unknown = (type: string): NewEvent => ({ type, data: { whatever: true }, metadata: metadata() });
    const a = randomUUID();
    const b = randomUUID();
    const [registerA, ...restA] = trajectory(a).map((e) => toNewEvent(e, metadata()));
    await store.appendToStream(workerStreamId(a), [registerA], 0);
    await store.appendToStream(workerStreamId(a), [unknown('V2.PlacementStarted')], 1); // a newer version of the service
    await store.appendToStream(workerStreamId(a), restA, 2);
    await store.appendToStream(`billing-${randomUUID()}`, [unknown('InvoiceIssued'), unknown('InvoicePaid')], 0); // another application
    await store.appendToStream(
      workerStreamId(b),
      trajectory(b).map((e) => toNewEvent(e, metadata())),
      0,
    );

    const read: string[] = [];
    const runner = new ProjectionRunner(store, database.db, [new FlowCountsProjection(), new FollowUpScheduleProjection()], {
      batchSize: 4,
      onRead: (events) => read.push(...events.map((e) => `${e.streamId}@${e.streamVersion}`)),
    });
    await migrateSchema(database.db);
    await runner.catchUp();
    // Told what it read, in log order, without the events it does not know.
    expect(read).toEqual([1, 3, 4, 5].map((v) => `${workerStreamId(a)}@${v}`).concat([1, 2, 3, 4].map((v) => `${workerStreamId(b)}@${v}`)));

    const row = await readCheckpointRow(database.db);
    expect(row).toMatchObject({ position: await store.headPosition(), skippedEvents: 3, lastSkippedType: 'InvoicePaid' });
    const flows = await database.db.query<{ inflow: number; outflow: number }>(
      "SELECT inflow, outflow FROM stat_flow_counts WHERE programme = 'SW' AND year = 2011",
    );
    expect(flows.rows).toEqual([{ inflow: 2, outflow: 2 }]);
    const checks = await database.db.query<{ worker_id: string }>('SELECT worker_id FROM follow_up_checks ORDER BY worker_id');
    expect(checks.rows.map((r) => r.worker_id)).toEqual([a, b].sort());
    expect(await new ProjectionProgress(database.db, store).status()).toMatchObject({ caughtUp: true, skippedEvents: 3, lastSkippedType: 'InvoicePaid' });

    // A rebuild counts them afresh, once.
    await runner.rebuild();
    expect(await readCheckpointRow(database.db)).toMatchObject({ skippedEvents: 3 });
  });
});
