import { toNewEvent } from '#application/serialization.js';
import { workerStreamId, type TrajectoryCommand } from '#domain/index.js';
import { formatPosition, type RecordedEvent } from '#event-store/event-store.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { PgliteDatabase } from '#sql/pglite.js';
import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import type { CheckJob, FollowUpJobs } from '../../apps/worker/src/follow-ups/follow-up-jobs.js';
import { decided, registration } from '../support/trajectories.js';
import { employer } from '#domain/testing/fixtures.js';

/** A worker's log, through the domain: every command must be accepted. */
function logOf(workerId: string, commands: TrajectoryCommand[]): RecordedEvent[] {
  return decided(commands).map((event, i) => ({
    streamId: workerStreamId(workerId),
    streamVersion: i + 1,
    position: formatPosition(1, i + 1),
    ...toNewEvent(event, { actor: 'test', correlationId: 'c', causationId: null, recordedAt: '2026-11-23T00:00:00Z' }),
  }));
}

const register = registration('w');
const screen = (date: string): TrajectoryCommand => ({
  type: 'RecordScreening',
  data: { date, advice: 'supported-employment', programme: 'SW', indication: null },
});
const place = (placementId: string, startDate: string): TrajectoryCommand => ({
  type: 'StartPlacement',
  data: { placementId, programme: 'SW', enterpriseId: 'e', employer: employer('e'), startDate, fte: 1 },
});
const exit = (date: string, reason: 'doorstroom-regular-work' | 'resignation'): TrajectoryCommand => ({ type: 'RecordExit', data: { date, reason } });

describe('the follow-up schedule projection: the same rows however the log is cut into batches (PGlite)', () => {
  let db: PgliteDatabase;
  const projection = new FollowUpScheduleProjection();

  beforeAll(async () => {
    db = await PgliteDatabase.open(null);
    await migrateSchema(db);
  });
  afterAll(() => db.close());

  async function guaranteeAfter(batches: RecordedEvent[][]) {
    await db.transaction((tx) => projection.reset(tx));
    for (const batch of batches) await db.transaction((tx) => projection.apply(batch, tx));
    return (await db.query('SELECT worker_id, placement_id, expires_on, status FROM return_guarantees')).rows;
  }

  test('a return under the guarantee, then another placement after a new screening, in one batch after the grant: the guarantee reads used', async () => {
    const log = logOf('w', [
      register,
      screen('2011-01-05'),
      place('p-1', '2011-02-01'),
      exit('2011-06-30', 'doorstroom-regular-work'),
      { type: 'ReturnUnderGuarantee', data: { placementId: 'p-2', date: '2011-09-01', enterpriseId: 'e', employer: employer('e') } },
      exit('2011-10-31', 'resignation'),
      screen('2012-01-05'),
      place('p-3', '2012-02-01'),
    ]);
    const granted = log.findIndex((e) => e.type === 'V1.ReturnGuaranteeGranted') + 1;
    const expected = [{ worker_id: 'w', placement_id: 'p-1', expires_on: '2012-06-30', status: 'used' }];
    expect(await guaranteeAfter([log])).toEqual(expected);
    expect(await guaranteeAfter([log.slice(0, granted), log.slice(granted)])).toEqual(expected);
    expect(await guaranteeAfter(log.map((e) => [e]))).toEqual(expected);
  });
});

describe('the follow-up schedule projection: the jobs a batch enqueues', () => {
  /** What the projection hands the queues: the placements of the checks scheduled, those withdrawn. */
  function queued() {
    const scheduled: string[] = [];
    const withdrawn: string[] = [];
    const jobs = {
      schedule: async (checks: CheckJob[]) => void scheduled.push(...checks.map((check) => check.placementId)),
      withdraw: async (checks: string[]) => void withdrawn.push(...checks),
    };
    return { projection: new FollowUpScheduleProjection(jobs as unknown as FollowUpJobs), scheduled, withdrawn };
  }
  const followUp = (placementId: string): TrajectoryCommand => ({ type: 'RecordFollowUp', data: { placementId, outcome: 'employed', source: 'manual' } });

  test('an exit whose six-month result the same batch records (an imported history) enqueues no check; in another batch, the check is enqueued', async () => {
    const log = logOf('w', [register, screen('2011-01-05'), place('p-1', '2011-02-01'), exit('2011-06-30', 'resignation'), followUp('p-1')]);
    const together = queued();
    await together.projection.afterCommit(log);
    expect(together.scheduled).toEqual([]);

    const apart = queued();
    await apart.projection.afterCommit(log.slice(0, -1));
    await apart.projection.afterCommit(log.slice(-1));
    expect(apart.scheduled).toEqual(['p-1']);
  });

  test('an exit retracted after its result and recorded again in the same batch enqueues its check', async () => {
    const log = logOf('w', [
      register,
      screen('2011-01-05'),
      place('p-1', '2011-02-01'),
      exit('2011-06-30', 'resignation'),
      followUp('p-1'),
      { type: 'RetractStep', data: { version: 4, reasonCiphertext: null } },
      exit('2011-07-31', 'resignation'),
    ]);
    const { projection, scheduled, withdrawn } = queued();
    await projection.afterCommit(log);
    expect(withdrawn).toEqual(['p-1']);
    expect(scheduled).toEqual(['p-1']);
  });
});
