import type { PersonalData } from '#personal-data/personal-data.js';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { CHECK_QUEUE, checkJobId, FollowUpJobs } from '../../apps/worker/src/follow-ups/follow-up-jobs.js';
import type { WorkerCommandExecutor } from '#application/worker-commands.js';
import type { EmploymentRegister } from '#employment-register/employment-register.js';
import { FixedClock } from '#platform/clock.js';
import { loadConfig } from '#platform/config.js';
import { ServiceMetrics } from '#platform/metrics.js';
import { HealthRegistry } from '#platform/health-registry.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import type { SqlDatabase } from '#sql/sql.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { deleteQueueKeys, TEST_REDIS_URL } from '../support/redis-keys.js';

/** Reconciliation that fails (its table not there yet, the database away) is tried again within seconds, not ten minutes. */
describe('follow-up reconciliation retries soon after a failure, and skips erased workers', () => {
  const prefix = `test-reconcile-${randomBytes(6).toString('hex')}`;
  let database: TestDatabase;
  let jobs: FollowUpJobs | undefined;

  beforeAll(async () => {
    database = await openTestDatabase('postgres', { poolSize: 2 });
    await migrateSchema(database.db);
    // A check due in 2031: reconciliation enqueues it as a delayed job, which nothing runs here.
    await database.db.query(
      `INSERT INTO follow_up_checks (placement_id, worker_id, programme, exit_date, reference_date, status) VALUES ('p-1', 'w-1', 'SW', '2030-07-15', '2031-01-15', 'scheduled')`,
    );
    // An erased worker's check: the register cannot be asked any more, so it is not queued again.
    await database.db.query(
      `INSERT INTO follow_up_checks (placement_id, worker_id, programme, exit_date, reference_date, status) VALUES ('p-0', 'w-erased', 'SW', '2030-07-15', '2031-01-15', 'scheduled')`,
    );
    await database.db.query(`INSERT INTO worker_keys (worker_id, key, shredded_at) VALUES ('w-erased', NULL, now())`);
  });
  afterAll(async () => {
    if (jobs) {
      await jobs.beforeApplicationShutdown();
      await jobs.onApplicationShutdown();
    }
    await database.dispose();
    await deleteQueueKeys(TEST_REDIS_URL, prefix);
  });

  test('two failed attempts, then the job is there within seconds', async () => {
    let failures = 0;
    const failing = Object.create(database.db) as SqlDatabase;
    failing.query = async (text: string, params?: unknown[]) => {
      if (text.includes('FROM follow_up_checks') && failures < 2) {
        failures++;
        throw new Error('relation "follow_up_checks" does not exist');
      }
      return database.db.query(text, params);
    };

    const config = { ...loadConfig({ REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' }, 'worker') };
    jobs = new FollowUpJobs(
      config,
      new FixedClock(new Date('2026-11-23T10:00:00Z')),
      failing,
      {} as EmploymentRegister,
      {} as WorkerCommandExecutor,
      new HealthRegistry(),
      {} as PersonalData,
      new ServiceMetrics(),
    );
    const started = Date.now();
    await jobs.onApplicationBootstrap();

    const queue = new Queue(CHECK_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      for (let delay = 20; (await queue.getJobState(checkJobId('p-1'))) === 'unknown'; delay = Math.min(delay * 2, 200)) {
        if (Date.now() - started > 10_000) throw new Error(`no job after ${failures} failed reconciliations`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      expect(await queue.getJobState(checkJobId('p-1'))).toBe('delayed');
      expect(await queue.getJobState(checkJobId('p-0'))).toBe('unknown');
    } finally {
      await queue.close();
    }
    expect(failures).toBe(2);
    // Backoff 0.5 s then 1 s: well within the ten-minute tick that used to be the next try.
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
