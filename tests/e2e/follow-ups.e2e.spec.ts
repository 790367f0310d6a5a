import { Queue } from 'bullmq';
import { startOfDayInBrussels, startOfNextDayInBrussels } from '../../apps/worker/src/follow-ups/brussels-time.js';
import { CHECK_QUEUE, EXPIRY_QUEUE, checkJobId, expiryJobId } from '../../apps/worker/src/follow-ups/follow-up-jobs.js';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { EVENT_STORE } from '#platform/tokens.js';
import { aWorkerAfterDoorstroom, aWorkerPlacedIn, freshInsz, registration } from '../fixtures/workers.js';
import { freePort } from '../support/ports.js';
import { PrivateRedis } from '../support/private-redis.js';
import { startTestService, type TestService } from '../support/service.js';
import { reachWithoutDirectory, staff } from '../support/access.js';
import { TEST_ENTERPRISE } from '../support/directory.js';
import { eventually } from '../support/eventually.js';

const TODAY = '2026-11-23';

async function exitWorker(service: TestService, workerId: string, date: string, reason = 'resignation') {
  const res = await service.request('POST', `/v1/workers/${workerId}/exits`, { roles: ['coach'], body: { date, reason } });
  expect(res.status).toBe(201);
  return res.body;
}

const followUpEvents = async (service: TestService, workerId: string) =>
  (await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] })).body.timeline.filter((e: { type: string }) => e.type === 'FollowUpRecorded');

