import { seedTestDirectoryOver, TEST_ENTERPRISE } from '../support/directory.js';
import { signToken } from '../../apps/api/src/http/auth.js';
import { freshInsz, registration } from '../fixtures/workers.js';
import { startBuiltService, type BuiltService } from '../support/built-service.js';
import { freePort } from '../support/ports.js';
import { PrivateRedis } from '../support/private-redis.js';
import type { ServiceProcess } from '../support/processes.js';
import { post, Replicas } from '../support/replicas.js';

const METRICS_TOKEN = 'scrape-token-of-the-test';

/** Waits (bounded) until `probe` holds, backing off between looks: never a fixed sleep. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; !(await probe()); delay = Math.min(delay * 2, 250)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** One scrape, as `name{labels}` → value (labels as the exposition writes them, in its order). */
async function scrape(process: { url: string }): Promise<Map<string, number>> {
  const response = await fetch(`${process.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect([response.status, response.headers.get('content-type')]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

const sample = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

const commandCount = (command: string, outcome: string) => `trajectory_command_duration_seconds_count{command="${command}",outcome="${outcome}"}`;
const LAG = 'trajectory_projection_lag_positions{projection="read-models"}';
const queueJobs = (queue: string, state: string) => `trajectory_queue_jobs{queue="${queue}",state="${state}"}`;

/**
 * api.md third round, "Metrics for operators": `GET /metrics` on the API's port and on a worker's
 * WORKER_HEALTH_PORT, only with METRICS_TOKEN set and presented; and each family moves when its
 * cause happens: a command, an append, read models that lag while no worker runs, jobs and due
 * checks once the worker has scheduled them.
 */
describe('GET /metrics on the API and the worker (split mode, PostgreSQL)', () => {
  const replicas = new Replicas({ apiPoolSize: 3, workerPoolSize: 3 });
  let redis: PrivateRedis;
  let api: ServiceProcess;
  let withoutToken: ServiceProcess;
  let worker: ServiceProcess;
  const token = () => replicas.token();
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels' }).format(new Date());

  /** Register, screen, place and exit a worker through the API; the exit date decides when their six-month check is due. */
  async function trajectory(exitDate: string): Promise<string> {
    const registered = await post(api.url, token(), '/v1/workers', registration(freshInsz()));
    const at = `/v1/workers/${registered.body.workerId}`;
    expect((await post(api.url, token(), `${at}/screenings`, { date: '2020-01-06', advice: 'supported-employment', programme: 'SW' })).status).toBe(201);
    expect((await post(api.url, token(), `${at}/placements`, { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2020-02-03', fte: 1 })).status).toBe(
      201,
    );
    expect((await post(api.url, token(), `${at}/exits`, { date: exitDate, reason: 'resignation' })).status).toBe(201);
    return registered.body.workerId as string;
  }

  beforeAll(async () => {
    // The worker's Redis starts later: its checks are scheduled, but no job runs until the test says so.
    redis = new PrivateRedis(await freePort());
    api = (await replicas.addApi({ METRICS_TOKEN })).start();
    withoutToken = (await replicas.addApi()).start();
    await Promise.all([api.ready(), withoutToken.ready()]);
    // The coach the fixtures name and the employer are the test directory's.
    await seedTestDirectoryOver(api.url, replicas.token(['admin'], 'admin'));
  }, 60_000);

  afterAll(async () => {
    await replicas.dispose();
    await redis?.stop();
  }, 60_000);

  test('404 without METRICS_TOKEN; 401 without the token, with a wrong one or with a user token', async () => {
    expect((await fetch(`${withoutToken.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
    for (const authorization of [undefined, `Bearer ${METRICS_TOKEN}x`, `Bearer ${token()}`, METRICS_TOKEN]) {
      const response = await fetch(`${api.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect([authorization, response.status, response.headers.get('content-type')]).toEqual([authorization, 401, 'application/problem+json; charset=utf-8']);
    }
  });

  test('a command moves its latency histogram by command and outcome, and the batch histogram; the process metrics are there', async () => {
    const before = await scrape(api);
    const registered = await post(api.url, token(), '/v1/workers', registration(freshInsz()));
    expect(registered.status).toBe(201);
    // A placement before any screening breaks a rule: 409, outcome "rejected".
    const refused = await post(api.url, token(), `/v1/workers/${registered.body.workerId}/placements`, {
      programme: 'SW',
      enterpriseId: TEST_ENTERPRISE,
      startDate: '2020-02-03',
      fte: 1,
    });
    expect(refused.status).toBe(409);
    const after = await scrape(api);
    expect(sample(after, commandCount('RegisterWorker', 'ok')) - sample(before, commandCount('RegisterWorker', 'ok'))).toBe(1);
    expect(sample(after, commandCount('StartPlacement', 'rejected')) - sample(before, commandCount('StartPlacement', 'rejected'))).toBe(1);
    expect(sample(after, 'trajectory_append_batch_size_count') - sample(before, 'trajectory_append_batch_size_count')).toBe(1);
    expect(after.get('process_resident_memory_bytes')).toBeGreaterThan(10e6);
    // The API verifies the audit chain only on request: none yet in this process.
    expect([after.get('trajectory_audit_verification_ok'), after.get('trajectory_audit_verification_timestamp_seconds')]).toEqual([0, 0]);
  });

  test('read models lag while no worker runs; a worker catches up; its jobs and due checks show on its own scrape', async () => {
    const lagBefore = sample(await scrape(api), LAG);
    await trajectory('2021-03-31'); // six-month check due since 2021-09-30: overdue
    await trajectory(today); // check in six months: a delayed job
    expect(sample(await scrape(api), LAG) - lagBefore).toBeGreaterThanOrEqual(8);

    worker = await replicas.addWorker({ METRICS_TOKEN, REDIS_URL: redis.url });
    worker.start();
    await worker.waitForLog(/trajectory worker running/, 45_000);
    await until('the read models to catch up, on both scrapes', async () => sample(await scrape(api), LAG) === 0 && sample(await scrape(worker), LAG) === 0);
    // The worker verifies the audit chain as it starts.
    const startedAt = Date.now() / 1000;
    await until('the audit chain to be verified', async () => sample(await scrape(worker), 'trajectory_audit_verification_ok') === 1);
    expect(sample(await scrape(worker), 'trajectory_audit_verification_timestamp_seconds')).toBeGreaterThan(startedAt - 60);
    // Redis is not there yet: the checks are scheduled in the read model, no job has run, and no queue figures are made up.
    const waiting = await scrape(worker);
    expect([waiting.get('trajectory_follow_up_checks{state="due"}'), waiting.get('trajectory_follow_up_checks{state="overdue"}')]).toEqual([1, 1]);
    expect([...waiting.keys()].filter((key) => key.startsWith('trajectory_queue_jobs'))).toEqual([]);
    for (const authorization of [undefined, `Bearer ${token()}`]) {
      expect((await fetch(`${worker.url}/metrics`, { headers: authorization ? { authorization } : {} })).status).toBe(401);
    }

    // Redis comes: the worker schedules both jobs; the overdue check runs at once and is recorded, the other waits its date.
    await redis.start();
    await until('the overdue check to be done and the other delayed', async () => {
      const samples = await scrape(worker);
      return (
        sample(samples, 'trajectory_follow_up_checks{state="due"}') === 0 &&
        sample(samples, queueJobs('follow-up-checks', 'delayed')) === 1 &&
        sample(samples, commandCount('RecordFollowUp', 'ok')) === 1
      );
    });
    const done = await scrape(worker);
    for (const state of ['waiting', 'active', 'failed', 'stalled']) expect([state, done.get(queueJobs('follow-up-checks', state))]).toEqual([state, 0]);
    expect(done.get(queueJobs('return-guarantee-expiries', 'delayed'))).toBe(0);
    expect(sample(done, 'trajectory_follow_up_checks{state="overdue"}')).toBe(0);
    // The follow-up result is an append of the worker process, and the read models take it in.
    expect(sample(done, 'trajectory_append_batch_size_count')).toBeGreaterThanOrEqual(1);
    await until('the follow-up result to be projected', async () => sample(await scrape(worker), LAG) === 0);
  }, 90_000);
});

describe('GET /metrics on npm start (one process, embedded store)', () => {
  let service: BuiltService;

  beforeAll(async () => {
    service = await startBuiltService({ METRICS_TOKEN });
    await seedTestDirectoryOver(service.url, signToken(service.secret, { sub: 'admin', roles: ['admin'] }));
  }, 90_000);

  afterAll(() => service?.stop());

  test('one port answers for the API, the projections and the jobs', async () => {
    const token = signToken(service.secret, { sub: 'metrics', roles: ['screener', 'coach'] });
    expect((await post(service.url, token, '/v1/workers', registration(freshInsz()))).status).toBe(201);
    expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
    await until('the registration to be projected', async () => sample(await scrape(service), LAG) === 0);
    const samples = await scrape(service);
    expect(samples.get(commandCount('RegisterWorker', 'ok'))).toBe(1);
    expect(samples.get(queueJobs('follow-up-checks', 'waiting'))).toBe(0);
    expect(samples.get('trajectory_follow_up_checks{state="due"}')).toBe(0);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(10e6);
  });
});
