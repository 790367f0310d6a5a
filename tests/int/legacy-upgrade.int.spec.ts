import { createHmac, createHash, randomUUID } from 'node:crypto';
import type { EventStore } from '#event-store/event-store.js';
import { upgradeLegacyWorkers } from '#personal-data/legacy-upgrade.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { EVENT_STORE } from '#platform/tokens.js';
import { ProjectionProgress, ProjectionRunner } from '#projections/projection-runner.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import { freshInsz, registration } from '../fixtures/workers.js';
import { appendLegacyStream, legacyRegistration } from '../support/legacy-store.js';
import { startTestService, type TestService } from '../support/service.js';

/** The worker id as the version before random ids derived it (a keyed hash of the INSZ hash). */
function legacyWorkerId(hashKey: string, inszHash: string): string {
  const bytes = createHmac('sha256', hashKey).update(`worker-id:${inszHash}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A store as today's predecessor wrote it: hash-derived ids, `inszHash` in every registration, unkeyed idempotency hashes. */
describe.each(['pglite', 'postgres'] as const)('upgrading a store written before erasure unlinked (%s)', (store) => {
  let service: TestService;
  const workers: { insz: string; legacyId: string; placementId: string; erased: boolean; exited: boolean }[] = [];

  beforeAll(async () => {
    service = await startTestService({ store, mode: 'api' });
    const personalData = service.app.get(PersonalData);
    const events = service.app.get<symbol, EventStore>(EVENT_STORE);
    for (const shape of [
      { erased: false, exited: true },
      { erased: false, exited: false },
      { erased: true, exited: false },
    ]) {
      const insz = freshInsz();
      const inszHash = personalData.hashInsz(insz);
      const legacyId = legacyWorkerId(service.config.inszHashKey!, inszHash);
      const placementId = randomUUID();
      const stream = [
        await legacyRegistration(personalData, legacyId, insz, { inszHash }),
        { type: 'V1.ScreeningRecorded', data: { date: '2010-01-05', advice: 'supported-employment', programme: 'SW', indication: null } },
        {
          type: 'V1.PlacementStarted',
          data: { placementId, programme: 'SW', enterpriseId: 'e', startDate: '2010-02-01', fte: 1, underReturnGuarantee: false },
        },
        ...(shape.exited
          ? [
              {
                type: 'V1.WorkerExited',
                data: { placementId, programme: 'SW', fte: 1, date: '2011-02-28', reason: 'resignation', followUpReferenceDate: '2011-08-28' },
              },
            ]
          : []),
      ];
      await appendLegacyStream(events, legacyId, stream);
      if (shape.erased) await personalData.shredWorkerKey(legacyId);
      workers.push({ insz, legacyId, placementId, ...shape });
    }
    const body = JSON.stringify(registration(workers[0].insz));
    await service.database.db.query("INSERT INTO idempotency_keys (actor, key, request_hash, status, body) VALUES ('tester', 'old', $1, 201, $2)", [
      createHash('sha256').update(`POST /v1/workers\n${body}`).digest('hex'),
      JSON.stringify({ workerId: workers[0].legacyId, version: 1, position: '0-1' }),
    ]);
  });
  afterAll(async () => {
    await service.close();
  });

  const count = async (sql: string, params: unknown[] = []) => (await service.database.db.query<{ n: number }>(sql, params)).rows[0].n;

  test('before the upgrade, the old events still read (the upcaster drops inszHash)', async () => {
    const read = await service.request('GET', `/v1/workers/${workers[0].legacyId}`, { roles: ['screener'] });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ insz: workers[0].insz, givenName: null, familyName: null, coach: null, version: 4 });
    expect(read.body.timeline[0].data).not.toHaveProperty('inszHash');
  });

  test('the upgrade gives random ids, moves the hash out of the log, keeps erased workers unlinked; read models follow', async () => {
    const eventsBefore = await count('SELECT count(*)::int AS n FROM events');
    const report = await upgradeLegacyWorkers(service.database.db);
    expect(report).toEqual({ workers: 3, erased: 1, idempotencyRecords: 1 });
    const runner = new ProjectionRunner(service.app.get(EVENT_STORE), service.database.db, [
      new FlowCountsProjection(),
      new FollowUpScheduleProjection(),
      new CaseloadProjection(),
    ]);
    await runner.rebuild();
    // On a shared PostgreSQL another session's open transaction can hold the log's horizon back a while.
    const progress = new ProjectionProgress(service.database.db, service.app.get(EVENT_STORE));
    for (let tries = 0; !(await progress.status()).caughtUp && tries < 300; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await runner.catchUp();
    }

    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(eventsBefore);
    expect(await count("SELECT count(*)::int AS n FROM events WHERE data ? 'inszHash'")).toBe(0);
    for (const { legacyId } of workers) {
      expect(
        await count("SELECT count(*)::int AS n FROM events WHERE stream_id = $1 OR data::text LIKE '%' || $2 || '%'", [`worker-${legacyId}`, legacyId]),
      ).toBe(0);
      expect((await service.request('GET', `/v1/workers/${legacyId}`, { roles: ['screener'] })).status).toBe(404);
    }

    // The first worker, found by INSZ through the lookup table, under a new id with its whole trajectory.
    const [kept, , erased] = workers;
    const found = await service.request('GET', `/v1/workers?insz=${kept.insz}`, { roles: ['screener'] });
    expect(found.body.items).toHaveLength(1);
    const newId = found.body.items[0].workerId as string;
    expect(newId).not.toBe(kept.legacyId);
    const read = await service.request('GET', `/v1/workers/${newId}`, { roles: ['screener'] });
    expect(read.body).toMatchObject({ workerId: newId, insz: kept.insz, version: 4 });
    expect(read.body.timeline.map((e: { type: string }) => e.type)).toEqual(['WorkerRegistered', 'ScreeningRecorded', 'PlacementStarted', 'WorkerExited']);
    const checks = await service.database.db.query<{ worker_id: string }>('SELECT worker_id FROM follow_up_checks WHERE placement_id = $1', [kept.placementId]);
    expect(checks.rows.map((r) => r.worker_id)).toEqual([newId]);

    // A duplicate registration of an upgraded worker is still refused, naming the new id.
    const duplicate = await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(kept.insz) });
    expect([duplicate.status, duplicate.body.workerId]).toEqual([409, newId]);
    // The worker erased before the upgrade stays unlinked: their INSZ registers as a new worker.
    expect((await service.request('GET', `/v1/workers?insz=${erased.insz}`, { roles: ['screener'] })).body.items).toEqual([]);
    expect((await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(erased.insz) })).status).toBe(201);

    expect(await upgradeLegacyWorkers(service.database.db)).toEqual({ workers: 0, erased: 0, idempotencyRecords: 0 });
  });
});
