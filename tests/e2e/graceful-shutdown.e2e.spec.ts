import { Queue } from 'bullmq';
import { CHECK_QUEUE, checkJobId } from '../../apps/worker/src/follow-ups/follow-up-jobs.js';
import { comparePositions } from '#event-store/event-store.js';
import { PostgresDatabase } from '#sql/postgres.js';
import { freshInsz, registration } from '../fixtures/workers.js';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { cleanExit } from '../support/processes.js';
import { holdLock, post, Replicas, waitForBlocked } from '../support/replicas.js';
import { TEST_REDIS_URL } from '../support/redis-keys.js';
import { seedTestDirectory, TEST_ENTERPRISE } from '../support/directory.js';

/**
 * SIGTERM drains: the test makes work wait on a lock of its own, sends SIGTERM while that work
 * is in flight, sees that the process takes no new work, then releases the lock and checks that
 * the work in flight finished and was recorded before the process exited.
 */
describe('graceful shutdown of the split-mode processes (PostgreSQL)', () => {
  const replicas = new Replicas({ apiPoolSize: 16, workerPoolSize: 6 });
  let db: PostgresDatabase;
  let token: string;
  const locks: { release(): Promise<void> }[] = [];
  const lock = async (statement: string) => {
    const held = await holdLock(db, statement);
    locks.push(held);
    return held;
  };

  beforeAll(async () => {
    const api = await replicas.addApi();
    const worker = await replicas.addWorker();
    api.start();
    worker.start();
    await Promise.all([api.ready(), worker.ready()]);
    db = await PostgresDatabase.connect(TEST_DATABASE_URL, { schema: replicas.schema, poolSize: 4 });
    await seedTestDirectory(db);
    token = replicas.token();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(locks.map((lock) => lock.release().catch(() => undefined)));
    await db?.close();
    await replicas.dispose();
  }, 60_000);

  async function aScreenedWorker(url: string): Promise<string> {
    const registered = await post(url, token, '/v1/workers', registration(freshInsz()));
    expect(registered.status).toBe(201);
    const workerId = registered.body.workerId as string;
    expect((await post(url, token, `/v1/workers/${workerId}/screenings`, { date: '2024-01-08', advice: 'supported-employment', programme: 'SW' })).status).toBe(
      201,
    );
    return workerId;
  }

  test('the API answers every request in flight at SIGTERM, refuses new ones, then exits', async () => {
    const [api] = replicas.apis;
    const workerId = await aScreenedWorker(api.url);
    expect((await post(api.url, token, `/v1/workers/${workerId}/pops`, { date: '2024-01-10', goals: ['established'] })).status).toBe(201);

    const IN_FLIGHT = 10;
    const keys = await lock('LOCK TABLE idempotency_keys IN SHARE ROW EXCLUSIVE MODE');
    const answers = Array.from({ length: IN_FLIGHT }, (_, i) =>
      post(api.url, token, `/v1/workers/${workerId}/pops`, { date: '2024-01-10', goals: [`review ${i}`] }, { 'idempotency-key': `drain-${i}` }).catch(
        (error: Error) => ({ status: -1, body: error.cause instanceof Error ? error.cause.message : error.message }),
      ),
    );
    await waitForBlocked(db, keys.pid, 'INSERT INTO idempotency_keys%', IN_FLIGHT);

    const exit = api.stop();
    // New work is refused from now on (503, or no listener), while the ten wait on the lock.
    for (let i = 0; ; i++) {
      const status = await fetch(`${api.url}/health`).then(
        (r) => r.status,
        () => 'refused' as const,
      );
      if (status === 503 || status === 'refused') break;
      if (i > 200) throw new Error('the API kept taking new requests after SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(api.running).toBe(true);
    await keys.release();

    const settled = await Promise.all(answers);
    expect(settled.map((a) => a.status)).toEqual(Array(IN_FLIGHT).fill(201));
    expect(new Set(settled.map((a) => a.body.version)).size).toBe(IN_FLIGHT);
    expect(cleanExit(await exit)).toBe(true);

    // Every review in flight was written once (the goals are sealed under the worker's key: each its own ciphertext).
    const { rows } = await db.query<{ sealed: string | null }>(
      `SELECT data->>'goalsCiphertext' AS sealed FROM events WHERE stream_id = $1 AND type = 'V1.PopReviewed'`,
      [`worker-${workerId}`],
    );
    expect(rows).toHaveLength(IN_FLIGHT);
    expect(new Set(rows.map((r) => r.sealed)).size).toBe(IN_FLIGHT);
    const stored = await db.query<{ status: number | null }>(`SELECT status FROM idempotency_keys WHERE key LIKE 'drain-%'`);
    expect(stored.rows.map((r) => r.status)).toEqual(Array(IN_FLIGHT).fill(201));

    api.start();
    await api.ready();
  }, 60_000);

  test('the worker commits the projection batch in progress before it exits', async () => {
    const [api] = replicas.apis;
    const [worker] = replicas.workers;
    const workerId = await aScreenedWorker(api.url);
    // A lock that does not hold back the read horizon (only ACCESS EXCLUSIVE takes a transaction id).
    const statistics = await lock('LOCK TABLE stat_flow_counts IN EXCLUSIVE MODE');
    const started = await post(api.url, token, `/v1/workers/${workerId}/placements`, {
      programme: 'SW',
      enterpriseId: TEST_ENTERPRISE,
      startDate: '2024-03-01',
      fte: 0.5,
    });
    expect(started.status).toBe(201);
    await waitForBlocked(db, statistics.pid, '%stat_flow_counts%', 1);

    const exit = worker.stop();
    await worker.waitForLog(/shutdown: stopping projections/);
    expect(worker.running).toBe(true);
    await statistics.release();
    expect(cleanExit(await exit)).toBe(true);

    // The batch that waited committed, checkpoint and statistics together.
    const { rows } = await db.query<{ position: string }>(`SELECT position FROM projection_checkpoints WHERE name = 'read-models'`);
    expect(comparePositions(rows[0].position, started.body.position)).toBeGreaterThanOrEqual(0);
    const inflow = await db.query<{ inflow: number }>(`SELECT inflow FROM stat_flow_counts WHERE programme = 'SW' AND year = 2024`);
    expect(inflow.rows).toEqual([{ inflow: 1 }]);
    expect(worker.log).toContain(`projections stopped at checkpoint ${rows[0].position}`);

    worker.start();
    await worker.ready();
  }, 60_000);

  test('the worker finishes its running job before it exits', async () => {
    const [api] = replicas.apis;
    const [worker] = replicas.workers;
    const workerId = await aScreenedWorker(api.url);
    const placed = await post(api.url, token, `/v1/workers/${workerId}/placements`, {
      programme: 'SW',
      enterpriseId: TEST_ENTERPRISE,
      startDate: '2024-02-01',
      fte: 1,
    });
    expect(placed.status).toBe(201);
    const placementId = placed.body.placementId as string;

    const queue = new Queue(CHECK_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: replicas.queuePrefix });
    try {
      // The check is due at once (the exit is long past): hold the queue until the register is locked.
      await queue.pause();
      expect((await post(api.url, token, `/v1/workers/${workerId}/exits`, { date: '2025-01-15', reason: 'doorstroom-regular-work' })).status).toBe(201);
      for (let i = 0; (await queue.getJobState(checkJobId(placementId))) === 'unknown'; i++) {
        if (i > 400) throw new Error('the check was never enqueued');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // ACCESS EXCLUSIVE (the one mode that blocks reads) takes a transaction id, holding the read
      // horizon from here on; the exit is older, so the projection has seen it.
      const register = await lock('LOCK TABLE employment_declarations IN ACCESS EXCLUSIVE MODE');
      await queue.resume();
      await waitForBlocked(db, register.pid, '%employment_declarations%', 1);

      const exit = worker.stop();
      await worker.waitForLog(/shutdown: draining the job workers/);
      expect(worker.running).toBe(true);
      await register.release();
      expect(cleanExit(await exit)).toBe(true);
      expect(worker.log).toMatch(/shutdown: job workers drained/);

      // With no worker running any more: the check was recorded by the one that drained.
      const recorded = await db.query<{ actor: string }>(
        `SELECT metadata->>'actor' AS actor FROM events WHERE stream_id = $1 AND type = 'V1.FollowUpRecorded'`,
        [`worker-${workerId}`],
      );
      expect(recorded.rows).toEqual([{ actor: 'system:follow-up-check' }]);
      expect(await queue.getJobState(checkJobId(placementId))).toBe('completed');
    } finally {
      await queue.close();
    }
  }, 60_000);
});
