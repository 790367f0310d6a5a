import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../../apps/api/src/http/auth.js';
import { freshInsz, registration } from '../fixtures/workers.js';
import { freePort } from '../support/ports.js';
import { deleteQueueKeys, TEST_REDIS_URL } from '../support/redis-keys.js';
import { seedTestDirectoryOver } from '../support/directory.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The service as `npm start` runs it (built, one process, embedded store under DATA_DIR):
 * the HTML pages, the queue board for admins, and no plain INSZ in its files or its log.
 */
describe('the service process on its embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trajectory-process-'));
  const prefix = `test-process-${process.pid}`;
  let child: ChildProcess;
  let url: string;
  let log = '';
  let secret: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dataDir,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'debug',
        AUTH_JWT_SECRET: '',
        INSZ_HASH_KEY: '',
        DATABASE_URL: '',
        KURRENTDB_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (log += chunk));
    child.stderr!.on('data', (chunk) => (log += chunk));
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/health`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (i > 300 || child.exitCode !== null) throw new Error(`service did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    secret = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).jwtSecret;
    await seedTestDirectoryOver(url, signToken(secret, { sub: 'p', roles: ['admin'] }));
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
    await deleteQueueKeys(TEST_REDIS_URL, prefix);
  });

  const bearer = (roles: string[]) => ({ authorization: `Bearer ${signToken(secret, { sub: 'tester', roles: roles as never })}` });

  test('generates its secrets once, readable only by its owner', () => {
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  test('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = (await fetch(`${url}/docs-json`).then((r) => r.json())) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/workers', '/v1/statistics/outflow', '/v1/employment-declarations', '/v1/follow-ups']));
    const ui = await fetch(`${url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  test('Bull Board is for admins only', async () => {
    expect((await fetch(`${url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${url}/admin/queues`, { headers: bearer(['coach']) })).status).toBe(403);
    const board = await fetch(`${url}/admin/queues/api/queues`, { headers: bearer(['admin']) });
    expect(board.status).toBe(200);
    expect(JSON.stringify(await board.json())).toContain('follow-up-checks');
  });

  test('no plain INSZ in the store files or the log, yet a coach sees it', async () => {
    const insz = freshInsz();
    const res = await fetch(`${url}/v1/workers`, {
      method: 'POST',
      headers: { ...bearer(['coach']), 'content-type': 'application/json' },
      body: JSON.stringify({ ...registration(insz), coach: 'tester' }),
    });
    expect(res.status).toBe(201);
    const { workerId } = (await res.json()) as { workerId: string };
    await fetch(`${url}/v1/employment-declarations`, {
      method: 'POST',
      headers: { ...bearer(['admin']), 'content-type': 'application/json' },
      body: JSON.stringify([{ insz, employerId: 'acme', kind: 'employment', startDate: '2020-01-01', endDate: null }]),
    });
    const invalid = await fetch(`${url}/v1/workers`, {
      method: 'POST',
      headers: { ...bearer(['coach']), 'content-type': 'application/json' },
      body: JSON.stringify(registration(insz.slice(0, 10) + '0')),
    });
    expect(invalid.status).toBe(400);
    const worker = (await fetch(`${url}/v1/workers/${workerId}`, { headers: bearer(['coach']) }).then((r) => r.json())) as { insz: string };
    expect(worker.insz).toBe(insz);
    // Let the store flush its files, then look everywhere.
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    const formatted = `${insz.slice(0, 2)}.${insz.slice(2, 4)}.${insz.slice(4, 6)}-${insz.slice(6, 9)}.${insz.slice(9)}`;
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file);
      expect([file, bytes.includes(insz)]).toEqual([file, false]);
      expect([file, bytes.includes(formatted)]).toEqual([file, false]);
    }
    expect(log.length).toBeGreaterThan(0);
    const requests = log
      .split('\n')
      .filter((line) => line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as object);
    expect(requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'POST', route: '/v1/workers', status: 201 }),
        expect.objectContaining({ method: 'POST', route: '/v1/workers', status: 400 }),
        expect.objectContaining({ method: 'GET', route: '/v1/workers/:id', status: 200 }),
      ]),
    );
    expect(log).not.toContain(insz);
    expect(log).not.toContain(insz.slice(0, 10));
  }, 30_000);
});