describe('six-month checks and return-guarantee expiries on BullMQ', () => {
  let service: TestService;
  let queues: Queue[];

  beforeAll(async () => {
    service = await startTestService({ store: 'postgres' });
    queues = [CHECK_QUEUE, EXPIRY_QUEUE].map((name) => new Queue(name, { connection: { url: service.config.redisUrl }, prefix: service.config.queuePrefix }));
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await service.close();
  });

  test('a historic exit is checked at once, in the register: employment wins over IBO', async () => {
    const insz = freshInsz();
    await service.request('POST', '/v1/employment-declarations', {
      roles: ['admin'],
      body: [
        { insz, employerId: 'vdab', kind: 'ibo', startDate: '2011-07-01', endDate: '2011-12-31' },
        { insz, employerId: 'acme', kind: 'employment', startDate: '2011-07-01', endDate: '2011-08-31' },
      ],
    });
    const { workerId } = await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(insz) }).then((r) => r.body);
    await service.request('POST', `/v1/workers/${workerId}/screenings`, {
      roles: ['screener'],
      body: { date: '2010-01-04', advice: 'supported-employment', programme: 'SW' },
    });
    await service.request('POST', `/v1/workers/${workerId}/placements`, {
      roles: ['coach'],
      body: { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte: 1 },
    });
    await exitWorker(service, workerId, '2011-02-28');
    const [event] = await eventually(
      () => followUpEvents(service, workerId),
      (events) => events.length === 1,
    );
    // Reference date 2011-08-28: the employment (until 08-31) and the IBO both cover it.
    expect(event.data).toMatchObject({ outcome: 'employed', source: 'register', referenceDate: '2011-08-28' });
    expect(event.actor).toBe('system:follow-up-check');
  });

  test('a recent exit is scheduled six calendar months out, at the start of the reference day in Brussels', async () => {
    const { workerId, placementId } = await aWorkerPlacedIn(service, 'SW', '2026-03-02');
    await exitWorker(service, workerId, '2026-08-31');
    const job = await eventually(
      () => queues[0].getJob(checkJobId(placementId)),
      (j) => j !== undefined,
    );
    expect(job!.data).toEqual({ workerId, placementId, referenceDate: '2027-02-28' });
    expect(job!.delay).toBe(startOfDayInBrussels('2027-02-28').getTime() - service.clock.now().getTime());
    expect(await job!.getState()).toBe('delayed');
    const list = await service.request('GET', '/v1/follow-ups?status=scheduled', { roles: ['admin'] });
    expect(list.body.items).toContainEqual(expect.objectContaining({ placementId, referenceDate: '2027-02-28', status: 'scheduled' }));
    // Coaches may list too (their own caseload, api.md second round); analysts may not.
    expect((await service.request('GET', '/v1/follow-ups', { roles: ['analyst'] })).status).toBe(403);
  });

  test('a death exit gets no check and is listed as excluded', async () => {
    const { workerId, placementId } = await aWorkerPlacedIn(service, 'LDE', '2010-02-01');
    await exitWorker(service, workerId, '2011-05-01', 'death');
    const list = await eventually(
      () => service.request('GET', '/v1/follow-ups?status=excluded&limit=1000', { roles: ['admin'] }),
      (r) => r.body.items.some((i: { placementId: string }) => i.placementId === placementId),
    );
    expect(list.status).toBe(200);
    expect(await queues[0].getJob(checkJobId(placementId))).toBeUndefined();
  });

  test('duplicates and repeats are harmless: the same job twice, a manual result first, reconciliation again', async () => {
    const { workerId, placementId } = await aWorkerPlacedIn(service, 'SW', '2026-01-05');
    await exitWorker(service, workerId, '2026-05-20');
    // Reference date 2026-11-20 has passed: the job runs at once. Add it again under the same id.
    await queues[0].add('check', { workerId, placementId, referenceDate: '2026-11-20' }, { jobId: checkJobId(placementId) });
    await eventually(
      () => followUpEvents(service, workerId),
      (events) => events.length === 1,
    );
    const manual = await service.request('POST', `/v1/workers/${workerId}/follow-ups`, { roles: ['coach'], body: { placementId, outcome: 'employed' } });
    expect(manual.status).toBe(201);
    await (await queues[0].getJob(checkJobId(placementId)))?.remove();
    await queues[0].add('check', { workerId, placementId, referenceDate: '2026-11-20' }, { jobId: checkJobId(placementId) });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const events = await followUpEvents(service, workerId);
    expect(events).toHaveLength(1);
    expect(events[0].data.source).toBe('register');
  });

  test('a check in a process that remembers the worker from before a result recorded elsewhere adds nothing', async () => {
    const { workerId, placementId } = await aWorkerPlacedIn(service, 'SW', '2026-03-02');
    await exitWorker(service, workerId, '2026-08-31');
    const job = await eventually(
      () => queues[0].getJob(checkJobId(placementId)),
      (j) => j !== undefined,
    );
    const today = service.clock.now();
    service.clock.set('2027-03-01T10:00:00Z');
    // This process reads the log (its projections move the workers it remembers along), and would
    // learn of the result before the job runs whenever the job is slow to start: it stops following
    // the log meanwhile, so that it still remembers the worker as it left them.
    const executor = service.app.get(WorkerCommandExecutor);
    const follow = executor.follow;
    executor.follow = () => undefined;
    try {
      // Another process records the result; this service still remembers the worker as it left them.
      const elsewhere = new WorkerCommandExecutor(service.app.get(EVENT_STORE), service.clock, service.config.policy, reachWithoutDirectory());
      await elsewhere.execute(
        workerId,
        { type: 'RecordFollowUp', data: { placementId, outcome: 'ibo', source: 'manual' } },
        { actor: staff('coach-elsewhere') },
      );
      await job!.promote();
      const done = await eventually(
        () => queues[0].getJob(checkJobId(placementId)),
        (j) => j?.finishedOn !== undefined,
      );
      expect(done!.returnvalue).toBe('already recorded elsewhere');
      const events = await followUpEvents(service, workerId);
      expect(events.map((e: { data: { source: string; outcome: string } }) => [e.data.source, e.data.outcome])).toEqual([['manual', 'ibo']]);
    } finally {
      executor.follow = follow;
      service.clock.set(today);
    }
  });

  test('a guarantee whose period has passed expires at once, and a return after it is refused', async () => {
    const { workerId, placementId } = await aWorkerAfterDoorstroom(service, '2025-06-30');
    const worker = await eventually(
      () => service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] }),
      (r) => r.body.returnGuarantee?.status === 'expired',
    );
    const expiry = worker.body.timeline.filter((e: { type: string }) => e.type === 'ReturnGuaranteeExpired');
    expect(expiry).toEqual([expect.objectContaining({ actor: 'system:return-guarantee-expiry', data: { placementId, expiredOn: '2026-07-01' } })]);
    const back = await service.request('POST', `/v1/workers/${workerId}/returns`, { roles: ['coach'], body: { date: TODAY, enterpriseId: TEST_ENTERPRISE } });
    expect(back.status).toBe(409);
    expect(back.body.rule).toBe('return-guarantee-expired');
  });

  test('a running guarantee expires on the day after its last day', async () => {
    const { workerId, placementId } = await aWorkerAfterDoorstroom(service, '2026-10-30');
    const job = await eventually(
      () => queues[1].getJob(expiryJobId(placementId)),
      (j) => j !== undefined,
    );
    expect(job!.delay).toBe(startOfNextDayInBrussels('2027-10-30').getTime() - service.clock.now().getTime());
    // A return while it runs is accepted.
    const back = await service.request('POST', `/v1/workers/${workerId}/returns`, { roles: ['coach'], body: { date: TODAY, enterpriseId: TEST_ENTERPRISE } });
    expect(back.status).toBe(201);
    // The job, when it comes, changes nothing: the guarantee was used.
    service.clock.set('2027-11-01T08:00:00Z');
    try {
      await job!.promote();
      await eventually(
        () => job!.getState(),
        (state) => state === 'completed',
      );
      expect(await job!.returnvalue).toBeDefined();
      const worker = await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] });
      expect(worker.body.returnGuarantee.status).toBe('used');
      expect(worker.body.timeline.filter((e: { type: string }) => e.type === 'ReturnGuaranteeExpired')).toHaveLength(0);
    } finally {
      service.clock.set('2026-11-23T10:00:00Z');
    }
  });
});

