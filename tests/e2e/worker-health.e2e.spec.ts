import { createServer } from 'node:net';
import { appendAuditEntries } from '#audit/audit-log.js';
import { PostgresDatabase } from '#sql/postgres.js';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { freePort } from '../support/ports.js';
import { PrivateRedis } from '../support/private-redis.js';
import { cleanExit, ServiceProcess } from '../support/processes.js';
import { Replicas } from '../support/replicas.js';

/** Waits (bounded) until `probe` holds, backing off between looks: never a fixed sleep. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; !(await probe()); delay = Math.min(delay * 2, 250)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function health(worker: ServiceProcess): Promise<{ status: number; type: string | null; body: any }> {
  const response = await fetch(`${worker.url}/health`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

/** Only `status` and yes/no states are public (as on the API's /health). */
function expectPublicShape(body: any): void {
  expect(['up', 'down']).toContain(body.status);
  for (const [name, check] of Object.entries(body.checks as Record<string, Record<string, unknown>>)) {
    for (const [key, value] of Object.entries(check)) {
      expect([name, key, key === 'status' ? ['up', 'down'].includes(value as string) : typeof value === 'boolean']).toEqual([name, key, true]);
    }
  }
}

/** The worker process (split mode) answers GET /health on WORKER_HEALTH_PORT: database, Redis, projection runner, job consumers. */
describe('the worker process health listener', () => {
  const replicas = new Replicas({ apiPoolSize: 2, workerPoolSize: 3 });
  let redis: PrivateRedis;
  let worker: ServiceProcess;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    worker = await replicas.addWorker({ REDIS_URL: redis.url });
    worker.start();
    await worker.ready();
  }, 60_000);

  afterAll(async () => {
    await replicas.dispose();
    await redis?.stop();
  }, 60_000);

  test('200 naming the database, Redis, the projection runner and the job consumers, each up', async () => {
    const answer = await health(worker);
    expect([answer.status, answer.type]).toEqual([200, 'application/json; charset=utf-8']);
    expect(answer.body).toEqual({
      status: 'up',
      checks: {
        eventStore: { status: 'up' },
        readStore: { status: 'up' },
        redis: { status: 'up' },
        projectionRunner: { status: 'up', running: true },
        jobs: { status: 'up', consuming: true },
        // verified: once the verification made at start has finished
        auditChain: { status: 'up', verified: expect.any(Boolean) },
      },
    });
    expect(worker.log).toContain(`health on http://127.0.0.1:${worker.port}/health`);
  });

  test('only /health, only GET and HEAD', async () => {
    const other = await fetch(`${worker.url}/docs`);
    expect([other.status, other.headers.get('content-type')]).toEqual([404, 'application/problem+json; charset=utf-8']);
    const post = await fetch(`${worker.url}/health`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${worker.url}/health`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  test('Redis gone: 503 naming redis, the error text only in the log; 200 again once it is back', async () => {
    await redis.stop();
    let answer = await health(worker);
    await until('the worker to report Redis down', async () => {
      answer = await health(worker);
      return answer.status === 503;
    });
    expect(answer.body.status).toBe('down');
    expect(answer.body.down).toContain('redis');
    expect(answer.body.checks.redis).toEqual({ status: 'down' });
    expect(answer.body.checks.readStore).toEqual({ status: 'up' });
    expectPublicShape(answer.body);
    expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|error/i);
    await worker.waitForLog(/health: redis is down/);

    await redis.start();
    await until('the worker to report Redis up again', async () => (await health(worker)).status === 200);
  }, 60_000);

  test('the audit chain broken: the verification at start reports it, and /health answers 503 naming auditChain', async () => {
    const db = await PostgresDatabase.connect(TEST_DATABASE_URL, { schema: replicas.schema, poolSize: 1 });
    try {
      await appendAuditEntries(
        db,
        [1, 2, 3].map((i) => ({ actor: `adm-${i}`, action: 'read' as const, workerId: null, detail: 'GET /v1/workers/{id}' })),
        new Date(),
      );
      await db.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await db.query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2");
      await db.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
    } finally {
      await db.close();
    }
    await worker.stop();
    worker.start();
    await worker.waitForLog(/audit chain BROKEN: entry 2: its content does not match its hash/);
    const answer = await health(worker);
    expect([answer.status, answer.body.down]).toEqual([503, ['auditChain']]);
    expect(answer.body.checks.auditChain).toEqual({ status: 'down' });
    expectPublicShape(answer.body);
  }, 90_000);

  test('SIGTERM: the listener closes with the rest, and the exit is clean', async () => {
    const exit = await worker.stop();
    expect(cleanExit(exit)).toBe(true);
    await expect(fetch(`${worker.url}/health`)).rejects.toThrow();
  });

  test('a WORKER_HEALTH_PORT that is taken: the worker exits, naming the variable', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(worker.port!, '127.0.0.1', () => resolve()));
    try {
      worker.start();
      const exit = await worker.waitForExit();
      expect(exit.code).toBe(1);
      expect(worker.log).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${worker.port} \\(WORKER_HEALTH_PORT\\)`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);
});
