import { Queue } from 'bullmq';
import { CHECK_QUEUE, EXPIRY_QUEUE, checkJobId, expiryJobId } from '../../apps/worker/src/follow-ups/follow-up-jobs.js';
import { aWorkerPlacedIn, freshInsz, registration } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';
import { TEST_ENTERPRISE } from '../support/directory.js';
import { eventually } from '../support/eventually.js';

/**
 * Statistics that stay true (issue 12): late declarations revise provisional results, a coach's
 * manual result revises or is refused, and the latest step can be retracted, through real HTTP.
 * Each test uses its own exit year, so the tables it reads hold only its own workers.
 */

describe.each(['pglite', 'postgres'] as const)('corrections and revisions (%s)', (store) => {
  let service: TestService;
  let queues: Queue[];

  beforeAll(async () => {
    service = await startTestService({ store });
    queues = [CHECK_QUEUE, EXPIRY_QUEUE].map((name) => new Queue(name, { connection: { url: service.config.redisUrl }, prefix: service.config.queuePrefix }));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await service.close();
  });

  const worker = async (workerId: string) => (await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] })).body;
  const followUpOf = async (workerId: string) => (await worker(workerId)).placements[0].followUp;
  const outflow = async (year: number, method = 'including-ibo', waitFor?: string) => {
    const res = await service.request('GET', `/v1/statistics/outflow?year=${year}&method=${method}${waitFor ? `&waitFor=${waitFor}` : ''}`, {
      roles: ['analyst'],
    });
    expect(res.status).toBe(200);
    return res.body.rows.find((r: { programme: string }) => r.programme === 'TOTAL');
  };
  const flows = async (year: number, waitFor: string) =>
    (await service.request('GET', `/v1/statistics/flows?year=${year}&waitFor=${waitFor}`, { roles: ['analyst'] })).body.rows.find(
      (r: { programme: string }) => r.programme === 'TOTAL',
    );

  /**
   * Imports declarations, then waits until the worker process has made the revisions they call for
   * (the import only queues them): the queue is empty once they are appended.
   */
  async function importDeclarations(body: unknown[]) {
    const answer = await service.request('POST', '/v1/employment-declarations', { roles: ['admin'], body });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ accepted: body.length });
    await eventually(
      async () => (await service.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM declaration_revisions')).rows[0].n,
      (n) => n === 0,
    );
  }

  /** A worker placed in SW who left on `exitDate` (a historic exit: the check runs at once and finds nothing). */
  async function aProvisionalResult(startDate: string, exitDate: string, insz = freshInsz()) {
    const { workerId } = await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(insz) }).then((r) => r.body);
    await service.request('POST', `/v1/workers/${workerId}/screenings`, {
      roles: ['screener'],
      body: { date: startDate, advice: 'supported-employment', programme: 'SW' },
    });
    const placed = await service.request('POST', `/v1/workers/${workerId}/placements`, {
      roles: ['coach'],
      body: { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate, fte: 1 },
    });
    const exit = await service.request('POST', `/v1/workers/${workerId}/exits`, { roles: ['coach'], body: { date: exitDate, reason: 'resignation' } });
    expect(exit.status).toBe(201);
    await eventually(
      () => followUpOf(workerId),
      (f) => f !== null,
    );
    return { workerId, insz, placementId: placed.body.placementId as string };
  }

  test('late declarations revise a provisional not-employed result, through the index; a positive result is never overturned', async () => {
    const { workerId, insz } = await aProvisionalResult('2012-01-02', '2013-03-31'); // reference date 2013-09-30
    expect(await followUpOf(workerId)).toEqual({ outcome: 'not-employed', source: 'register', referenceDate: '2013-09-30', revisions: [] });
    await eventually(
      () => outflow(2013),
      (row) => row.pending === 0,
    );
    expect(await outflow(2013)).toMatchObject({ exited: 1, toWork: 0, pending: 0 });

    // Declarations that do not cover the reference date revise nothing.
    const unrevised = (await worker(workerId)).version;
    await importDeclarations([{ insz, employerId: 'acme', kind: 'employment', startDate: '2013-10-01', endDate: null }]);
    expect((await worker(workerId)).version).toBe(unrevised);

    // An IBO covering it arrives late: the result is revised to ibo.
    await importDeclarations([{ insz, employerId: 'vdab', kind: 'ibo', startDate: '2013-09-01', endDate: '2013-12-31' }]);
    const revised = await worker(workerId);
    expect(revised.version).toBe(unrevised + 1);
    expect(revised.placements[0].followUp).toEqual({
      outcome: 'ibo',
      source: 'register',
      referenceDate: '2013-09-30',
      revisions: [{ from: 'not-employed', fromSource: 'register', to: 'ibo', source: 'register', revisedOn: '2026-11-23' }],
    });
    const revisionEvent = revised.timeline.at(-1);
    expect(revisionEvent).toMatchObject({ type: 'FollowUpRevised', actor: 'system:employment-declarations' });
    expect(await outflow(2013, 'including-ibo', revisionEvent.position)).toMatchObject({ exited: 1, toWork: 1, pending: 0 });
    expect(await outflow(2013, 'employment-only')).toMatchObject({ exited: 1, toWork: 0, pending: 0 });

    // An employment covering it: employment wins over the IBO.
    await importDeclarations([{ insz, employerId: 'acme', kind: 'employment', startDate: '2013-09-15', endDate: '2013-09-30' }]);
    const employed = await worker(workerId);
    expect(employed.version).toBe(revised.version + 1);
    expect(employed.placements[0].followUp).toMatchObject({ outcome: 'employed', source: 'register' });
    expect(employed.placements[0].followUp.revisions.map((r: { to: string }) => r.to)).toEqual(['ibo', 'employed']);
    expect(await outflow(2013, 'employment-only', employed.timeline.at(-1).position)).toMatchObject({ exited: 1, toWork: 1, pending: 0 });

    // The same declarations again, or an IBO, change nothing: a positive result stands.
    await importDeclarations([
      { insz, employerId: 'acme', kind: 'employment', startDate: '2013-09-15', endDate: '2013-09-30' },
      { insz, employerId: 'vdab', kind: 'ibo', startDate: '2013-09-01', endDate: '2013-12-31' },
    ]);
    expect((await worker(workerId)).version).toBe(employed.version);
  });

  test('manual results: 201 revises a not-employed result, 200 for the same outcome, 409 follow-up-already-recorded for a contradiction', async () => {
    const { workerId, placementId } = await aProvisionalResult('2012-01-02', '2014-01-31');
    const manual = await service.request('POST', `/v1/workers/${workerId}/follow-ups`, { roles: ['coach'], body: { placementId, outcome: 'employed' } });
    expect(manual.status).toBe(201);
    expect((await followUpOf(workerId)).revisions).toEqual([
      { from: 'not-employed', fromSource: 'register', to: 'employed', source: 'manual', revisedOn: '2026-11-23' },
    ]);
    expect(await outflow(2014, 'employment-only', manual.body.position)).toMatchObject({ exited: 1, toWork: 1 });

    const same = await service.request('POST', `/v1/workers/${workerId}/follow-ups`, { roles: ['coach'], body: { placementId, outcome: 'employed' } });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(manual.body.version);

    const contradiction = await service.request('POST', `/v1/workers/${workerId}/follow-ups`, {
      roles: ['coach'],
      body: { placementId, outcome: 'not-employed' },
    });
    expect(contradiction.status).toBe(409);
    expect(contradiction.body.rule).toBe('follow-up-already-recorded');

    // A positive result from the register cannot be contradicted by a coach either.
    const insz = freshInsz();
    await service.request('POST', '/v1/employment-declarations', {
      roles: ['admin'],
      body: [{ insz, employerId: 'acme', kind: 'employment', startDate: '2014-01-01', endDate: null }],
    });
    const found = await aProvisionalResult('2012-01-02', '2014-02-28', insz);
    expect(await followUpOf(found.workerId)).toMatchObject({ outcome: 'employed', source: 'register' });
    const refused = await service.request('POST', `/v1/workers/${found.workerId}/follow-ups`, {
      roles: ['coach'],
      body: { placementId: found.placementId, outcome: 'ibo' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.rule).toBe('follow-up-already-recorded');
  });

  test('retraction: only the latest step, by the role that records it; the exit takes its check, result and guarantee with it', async () => {
    const { workerId, placementId } = await aProvisionalResult('2015-01-05', '2015-06-30');
    const exitVersion = (await worker(workerId)).timeline.find((e: { type: string }) => e.type === 'WorkerExited').version;
    expect(await flows(2015, (await worker(workerId)).timeline.at(-1).position)).toMatchObject({ inflow: 1, outflow: 1, stockEnd: 0 });

    const registrationRetraction = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['coach', 'screener'],
      body: { version: 1, reason: 'typo' },
    });
    expect(registrationRetraction.status).toBe(409);
    expect(registrationRetraction.body.rule).toBe('registration-not-retractable');
    const earlier = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['coach'],
      body: { version: exitVersion - 1, reason: 'typo' },
    });
    expect(earlier.status).toBe(409);
    expect(earlier.body.rule).toBe('only-latest-step');
    const notAStep = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['coach'],
      body: { version: exitVersion + 1, reason: 'typo' },
    });
    expect(notAStep.status).toBe(409);
    expect(notAStep.body.rule).toBe('retraction-needs-step');
    const byScreener = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['screener'],
      body: { version: exitVersion, reason: 'typo' },
    });
    expect(byScreener.status).toBe(403);
    expect((await service.request('POST', `/v1/workers/${workerId}/retractions`, { roles: ['coach'], body: { version: exitVersion } })).status).toBe(400);

    const retracted = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['coach'],
      body: { version: exitVersion, reason: 'the worker did not leave' },
    });
    expect(retracted.status).toBe(201);
    const after = await worker(workerId);
    expect(after.activePlacement).toBe(placementId);
    expect(after.placements[0]).toMatchObject({ exit: null, followUp: null });
    expect(after.timeline.at(-1)).toMatchObject({ type: 'StepRetracted', data: { version: exitVersion, reason: 'the worker did not leave' } });
    // Every projection reads as if the exit had never been recorded.
    expect(await flows(2015, retracted.body.position)).toMatchObject({ inflow: 1, outflow: 0, stockEnd: 1 });
    expect(await outflow(2015)).toMatchObject({ exited: 0, toWork: 0, pending: 0 });
    const checks = await service.request('GET', '/v1/follow-ups?limit=1000', { roles: ['admin'] });
    expect(checks.body.items.map((i: { placementId: string }) => i.placementId)).not.toContain(placementId);

    // Then the placement, then (by a screener) the screening.
    const placementVersion = after.timeline.find((e: { type: string }) => e.type === 'PlacementStarted').version;
    const placement = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['coach'],
      body: { version: placementVersion, reason: 'wrong worker' },
    });
    expect(placement.status).toBe(201);
    expect(await flows(2015, placement.body.position)).toMatchObject({ inflow: 0, outflow: 0, stockEnd: 0 });
    expect((await service.request('POST', `/v1/workers/${workerId}/retractions`, { roles: ['coach'], body: { version: 2, reason: 'x' } })).status).toBe(403);
    const screening = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['screener'],
      body: { version: 2, reason: 'wrong worker' },
    });
    expect(screening.status).toBe(201);
    expect((await worker(workerId)).latestScreening).toBeNull();
  });

  test('a retracted exit withdraws its job and its guarantee; a job that still runs does nothing', async () => {
    const { workerId, placementId } = await aWorkerPlacedIn(service, 'SW', '2026-03-02');
    const exit = await service.request('POST', `/v1/workers/${workerId}/exits`, {
      roles: ['coach'],
      body: { date: '2026-08-31', reason: 'doorstroom-regular-work' },
    });
    const job = await eventually(
      () => queues[0].getJob(checkJobId(placementId)),
      (j) => j !== undefined,
    );
    await eventually(
      () => queues[1].getJob(expiryJobId(placementId)),
      (j) => j !== undefined,
    );
    const exitVersion = exit.body.version - 1; // the exit, then the guarantee it granted
    const retracted = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['coach'],
      body: { version: exitVersion, reason: 'mistake' },
    });
    expect(retracted.status).toBe(201);
    expect((await worker(workerId)).returnGuarantee).toBeNull();
    await eventually(
      () => queues[0].getJob(checkJobId(placementId)),
      (j) => j === undefined,
    );
    await eventually(
      () => queues[1].getJob(expiryJobId(placementId)),
      (j) => j === undefined,
    );

    // Had the job survived (Redis was away when the exit was retracted), it finds nothing to check.
    const today = service.clock.now();
    service.clock.set('2027-03-01T10:00:00Z');
    try {
      const stale = await queues[0].add('check', job!.data, { jobId: checkJobId(placementId) });
      const done = await eventually(
        () => queues[0].getJob(stale.id!),
        (j) => j?.finishedOn !== undefined,
      );
      expect(done!.returnvalue).toMatch(/^no check due/);
      expect((await worker(workerId)).version).toBe(retracted.body.version);
    } finally {
      service.clock.set(today);
    }
  });
});