describe('nothing is lost when Redis is', () => {
  let redis: PrivateRedis;
  let service: TestService;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    // Redis is down when the service starts.
    service = await startTestService({ store: 'postgres', env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await service.close();
    await redis.stop();
  });

  test('exits recorded while Redis is down are checked, each once, when it comes back; a FLUSHALL and a restart lose and double nothing', async () => {
    const health = await service.request('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.down).toContain('redis');

    const workers = [];
    for (let i = 0; i < 4; i++) {
      const placed = await aWorkerPlacedIn(service, 'SW', '2010-02-01');
      await exitWorker(service, placed.workerId, `2011-0${i + 1}-15`);
      workers.push(placed);
    }
    await redis.start();
    for (const { workerId } of workers)
      await eventually(
        () => followUpEvents(service, workerId),
        (events) => events.length === 1,
        30_000,
      );

    // A recent exit: its job waits in Redis; FLUSHALL throws it away; the restart re-derives it.
    const recent = await aWorkerPlacedIn(service, 'SW', '2026-02-02');
    await exitWorker(service, recent.workerId, '2026-09-30');
    const checks = new Queue(CHECK_QUEUE, { connection: { url: redis.url }, prefix: service.config.queuePrefix });
    try {
      await eventually(
        () => checks.getJob(checkJobId(recent.placementId)),
        (j) => j !== undefined,
      );
      await redis.flushAll();
      expect(await checks.getJob(checkJobId(recent.placementId))).toBeUndefined();
      await service.restart();
      const job = await eventually(
        () => checks.getJob(checkJobId(recent.placementId)),
        (j) => j !== undefined,
      );
      expect(job!.data.referenceDate).toBe('2027-03-30');
    } finally {
      await checks.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const { workerId } of workers) expect(await followUpEvents(service, workerId)).toHaveLength(1);
    expect((await service.request('GET', '/health')).status).toBe(200);
  }, 90_000);
});
